// An idempotencyKey reused with a different input is a CONFLICT (SPEC §5): each key now keeps the
// SHA-256 of the canonical input it was first used with. Keys remembered before have none and are
// honoured as before.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyPayloadHash1765540000000 implements MigrationInterface {
  name = 'IdempotencyPayloadHash1765540000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN payload_hash text CHECK (payload_hash ~ '^[0-9a-f]{64}$')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE idempotency_keys DROP COLUMN payload_hash`);
  }
}
