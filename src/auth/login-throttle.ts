// Throttles sign-in attempts the way OWASP advises (issue 18 item 4): per account *and* source with a
// delay that doubles, plus a looser ceiling per account across all sources that slows a distributed
// guess — never a lock of the account itself, so a stranger who knows a username cannot keep its
// owner out.
//
// An attempt is reserved before the password is verified: it locks its rows, is judged and counted
// as a failure in one transaction, and a success later takes the count back. So N concurrent guesses
// are judged one after another on the same count, and at most the allowed number reach a password
// check. The rows live in PostgreSQL (table login_failures): every replica sees the same counts and a
// restart forgets nothing (SPEC §6).
//
// A source in good standing — no outstanding failures, or a few from a source the account signed in
// from lately — passes the per-account ceiling: failures from elsewhere never refuse it. The price is
// one guess per fresh address past the ceiling; a ceiling that only admits one attempt per interval
// would hand every interval to whoever fires first, which is the owner's lock-out again.
//
// The second factor's codes are attempts under the same keys. A right password for an account with a
// second factor gives nothing back: the sign-in succeeds only with the code, so knowing the password
// never clears the count of wrong codes.
import { isIPv4, isIPv6 } from 'node:net';
import type { DataSource, EntityManager } from 'typeorm';

export interface ThrottlePolicy {
  /** Failures from one source at one account before its attempts are spaced out. */
  pairFreeFailures: number;
  /** Failures at one account from all sources before attempts from sources not in good standing are spaced out. */
  accountFreeFailures: number;
  /** The wait after the first failure past the free ones; each further failure doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Failures this old, whose wait has passed, are forgotten. */
  forgetAfterMs: number;
  /** How long a source the account signed in from counts as known. */
  knownSourceMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  pairFreeFailures: 5,
  accountFreeFailures: 20,
  firstDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  forgetAfterMs: 24 * 60 * 60 * 1000,
  knownSourceMs: 30 * 24 * 60 * 60 * 1000,
};

/** One key's state: an account, or an account at one source. */
export interface ThrottleState {
  /** Attempts admitted and not (yet) known to have succeeded. */
  failures: number;
  /** No attempt is admitted before this; null: no wait. */
  nextAttemptAt: Date | null;
  lastFailureAt: Date | null;
  lastSuccessAt: Date | null;
}

export type ThrottleDecision =
  { admitted: true; pair: ThrottleState; account: ThrottleState } | { admitted: false; retryAfterMs: number };

/** The wait after the `failures`-th failure: none while free, then the first delay, doubling, capped. */
export function delayAfter(failures: number, freeFailures: number, policy: ThrottlePolicy): number {
  if (failures < freeFailures) return 0;
  const doublings = Math.min(failures - freeFailures, 40);
  return Math.min(policy.firstDelayMs * 2 ** doublings, policy.maxDelayMs);
}

/** Failures still counted at `now`: those of a key quiet for `forgetAfterMs`, its wait over, are not. */
export function outstandingFailures(state: ThrottleState, now: Date, policy: ThrottlePolicy): number {
  const waiting = state.nextAttemptAt !== null && state.nextAttemptAt > now;
  const quiet =
    state.lastFailureAt === null || now.getTime() - state.lastFailureAt.getTime() >= policy.forgetAfterMs;
  return quiet && !waiting ? 0 : state.failures;
}

const waitOf = (state: ThrottleState, now: Date) =>
  state.nextAttemptAt === null ? 0 : Math.max(0, state.nextAttemptAt.getTime() - now.getTime());

/** Whether an attempt from `pair`'s source at `account` is admitted now, and the states it leaves. */
export function decide(
  pair: ThrottleState,
  account: ThrottleState,
  now: Date,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): ThrottleDecision {
  const pairFailures = outstandingFailures(pair, now, policy);
  const accountFailures = outstandingFailures(account, now, policy);
  const known =
    pair.lastSuccessAt !== null && now.getTime() - pair.lastSuccessAt.getTime() < policy.knownSourceMs;
  const goodStanding = pairFailures === 0 || (known && pairFailures < policy.pairFreeFailures);
  const retryAfterMs = Math.max(waitOf(pair, now), goodStanding ? 0 : waitOf(account, now));
  if (retryAfterMs > 0) return { admitted: false, retryAfterMs };
  const counted = (state: ThrottleState, failures: number, freeFailures: number): ThrottleState => ({
    failures,
    nextAttemptAt: new Date(now.getTime() + delayAfter(failures, freeFailures, policy)),
    lastFailureAt: now,
    lastSuccessAt: state.lastSuccessAt,
  });
  return {
    admitted: true,
    pair: counted(pair, pairFailures + 1, policy.pairFreeFailures),
    account: counted(account, accountFailures + 1, policy.accountFreeFailures),
  };
}

