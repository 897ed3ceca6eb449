// Cursors carry JavaScript dates, which hold milliseconds; a sort key stored with microseconds
// could let keyset paging skip rows. Every column a cursor or an overdue list sorts by is stored
// at millisecond precision (PostgreSQL rounds on write), whoever writes it.
import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS: [string, string][] = [
  ['persons', 'created_at'],
  ['persons', 'tier_since'],
  ['disputes', 'reported_at'],
  ['assignments', 'created_at'],
  ['follow_ups', 'occurred_at'],
  ['assessments', 'assessed_at'],
  ['assessments', 'review_by'],
];

export class MillisecondSortKeys1765000000000 implements MigrationInterface {
  name = 'MillisecondSortKeys1765000000000';

  async up(db: QueryRunner): Promise<void> {
    for (const [table, column] of COLUMNS) {
      await db.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE timestamptz(3)`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const [table, column] of COLUMNS) {
      await db.query(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE timestamptz`);
    }
  }
}
