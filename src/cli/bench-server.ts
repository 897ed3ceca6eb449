// A benchmark-only API process: the real server on the database of DATABASE_URL (or .data/), in one
// of three builds — `full` (what production runs), `allow-all` (no permission layer at all) or
// `no-read-audit` (permissions on, sensitive reads not audited) — so `npm run bench` can measure
// what each layer costs in one run; or `hand-written-sql <street path>`, the floor: the dashboard's
// data by hand-written SQL over plain HTTP (bench-floor.ts). Never used to serve users.
// With BENCH_REPLICAS=N (N > 1) it runs N such processes on one port (node:cluster), the way SPEC §6
// runs replicas behind a load balancer; they need a shared JWT_SECRET.
import cluster from 'node:cluster';
import { PerformanceObserver } from 'node:perf_hooks';
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
import { runCli } from './run-cli';

/**
 * The garbage collector's pauses of this process so far (ms, and how many), from perf_hooks: on
 * SIGUSR2 the process prints them as `GC <ms> <count>`, so the bench can take them before and after
 * a window, as it takes CPU time from /proc. Only for a single process (no replicas).
 */
function reportGarbageCollection(): void {
  let pauseMs = 0;
  let pauses = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauseMs += entry.duration;
      pauses += 1;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => process.stdout.write(`GC ${pauseMs.toFixed(3)} ${pauses}\n`));
}

/** Tells the bench where this process listens: on stdout alone, or to the primary as a replica. */
function ready(url: string): void {
  if (cluster.isWorker) process.send?.({ ready: url });
  else process.stdout.write(`READY ${url}\n`);
}

/** Starts the replicas and says READY once every one of them listens; stops them when told to. */
function runReplicas(count: number): void {
  let stopping = false;
  const workers = Array.from({ length: count }, () => cluster.fork());
  const listening = new Set<number>();
  for (const worker of workers) {
    worker.on('message', (message: { ready?: string }) => {
      if (!message.ready) return;
      listening.add(worker.id);
      if (listening.size === count) process.stdout.write(`READY ${message.ready}\n`);
    });
    worker.on('exit', (code) => {
      if (code !== 0 && !stopping) {
        console.error(`replica ${worker.id} exited with ${code}`);
        process.exit(1);
      }
    });
  }
  const stop = () => {
    stopping = true;
    for (const worker of workers) worker.process.kill('SIGTERM');
    let left = workers.length;
    for (const worker of workers) worker.on('exit', () => (left -= 1) === 0 && process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  const replicas = Number(process.env.BENCH_REPLICAS ?? '1');
  if (cluster.isPrimary && replicas > 1) {
    if (!process.env.JWT_SECRET) throw new Error('replicas need a shared JWT_SECRET');
    runReplicas(replicas);
    return;
  }
  if (cluster.isPrimary) reportGarbageCollection();
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
    const floor = await serveFloor(pool, streetPath, config.port);
    ready(floor.url);
    stopOnSignals(async () => {
      await floor.close();
      await pool.end();
      await database.close();
    });
    return;
  }
  const bare = await buildBareSchema();
  const schema =
    variant === 'allow-all' ? bare : applyPermissions(bare, { auditReads: variant !== 'no-read-audit' });
  const secret = await resolveTokenSecret(config, () => undefined);
  const clock = () => new Date();
  const tokens = createTokenService(secret, config.tokenLifetimeSeconds, clock);
  const server = await createServer(
    {
      config,
      dataSource: database.dataSource,
      readDataSource: database.readDataSource ?? undefined,
      tokens,
      clock,
      logger,
    },
    schema,
  );
  const url = await server.listen(config.port, '127.0.0.1');
  ready(url);
  stopOnSignals(async () => {
    await server.close();
    await database.close();
  });
}

/**
 * Runs `stop` on SIGTERM or SIGINT, once: a second signal while stopping used to close the pool
 * twice and end the process with "Called end on pool more than once".
 */
function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

runCli(main, { failure: 'bench-server failed' });
