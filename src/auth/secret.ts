// Where the token-signing secret comes from: configuration, or — with the embedded database — a
// secret generated once and kept beside the data under .data/, so tokens survive restarts.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';

export async function resolveTokenSecret(config: Config, log: (message: string) => void): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  if (!config.databaseUrl) {
    const file = path.join(config.dataDir, 'jwt-secret');
    if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
    const secret = randomBytes(48).toString('base64url');
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
  log('JWT_SECRET is not set: using a random secret, so tokens stop working when the process restarts');
  return randomBytes(48).toString('base64url');
}
