// The change feed (issue 21 item 1, SPEC §5a): every write to a record the feed carries is noted by a
// trigger, inside the writer's own transaction, whoever the writer is (the API, a command-line tool,
// an operator's correction), and every transaction that noted one is numbered in commit order.
//
// - record_changes: one row per transaction and record (a transaction that touches a record twice
//   leaves one row: readers never see its inside). The scope keys before and after the transaction —
//   the columns of the row that row scope decides by (src/permissions/scope.ts: grid, birth date,
//   special statuses, tier; a dispute's category, source, venue and status) — and, for what lives in
//   other rows, the link that changed (`dispute:<id>` → that dispute's keys, or null once unlinked;
//   `assigned:<DEPARTMENT>` → whether an active assignment to it exists). `changed`: the columns that
//   changed, or for what another table holds, the GraphQL field that shows it (`parties`,
//   `disputes`, `lastFollowUp` …): the feed reports a change only to readers of one of them.
// - record_change_commits: `seq` numbers the transactions that wrote changes, in commit order. A
//   deferred trigger takes the next number when the transaction commits, under the row lock of
//   record_change_head, which it holds until the commit is complete: the next number is handed out
//   only once the previous transaction has committed or rolled back (its number then goes back).
//   So a reader that sees number N sees every committed number below it — the feed's gaplessness
//   (src/domain/changes/changes.service.ts).
// - record_change_head also keeps the key the API seals feed cursors with (a cursor is a position in
//   the whole city's feed, which a reader must not learn).
//
// Each record table gets a second, BEFORE UPDATE trigger that stamps updated_at when a column other
// than the bookkeeping ones changed and the writer did not set it: raw UPDATEs (reorganisations,
// merges, an operator's fix) keep `updatedAt` true too. A person's tier and latest follow-up, which the
// system derives from other records, do not move it (the feed reports them). Tables that had no
// updated_at get one; rows written before this migration carry the migration's time.
import type { MigrationInterface, QueryRunner } from 'typeorm';

type Keys = (row: string) => string;

const personKeys: Keys = (r) =>
  `jsonb_build_object('grid_id', ${r}.grid_id, 'birth_date', ${r}.birth_date, 'special_statuses', ${r}.special_statuses, 'tier', ${r}.tier)`;
const disputeKeys: Keys = (r) =>
  `jsonb_build_object('grid_id', ${r}.grid_id, 'category', ${r}.category, 'source', ${r}.source, 'venue', ${r}.venue, 'status', ${r}.status)`;
const ofPerson: Keys = (r) => `jsonb_build_object('person_id', ${r}.person_id)`;

interface RecordTable {
  table: string;
  /** The GraphQL type the feed reports it as. */
  type: string;
  keys: Keys;
  /** Columns never compared: bookkeeping, or derived from another column. */
  ignored?: string[];
  /** A column the API shows through a field of another name. */
  renamed?: Record<string, string>;
  /** Columns the system derives from other records: they change the record, not its updated_at. */
  derived?: string[];
  /** Statements run after the record's own change is noted (links to other records). */
  links?: string;
}

/** Columns that change with every write and say nothing of their own. */
const BOOKKEEPING = ['version', 'updated_at'];

/** Tables that had no updated_at. */
const NEW_UPDATED_AT = [
  'households',
  'disputes',
  'assessments',
  'assignments',
  'follow_ups',
  'referrals',
  'tier_change_requests',
  'police_records',
  'alerts',
];

/**
 * Notes a change: one row per transaction and record, merged when the transaction touches the record
 * again — the first state before and the last state after, per key; an insert stays an insert.
 * `select` is a SELECT (or VALUES) of (record_type, record_id, operation, scope_before, scope_after,
 * changed).
 */
function noteChange(select: string): string {
  return `
    INSERT INTO record_changes AS c (record_type, record_id, operation, scope_before, scope_after, changed)
    ${select}
    ON CONFLICT (xid, record_type, record_id) DO UPDATE SET
      operation = CASE WHEN EXCLUDED.operation = 'DELETE' THEN 'DELETE'
                       WHEN c.operation = 'INSERT' THEN 'INSERT' ELSE 'UPDATE' END,
      scope_before = CASE WHEN c.operation = 'INSERT' THEN NULL
                          ELSE coalesce(EXCLUDED.scope_before, '{}') || coalesce(c.scope_before, '{}') END,
      scope_after = CASE WHEN EXCLUDED.operation = 'DELETE' THEN NULL
                         ELSE coalesce(c.scope_after, '{}') || coalesce(EXCLUDED.scope_after, '{}') END,
      changed = c.changed || EXCLUDED.changed;`;
}

