// Bulk import (issue 21 item 3, SPEC §5a): which record each external id of a source account stands
// for, so that importing the same file again finds its records instead of creating them twice. The
// content hash is of the row as last imported: an equal one is "unchanged", another one an update.
// record_id has no foreign key: it names a household, a person or a dispute by `kind`, and a person
// merged into another is followed through person_merges.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BulkImport1766100000000 implements MigrationInterface {
  name = 'BulkImport1766100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE import_records (
        source_account_id uuid NOT NULL REFERENCES users(id),
        kind text NOT NULL CHECK (kind IN ('HOUSEHOLD', 'PERSON', 'DISPUTE')),
        external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
        record_id uuid NOT NULL,
        content_hash text NOT NULL,
        imported_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (source_account_id, kind, external_id)
      )`);
    await db.query(`CREATE INDEX import_records_record ON import_records (record_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE import_records`);
  }
}
