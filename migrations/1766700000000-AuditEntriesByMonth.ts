// The audit log, partitioned by month of its entries' time (issue 23 item 5): a year of read audit
// is hundreds of millions of rows, and a month is what is archived, checked and reported on. The hash
// chain runs across the partitions unchanged — one head row (migration AuditChainHead), one sequence
// of numbers, each entry hashing the one before it whatever month holds it — so audit:verify, the
// signed checkpoints and the append-only triggers keep working as they were.
//
// PostgreSQL chooses a row's partition before the row's BEFORE trigger runs, and refuses a trigger
// that moves the row to another partition. The chain trigger used to stamp the time itself after
// waiting for the head's lock, so an insert whose wait spanned midnight at a month's end would have
// been refused. Now the column's default, audit_entry_time(), takes the head's lock and the time
// before the partition is chosen and leaves the time on the head row; the trigger stamps exactly that
// time. A time the inserter supplies itself is still replaced (or, in another month, refused): the
// API's role cannot date an entry. The clock is audit_clock(), which only the owner (or a superuser:
// the tests, moving the database's time to a month's end) may replace.
//
// Months are created ahead of need by audit_entries_prepare_months (the migration, each API start,
// and a daily step of the running API: src/audit/partitions.ts), as the owner through SECURITY
// DEFINER, since the runtime role may not create tables. Should none exist for a month anyway, its
// entries go to the default partition rather than fail; that month then stays there (entries are
// never moved again: they are append-only).
//
// The conversion copies the whole log in one transaction that holds it exclusively: audited writes
// wait meanwhile: plan a maintenance window for a log of many millions of entries.
//
// The primary key of a partitioned table must hold the partition key: it is (seq, occurred_at). No
// foreign key or unique index referred to audit_entries. Partitions get no grants of their own
// (src/database/database.ts): the runtime role reaches them through the parent only.
import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = `seq, occurred_at, actor_kind, actor_id, actor_department, request_id, action, operation,
  record_type, record_ids, fields, detail, prev_hash, hash`;

/** audit_entry_hash's body, as the Foundation migration wrote it: existing hashes must still match. */
const HASH_BODY = `
  SELECT encode(sha256(convert_to(concat_ws('|',
    coalesce(e.prev_hash, ''), e.seq::text,
    to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.actor_kind, coalesce(e.actor_id::text, ''), coalesce(e.actor_department, ''),
    e.request_id, e.action, e.operation, e.record_type,
    array_to_string(e.record_ids, ','), array_to_string(e.fields, ','), e.detail::text
  ), 'UTF8')), 'hex')`;

const INDEXES = ['audit_entries_actor', 'audit_entries_time', 'audit_entries_record_ids'];

export class AuditEntriesByMonth1766700000000 implements MigrationInterface {
  name = 'AuditEntriesByMonth1766700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE`);
    await db.query(`LOCK TABLE audit_chain_head IN EXCLUSIVE MODE`);
    await db.query(`ALTER TABLE audit_entries RENAME TO audit_entries_unpartitioned`);
    for (const index of ['audit_entries_pkey', ...INDEXES])
      await db.query(
        `ALTER INDEX IF EXISTS ${index} RENAME TO ${index.replace('audit_entries', 'audit_entries_unpartitioned')}`,
      );

