// The key that seals webhook signing secrets in the database (AES-256-GCM). The server must read a
// signing secret back to sign with it, so it cannot be hashed; sealed, a copy of the database (a
// backup, a dump, whoever administers PostgreSQL) cannot forge deliveries. The key lives outside the
// database: WEBHOOK_SECRET_KEY, or — when none is configured — one generated once into
// <data dir>/webhook-secret-key. It is its own key, not the second factor's, the JWT secret or the
// audit checkpoint key, so whoever holds one need not hold the others. Each sealed secret is bound to
// its endpoint (the endpoint id is the associated data): copied to another row, it does not open.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config';

const KEY_FILE = 'webhook-secret-key';
const VERSION = 'v1';
const IV_BYTES = 12;

export interface WebhookSecretSealer {
  seal(endpointId: string, secret: string): string;
  /** The secret, or null when the text was not sealed by this key for this endpoint. */
  open(endpointId: string, sealed: string): string | null;
}

export function createWebhookSecretSealer(keyText: string): WebhookSecretSealer {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(keyText, 'utf8'), 'concord', 'concord/webhook-secret/v1', 32),
  );
  const associated = (endpointId: string) => Buffer.from(`webhook:${endpointId}`, 'utf8');
  return {
    seal(endpointId, secret) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(associated(endpointId));
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return [VERSION, ...[iv, sealed, cipher.getAuthTag()].map((part) => part.toString('base64url'))].join(
        '.',
      );
    },
    open(endpointId, text) {
      const [version, iv, sealed, tag] = text.split('.');
      if (version !== VERSION || !iv || !sealed || !tag) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(associated(endpointId));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return null;
      }
    },
  };
}

/**
 * The key text: WEBHOOK_SECRET_KEY, else the data directory's key file, else a new key file. Production
 * with an external database refuses to start without the setting (config.ts); tests configure a key.
 */
async function resolveWebhookSecretKey(config: Config): Promise<string> {
  if (config.webhookSecretKey) return config.webhookSecretKey;
  const file = path.join(config.dataDir, KEY_FILE);
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  if (config.nodeEnv === 'test') {
    throw new Error(
      `WEBHOOK_SECRET_KEY is not set and there is no ${file}: set it (README, "Configuration")`,
    );
  }
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(
    (error: NodeJS.ErrnoException) => {
      // Another process made it first: use theirs.
      if (error.code !== 'EEXIST') throw error;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}

const sealers = new WeakMap<Config, Promise<WebhookSecretSealer>>();

/** The sealer of `config`'s key, resolved on first use. */
export function webhookSecretSealerOf(config: Config): Promise<WebhookSecretSealer> {
  let sealer = sealers.get(config);
  if (!sealer) {
    sealer = resolveWebhookSecretKey(config).then(createWebhookSecretSealer);
    sealer.catch(() => sealers.delete(config));
    sealers.set(config, sealer);
  }
  return sealer;
}

/** A new signing secret: 32 random bytes, prefixed so a leaked one is recognisable in logs and scans. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}