/**
 * The source an address stands for: an IPv4 address (IPv4-mapped IPv6 included), or the /64 network
 * of an IPv6 address — one host usually holds a whole /64, and would otherwise have 2^64 sources.
 */
export function sourceOfAddress(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(bare) || !isIPv6(bare)) return bare;
  const groupsOf = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group]));
  const [head = '', tail] = bare.split('::');
  const before = groupsOf(head);
  const after = tail === undefined ? [] : groupsOf(tail);
  const groups = [...before, ...Array<string>(8 - before.length - after.length).fill('0'), ...after];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The two keys of an attempt. The account is the username as typed, lower-cased, whether or not such
 * an account exists: the answers must not tell. A pair key starts with the source, which holds no
 * space, so no username can spell another key.
 */
export function throttleKeys(username: string, clientAddress: string): { account: string; pair: string } {
  const account = `account:${username.toLowerCase()}`;
  return { account, pair: `source:${sourceOfAddress(clientAddress)} ${account}` };
}

export type LoginReservation =
  | { admitted: true; keys: { account: string; pair: string } }
  | { admitted: false; retryAfterSeconds: number };

interface ThrottleRow {
  failures: number;
  next_attempt_at: Date | null;
  last_failure_at: Date | null;
  last_success_at: Date | null;
}

export class LoginThrottle {
  constructor(private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY) {}

  /**
   * Judges an attempt and, when it is admitted, counts it as a failure — one transaction holding both
   * rows, so concurrent attempts on a key are judged one after another. Verify the password only when
   * this admits the attempt, and report a success with `succeeded`.
   */
  reserve(
    dataSource: DataSource,
    username: string,
    clientAddress: string,
    now: Date,
  ): Promise<LoginReservation> {
    const keys = throttleKeys(username, clientAddress);
    return dataSource.transaction(async (db) => {
      // Every attempt locks the account row first, then its pair row: two attempts never wait on each other crosswise.
      const account = await this.lock(db, keys.account);
      const pair = await this.lock(db, keys.pair);
      const decision = decide(pair, account, now, this.policy);
      if (!decision.admitted) {
        return { admitted: false, retryAfterSeconds: Math.ceil(decision.retryAfterMs / 1000) };
      }
      await this.write(db, keys.account, decision.account);
      await this.write(db, keys.pair, decision.pair);
      return { admitted: true, keys };
    });
  }

  /**
   * A reserved attempt succeeded: its source's failures are cleared and it is known, the account gets
   * its count back — for `attempts` reservations: a sign-in with a second factor reserved twice, for the
   * password and for the code, and only the code's success gives both back.
   */
  async succeeded(
    dataSource: DataSource,
    keys: { account: string; pair: string },
    now: Date,
    attempts = 1,
  ): Promise<void> {
    await dataSource.transaction(async (db) => {
      await db.query(`UPDATE login_failures SET failures = greatest(failures - $2, 0) WHERE key = $1`, [
        keys.account,
        attempts,
      ]);
      await db.query(
        `UPDATE login_failures SET failures = 0, next_attempt_at = NULL, last_success_at = $2 WHERE key = $1`,
        [keys.pair, now],
      );
    });
  }

  /**
   * Deletes a batch of rows that no longer count: failures forgotten, no wait, no recent success.
   * Rows another attempt holds are skipped, so this never waits and never deadlocks with one.
   */
  async forgetStale(dataSource: DataSource, now: Date): Promise<void> {
    const failuresBefore = new Date(now.getTime() - this.policy.forgetAfterMs);
    const successBefore = new Date(now.getTime() - this.policy.knownSourceMs);
    await dataSource.query(
      `DELETE FROM login_failures WHERE key IN (
         SELECT key FROM login_failures
          WHERE last_failure_at < $1 AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
            AND (last_success_at IS NULL OR last_success_at < $3)
          LIMIT 100 FOR UPDATE SKIP LOCKED)`,
      [failuresBefore, now, successBefore],
    );
  }

  /** The key's row, created when missing, locked until the transaction ends. */
  private async lock(db: EntityManager, key: string): Promise<ThrottleState> {
    const rows: ThrottleRow[] = await db.query(
      `INSERT INTO login_failures (key) VALUES ($1)
       ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures
       RETURNING failures, next_attempt_at, last_failure_at, last_success_at`,
      [key],
    );
    const row = rows[0];
    if (!row) throw new Error('login_failures: the upsert returned no row');
    return {
      failures: row.failures,
      nextAttemptAt: row.next_attempt_at,
      lastFailureAt: row.last_failure_at,
      lastSuccessAt: row.last_success_at,
    };
  }

  private async write(db: EntityManager, key: string, state: ThrottleState): Promise<void> {
    await db.query(
      `UPDATE login_failures SET failures = $2, next_attempt_at = $3, last_failure_at = $4 WHERE key = $1`,
      [key, state.failures, state.nextAttemptAt, state.lastFailureAt],
    );
  }
}
