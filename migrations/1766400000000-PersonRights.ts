// The rights of the people in the records (issue 24, items 1, 3 and 4).
//
// - person_corrections: a correction of a person's data keeps, per correction, who made it, why, and
//   the values it replaced (field → previous value). It is a history: the database refuses to delete
//   it and refuses every update except the one retention makes, which empties the previous values and
//   the reason and stamps anonymised_at.
// - persons.anonymised_at, disputes.anonymised_at: when retention removed the personal data of the
//   record (src/domain/access/retention.service.ts); the access report says so.
// - The access report finds the audit entries of a person by their record ids; the GIN index on
//   audit_entries.record_ids (ServiceAccountsAndAuditAccess) serves both `@>` and `&&`, so it needs
//   no new index. Corrections are found by person, newest first.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PersonRights1766400000000 implements MigrationInterface {
  name = 'PersonRights1766400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE persons ADD COLUMN anonymised_at timestamptz`);
    await db.query(`ALTER TABLE disputes ADD COLUMN anonymised_at timestamptz`);
    await db.query(`
      CREATE TABLE person_corrections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES persons(id),
        corrected_at timestamptz NOT NULL,
        corrected_by_id uuid NOT NULL REFERENCES users(id),
        reason text NOT NULL,
        fields text[] NOT NULL,
        previous jsonb NOT NULL,
        anonymised_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX person_corrections_person ON person_corrections (person_id, corrected_at DESC)`,
    );
    await db.query(`
      CREATE FUNCTION person_corrections_keep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.anonymised_at IS NOT NULL AND NEW.previous = '{}'::jsonb
           AND NEW.reason = '' AND NEW.id = OLD.id AND NEW.person_id = OLD.person_id
           AND NEW.corrected_at = OLD.corrected_at AND NEW.corrected_by_id = OLD.corrected_by_id
           AND NEW.fields = OLD.fields THEN
          RETURN NEW;
        END IF;
        -- A merge moves the history to the record it keeps, and changes nothing else of it.
        IF TG_OP = 'UPDATE' AND NEW.person_id <> OLD.person_id AND NEW.id = OLD.id
           AND NEW.corrected_at = OLD.corrected_at AND NEW.corrected_by_id = OLD.corrected_by_id
           AND NEW.reason = OLD.reason AND NEW.fields = OLD.fields AND NEW.previous = OLD.previous
           AND NEW.anonymised_at IS NOT DISTINCT FROM OLD.anonymised_at THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'person_corrections is a history: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER person_corrections_keep BEFORE UPDATE OR DELETE ON person_corrections
      FOR EACH ROW EXECUTE FUNCTION person_corrections_keep()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE person_corrections`);
    await db.query(`DROP FUNCTION person_corrections_keep()`);
    await db.query(`ALTER TABLE disputes DROP COLUMN anonymised_at`);
    await db.query(`ALTER TABLE persons DROP COLUMN anonymised_at`);
  }
}
