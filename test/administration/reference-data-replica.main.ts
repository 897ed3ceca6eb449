// A second API process for the reference-data tests (started by reference-data-replica.ts): the real
// server, as `npm start` builds it, on the database of REPLICA_DATABASE_URL (the runtime role), its
// own token secret and connections, and a clock that starts at REPLICA_NOW. It prints `READY <url>`
// and stops on SIGTERM. Nothing is shared with the test's own server but the database.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { createTokenService } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createServer } from '../../src/server';

async function main(): Promise<void> {
  const url = process.env.REPLICA_DATABASE_URL;
  const now = new Date(process.env.REPLICA_NOW ?? '');
  if (!url || Number.isNaN(now.getTime()))
    throw new Error('REPLICA_DATABASE_URL and REPLICA_NOW are required');
  // As the test's own server is configured: through PgBouncer (TEST_PGBOUNCER) named statements are off.
  const config = loadConfig({ NODE_ENV: 'test', PREPARED_STATEMENTS: process.env.PREPARED_STATEMENTS });
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  // Time moves from REPLICA_NOW as it does in a real process: two requests are never at one instant.
  const started = Date.now();
  const clock = () => new Date(now.getTime() + (Date.now() - started));
  const server = await createServer({
    config,
    dataSource,
    clock,
    tokens: createTokenService(randomBytes(32).toString('hex'), config.tokenLifetimeSeconds, clock),
    logger: createLogger('error'),
  });
  const endpoint = await server.listen(0, '127.0.0.1');
  process.stdout.write(`READY ${endpoint}\n`);
  process.on('SIGTERM', () => {
    void server
      .close()
      .then(() => dataSource.destroy())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
