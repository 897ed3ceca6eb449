// The V8 flags the API runs with. `npm start` passes them (package.json's start script; a test keeps
// the two in step), and the bench starts every process it measures with them — each API build and
// the hand-written floor alike — so both sides of a ratio run as production does.
//
// --max-semi-space-size=128 (MB; V8's default on 64-bit is 16): dashboard requests allocate fast,
// and with the default semi-spaces a scavenge came every few dozen milliseconds and copied whatever
// the requests then in flight held, and what survived two went on to the old generation and its
// marking. Each scavenge finds about the same live set however large the semi-space, so a larger one
// copies that set less often: less CPU per request and a lower p50. The cost is resident memory; p99
// did not move.
//
// --no-allocation-site-pretenuring: V8 watches how many objects of each allocation site survive a
// scavenge and, past a threshold, allocates that site's objects straight in the old generation. What
// tips the sites of per-request objects over is not pinned down (likely a scavenge that catches a burst
// of requests alive as load falls or pauses; a load-idle-load script did not reproduce it). Once it
// happens, each request allocates some of its objects in the old generation, where they keep the rest
// of the request alive through every scavenge until a full GC, and the process stays that way: in
// bench runs without the flag one API process did, whichever build it ran, with far longer GC pauses
// per dashboard than the others; with the flag none did. Where the default stayed well, server CPU
// was level and p99 mostly lower with the flag.
// Pretenuring pays off for objects that live long; this server's long-lived ones (schema, compiled
// queries, caches) are made once at start, and everything a request makes dies with it.
// The measurements behind both flags: docs/performance.md#v8-flags.
export const SERVER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=128',
  '--no-allocation-site-pretenuring',
];
