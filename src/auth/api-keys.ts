// API keys for service accounts (department integrations). A key is `cnc_<prefix>_<secret>` with
// 256 random bits; only its SHA-256 is stored — a slow hash adds nothing for keys of that entropy —
// and it is found by its prefix. Revoked keys stop working at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadUserIdentity, type Identity } from './identity-store';

const KEY_FORMAT = /^cnc_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const key = `cnc_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: sha256(key) };
}

export async function identityFromApiKey(key: string, dataSource: DataSource): Promise<Identity | null> {
  const match = KEY_FORMAT.exec(key);
  if (!match) return null;
  const rows: { service_account_id: string; key_hash: string }[] = await dataSource.query(
    `SELECT service_account_id, key_hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL`,
    [match[1]],
  );
  const row = rows[0];
  if (!row) return null;
  const expected = Buffer.from(row.key_hash, 'hex');
  const actual = Buffer.from(sha256(key), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  return loadUserIdentity(dataSource, row.service_account_id);
}
