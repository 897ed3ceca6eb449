// The V8 flags the API runs with. `npm start` passes them (package.json's start script; a test keeps
// the two in step), and the bench starts every process it measures with them — each API build and
// the hand-written floor alike — so both sides of a ratio run as production does.
//
// --max-semi-space-size=32 (MB; V8's default on 64-bit is 16): a dashboard request allocates about
// 1.5 MB and ten run at once for some 60 ms each, so with 16 MB semi-spaces a scavenge comes every
// few dozen milliseconds and finds most in-flight requests' objects alive; what survives two is
// copied into the old generation, which then needs marking. With 32 MB most of a request's objects
// die before a scavenge sees them twice. Interleaved 8 s windows of twin API processes on the
// 100k-person city (CPU ms per request / p50 ms), default then 32 MB:
//   5.53/57 6.89/65 5.44/58 7.08/67 5.45/58 5.80/60   against
//   5.19/56 5.13/59 4.94/55 5.22/58 5.19/57 5.30/57
// The cost is memory: the young generation reserves three semi-spaces, 96 MB instead of 48 MB.
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
