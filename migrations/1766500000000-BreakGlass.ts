// Break-glass grants (issue 24 item 2): an account's time-limited access to one person outside its row
// scope, with the reason it gave, queued for review by the 综治办 leader of the person's street.
// The street is kept as it was at the grant, so a later reorganisation does not move the review.
// person_id has no foreign key, as audit entries name records: merging persons removes the merged
// record (duplicates.service.ts), and the grant stays the evidence of what was opened.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BreakGlass1766500000000 implements MigrationInterface {
  name = 'BreakGlass1766500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE break_glass_grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES users(id),
        account_department text NOT NULL,
        person_id uuid NOT NULL,
        street_id uuid NOT NULL REFERENCES jurisdictions(id),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        granted_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL CHECK (expires_at > granted_at),
        review_status text NOT NULL DEFAULT 'PENDING' CHECK (review_status IN ('PENDING','CONFIRMED','FLAGGED')),
        reviewed_by_id uuid REFERENCES users(id),
        reviewed_at timestamptz,
        review_note text,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The identity lookup of every request asks for the account's grants in force.
    await db.query(`CREATE INDEX break_glass_grants_account ON break_glass_grants (account_id, expires_at)`);
    await db.query(
      `CREATE INDEX break_glass_grants_review ON break_glass_grants (street_id, review_status, granted_at DESC, id DESC)`,
    );
    await db.query(
      `CREATE INDEX break_glass_grants_flagged ON break_glass_grants (granted_at DESC, id DESC) WHERE review_status = 'FLAGGED'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS break_glass_grants`);
  }
}
