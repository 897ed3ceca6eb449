// The method of a return visit is the one enum a follow-up's method is (issue 22 item 5: one name for
// one thing): VISIT, PHONE, VIDEO or OTHER. It was free text of capitals; a value outside the four
// becomes OTHER, and the database now refuses any other.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ReturnVisitMethod1767100000000 implements MigrationInterface {
  name = 'ReturnVisitMethod1767100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `UPDATE return_visits SET method = 'OTHER' WHERE method NOT IN ('VISIT', 'PHONE', 'VIDEO', 'OTHER')`,
    );
    await db.query(
      `ALTER TABLE return_visits ADD CONSTRAINT return_visits_method
         CHECK (method IN ('VISIT', 'PHONE', 'VIDEO', 'OTHER'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE return_visits DROP CONSTRAINT return_visits_method`);
  }
}
