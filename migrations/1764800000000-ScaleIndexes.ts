// Indexes found by EXPLAIN at city scale (npm run seed:scale + npm run bench): the tiered persons of
// a street or village are found grid by grid instead of walking every tiered person of the city.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ScaleIndexes1764800000000 implements MigrationInterface {
  name = 'ScaleIndexes1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX persons_grid_tier_created ON persons (grid_id, tier, created_at DESC, id DESC) WHERE tier <> 'NONE'`,
    );
    await db.query(`CREATE INDEX alerts_grid_raised ON alerts (grid_id, raised_at)`);
    await db.query(`CREATE INDEX disputes_grid_reported ON disputes (grid_id, reported_at)`);
    await db.query(
      `CREATE INDEX disputes_grid_closed ON disputes (grid_id, closed_at) WHERE closed_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `DROP INDEX IF EXISTS persons_grid_tier_created, alerts_grid_raised, disputes_grid_reported, disputes_grid_closed`,
    );
  }
}
