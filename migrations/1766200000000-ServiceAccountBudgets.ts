// Request budgets of service accounts (issue 21 item 7, SPEC §5): a token bucket per account, kept in
// the database so every API replica draws on the same one, and the last use of each API key.
//
// - service_account_budgets: what an ADMIN set for an account (no row, or null: the configured
//   default). Kept like every other table.
// - service_account_buckets: each account's bucket — its level, when it was last refilled, the
//   capacity and rate it was charged under, and whether the last charge was admitted — moved by one
//   upsert per request (src/auth/budgets.ts), which both decides and reports. UNLOGGED: a charge is
//   then a row update without a WAL flush at commit, where a logged table made every service-account
//   request wait for the disk (docs/performance.md, "Budgets and metrics"). After a crash PostgreSQL
//   empties it, and every bucket starts full again — a budget is a rate limit, not a record.
// - api_keys.last_used_at: stamped on use at most once a minute per key (src/auth/api-keys.ts), as
//   sessions.last_used_at is, so using a key is not a write per request.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ServiceAccountBudgets1766200000000 implements MigrationInterface {
  name = 'ServiceAccountBudgets1766200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE service_account_budgets (
        service_account_id uuid PRIMARY KEY REFERENCES users(id),
        capacity integer CHECK (capacity > 0),
        refill_per_second integer CHECK (refill_per_second > 0)
      )`);
    await db.query(`
      CREATE UNLOGGED TABLE service_account_buckets (
        service_account_id uuid PRIMARY KEY REFERENCES users(id),
        capacity integer NOT NULL,
        refill_per_second integer NOT NULL,
        tokens double precision NOT NULL,
        refilled_at timestamptz NOT NULL,
        last_admitted boolean NOT NULL
      )`);
    await db.query(`ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS last_used_at`);
    await db.query(`DROP TABLE IF EXISTS service_account_buckets`);
    await db.query(`DROP TABLE IF EXISTS service_account_budgets`);
  }
}