/**
 * The transaction's first change queues the deferred trigger that numbers it at commit (its WHEN
 * reads this setting, which lives as long as the transaction, or the subtransaction that set it).
 */
const QUEUED = `
    IF current_setting('concord.record_changes_queued', true) IS DISTINCT FROM 'on' THEN
      PERFORM set_config('concord.record_changes_queued', 'on', true);
    END IF;`;

/** A change of dispute `id` that its own row does not show (parties, mediation …): `field` changed. */
const disputeShows = (id: string, field: string) =>
  noteChange(`SELECT 'Dispute', d.id, 'UPDATE', k.keys, k.keys, '{${field}}'::text[]
      FROM disputes d CROSS JOIN LATERAL (SELECT ${disputeKeys('d')} AS keys) k WHERE d.id = ${id}`);

/** A change of person `id` that its own row does not show; `before`/`after` are added to its keys. */
const personShows = (id: string, field: string, before = `'{}'::jsonb`, after = `'{}'::jsonb`) =>
  noteChange(`SELECT 'Person', p.id, 'UPDATE', k.keys || ${before}, k.keys || ${after}, '{${field}}'::text[]
      FROM persons p CROSS JOIN LATERAL (SELECT ${personKeys('p')} AS keys) k WHERE p.id = ${id}`);

/** Whether an active assignment to a department covers a record: the link row scope reads. */
const assigned = (row: string, active: string) =>
  `jsonb_build_object('assigned:' || ${row}.responsible_department_code, ${active})`;

const RECORD_TABLES: RecordTable[] = [
  {
    table: 'persons',
    type: 'Person',
    keys: personKeys,
    ignored: ['name_search'],
    renamed: { last_follow_up_at: 'lastFollowUp' },
    // The tier and the latest follow-up are recomputed from assessments, disputes and visits; the
    // needs-assessment list compares assessments with updated_at, the time the details last changed.
    derived: ['tier', 'computed_tier', 'tier_since', 'tier_explanation_data', 'last_follow_up_at'],
  },
  { table: 'households', type: 'Household', keys: (r) => `jsonb_build_object('grid_id', ${r}.grid_id)` },
  {
    table: 'disputes',
    type: 'Dispute',
    keys: disputeKeys,
    // When what routes the dispute changes, so may who sees its parties: each party's person changes.
    links: `
    IF TG_OP = 'UPDATE' AND ${disputeKeys('OLD')} IS DISTINCT FROM ${disputeKeys('NEW')} THEN
      ${noteChange(`SELECT 'Person', p.id, 'UPDATE',
               k.keys || jsonb_build_object('dispute:' || OLD.id, ${disputeKeys('OLD')}),
               k.keys || jsonb_build_object('dispute:' || NEW.id, ${disputeKeys('NEW')}),
               '{disputes}'::text[]
          FROM dispute_parties dp
          JOIN persons p ON p.id = dp.person_id
          CROSS JOIN LATERAL (SELECT ${personKeys('p')} AS keys) k
         WHERE dp.dispute_id = NEW.id`)}
    END IF;`,
  },
  { table: 'assessments', type: 'Assessment', keys: ofPerson },
  {
    table: 'assignments',
    type: 'Assignment',
    keys: (r) => `jsonb_build_object('person_id', ${r}.person_id, 'dispute_id', ${r}.dispute_id)`,
    // An assignment to a department brings its person or dispute into that department's scope.
    links: `
    IF TG_OP <> 'UPDATE' OR (OLD.person_id, OLD.dispute_id, OLD.active, OLD.responsible_department_code)
        IS DISTINCT FROM (NEW.person_id, NEW.dispute_id, NEW.active, NEW.responsible_department_code) THEN
      IF TG_OP <> 'INSERT' THEN
        ${personShows('OLD.person_id', 'currentAssignment', assigned('OLD', 'OLD.active'), assigned('OLD', 'false'))}
        ${noteChange(`SELECT 'Dispute', d.id, 'UPDATE', k.keys || ${assigned('OLD', 'OLD.active')},
                 k.keys || ${assigned('OLD', 'false')}, '{}'::text[]
            FROM disputes d CROSS JOIN LATERAL (SELECT ${disputeKeys('d')} AS keys) k WHERE d.id = OLD.dispute_id`)}
      END IF;
      IF TG_OP <> 'DELETE' THEN
        ${personShows('NEW.person_id', 'currentAssignment', assigned('NEW', 'false'), assigned('NEW', 'NEW.active'))}
        ${noteChange(`SELECT 'Dispute', d.id, 'UPDATE', k.keys || ${assigned('NEW', 'false')},
                 k.keys || ${assigned('NEW', 'NEW.active')}, '{}'::text[]
            FROM disputes d CROSS JOIN LATERAL (SELECT ${disputeKeys('d')} AS keys) k WHERE d.id = NEW.dispute_id`)}
      END IF;
    END IF;`,
  },
  { table: 'follow_ups', type: 'FollowUp', keys: ofPerson },
  { table: 'referrals', type: 'Referral', keys: ofPerson },
  { table: 'tier_change_requests', type: 'TierChangeRequest', keys: ofPerson },
  { table: 'police_records', type: 'PoliceRecord', keys: ofPerson },
  // Who sees an alert is who received it (alert_recipients), read when the feed is read.
  { table: 'alerts', type: 'Alert', keys: () => `'{}'::jsonb` },
];

