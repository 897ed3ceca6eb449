// The note of a dispute's status change (issue 24, item 4): it was written into the audit entry's
// detail, and audit entries are hash-chained and append-only, so retention could not erase a note that
// names someone. The note now lives here, one row per change, and the audit entry names the row.
//
// dispute_status_changes is a history: the database refuses to delete it and refuses every update
// except the one retention makes, which empties the note and stamps anonymised_at. It references the
// dispute only (never a person or a grid), so a merge of persons or a reorganisation leaves it alone.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DisputeStatusNotes1767000000000 implements MigrationInterface {
  name = 'DisputeStatusNotes1767000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE dispute_status_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dispute_id uuid NOT NULL REFERENCES disputes(id),
        from_status text NOT NULL,
        to_status text NOT NULL,
        note text,
        changed_at timestamptz NOT NULL,
        changed_by_id uuid REFERENCES users(id),
        anonymised_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX dispute_status_changes_dispute ON dispute_status_changes (dispute_id, changed_at)`,
    );
    await db.query(`
      CREATE FUNCTION dispute_status_changes_keep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.note IS NULL AND NEW.anonymised_at IS NOT NULL
           AND NEW.id = OLD.id AND NEW.dispute_id = OLD.dispute_id
           AND NEW.from_status = OLD.from_status AND NEW.to_status = OLD.to_status
           AND NEW.changed_at = OLD.changed_at
           AND NEW.changed_by_id IS NOT DISTINCT FROM OLD.changed_by_id THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'dispute_status_changes is a history: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER dispute_status_changes_keep BEFORE UPDATE OR DELETE ON dispute_status_changes
      FOR EACH ROW EXECUTE FUNCTION dispute_status_changes_keep()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE dispute_status_changes`);
    await db.query(`DROP FUNCTION dispute_status_changes_keep()`);
  }
}
