// The V8 flags the API runs with. `npm start` passes them (package.json's start script; a test keeps
// the two in step), and the bench starts every process it measures with them — each API build and
// the hand-written floor alike — so both sides of a ratio run as production does.
//
// --max-semi-space-size=128 (MB; V8's default on 64-bit is 16): a dashboard request allocates about
// 1.5 MB and ten run at once for some 60 ms each, about 250 MB/s. With 16 MB semi-spaces a scavenge
// came every 60 ms or so and copied whatever the requests then in flight held, and what survived two
// went on to the old generation and its marking. Each scavenge finds about the same live set however
// large the semi-space, so a larger one copies that set less often. Interleaved 8 s windows of twin
// API processes on the 100k-person city (CPU ms per request / p50 ms):
//   16 MB:  5.53/57 6.89/65 5.44/58 7.08/67 5.45/58 5.80/60   against
//   32 MB:  5.19/56 5.13/59 4.94/55 5.22/58 5.19/57 5.30/57   (one run), and in a later run
//   32 MB:  5.94/63 5.55/60 5.43/58 5.85/64   (p99 127 127 107 126 ms, RSS 255-263 MB)
//   64 MB:  5.69/57 5.29/59 5.27/58 5.28/57   (p99 133 121 112 120 ms, RSS 256-270 MB)
//  128 MB:  5.29/55 5.03/52 5.41/55 5.14/53   (p99 115 105 140 106 ms, RSS 426-444 MB)
// The cost is memory: about 180 MB more resident per process than with 64 MB; p99 did not move.
//
// --no-allocation-site-pretenuring: V8 watches how many objects of each allocation site survive a
// scavenge and, past a threshold, allocates that site's objects straight in the old generation. What
// tips the sites of per-request objects over is not pinned down (likely a scavenge that catches a burst
// of requests alive as load falls or pauses; a load-idle-load script did not reproduce it). Once it
// happens, each request allocates some of its objects in the old generation, where they keep the rest
// of the request alive through every scavenge until a full GC, and the process stays that way: in
// five bench runs the API process started second did (every scavenge kept ~12 MB and took 20-28 ms;
// 0.34-0.40 ms of GC pause per dashboard against 0.07-0.11 ms for the others), whichever build it
// ran. With this flag no process did, in four bench runs (0.07-0.28 ms for every build). Interleaved
// 8 s windows of twin API processes, one of which had fallen into that state (CPU ms per request / p50 / p99 ms, resident memory):
//   default:  5.87/59/142 4.99/56/124 4.72/59/109 5.23/55/131 4.51/51/99 4.44/53/116  (365-446 MB)
//   flag:     4.64/55/85  4.36/53/83  4.07/51/81  3.98/48/76  3.93/50/84 3.96/50/80   (337-347 MB)
// In a twin run where the default stayed well, server CPU was level and p99 mostly lower with the flag.
// Pretenuring pays off for objects that live long; this server's long-lived ones (schema, compiled
// queries, caches) are made once at start, and everything a request makes dies with it.
export const SERVER_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=128',
  '--no-allocation-site-pretenuring',
];
