// The database a CLI works on: DATABASE_URL's; else the embedded PostgreSQL of the data directory —
// the one the running API serves, when it runs (a second server cannot open the same data), or one
// this CLI starts and stops itself.
import type { Config } from '../config';
import {
  EMBEDDED_DATABASE_NAME,
  ensureDatabase,
  openDatabase,
  type OpenDatabase,
} from '../database/database';
import { findRunningInstance } from '../database/embedded';

export async function openCliDatabase(
  config: Config,
  log: (message: string) => void = () => undefined,
): Promise<OpenDatabase> {
  if (config.databaseUrl) return openDatabase(config, log);
  const running = await findRunningInstance(config.dataDir);
  if (!running) return openDatabase(config, log);
  log(`using the PostgreSQL of the running instance (process ${running.ownerPid}, port ${running.port})`);
  const url = await ensureDatabase(running.adminUrl, EMBEDDED_DATABASE_NAME);
  // With a URL, openDatabase connects (and migrates, a no-op on a running instance) and its close()
  // leaves the server running.
  return openDatabase({ ...config, databaseUrl: url }, log);
}
