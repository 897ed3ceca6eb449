// Administration of users and their sign-ins (issue 20): users get a version (updates take
// expectedVersion), a flag that restricts a sign-in to changing the password, and the expiry of a
// temporary password; `sessions` holds one row per access token (its jti), which the identity lookup
// joins on every request — ending a session refuses its token at once on every replica. Ended
// sessions stay until the token would have expired (the deny list), then sign-ins delete them.
//
// Tokens issued before this migration name no session and stop working: everyone signs in once more.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserAdministrationAndSessions1765700000000 implements MigrationInterface {
  name = 'UserAdministrationAndSessions1765700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE users
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN password_change_required boolean NOT NULL DEFAULT false,
        ADD COLUMN temporary_password_expires_at timestamptz,
        ADD COLUMN password_changed_at timestamptz,
        ALTER COLUMN created_at TYPE timestamptz(3)`);
    // The users list pages newest first by (created_at, id), like every other list.
    await db.query(`CREATE INDEX users_created ON users (created_at, id)`);
    await db.query(`CREATE INDEX users_jurisdiction ON users (jurisdiction_id)`);
    await db.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz(3) NOT NULL,
        last_used_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        client_address text NOT NULL,
        ended_at timestamptz,
        end_reason text CHECK (end_reason IN
          ('LOGOUT','ENDED_BY_ADMIN','ACCOUNT_DISABLED','PASSWORD_CHANGED','PASSWORD_RESET')),
        CHECK ((ended_at IS NULL) = (end_reason IS NULL))
      )`);
    await db.query(
      `CREATE INDEX sessions_user_open ON sessions (user_id, created_at) WHERE ended_at IS NULL`,
    );
    await db.query(`CREATE INDEX sessions_expires ON sessions (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sessions`);
    await db.query(`DROP INDEX users_jurisdiction`);
    await db.query(`DROP INDEX users_created`);
    await db.query(`
      ALTER TABLE users
        DROP COLUMN version,
        DROP COLUMN password_change_required,
        DROP COLUMN temporary_password_expires_at,
        DROP COLUMN password_changed_at,
        ALTER COLUMN created_at TYPE timestamptz`);
  }
}
