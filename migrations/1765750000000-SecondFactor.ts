// The second factor (issue 20 item 4): an account's TOTP secret, sealed with a key kept outside the
// database (src/auth/second-factor-key.ts) and set from the start of an enrolment; when the enrolment
// was confirmed (null: none enrolled); the last time step a code was accepted for, so a code works
// once; the SHA-256 hashes of its unused recovery codes. A session records when it passed the second
// factor: LEADER, ADMIN and AUDITOR sessions without it may only enrol (src/auth/password-gate.ts).
//
// Existing accounts start with none enrolled: a LEADER, ADMIN or AUDITOR enrols at its next sign-in.
import type { MigrationInterface, QueryRunner } from 'typeorm';

const END_REASONS = ['LOGOUT', 'ENDED_BY_ADMIN', 'ACCOUNT_DISABLED', 'PASSWORD_CHANGED', 'PASSWORD_RESET'];

const endReasonCheck = (reasons: string[]) =>
  `CHECK (end_reason IN (${reasons.map((reason) => `'${reason}'`).join(',')}))`;

export class SecondFactor1765750000000 implements MigrationInterface {
  name = 'SecondFactor1765750000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE users
        ADD COLUMN totp_secret_sealed text,
        ADD COLUMN totp_last_step bigint,
        ADD COLUMN second_factor_enrolled_at timestamptz(3),
        ADD COLUMN recovery_code_hashes text[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT users_second_factor_has_secret
          CHECK (second_factor_enrolled_at IS NULL OR totp_secret_sealed IS NOT NULL)`);
    await db.query(`ALTER TABLE sessions ADD COLUMN second_factor_at timestamptz(3)`);
    await db.query(`
      ALTER TABLE sessions
        DROP CONSTRAINT sessions_end_reason_check,
        ADD CONSTRAINT sessions_end_reason_check ${endReasonCheck([...END_REASONS, 'SECOND_FACTOR_RESET'])}`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM sessions WHERE end_reason = 'SECOND_FACTOR_RESET'`);
    await db.query(`
      ALTER TABLE sessions
        DROP CONSTRAINT sessions_end_reason_check,
        ADD CONSTRAINT sessions_end_reason_check ${endReasonCheck(END_REASONS)},
        DROP COLUMN second_factor_at`);
    await db.query(`
      ALTER TABLE users
        DROP CONSTRAINT users_second_factor_has_secret,
        DROP COLUMN totp_secret_sealed,
        DROP COLUMN totp_last_step,
        DROP COLUMN second_factor_enrolled_at,
        DROP COLUMN recovery_code_hashes`);
  }
}