/** Tables whose rows the API shows only as part of another record: a change of that record. */
const SHOWN_BY: { table: string; body: string }[] = [
  {
    table: 'dispute_parties',
    body: `
    IF TG_OP <> 'INSERT' THEN
      ${disputeShows('OLD.dispute_id', 'parties')}
      ${personShows(
        'OLD.person_id',
        'disputes',
        `coalesce((SELECT jsonb_build_object('dispute:' || d.id, ${disputeKeys('d')}) FROM disputes d WHERE d.id = OLD.dispute_id), '{}')`,
        `jsonb_build_object('dispute:' || OLD.dispute_id, NULL::jsonb)`,
      )}
    END IF;
    IF TG_OP <> 'DELETE' THEN
      ${disputeShows('NEW.dispute_id', 'parties')}
      ${personShows(
        'NEW.person_id',
        'disputes',
        `jsonb_build_object('dispute:' || NEW.dispute_id, NULL::jsonb)`,
        `coalesce((SELECT jsonb_build_object('dispute:' || d.id, ${disputeKeys('d')}) FROM disputes d WHERE d.id = NEW.dispute_id), '{}')`,
      )}
    END IF;`,
  },
  ...(
    [
      ['dispute_escalations', 'escalations'],
      ['mediation_sessions', 'mediationSessions'],
      ['return_visits', 'returnVisits'],
    ] as const
  ).map(([table, field]) => ({
    table,
    body: `
    ${disputeShows(`(CASE WHEN TG_OP = 'DELETE' THEN OLD.dispute_id ELSE NEW.dispute_id END)`, field)}`,
  })),
  {
    table: 'psychological_files',
    body: `
    ${personShows(`(CASE WHEN TG_OP = 'DELETE' THEN OLD.person_id ELSE NEW.person_id END)`, 'psychologicalFile')}`,
  },
];

const quoted = (column: string) => `"${column.replace(/"/g, '""')}"`;

