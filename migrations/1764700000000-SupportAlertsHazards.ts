// Workflows II (SPEC §3): referrals and psychological files, alerts and their recipients, injury
// reports (警医联动), hazardous-goods businesses and their real-name sales, police-entered monthly counts.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SupportAlertsHazards1764700000000 implements MigrationInterface {
  name = 'SupportAlertsHazards1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE referrals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES persons(id),
        kind text NOT NULL CHECK (kind IN ('LEGAL_AID','SOCIAL_ASSISTANCE','MEDICAL_AID','EDUCATION_AID','PSYCHOLOGICAL_SUPPORT','EMPLOYMENT')),
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN','IN_PROGRESS','DONE','DECLINED')),
        reason text NOT NULL DEFAULT '',
        outcome text NOT NULL DEFAULT '',
        created_by_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        source_assessment_id uuid REFERENCES assessments(id),
        version integer NOT NULL DEFAULT 1
      )`);
    await db.query(`CREATE INDEX referrals_person ON referrals (person_id, created_at DESC)`);
    await db.query(`
      CREATE TABLE psychological_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL UNIQUE REFERENCES persons(id),
        intervention_plan text NOT NULL,
        notes text NOT NULL DEFAULT '',
        updated_by_id uuid NOT NULL REFERENCES users(id),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await db.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid REFERENCES persons(id),
        kind text NOT NULL CHECK (kind IN ('ANOMALY','INJURY_REPORT','HAZARDOUS_PURCHASE')),
        description text NOT NULL,
        tier_at_raise text NOT NULL,
        raised_by_id uuid REFERENCES users(id),
        raised_at timestamptz NOT NULL,
        grid_id uuid REFERENCES jurisdictions(id)
      )`);
    await db.query(`CREATE INDEX alerts_raised ON alerts (raised_at DESC)`);
    await db.query(`
      CREATE TABLE alert_recipients (
        alert_id uuid NOT NULL REFERENCES alerts(id),
        user_id uuid NOT NULL REFERENCES users(id),
        acknowledged_at timestamptz,
        PRIMARY KEY (alert_id, user_id)
      )`);
    await db.query(
      `CREATE INDEX alert_recipients_open ON alert_recipients (user_id) WHERE acknowledged_at IS NULL`,
    );
    await db.query(`
      CREATE TABLE injury_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        facility text NOT NULL,
        cause text NOT NULL CHECK (cause IN ('KNIFE','FIREARM','EXPLOSIVE','POISON','DOMESTIC_VIOLENCE')),
        description text NOT NULL,
        injured_person_id uuid REFERENCES persons(id),
        suspect_person_id uuid REFERENCES persons(id),
        grid_id uuid NOT NULL REFERENCES jurisdictions(id),
        reported_by_id uuid NOT NULL REFERENCES users(id),
        reported_at timestamptz NOT NULL,
        alert_id uuid REFERENCES alerts(id)
      )`);
    await db.query(`
      CREATE TABLE hazard_businesses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        license_number text NOT NULL UNIQUE,
        activities text[] NOT NULL,
        goods text NOT NULL,
        address text NOT NULL,
        grid_id uuid NOT NULL REFERENCES jurisdictions(id),
        created_by_id uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await db.query(`
      CREATE TABLE hazard_sales (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        business_id uuid NOT NULL REFERENCES hazard_businesses(id),
        receipt_number text NOT NULL,
        buyer_name text NOT NULL,
        buyer_id_number text NOT NULL,
        item text NOT NULL,
        quantity numeric NOT NULL CHECK (quantity > 0),
        unit text NOT NULL,
        sold_at timestamptz NOT NULL,
        recorded_by_id uuid NOT NULL REFERENCES users(id),
        UNIQUE (business_id, receipt_number)
      )`);
    await db.query(`CREATE INDEX hazard_sales_buyer ON hazard_sales (buyer_id_number)`);
    await db.query(`
      CREATE TABLE police_monthly_counts (
        jurisdiction_id uuid NOT NULL REFERENCES jurisdictions(id),
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        extreme_violence_incidents integer NOT NULL CHECK (extreme_violence_incidents >= 0),
        resulting_homicides integer NOT NULL CHECK (resulting_homicides >= 0),
        dispute_police_calls integer NOT NULL CHECK (dispute_police_calls >= 0),
        entered_by_id uuid NOT NULL REFERENCES users(id),
        entered_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (jurisdiction_id, month)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `DROP TABLE IF EXISTS police_monthly_counts, hazard_sales, hazard_businesses, injury_reports, alert_recipients, alerts, psychological_files, referrals`,
    );
  }
}
