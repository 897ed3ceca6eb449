// Starts the PostgreSQL the tests use (embedded in a temp directory on a free port, unless
// TEST_DATABASE_URL names a server) and builds the template database once for all test files.
import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded';
import { buildTemplate } from './template';

declare global {
  var __CONCORD_TEST_DB__: { stop(): Promise<void>; directory: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'concord-test-'));
    const database = await startEmbeddedPostgres({ directory, persistent: false });
    globalThis.__CONCORD_TEST_DB__ = { stop: () => database.stop(), directory };
    adminUrl = database.adminUrl;
  }
  process.env.CONCORD_TEST_ADMIN_URL = adminUrl;
  await buildTemplate(adminUrl);
}
