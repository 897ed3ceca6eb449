// API keys for service accounts (department integrations). A key is `cnc_<prefix>_<secret>` with
// 256 random bits; only its SHA-256 is stored — a slow hash adds nothing for keys of that entropy —
// and it is found by its prefix. Revoked keys stop working at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { LAST_USE_RESOLUTION_SECONDS, loadUserIdentity, type Identity } from './identity-store';

const KEY_FORMAT = /^cnc_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const key = `cnc_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: sha256(key) };
}

/**
 * The service account `key` belongs to, or null. A key's last use (shown to ADMIN) is stamped only
 * after the whole key matched — a prefix alone must not move it — and at most once a minute, as a
 * session's is, so using a key is not a write per request.
 */
export async function identityFromApiKey(
  key: string,
  dataSource: DataSource,
  now: Date = new Date(),
): Promise<Identity | null> {
  const match = KEY_FORMAT.exec(key);
  if (!match) return null;
  const rows: { id: string; service_account_id: string; key_hash: string; last_used_at: Date | null }[] =
    await dataSource.query(
      `SELECT id, service_account_id, key_hash, last_used_at FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL`,
      [match[1]],
    );
  const row = rows[0];
  if (!row) return null;
  const expected = Buffer.from(row.key_hash, 'hex');
  const actual = Buffer.from(sha256(key), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USE_RESOLUTION_SECONDS * 1000) {
    await dataSource.query(
      `UPDATE api_keys SET last_used_at = $2
        WHERE id = $1 AND (last_used_at IS NULL
                           OR last_used_at < $2::timestamptz - make_interval(secs => ${LAST_USE_RESOLUTION_SECONDS}))`,
      [row.id, now],
    );
  }
  return loadUserIdentity(dataSource, row.service_account_id);
}
