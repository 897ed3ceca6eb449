// `TEST_PGBOUNCER=1 npm test` (.ci/pgbouncer) sends the test APIs' runtime connections through a
// PgBouncer in transaction mode (src/database/pgbouncer.ts), with PREPARED_STATEMENTS=false, while the
// alert feed's LISTEN and the tests' own superuser connections stay direct, as a deployment behind
// PgBouncer runs (docs/deployment.md#pgbouncer).
import type { RoleLogin } from '../../src/database/database';
import { startPgBouncer, type PgBouncer } from '../../src/database/pgbouncer';

export { pgbouncerBinary, startPgBouncer, type PgBouncer } from '../../src/database/pgbouncer';

declare global {
  var __CONCORD_TEST_PGBOUNCER__: PgBouncer | undefined;
}

/**
 * With TEST_PGBOUNCER set (global-setup): starts PgBouncer in front of the tests' PostgreSQL and points
 * the test APIs' runtime connections through it, with named statements off; the alert feed listens
 * on the direct URL (CONCORD_TEST_LISTEN_URL), as a deployment's DATABASE_LISTEN_URL does.
 */
export async function routeTestsThroughPgBouncer(adminUrl: string, runtime: RoleLogin): Promise<void> {
  if (!process.env.TEST_PGBOUNCER) return;
  const directRuntimeUrl = process.env.CONCORD_TEST_RUNTIME_URL;
  if (!directRuntimeUrl) throw new Error('routeTestsThroughPgBouncer runs after the roles are made');
  const bouncer = await startPgBouncer({ serverUrl: adminUrl, roles: [runtime] });
  globalThis.__CONCORD_TEST_PGBOUNCER__ = bouncer;
  process.env.CONCORD_TEST_LISTEN_URL = directRuntimeUrl;
  process.env.CONCORD_TEST_RUNTIME_URL = bouncer.through(directRuntimeUrl);
  process.env.PREPARED_STATEMENTS = 'false';
  process.stderr.write(`\nTEST_PGBOUNCER: the test APIs connect through PgBouncer on port ${bouncer.port}\n`);
}

/** global-teardown: stops the PgBouncer routeTestsThroughPgBouncer started. */
export async function stopTestPgBouncer(): Promise<void> {
  await globalThis.__CONCORD_TEST_PGBOUNCER__?.stop();
  globalThis.__CONCORD_TEST_PGBOUNCER__ = undefined;
}
