// An assessment carries its person's grid (issue 23 item 4, "flat in city size"): the monthly figures
// find each person's latest assessment before a month's end, one index probe per person of the
// street. Keyed by person id alone — a random UUID — the street's persons were spread over the whole
// index, which grows with the city, so each probe touched more pages in a larger city. Keyed by
// (grid, person, time), a street's probes walk its own grids' stretch of the index, the same size in
// any city, and read tier and review-by from the index alone.
//
// The database keeps the copy right, whoever writes: an assessment takes its person's grid when it is
// written or moved to another person (a merge), and a person who moves to another grid (a
// correction, a reorganisation) takes their assessments along. The copy is no field of the API and
// not a change the feed reports.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AssessmentGrid1767300000000 implements MigrationInterface {
  name = 'AssessmentGrid1767300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE assessments ADD COLUMN grid_id uuid`);
    await db.query(`UPDATE assessments a SET grid_id = p.grid_id FROM persons p WHERE p.id = a.person_id`);
    await db.query(`ALTER TABLE assessments ALTER COLUMN grid_id SET NOT NULL`);
    await db.query(`
      CREATE INDEX assessments_grid_person_time ON assessments (grid_id, person_id, assessed_at DESC, id DESC)
        INCLUDE (tier, review_by)`);
    await db.query(`
      CREATE FUNCTION assessments_take_person_grid() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.grid_id := (SELECT p.grid_id FROM persons p WHERE p.id = NEW.person_id);
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER assessments_take_person_grid BEFORE INSERT OR UPDATE OF person_id ON assessments
      FOR EACH ROW EXECUTE FUNCTION assessments_take_person_grid()`);
    await db.query(`
      CREATE FUNCTION persons_move_assessments() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE assessments SET grid_id = NEW.grid_id WHERE person_id = NEW.id;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER persons_move_assessments AFTER UPDATE OF grid_id ON persons
      FOR EACH ROW WHEN (OLD.grid_id IS DISTINCT FROM NEW.grid_id)
      EXECUTE FUNCTION persons_move_assessments()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER persons_move_assessments ON persons`);
    await db.query(`DROP FUNCTION persons_move_assessments()`);
    await db.query(`DROP TRIGGER assessments_take_person_grid ON assessments`);
    await db.query(`DROP FUNCTION assessments_take_person_grid()`);
    await db.query(`DROP INDEX assessments_grid_person_time`);
    await db.query(`ALTER TABLE assessments DROP COLUMN grid_id`);
  }
}
