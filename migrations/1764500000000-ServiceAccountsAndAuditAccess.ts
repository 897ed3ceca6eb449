// Service accounts for department integrations (rows of `users` with kind SERVICE and no password,
// so every "created by" reference holds) and their revocable API keys, stored as SHA-256 hashes.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ServiceAccountsAndAuditAccess1764500000000 implements MigrationInterface {
  name = 'ServiceAccountsAndAuditAccess1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE users ADD COLUMN kind text NOT NULL DEFAULT 'USER' CHECK (kind IN ('USER','SERVICE'))`,
    );
    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service_account_id uuid NOT NULL REFERENCES users(id),
        prefix text NOT NULL UNIQUE,
        key_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by_id uuid NOT NULL REFERENCES users(id),
        revoked_at timestamptz
      )`);
    await db.query(`CREATE INDEX api_keys_account ON api_keys (service_account_id)`);
    await db.query(`CREATE INDEX audit_entries_record_ids ON audit_entries USING gin (record_ids)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX IF EXISTS audit_entries_record_ids`);
    await db.query(`DROP TABLE IF EXISTS api_keys`);
    await db.query(`ALTER TABLE users DROP COLUMN IF EXISTS kind`);
  }
}
