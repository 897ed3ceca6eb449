// Daily work (SPEC §3): escalation with street-level venues, mediation sessions, return visits,
// responsibility proposals and acknowledgement, tier overrides, and the time a tier began (cadence).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Workflows1764600000000 implements MigrationInterface {
  name = 'Workflows1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE dispute_routes DROP CONSTRAINT dispute_routes_match_kind_check`);
    await db.query(
      `ALTER TABLE dispute_routes ADD CONSTRAINT dispute_routes_match_kind_check CHECK (match_kind IN ('CATEGORY','SOURCE','VENUE'))`,
    );
    await db.query(`ALTER TABLE disputes ADD COLUMN venue text`);
    await db.query(`
      CREATE TABLE dispute_escalations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dispute_id uuid NOT NULL REFERENCES disputes(id),
        from_level text NOT NULL,
        to_level text NOT NULL,
        venue text,
        reason text NOT NULL,
        by_id uuid NOT NULL REFERENCES users(id),
        occurred_at timestamptz NOT NULL
      )`);
    await db.query(
      `CREATE INDEX dispute_escalations_dispute ON dispute_escalations (dispute_id, occurred_at)`,
    );
    await db.query(`
      CREATE TABLE mediation_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dispute_id uuid NOT NULL REFERENCES disputes(id),
        held_at timestamptz NOT NULL,
        venue text NOT NULL,
        mediator_name text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('AGREEMENT','NO_AGREEMENT','ADJOURNED')),
        agreement_text text NOT NULL DEFAULT '',
        notes text NOT NULL DEFAULT '',
        judicially_confirmed boolean NOT NULL DEFAULT false,
        judicial_confirmation_date date,
        recorded_by_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX mediation_sessions_dispute ON mediation_sessions (dispute_id, held_at)`);
    await db.query(`
      CREATE TABLE return_visits (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dispute_id uuid NOT NULL REFERENCES disputes(id),
        sequence integer NOT NULL CHECK (sequence IN (1, 2)),
        occurred_at timestamptz NOT NULL,
        by_id uuid NOT NULL REFERENCES users(id),
        method text NOT NULL,
        notes text NOT NULL DEFAULT '',
        UNIQUE (dispute_id, sequence)
      )`);
    await db.query(`CREATE INDEX disputes_resolved ON disputes (closed_at) WHERE status = 'RESOLVED'`);

    await db.query(`ALTER TABLE persons ADD COLUMN computed_tier text NOT NULL DEFAULT 'NONE'`);
    await db.query(`ALTER TABLE persons ADD COLUMN tier_since timestamptz NOT NULL DEFAULT now()`);
    await db.query(`UPDATE persons SET computed_tier = tier`);
    await db.query(`CREATE INDEX persons_tier_since ON persons (tier, tier_since) WHERE tier <> 'NONE'`);
    await db.query(`
      CREATE TABLE tier_change_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES persons(id),
        from_tier text NOT NULL,
        to_tier text NOT NULL CHECK (to_tier IN ('NONE','YELLOW','ORANGE','RED')),
        reason text NOT NULL,
        requested_by_id uuid NOT NULL REFERENCES users(id),
        requested_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING','APPROVED','REJECTED','SUPERSEDED')),
        decided_by_id uuid REFERENCES users(id),
        decided_at timestamptz,
        decision_note text,
        version integer NOT NULL DEFAULT 1
      )`);
    await db.query(
      `CREATE INDEX tier_change_requests_person ON tier_change_requests (person_id, requested_at DESC)`,
    );
    await db.query(
      `CREATE INDEX tier_change_requests_pending ON tier_change_requests (status) WHERE status = 'PENDING'`,
    );

    await db.query(`ALTER TABLE assignments ADD COLUMN proposed_for_tier text`);
    await db.query(
      `CREATE INDEX assignments_proposed ON assignments (lead_leader_id) WHERE proposed_for_tier IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX assignments_unacknowledged ON assignments (responsible_person_id) WHERE active AND acknowledged_at IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE assignments DROP COLUMN IF EXISTS proposed_for_tier`);
    await db.query(`DROP TABLE IF EXISTS tier_change_requests`);
    await db.query(
      `ALTER TABLE persons DROP COLUMN IF EXISTS tier_since, DROP COLUMN IF EXISTS computed_tier`,
    );
    await db.query(`DROP TABLE IF EXISTS return_visits, mediation_sessions, dispute_escalations`);
    await db.query(`ALTER TABLE disputes DROP COLUMN IF EXISTS venue`);
  }
}
