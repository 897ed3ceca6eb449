// Sign-in throttling becomes one row per key (an account, or an account at one source address) that
// an attempt locks and counts in the same statement (issue 18 item 4): with one row per failure the
// count and the attempt were separate steps, and 50 concurrent guesses were all evaluated.
// The table is altered, not replaced, so the grants the runtime role holds on it stay. The old rows
// (single failures of the last 15 minutes) are dropped: they counted per username and per address
// alone, which the new keys do not mean.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LoginThrottlePerAccountAndSource1765560000000 implements MigrationInterface {
  name = 'LoginThrottlePerAccountAndSource1765560000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM login_failures`);
    await db.query(`DROP INDEX login_failures_key`);
    await db.query(`DROP INDEX login_failures_at`);
    await db.query(`ALTER TABLE login_failures RENAME COLUMN failed_at TO last_failure_at`);
    await db.query(`
      ALTER TABLE login_failures
        ALTER COLUMN last_failure_at DROP NOT NULL,
        ADD PRIMARY KEY (key),
        ADD COLUMN failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
        ADD COLUMN next_attempt_at timestamptz,
        ADD COLUMN last_success_at timestamptz`);
    await db.query(`CREATE INDEX login_failures_last_failure ON login_failures (last_failure_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM login_failures`);
    await db.query(`DROP INDEX login_failures_last_failure`);
    await db.query(`
      ALTER TABLE login_failures
        DROP CONSTRAINT login_failures_pkey,
        DROP COLUMN failures,
        DROP COLUMN next_attempt_at,
        DROP COLUMN last_success_at,
        ALTER COLUMN last_failure_at SET NOT NULL`);
    await db.query(`ALTER TABLE login_failures RENAME COLUMN last_failure_at TO failed_at`);
    await db.query(`CREATE INDEX login_failures_key ON login_failures (key, failed_at)`);
    await db.query(`CREATE INDEX login_failures_at ON login_failures (failed_at)`);
  }
}
