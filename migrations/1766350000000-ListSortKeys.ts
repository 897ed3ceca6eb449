// Sort keys of the orders a list may be asked for (issue 22 item 5): updated_at becomes a sort key of
// persons, disputes and assignments, so like every other key a cursor carries it is stored at
// millisecond precision (see MillisecondSortKeys); and each new order has an index to walk by.
import type { MigrationInterface, QueryRunner } from 'typeorm';

const UPDATED: string[] = ['persons', 'disputes', 'assignments'];

export class ListSortKeys1766350000000 implements MigrationInterface {
  name = 'ListSortKeys1766350000000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of UPDATED) {
      await db.query(`ALTER TABLE ${table} ALTER COLUMN updated_at TYPE timestamptz(3)`);
      await db.query(`CREATE INDEX ${table}_updated_id ON ${table} (updated_at, id)`);
    }
    await db.query(`CREATE INDEX persons_name_id ON persons (name, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS persons_name_id`);
    for (const table of UPDATED) {
      await db.query(`DROP INDEX IF EXISTS ${table}_updated_id`);
      await db.query(`ALTER TABLE ${table} ALTER COLUMN updated_at TYPE timestamptz`);
    }
  }
}