export class ChangeFeed1765950000000 implements MigrationInterface {
  name = 'ChangeFeed1765950000000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of NEW_UPDATED_AT) {
      await db.query(`ALTER TABLE ${table} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    }
    await db.query(`
      CREATE TABLE record_changes (
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        record_type text COLLATE "C" NOT NULL,
        record_id uuid NOT NULL,
        operation text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
        scope_before jsonb,
        scope_after jsonb,
        changed text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (xid, record_type, record_id)
      )`);
    await db.query(`
      CREATE TABLE record_change_commits (
        seq bigint PRIMARY KEY,
        xid xid8 NOT NULL UNIQUE,
        committed_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE record_change_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        seq bigint NOT NULL CHECK (seq >= 0),
        cursor_key bytea NOT NULL CHECK (length(cursor_key) = 32)
      )`);
    // 32 bytes, 244 of them random (two version-4 UUIDs), without pgcrypto.
    await db.query(`
      INSERT INTO record_change_head (seq, cursor_key)
      VALUES (0, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'))`);
    await db.query(`
      CREATE FUNCTION record_changes_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH head AS (UPDATE record_change_head SET seq = seq + 1 RETURNING seq)
        INSERT INTO record_change_commits (seq, xid, committed_at)
        SELECT head.seq, pg_current_xact_id(), clock_timestamp() FROM head
        ON CONFLICT (xid) DO NOTHING;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE CONSTRAINT TRIGGER record_changes_commit AFTER INSERT ON record_changes
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
      WHEN (current_setting('concord.record_changes_queued', true) IS DISTINCT FROM 'on')
      EXECUTE FUNCTION record_changes_commit()`);

    for (const spec of RECORD_TABLES) {
      const rows: { column_name: string }[] = await db.query(
        `SELECT column_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
        [spec.table],
      );
      const compared = rows
        .map((row) => row.column_name)
        .filter((column) => !BOOKKEEPING.includes(column) && !(spec.ignored ?? []).includes(column));
      const differs = (column: string) => `NEW.${quoted(column)} IS DISTINCT FROM OLD.${quoted(column)}`;
      const stamped = compared.filter((column) => !(spec.derived ?? []).includes(column));
      const changedColumns = compared
        .map((column) => `CASE WHEN ${differs(column)} THEN '${spec.renamed?.[column] ?? column}' END`)
        .join(',\n            ');
      await db.query(`
        CREATE FUNCTION ${spec.table}_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at
             AND (${stamped.map(differs).join(' OR ')}) THEN
            NEW.updated_at := now();
          END IF;
          RETURN NEW;
        END $$`);
      await db.query(`
        CREATE TRIGGER ${spec.table}_touch_updated_at BEFORE UPDATE ON ${spec.table}
        FOR EACH ROW EXECUTE FUNCTION ${spec.table}_touch_updated_at()`);
      await db.query(`
        CREATE FUNCTION ${spec.table}_record_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          changed_columns text[] := '{}';
        BEGIN
          IF TG_OP = 'UPDATE' THEN
            changed_columns := array_remove(ARRAY[
            ${changedColumns}
            ]::text[], NULL);
            IF cardinality(changed_columns) = 0 THEN
              RETURN NULL;
            END IF;
          END IF;
          ${noteChange(`VALUES ('${spec.type}',
                  CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END,
                  TG_OP,
                  CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE ${spec.keys('OLD')} END,
                  CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE ${spec.keys('NEW')} END,
                  changed_columns)`)}
          ${spec.links ?? ''}
          ${QUEUED}
          RETURN NULL;
        END $$`);
      await db.query(`
        CREATE TRIGGER ${spec.table}_record_changes AFTER INSERT OR UPDATE OR DELETE ON ${spec.table}
        FOR EACH ROW EXECUTE FUNCTION ${spec.table}_record_changes()`);
    }
    for (const { table, body } of SHOWN_BY) {
      await db.query(`
        CREATE FUNCTION ${table}_record_changes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          ${body}
          ${QUEUED}
          RETURN NULL;
        END $$`);
      await db.query(`
        CREATE TRIGGER ${table}_record_changes AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION ${table}_record_changes()`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const { table } of SHOWN_BY) {
      await db.query(`DROP TRIGGER ${table}_record_changes ON ${table}`);
      await db.query(`DROP FUNCTION ${table}_record_changes()`);
    }
    for (const { table } of RECORD_TABLES) {
      await db.query(`DROP TRIGGER ${table}_record_changes ON ${table}`);
      await db.query(`DROP FUNCTION ${table}_record_changes()`);
      await db.query(`DROP TRIGGER ${table}_touch_updated_at ON ${table}`);
      await db.query(`DROP FUNCTION ${table}_touch_updated_at()`);
    }
    await db.query(`DROP TABLE record_changes, record_change_commits, record_change_head`);
    await db.query(`DROP FUNCTION record_changes_commit()`);
    for (const table of NEW_UPDATED_AT) {
      await db.query(`ALTER TABLE ${table} DROP COLUMN updated_at`);
    }
  }
}
