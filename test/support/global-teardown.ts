// Stops the embedded PostgreSQL the test run started and removes its temp directory.
import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const database = globalThis.__CONCORD_TEST_DB__;
  if (!database) return;
  await database.stop();
  await rm(database.directory, { recursive: true, force: true });
}