    await db.query(
      `CREATE FUNCTION audit_clock() RETURNS timestamptz LANGUAGE sql VOLATILE AS $$ SELECT clock_timestamp() $$`,
    );
    await db.query(`ALTER TABLE audit_chain_head ADD COLUMN next_occurred_at timestamptz`);
    await db.query(`
      CREATE FUNCTION audit_entry_time() RETURNS timestamptz
        LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
        UPDATE audit_chain_head SET next_occurred_at = audit_clock() RETURNING next_occurred_at
      $$`);
    await db.query(`
      CREATE TABLE audit_entries (
        seq bigint NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT audit_entry_time(),
        actor_kind text NOT NULL,
        actor_id uuid,
        actor_department text,
        request_id text NOT NULL,
        action text NOT NULL,
        operation text NOT NULL,
        record_type text NOT NULL,
        record_ids text[] NOT NULL DEFAULT '{}',
        fields text[] NOT NULL DEFAULT '{}',
        detail jsonb NOT NULL DEFAULT '{}',
        prev_hash text,
        hash text NOT NULL,
        PRIMARY KEY (seq, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await db.query(
      `CREATE FUNCTION audit_entry_hash(e audit_entries) RETURNS text LANGUAGE sql IMMUTABLE AS $$${HASH_BODY}$$`,
    );

    // One month's partition, [month, month + 1 month) in UTC, its rows kept whole (AuditEntriesInline)
    // and TRUNCATE refused on it too (row triggers are cloned from the parent, statement ones are not).
    await db.query(`
      CREATE FUNCTION audit_entries_add_month(month timestamptz) RETURNS boolean
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        first timestamptz := date_trunc('month', month AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
        name text := 'audit_entries_' || to_char(first AT TIME ZONE 'UTC', 'YYYY_MM');
      BEGIN
        IF to_regclass('public.' || name) IS NOT NULL THEN RETURN false; END IF;
        -- Entries that already went to the default partition stay there: it cannot give them up.
        IF EXISTS (SELECT 1 FROM audit_entries_default
                    WHERE occurred_at >= first AND occurred_at < first + interval '1 month') THEN
          RETURN false;
        END IF;
        EXECUTE format('CREATE TABLE public.%I PARTITION OF public.audit_entries FOR VALUES FROM (%L) TO (%L)
                        WITH (toast_tuple_target = 8160)', name, first, first + interval '1 month');
        EXECUTE format('CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON public.%I
                        FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()', name);
        RETURN true;
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION audit_entries_add_month(timestamptz) FROM PUBLIC`);
    // This month's and the next `ahead` months' partitions, by the audit clock. Replicas may call it
    // together: one at a time. Returns how many it created.
    await db.query(`
      CREATE FUNCTION audit_entries_prepare_months(ahead integer DEFAULT 3) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        created integer := 0;
        step integer;
      BEGIN
        PERFORM pg_advisory_xact_lock(7410022);
        FOR step IN 0 .. least(greatest(ahead, 0), 24) LOOP
          IF audit_entries_add_month(audit_clock() + make_interval(months => step)) THEN
            created := created + 1;
          END IF;
        END LOOP;
        RETURN created;
      END $$`);

    await db.query(`
      CREATE TABLE audit_entries_default PARTITION OF audit_entries DEFAULT WITH (toast_tuple_target = 8160)`);
    await db.query(`
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries_default
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`);
    await db.query(`
      SELECT audit_entries_add_month(month)
        FROM generate_series(
               date_trunc('month', (SELECT min(occurred_at) FROM audit_entries_unpartitioned) AT TIME ZONE 'UTC'),
               date_trunc('month', (SELECT max(occurred_at) FROM audit_entries_unpartitioned) AT TIME ZONE 'UTC'),
               interval '1 month') AS months(month_utc),
             LATERAL (SELECT month_utc AT TIME ZONE 'UTC' AS month) m`);
    await db.query(`SELECT audit_entries_prepare_months(3)`);
    // No trigger on the new table yet: the entries move as they are, numbers, times and hashes.
    await db.query(
      `INSERT INTO audit_entries (${COLUMNS}) SELECT ${COLUMNS} FROM audit_entries_unpartitioned ORDER BY seq`,
    );
    await db.query(`CREATE INDEX audit_entries_actor ON audit_entries (actor_id, occurred_at)`);
    await db.query(`CREATE INDEX audit_entries_time ON audit_entries (occurred_at)`);
    await db.query(`CREATE INDEX audit_entries_record_ids ON audit_entries USING gin (record_ids)`);

    await db.query(`
      CREATE OR REPLACE FUNCTION audit_entries_chain() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      DECLARE
        previous_seq bigint;
        previous_hash text;
        taken_at timestamptz;
      BEGIN
        SELECT seq, hash, next_occurred_at INTO previous_seq, previous_hash, taken_at
          FROM audit_chain_head FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'audit_chain_head has no row: the audit chain cannot continue';
        END IF;
        NEW.seq := previous_seq + 1;
        -- The time audit_entry_time() took under this lock for this row; none when the inserter
        -- named a time of its own, which is replaced.
        NEW.occurred_at := coalesce(taken_at, audit_clock());
        NEW.prev_hash := previous_hash;
        NEW.hash := audit_entry_hash(NEW);
        UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.hash, next_occurred_at = NULL;
        RETURN NEW;
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION audit_entries_chain() FROM PUBLIC`);
    await db.query(`DROP FUNCTION audit_entry_hash(audit_entries_unpartitioned)`);
    await db.query(`DROP TABLE audit_entries_unpartitioned`);
    await db.query(`
      CREATE TRIGGER audit_entries_chain BEFORE INSERT ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_chain()`);
    await db.query(`
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()`);
    await db.query(`
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE`);
    await db.query(`ALTER TABLE audit_entries RENAME TO audit_entries_partitioned`);
    await db.query(
      `ALTER TABLE audit_entries_partitioned RENAME CONSTRAINT audit_entries_pkey TO audit_entries_partitioned_pkey`,
    );
    for (const index of INDEXES)
      await db.query(
        `ALTER INDEX ${index} RENAME TO ${index.replace('audit_entries', 'audit_entries_partitioned')}`,
      );
    await db.query(`
      CREATE TABLE audit_entries (
        seq bigint PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_kind text NOT NULL,
        actor_id uuid,
        actor_department text,
        request_id text NOT NULL,
        action text NOT NULL,
        operation text NOT NULL,
        record_type text NOT NULL,
        record_ids text[] NOT NULL DEFAULT '{}',
        fields text[] NOT NULL DEFAULT '{}',
        detail jsonb NOT NULL DEFAULT '{}',
        prev_hash text,
        hash text NOT NULL
      ) WITH (toast_tuple_target = 8160)`);
    await db.query(
      `CREATE FUNCTION audit_entry_hash(e audit_entries) RETURNS text LANGUAGE sql IMMUTABLE AS $$${HASH_BODY}$$`,
    );
    await db.query(
      `INSERT INTO audit_entries (${COLUMNS}) SELECT ${COLUMNS} FROM audit_entries_partitioned ORDER BY seq`,
    );
    await db.query(`CREATE INDEX audit_entries_actor ON audit_entries (actor_id, occurred_at)`);
    await db.query(`CREATE INDEX audit_entries_time ON audit_entries (occurred_at)`);
    await db.query(`CREATE INDEX audit_entries_record_ids ON audit_entries USING gin (record_ids)`);
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
    await db.query(`DROP FUNCTION audit_entry_hash(audit_entries_partitioned)`);
    await db.query(`DROP TABLE audit_entries_partitioned`);
    await db.query(
      `DROP FUNCTION audit_entries_prepare_months(integer), audit_entries_add_month(timestamptz)`,
    );
    await db.query(`DROP FUNCTION audit_entry_time(), audit_clock()`);
    await db.query(`ALTER TABLE audit_chain_head DROP COLUMN next_occurred_at`);
    await db.query(`
      CREATE TRIGGER audit_entries_chain BEFORE INSERT ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_chain()`);
    await db.query(`
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()`);
    await db.query(`
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`);
  }
}
