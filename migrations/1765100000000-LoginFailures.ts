// Failed sign-ins, kept in PostgreSQL rather than in each API process: SPEC §6 runs replicas behind a
// load balancer, and a limit kept per process would let an attacker try N times as often against N
// replicas (and forget everything at each restart). Rows older than the window are deleted as new
// failures arrive, so the table holds only the last few minutes of failures.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LoginFailures1765100000000 implements MigrationInterface {
  name = 'LoginFailures1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE login_failures (
        key text NOT NULL,
        failed_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX login_failures_key ON login_failures (key, failed_at)`);
    await db.query(`CREATE INDEX login_failures_at ON login_failures (failed_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE login_failures`);
  }
}
