// Accountability (issue 25): extreme-violence incidents recorded by POLICE with the persons and
// disputes they link (the case review reads backwards from them), and the thresholds and weights of
// the quarterly list and the yearly assessment as reference data.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Accountability1766600000000 implements MigrationInterface {
  name = 'Accountability1766600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        grid_id uuid NOT NULL REFERENCES jurisdictions(id),
        occurred_at timestamptz NOT NULL,
        place text NOT NULL CHECK (length(place) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind IN ('HOMICIDE','ASSAULT','ARSON','POISONING','EXPLOSION','OTHER_VIOLENCE')),
        deaths integer NOT NULL CHECK (deaths >= 0),
        injuries integer NOT NULL CHECK (injuries >= 0),
        summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 2000),
        recorded_by_id uuid NOT NULL REFERENCES users(id),
        recorded_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX incidents_grid_time ON incidents (grid_id, occurred_at)`);
    await db.query(`
      CREATE TABLE incident_persons (
        incident_id uuid NOT NULL REFERENCES incidents(id),
        person_id uuid NOT NULL REFERENCES persons(id),
        PRIMARY KEY (incident_id, person_id)
      )`);
    await db.query(`
      CREATE TABLE incident_disputes (
        incident_id uuid NOT NULL REFERENCES incidents(id),
        dispute_id uuid NOT NULL REFERENCES disputes(id),
        PRIMARY KEY (incident_id, dispute_id)
      )`);
    // One row per figure the scorecards use: below `threshold` (above, for AT_MOST figures) a unit is
    // on the quarterly list; `weight` is the figure's share of the yearly score.
    await db.query(`
      CREATE TABLE accountability_criteria (
        figure text PRIMARY KEY CHECK (figure IN ('FOLLOW_UP_COMPLIANCE','OVERDUE_REVIEWS','UNACKNOWLEDGED_ALERTS','RESOLUTION_RATE')),
        direction text NOT NULL CHECK (direction IN ('AT_LEAST','AT_MOST')),
        threshold numeric NOT NULL CHECK (threshold >= 0),
        weight numeric NOT NULL CHECK (weight >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      INSERT INTO accountability_criteria (figure, direction, threshold, weight) VALUES
        ('FOLLOW_UP_COMPLIANCE', 'AT_LEAST', 0.9, 0.35),
        ('OVERDUE_REVIEWS', 'AT_MOST', 0, 0.2),
        ('UNACKNOWLEDGED_ALERTS', 'AT_MOST', 0, 0.2),
        ('RESOLUTION_RATE', 'AT_LEAST', 0.8, 0.25)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS accountability_criteria`);
    await db.query(`DROP TABLE IF EXISTS incident_disputes`);
    await db.query(`DROP TABLE IF EXISTS incident_persons`);
    await db.query(`DROP TABLE IF EXISTS incidents`);
  }
}
