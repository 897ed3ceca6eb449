// The jurisdiction tree is append-only while the API runs: a node, once written, is never renamed,
// moved or removed. Every API process keeps the nodes it has read (organisation.loaders.ts), which is
// only correct if they cannot change underneath it; this makes that a rule of the database rather
// than a habit. New nodes may be added at any time (a process reads a node it has not seen).
//
// A reorganisation — villages merged, grids redrawn — is a maintenance step: stop the API, run the
// change with these triggers disabled (ALTER TABLE jurisdictions DISABLE TRIGGER USER, then ENABLE),
// start the API again. Row scope follows the tree's paths, so such a change is one an operator makes
// deliberately, not something an API request can do.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class JurisdictionsAppendOnly1765200000000 implements MigrationInterface {
  name = 'JurisdictionsAppendOnly1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION jurisdictions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'jurisdictions is append-only while the API runs: % refused (see migration JurisdictionsAppendOnly)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER jurisdictions_append_only BEFORE UPDATE OR DELETE ON jurisdictions
      FOR EACH ROW EXECUTE FUNCTION jurisdictions_refuse_change()`);
    await db.query(`
      CREATE TRIGGER jurisdictions_no_truncate BEFORE TRUNCATE ON jurisdictions
      FOR EACH STATEMENT EXECUTE FUNCTION jurisdictions_refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER jurisdictions_no_truncate ON jurisdictions`);
    await db.query(`DROP TRIGGER jurisdictions_append_only ON jurisdictions`);
    await db.query(`DROP FUNCTION jurisdictions_refuse_change`);
  }
}
