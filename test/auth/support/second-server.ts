// A second API process on a test's database (run by test/auth/support/processes.ts): the real server,
// its own token cache and connections, the same token secret as the test's first server. Prints
// {"endpoint": …} once it listens; ends on SIGTERM.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../ormconfig';
import { createTokenService } from '../../../src/auth/tokens';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createServer } from '../../../src/server';

async function main(): Promise<void> {
  const url = process.env.SECOND_SERVER_DATABASE_URL;
  const secret = process.env.SECOND_SERVER_TOKEN_SECRET;
  if (!url || !secret)
    throw new Error('SECOND_SERVER_DATABASE_URL and SECOND_SERVER_TOKEN_SECRET are needed');
  // As the test's own server is configured: through PgBouncer (TEST_PGBOUNCER) named statements are off.
  const config = loadConfig({ NODE_ENV: 'test', PREPARED_STATEMENTS: process.env.PREPARED_STATEMENTS });
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  const clock = () => new Date();
  const server = await createServer({
    config,
    dataSource,
    tokens: createTokenService(secret, config.tokenLifetimeSeconds, clock),
    clock,
    logger: createLogger('silent'),
  });
  const endpoint = await server.listen(0, '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ endpoint })}\n`);
  process.on('SIGTERM', () => {
    void server
      .close()
      .then(() => dataSource.destroy())
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
