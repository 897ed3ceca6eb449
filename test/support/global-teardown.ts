// Stops the embedded PostgreSQL the test run started and removes its temp directory.
import { rm } from 'node:fs/promises';
import { stopTestPgBouncer } from './pgbouncer';

export default async function globalTeardown(): Promise<void> {
  await stopTestPgBouncer();
  const database = globalThis.__CONCORD_TEST_DB__;
  if (!database) return;
  await database.stop();
  await rm(database.directory, { recursive: true, force: true });
}
