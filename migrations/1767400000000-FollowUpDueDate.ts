// Each tiered person's next follow-up is due at a time stored on their row (issue 23 item 4, the
// maintained count chosen over an estimate; docs/performance.md "What grows with the scope"). The
// overdue list and its count computed the due date of every tiered person of the scope from the row
// and kept the overdue ones: over a 1M-person city that read every tiered person (566 ms of SQL). Now
// they walk the overdue stretch of an index on (grid, due date), the same work in any city for the
// same number of overdue persons.
//
// The due date is a generated column, so the database keeps it right whoever writes the row (the
// API, the scale seeder, an operator's correction, the follow-up triggers of migration
// LastFollowUpOfPerson): the last follow-up, or the start of the tier when there is none, plus the
// tier's cadence (src/domain/assignments/rules.ts FOLLOW_UP_CADENCE_DAYS: YELLOW 15, ORANGE 7, RED 1
// days); NULL at tier NONE. Days are counted as 24 hours: that makes the function immutable whatever
// the session's time zone, and is what '1 day' was in China's, which keeps no daylight saving. test/domain/assignments/cadence.test.ts
// holds the function to the TypeScript rule; a change of cadence is a new migration that replaces the
// function and rewrites the column.
//
// Cost: a follow-up now changes an indexed column of its person, so that update is no longer HOT and
// adds an entry to each of the table's indexes (follow-ups are a few per person per month).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FollowUpDueDate1767400000000 implements MigrationInterface {
  name = 'FollowUpDueDate1767400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION person_follow_up_due(tier text, last_follow_up_at timestamptz, tier_since timestamptz)
        RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN coalesce(last_follow_up_at, tier_since)
               + (CASE tier WHEN 'YELLOW' THEN 15 WHEN 'ORANGE' THEN 7 WHEN 'RED' THEN 1 END) * interval '24 hours'`);
    await db.query(`
      ALTER TABLE persons ADD COLUMN follow_up_due_at timestamptz(3)
        GENERATED ALWAYS AS (person_follow_up_due(tier, last_follow_up_at, tier_since)) STORED`);
    await db.query(`
      CREATE INDEX persons_follow_up_due ON persons (grid_id, follow_up_due_at)
        INCLUDE (id, last_follow_up_at) WHERE follow_up_due_at IS NOT NULL`);
    // The planner's estimate of "due before now" needs the new column's statistics.
    await db.query(`ANALYZE persons`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX persons_follow_up_due`);
    await db.query(`ALTER TABLE persons DROP COLUMN follow_up_due_at`);
    await db.query(`DROP FUNCTION person_follow_up_due`);
  }
}
