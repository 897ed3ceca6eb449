// The tree and reference data administered through the API (issue 20 item 5), with a history that
// cannot be rewritten:
// - jurisdiction_reorganisations: a grid moved to another village or merged into another grid. The
//   tree itself stays append-only (migration JurisdictionsAppendOnly: every process keeps the nodes it
//   has read): a move adds a new node under the new village, and the old node is *retired* — a row
//   here naming its successor — after its records moved. A retired node takes no new records: the
//   triggers below refuse it in every column that names a node, whoever writes. Each check first takes
//   a shared advisory lock on the node, which a reorganisation holds exclusively while it moves the
//   node's records, so a write that checked the node before the move is moved with it, and one that
//   comes after sees the retirement.
// - dispute_route_changes: every edit of the dispute routing; its highest version is the routing's
//   version (an edit names the version it read: no lost updates). While it is empty the routing is the
//   file's (src/database/reference-data/dispute-routes.json), reloaded at every start; after the first
//   edit the database holds the routing and the file is only the default it started from.
// - indicator catalog versions record who published them and why; a published version's indicators
//   never change (older assessments explain themselves with theirs), only which version is current.
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables and columns that name a jurisdiction node a record belongs to (or a user's scope root). */
const NODE_COLUMNS: readonly [table: string, column: string][] = [
  ['persons', 'grid_id'],
  ['households', 'grid_id'],
  ['disputes', 'grid_id'],
  ['alerts', 'grid_id'],
  ['injury_reports', 'grid_id'],
  ['hazard_businesses', 'grid_id'],
  ['users', 'jurisdiction_id'],
  ['police_monthly_counts', 'jurisdiction_id'],
  ['jurisdictions', 'parent_id'],
];

const APPEND_ONLY = ['jurisdiction_reorganisations', 'dispute_route_changes', 'indicators'];

export class ReferenceDataAdministration1765800000000 implements MigrationInterface {
  name = 'ReferenceDataAdministration1765800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE jurisdiction_reorganisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('MOVE_GRID','MERGE_GRIDS')),
        retired_id uuid NOT NULL UNIQUE REFERENCES jurisdictions(id),
        successor_id uuid NOT NULL REFERENCES jurisdictions(id),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        moved jsonb NOT NULL,
        performed_by_id uuid NOT NULL REFERENCES users(id),
        performed_at timestamptz NOT NULL DEFAULT now(),
        CHECK (retired_id <> successor_id)
      )`);

    await db.query(`
      CREATE TABLE dispute_route_changes (
        version integer PRIMARY KEY CHECK (version > 0),
        match_kind text NOT NULL CHECK (match_kind IN ('CATEGORY','SOURCE','VENUE')),
        match_value text NOT NULL,
        department_codes text[] NOT NULL,
        previous_department_codes text[] NOT NULL,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
        changed_by_id uuid NOT NULL REFERENCES users(id),
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(
      `ALTER TABLE indicator_catalog_versions ADD COLUMN published_by_id uuid REFERENCES users(id)`,
    );
    await db.query(`ALTER TABLE indicator_catalog_versions ADD COLUMN notes text NOT NULL DEFAULT ''`);

    await db.query(`
      CREATE FUNCTION reference_history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused (see migration ReferenceDataAdministration)', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of APPEND_ONLY) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION reference_history_refuse_change()`);
      await db.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION reference_history_refuse_change()`);
    }
    // A catalog version is kept as published: only whether it is current may change.
    await db.query(`
      CREATE FUNCTION indicator_catalog_versions_keep() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'UPDATE' OR (to_jsonb(NEW) - 'current') IS DISTINCT FROM (to_jsonb(OLD) - 'current') THEN
          RAISE EXCEPTION 'indicator_catalog_versions: a published version is kept as published, % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER indicator_catalog_versions_keep BEFORE UPDATE OR DELETE ON indicator_catalog_versions
      FOR EACH ROW EXECUTE FUNCTION indicator_catalog_versions_keep()`);
    await db.query(`
      CREATE TRIGGER indicator_catalog_versions_no_truncate BEFORE TRUNCATE ON indicator_catalog_versions
      FOR EACH STATEMENT EXECUTE FUNCTION reference_history_refuse_change()`);

    // The lock's first key is this migration's; the second, the node's.
    await db.query(`
      CREATE FUNCTION jurisdiction_node_must_be_live() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        node uuid;
        previous uuid;
      BEGIN
        IF TG_ARGV[0] = 'grid_id' THEN
          node := NEW.grid_id;
          IF TG_OP = 'UPDATE' THEN previous := OLD.grid_id; END IF;
        ELSIF TG_ARGV[0] = 'jurisdiction_id' THEN
          node := NEW.jurisdiction_id;
          IF TG_OP = 'UPDATE' THEN previous := OLD.jurisdiction_id; END IF;
        ELSE
          node := NEW.parent_id;
          IF TG_OP = 'UPDATE' THEN previous := OLD.parent_id; END IF;
        END IF;
        IF node IS NULL OR node IS NOT DISTINCT FROM previous THEN
          RETURN NEW;
        END IF;
        PERFORM pg_advisory_xact_lock_shared(1765800, hashtext(node::text));
        IF EXISTS (SELECT 1 FROM jurisdiction_reorganisations WHERE retired_id = node) THEN
          RAISE EXCEPTION '%: jurisdiction % was retired by a reorganisation and takes no records', TG_TABLE_NAME, node
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    for (const [table, column] of NODE_COLUMNS) {
      await db.query(`
        CREATE TRIGGER ${table}_${column}_live BEFORE INSERT OR UPDATE OF ${column} ON ${table}
        FOR EACH ROW EXECUTE FUNCTION jurisdiction_node_must_be_live('${column}')`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const [table, column] of NODE_COLUMNS) {
      await db.query(`DROP TRIGGER ${table}_${column}_live ON ${table}`);
    }
    await db.query(`DROP FUNCTION jurisdiction_node_must_be_live`);
    await db.query(`DROP TRIGGER indicator_catalog_versions_no_truncate ON indicator_catalog_versions`);
    await db.query(`DROP TRIGGER indicator_catalog_versions_keep ON indicator_catalog_versions`);
    await db.query(`DROP FUNCTION indicator_catalog_versions_keep`);
    await db.query(`DROP TRIGGER indicators_no_truncate ON indicators`);
    await db.query(`DROP TRIGGER indicators_append_only ON indicators`);
    await db.query(`DROP TABLE dispute_route_changes, jurisdiction_reorganisations`);
    await db.query(`DROP FUNCTION reference_history_refuse_change`);
    await db.query(`ALTER TABLE indicator_catalog_versions DROP COLUMN notes, DROP COLUMN published_by_id`);
  }
}
