// Starts the PostgreSQL the tests use (embedded in a temp directory on a free port, unless
// TEST_DATABASE_URL names a server), creates the owner and runtime roles as `npm start` does, and
// builds the template database once for all test files. Test APIs run as the runtime role.
import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clusterRoles, ensureRoles, roleUrl } from '../../src/database/database';
import { startEmbeddedPostgres } from '../../src/database/embedded';
import { routeTestsThroughPgBouncer } from './pgbouncer';
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
  const roles = clusterRoles(adminUrl);
  await ensureRoles(adminUrl, roles);
  process.env.CONCORD_TEST_ADMIN_URL = adminUrl;
  process.env.CONCORD_TEST_OWNER_URL = roleUrl(adminUrl, roles.owner);
  process.env.CONCORD_TEST_RUNTIME_URL = roleUrl(adminUrl, roles.runtime);
  await routeTestsThroughPgBouncer(adminUrl, roles.runtime);
  await buildTemplate(adminUrl, roles);
}
