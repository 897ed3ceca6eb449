// Limits failed sign-ins per username and per client address (SPEC §5): after `maxFailures` within
// `windowMs`, further attempts are refused until the window passes. The failures live in PostgreSQL
// (table login_failures), so every replica sees the same count and a restart forgets nothing
// (SPEC §6: the API is stateless, replicas sit behind a load balancer).
import type { EntityManager } from 'typeorm';

export class LoginThrottle {
  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60 * 1000,
  ) {}

  private windowStart(now: Date): Date {
    return new Date(now.getTime() - this.windowMs);
  }

  async isBlocked(db: EntityManager, keys: string[], now: Date): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `SELECT key FROM login_failures WHERE key = ANY($1) AND failed_at > $2
        GROUP BY key HAVING count(*) >= $3 LIMIT 1`,
      [keys, this.windowStart(now), this.maxFailures],
    );
    return rows.length > 0;
  }

  /** Counts a failure against every key, and forgets failures that have left the window. */
  async recordFailure(db: EntityManager, keys: string[], now: Date): Promise<void> {
    await db.query(
      `WITH expired AS (DELETE FROM login_failures WHERE failed_at <= $3)
       INSERT INTO login_failures (key, failed_at) SELECT unnest($1::text[]), $2`,
      [keys, now, this.windowStart(now)],
    );
  }

  async recordSuccess(db: EntityManager, keys: string[]): Promise<void> {
    await db.query(`DELETE FROM login_failures WHERE key = ANY($1)`, [keys]);
  }
}
