// The foundation schema: organisation, people, disputes, risk, assignments, idempotency and the
// append-only, hash-chained audit log. Landed migrations are never edited; add a new one instead.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764400000000 implements MigrationInterface {
  name = 'Foundation1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await db.query(`
      CREATE TABLE jurisdictions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('CITY','STREET','VILLAGE','GRID')),
        parent_id uuid REFERENCES jurisdictions(id),
        path text NOT NULL UNIQUE
      )`);
    await db.query(`CREATE INDEX jurisdictions_path_prefix ON jurisdictions (path text_pattern_ops)`);

    await db.query(`
      CREATE TABLE departments (
        code text PRIMARY KEY,
        name_zh text NOT NULL,
        name_en text NOT NULL,
        responsibilities text NOT NULL
      )`);
    await db.query(`
      CREATE TABLE dispute_routes (
        match_kind text NOT NULL CHECK (match_kind IN ('CATEGORY','SOURCE')),
        match_value text NOT NULL,
        department_code text NOT NULL REFERENCES departments(code),
        PRIMARY KEY (match_kind, match_value, department_code)
      )`);

    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE,
        display_name text NOT NULL,
        department_code text NOT NULL REFERENCES departments(code),
        position text NOT NULL CHECK (position IN ('WORKER','LEADER')),
        jurisdiction_id uuid NOT NULL REFERENCES jurisdictions(id),
        capabilities text[] NOT NULL DEFAULT '{}',
        active boolean NOT NULL DEFAULT true,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE households (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        address text NOT NULL,
        grid_id uuid NOT NULL REFERENCES jurisdictions(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX households_grid ON households (grid_id)`);

    await db.query(`
      CREATE TABLE persons (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        gender text NOT NULL CHECK (gender IN ('MALE','FEMALE','UNKNOWN')),
        birth_date date,
        id_number text,
        phone text,
        address text,
        household_id uuid REFERENCES households(id),
        grid_id uuid NOT NULL REFERENCES jurisdictions(id),
        residency text NOT NULL CHECK (residency IN ('REGISTERED','MIGRANT')),
        employer_name text,
        employer_contact text,
        landlord_name text,
        landlord_contact text,
        occupation text,
        special_statuses text[] NOT NULL DEFAULT '{}',
        tier text NOT NULL DEFAULT 'NONE' CHECK (tier IN ('NONE','YELLOW','ORANGE','RED')),
        tier_explanation_data jsonb,
        version integer NOT NULL DEFAULT 1,
        -- millisecond precision: cursors carry JavaScript dates
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        created_by_id uuid REFERENCES users(id)
      )`);
    await db.query(`CREATE INDEX persons_grid_created ON persons (grid_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX persons_created ON persons (created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX persons_tier ON persons (tier) WHERE tier <> 'NONE'`);
    await db.query(`CREATE INDEX persons_household ON persons (household_id)`);
    await db.query(`CREATE INDEX persons_id_number ON persons (id_number)`);
    await db.query(`CREATE INDEX persons_name_trgm ON persons USING gin (name gin_trgm_ops)`);

    await db.query(`
      CREATE TABLE disputes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        category text NOT NULL,
        description text NOT NULL,
        source text NOT NULL,
        status text NOT NULL DEFAULT 'REPORTED',
        level text NOT NULL DEFAULT 'GRID' CHECK (level IN ('GRID','VILLAGE','STREET','CITY')),
        grid_id uuid NOT NULL REFERENCES jurisdictions(id),
        reported_by_id uuid NOT NULL REFERENCES users(id),
        reported_at timestamptz NOT NULL,
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX disputes_grid_status ON disputes (grid_id, status)`);
    await db.query(`CREATE INDEX disputes_category ON disputes (category)`);
    await db.query(`CREATE INDEX disputes_status ON disputes (status)`);
    await db.query(`CREATE INDEX disputes_reported ON disputes (reported_at DESC, id DESC)`);
    await db.query(`
      CREATE TABLE dispute_parties (
        dispute_id uuid NOT NULL REFERENCES disputes(id),
        person_id uuid NOT NULL REFERENCES persons(id),
        role text NOT NULL CHECK (role IN ('APPLICANT','RESPONDENT','OTHER')),
        PRIMARY KEY (dispute_id, person_id)
      )`);
    await db.query(`CREATE INDEX dispute_parties_person ON dispute_parties (person_id)`);

    await db.query(`
      CREATE TABLE indicator_catalog_versions (
        version integer PRIMARY KEY,
        published_at timestamptz NOT NULL DEFAULT now(),
        current boolean NOT NULL DEFAULT false
      )`);
    await db.query(
      `CREATE UNIQUE INDEX indicator_catalog_one_current ON indicator_catalog_versions (current) WHERE current`,
    );
    await db.query(`
      CREATE TABLE indicators (
        catalog_version integer NOT NULL REFERENCES indicator_catalog_versions(version),
        code text NOT NULL,
        category text NOT NULL CHECK (category IN ('CHARACTER','BEHAVIOR')),
        name_zh text NOT NULL,
        name_en text NOT NULL,
        PRIMARY KEY (catalog_version, code)
      )`);

    await db.query(`
      CREATE TABLE assessments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES persons(id),
        assessor_id uuid NOT NULL REFERENCES users(id),
        assessed_at timestamptz NOT NULL,
        catalog_version integer NOT NULL REFERENCES indicator_catalog_versions(version),
        tier text NOT NULL,
        review_by timestamptz
      )`);
    await db.query(`CREATE INDEX assessments_person_time ON assessments (person_id, assessed_at DESC)`);
    await db.query(`
      CREATE TABLE assessment_indicators (
        assessment_id uuid NOT NULL REFERENCES assessments(id),
        indicator_code text NOT NULL,
        category text NOT NULL CHECK (category IN ('CHARACTER','BEHAVIOR')),
        note text NOT NULL DEFAULT '',
        PRIMARY KEY (assessment_id, indicator_code)
      )`);

    await db.query(`
      CREATE TABLE assignments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid REFERENCES persons(id),
        dispute_id uuid REFERENCES disputes(id),
        lead_leader_id uuid REFERENCES users(id),
        responsible_department_code text NOT NULL REFERENCES departments(code),
        responsible_person_id uuid NOT NULL REFERENCES users(id),
        team_member_ids uuid[] NOT NULL DEFAULT '{}',
        measures text NOT NULL DEFAULT '',
        acknowledged_at timestamptz,
        active boolean NOT NULL DEFAULT true,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        created_by_id uuid NOT NULL REFERENCES users(id),
        CHECK ((person_id IS NOT NULL) <> (dispute_id IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX assignments_person ON assignments (person_id) WHERE active`);
    await db.query(`CREATE INDEX assignments_dispute ON assignments (dispute_id) WHERE active`);
    await db.query(
      `CREATE INDEX assignments_department ON assignments (responsible_department_code) WHERE active`,
    );
    await db.query(`CREATE INDEX assignments_responsible ON assignments (responsible_person_id)`);

    await db.query(`
      CREATE TABLE follow_ups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES persons(id),
        by_id uuid NOT NULL REFERENCES users(id),
        occurred_at timestamptz NOT NULL,
        method text NOT NULL CHECK (method IN ('VISIT','PHONE','VIDEO','OTHER')),
        notes text NOT NULL DEFAULT '',
        observed_change text NOT NULL DEFAULT ''
      )`);
    await db.query(`CREATE INDEX follow_ups_person_time ON follow_ups (person_id, occurred_at DESC)`);

    await db.query(`
      CREATE TABLE idempotency_keys (
        actor_id uuid NOT NULL,
        operation text NOT NULL,
        key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        record_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_id, operation, key)
      )`);

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
      )`);
    await db.query(`CREATE SEQUENCE audit_entries_seq OWNED BY audit_entries.seq`);
    await db.query(`CREATE INDEX audit_entries_actor ON audit_entries (actor_id, occurred_at)`);
    await db.query(`CREATE INDEX audit_entries_time ON audit_entries (occurred_at)`);
    await db.query(`
      CREATE FUNCTION audit_entry_hash(e audit_entries) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT encode(sha256(convert_to(concat_ws('|',
          coalesce(e.prev_hash, ''), e.seq::text,
          to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          e.actor_kind, coalesce(e.actor_id::text, ''), coalesce(e.actor_department, ''),
          e.request_id, e.action, e.operation, e.record_type,
          array_to_string(e.record_ids, ','), array_to_string(e.fields, ','), e.detail::text
        ), 'UTF8')), 'hex')
      $$`);
    // Entries are chained in commit order: the advisory lock serialises writers until commit.
    await db.query(`
      CREATE FUNCTION audit_entries_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(7410021);
        NEW.seq := nextval('audit_entries_seq');
        NEW.occurred_at := clock_timestamp();
        SELECT hash INTO NEW.prev_hash FROM audit_entries ORDER BY seq DESC LIMIT 1;
        NEW.hash := audit_entry_hash(NEW);
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_entries_chain BEFORE INSERT ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_chain()`);
    await db.query(`
      CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
      FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change()`);
    await db.query(`
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'audit_entries',
      'idempotency_keys',
      'follow_ups',
      'assignments',
      'assessment_indicators',
      'assessments',
      'indicators',
      'indicator_catalog_versions',
      'dispute_parties',
      'disputes',
      'persons',
      'households',
      'users',
      'dispute_routes',
      'departments',
      'jurisdictions',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
    await db.query(
      `DROP FUNCTION IF EXISTS audit_entries_chain, audit_entries_refuse_change, audit_entry_hash`,
    );
  }
}
