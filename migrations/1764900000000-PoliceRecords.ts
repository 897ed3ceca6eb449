// Police records (接处警/前科摘要): short entries kept by POLICE about a person.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PoliceRecords1764900000000 implements MigrationInterface {
  name = 'PoliceRecords1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE police_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES persons(id),
        kind text NOT NULL CHECK (kind IN ('POLICE_CALL','PRIOR_RECORD')),
        summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 2000),
        occurred_on date NOT NULL,
        recorded_by_id uuid NOT NULL REFERENCES users(id),
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX police_records_person ON police_records (person_id, occurred_on DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE IF EXISTS police_records`);
  }
}
