// The audit chain's head becomes one row that every insert locks and advances in its own transaction
// (issue 18 item 1). A sequence handed out numbers that a rolled-back write used up, so a gap in
// `seq` proved nothing; the head row's update rolls back with the write, so numbers have no gaps and
// a missing number is a removed entry. Its row lock also serialises writers until commit, which the
// advisory lock did before. The trigger runs as the table's owner (SECURITY DEFINER): the API's
// runtime role may INSERT and SELECT audit entries and read the head, never write the head itself.
// Entries written before this migration may have gaps (rolled-back writes): `gapless_from` says where
// numbering without gaps begins. Role grants are not here: src/database/database.ts applies them on
// every migrate, so tables added later are covered too.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditChainHead1765600000000 implements MigrationInterface {
  name = 'AuditChainHead1765600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_chain_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        chain_id uuid NOT NULL DEFAULT gen_random_uuid(),
        seq bigint NOT NULL CHECK (seq >= 0),
        hash text,
        gapless_from bigint NOT NULL
      )`);
    await db.query(`LOCK TABLE audit_entries IN EXCLUSIVE MODE`);
    await db.query(`
      INSERT INTO audit_chain_head (seq, hash, gapless_from)
      SELECT coalesce(max(seq), 0),
             (SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1),
             coalesce(max(seq), 0) + 1
        FROM audit_entries`);
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        previous_seq bigint;
        previous_hash text;
      BEGIN
        SELECT seq, hash INTO previous_seq, previous_hash FROM audit_chain_head FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'audit_chain_head has no row: the audit chain cannot continue';
        END IF;
        NEW.seq := previous_seq + 1;
        NEW.occurred_at := clock_timestamp();
        NEW.prev_hash := previous_hash;
        NEW.hash := audit_entry_hash(NEW);
        UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash;
        RETURN NEW;
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION audit_entries_chain() FROM PUBLIC`);
    await db.query(`
      CREATE TRIGGER audit_chain_head_refuse_change BEFORE DELETE OR TRUNCATE ON audit_chain_head
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`);
    await db.query(`DROP SEQUENCE audit_entries_seq`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE audit_entries_seq OWNED BY audit_entries.seq`);
    await db.query(
      `SELECT setval('audit_entries_seq', greatest((SELECT seq FROM audit_chain_head), 1), (SELECT seq > 0 FROM audit_chain_head))`,
    );
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(7410021);
        NEW.seq := nextval('audit_entries_seq');
        NEW.occurred_at := clock_timestamp();
        SELECT hash INTO NEW.prev_hash FROM audit_entries ORDER BY seq DESC LIMIT 1;
        NEW.hash := audit_entry_hash(NEW);
        RETURN NEW;
      END $$`);
    await db.query(`ALTER FUNCTION audit_entries_chain() RESET search_path`);
    await db.query(`GRANT EXECUTE ON FUNCTION audit_entries_chain() TO PUBLIC`);
    await db.query(`DROP TABLE audit_chain_head`);
  }
}
