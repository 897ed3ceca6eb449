// Pure rules of webhook delivery: when to try again, and when to give up.

/**
 * The wait before attempt `failures + 1`: exponential from `baseMs` (base, 2×base, 4×base …) capped at
 * `maxMs`, then jittered down to between half and all of it (`random` in [0, 1)), so endpoints that
 * failed together do not all come back at the same instant.
 */
export function retryDelayMs(failures: number, baseMs: number, maxMs: number, random: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exponential / 2 + (exponential / 2) * random);
}

/** Whether a delivery that has failed `failures` times goes to the dead-letter list. */
export function isDeadLetter(failures: number, maxAttempts: number): boolean {
  return failures >= maxAttempts;
}

/** Whether an HTTP answer counts as delivered: 2xx only (a redirect is not followed, so it failed). */
export function isDelivered(status: number): boolean {
  return status >= 200 && status < 300;
}
