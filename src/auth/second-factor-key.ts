// The key that seals TOTP secrets in the database (AES-256-GCM). A TOTP secret is a password the server
// must read back, so it cannot be hashed; sealed, a copy of the database (a backup, a dump, whoever
// administers PostgreSQL) does not make codes. The key lives outside the database: SECOND_FACTOR_KEY,
// or — when none is configured — one generated once into <data dir>/second-factor-key, beside the JWT
// secret, and read from there by every process started on that data directory (the
// API, the bench's servers, seed:scale). It is its own key, neither the JWT secret nor the audit
// checkpoint key: rotating JWT_SECRET (which ends every session) must not unenrol every account, and
// whoever holds one key need not hold the others. HKDF-SHA256 makes the AES key from the configured
// text, for this one use. Each sealed secret names its version (`v1.`) and is bound to its account
// (the account id is the associated data): a sealed secret copied to another row does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';

const KEY_FILE = 'second-factor-key';
const VERSION = 'v1';
const IV_BYTES = 12;

export interface SecretSealer {
  seal(userId: string, secret: Uint8Array): string;
  /** The secret, or null when the text was not sealed by this key for this account. */
  open(userId: string, sealed: string): Uint8Array | null;
}

/** A sealer for the key text `keyText` (at least 32 characters of configuration or key file). */
export function createSecretSealer(keyText: string): SecretSealer {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(keyText, 'utf8'), 'concord', 'concord/totp-secret/v1', 32),
  );
  const associated = (userId: string) => Buffer.from(`user:${userId}`, 'utf8');
  return {
    seal(userId, secret) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associated(userId));
      const sealed = Buffer.concat([cipher.update(secret), cipher.final()]);
      return [VERSION, iv, sealed, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    open(userId, text) {
      const [version, iv, sealed, tag] = text.split('.');
      if (version !== VERSION || !iv || !sealed || !tag) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(associated(userId));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const secret = Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]);
        return new Uint8Array(secret);
      } catch {
        return null;
      }
    },
  };
}

/**
 * The key text: SECOND_FACTOR_KEY, else the data directory's key file, else a new key file. Production
 * with an external database refuses to start without the setting (config.ts); tests configure a key
 * rather than write into the data directory.
 */
export async function resolveSecondFactorKey(config: Config): Promise<string> {
  if (config.secondFactorKey) return config.secondFactorKey;
  const file = path.join(config.dataDir, KEY_FILE);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  if (config.nodeEnv === 'test') {
    throw new Error(`SECOND_FACTOR_KEY is not set and there is no ${file}: set it (README, "Configuration")`);
  }
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(
    (error: NodeJS.ErrnoException) => {
      // Another process (the API, a CLI) made it first: use theirs.
      if (error.code !== 'EEXIST') throw error;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}

const sealers = new WeakMap<Config, Promise<SecretSealer>>();

/** The sealer of `config`'s key, resolved on first use (only sign-ins with a second factor need it). */
export function secretSealerOf(config: Config): Promise<SecretSealer> {
  let sealer = sealers.get(config);
  if (!sealer) {
    sealer = resolveSecondFactorKey(config).then(createSecretSealer);
    // A failure is not kept: the next request tries again (a key file restored meanwhile).
    sealer.catch(() => sealers.delete(config));
    sealers.set(config, sealer);
  }
  return sealer;
}
