// A benchmark-only API process: the real server on the database of DATABASE_URL (or .data/), in one
// of three builds — `full` (what production runs), `allow-all` (no permission layer at all) or
// `no-read-audit` (permissions on, sensitive reads not audited) — so `npm run bench` can measure
// what each layer costs in one run; or `hand-written-sql <street path>`, the floor: the dashboard's
// data by hand-written SQL over plain HTTP (bench-floor.ts). Never used to serve users.
import 'reflect-metadata';
import { Pool } from 'pg';
import { createTokenService } from '../auth/tokens';
import { resolveTokenSecret } from '../auth/secret';
import { loadConfig } from '../config';
import { openDatabase } from '../database/database';
import { buildBareSchema } from '../graphql/schema';
import { createLogger } from '../logger';
import { applyPermissions } from '../permissions/shield';
import { createServer } from '../server';
import { serveFloor } from './bench-floor';

async function main(): Promise<void> {
  const variant = process.argv[2] ?? 'full';
  if (!['full', 'allow-all', 'no-read-audit', 'hand-written-sql'].includes(variant))
    throw new Error(`unknown variant ${variant}`);
  // Like production, statements are not counted under load; the bench asks for them with a header.
  const config = {
    ...loadConfig(),
    logLevel: 'error',
    loadDemoData: false,
    exposeSqlText: true,
    exposeSqlStatementCount: false,
  };
  if (config.nodeEnv === 'production') throw new Error('the benchmark server does not run in production');
  const logger = createLogger('error');
  const database = await openDatabase(config, () => undefined);
  if (variant === 'hand-written-sql') {
    const streetPath = process.argv[3];
    if (!streetPath) throw new Error('hand-written-sql needs the street path');
    // The same pool size as the API's (pg's default of 10).
    const pool = new Pool({ connectionString: database.url, max: 10 });
    const floor = await serveFloor(pool, streetPath);
    process.stdout.write(`READY ${floor.url}\n`);
    const stop = async () => {
      await floor.close();
      await pool.end();
      await database.close();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop());
    process.on('SIGINT', () => void stop());
    return;
  }
  const bare = await buildBareSchema();
  const schema =
    variant === 'allow-all' ? bare : applyPermissions(bare, { auditReads: variant !== 'no-read-audit' });
  const secret = await resolveTokenSecret(config, () => undefined);
  const clock = () => new Date();
  const tokens = createTokenService(secret, config.tokenLifetimeSeconds, clock);
  const server = await createServer(
    { config, dataSource: database.dataSource, tokens, clock, logger },
    schema,
  );
  const url = await server.listen(config.port, '127.0.0.1');
  process.stdout.write(`READY ${url}\n`);
  const stop = async () => {
    await server.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
