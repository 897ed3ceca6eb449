// `npm run bench:topology`: what the deployment's pieces cost on a seeded city (SPEC §6,
// docs/deployment.md): the same street's screens served by one API process connected four ways to one
// database, measured in turns in one run:
//   - `direct`: straight to PostgreSQL, named prepared statements (the default);
//   - `unnamed`: straight to PostgreSQL, PREPARED_STATEMENTS=false (what PgBouncer needs);
//   - `pgbouncer`: through PgBouncer in transaction mode, unnamed (skipped when it is not installed);
//   - `readReplica`: direct, queries read from a streaming standby (DATABASE_READ_URL).
// Besides requests/s, latency and CPU, each window counts the transactions the primary and the
// standby ran per request (pg_stat_database), which the machine's load does not change.
// The city's directory is never changed: the run works on a copy of it (a standby needs a replication
// role, an hba line and a slot on its primary), removed at the end.
// Usage: npm run bench:topology -- --city DIR [--street S-C01.S01] [--user NAME --password PW]
//        [--duration 8] [--connections 10] [--rounds 4] [--warm-up S] [--out PATH]
//        (default bench/results.json, key topology)
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Pool } from 'pg';
import { loadConfig } from '../config';
import { clusterRoles, openDatabase, roleUrl, type OpenDatabase } from '../database/database';
import { pgbouncerBinary, startPgBouncer, type PgBouncer } from '../database/pgbouncer';
import { startStandby, type Standby } from '../database/standby';
import {
  argument,
  combine,
  cpuSeconds,
  DASHBOARD,
  databaseServerPid,
  drive,
  measure,
  MONTHLY,
  OVERDUE,
  REGISTER,
  seededCitySettings,
  signIn,
  startServer,
  storeResults,
  type Figures,
  type RunSettings,
  type Scenario,
  type Server,
} from './bench-kit';
import { balancedOrders } from './bench-order';
import { runCli } from './run-cli';

const copyTree = promisify(execFile);

interface Options extends RunSettings {
  /** The data directory of a city seeded by seed:scale. */
  city: string;
}

function options(): Options {
  return { ...seededCitySettings(), city: path.resolve(argument('city')) };
}

/** One way of connecting the API to the database, and the server started that way. */
interface Variant {
  name: 'direct' | 'unnamed' | 'pgbouncer' | 'readReplica';
  server: Server;
}

/** A window's figures, plus what it cost each database. */
interface TopologyFigures extends Figures {
  primaryTransactionsPerRequest?: number;
  standbyTransactionsPerRequest?: number;
  standbyCpuMsPerRequest?: number;
}

/** Transactions the `concord` database has run on the server of `url` (committed and rolled back). */
async function transactions(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      `SELECT xact_commit + xact_rollback AS count FROM pg_stat_database WHERE datname = current_database()`,
    );
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const settings = options();
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'concord-bench-topology-'));
  // As root, PostgreSQL and PgBouncer run as `postgres`, which must reach the clusters below.
  await chmod(workspace, 0o755);
  const primaryDirectory = path.join(workspace, 'primary');
  const started = Date.now();
  // `cp -a` keeps the cluster's owner (the `postgres` account when the city was seeded as root).
  await copyTree('cp', ['-a', settings.city, primaryDirectory]);
  console.log(`copied ${settings.city} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  let database: OpenDatabase | undefined;
  let standby: Standby | undefined;
  let bouncer: PgBouncer | undefined;
  const variants: Variant[] = [];
  try {
    database = await openDatabase(
      { ...loadConfig(), dataDir: primaryDirectory, databaseUrl: undefined },
      () => undefined,
    );
    const embedded = database.embedded;
    if (!embedded) throw new Error('bench:topology runs on an embedded city (seed:scale)');
    const roles = clusterRoles(embedded.adminUrl);
    const superuser = database.url;
    const runtime = roleUrl(superuser, roles.runtime);
    const owner = roleUrl(superuser, roles.owner);
    await database.dataSource.destroy();

    standby = await startStandby({
      adminUrl: embedded.adminUrl,
      dataDirectory: path.join(primaryDirectory, 'pg'),
      directory: path.join(workspace, 'standby'),
    });
    const standbySuperuser = standby.urlOf(superuser);

    // The city's directory also holds the key its second factors are sealed with.
    const base = { DATABASE_URL: runtime, DATABASE_OWNER_URL: owner, CONCORD_DATA_DIR: primaryDirectory };
    const start = async (name: Variant['name'], env: NodeJS.ProcessEnv) =>
      variants.push({ name, server: await startServer('full', runtime, [], 1, { ...base, ...env }) });
    await start('direct', { PREPARED_STATEMENTS: 'true' });
    await start('unnamed', { PREPARED_STATEMENTS: 'false' });
    if (pgbouncerBinary()) {
      bouncer = await startPgBouncer({
        serverUrl: embedded.adminUrl,
        roles: [roles.runtime],
        poolSize: settings.connections,
      });
      await start('pgbouncer', {
        DATABASE_URL: bouncer.through(runtime),
        DATABASE_LISTEN_URL: runtime,
        PREPARED_STATEMENTS: 'false',
      });
    } else {
      console.log('pgbouncer is not installed (apt-get install -y pgbouncer): measured without it');
    }
    await start('readReplica', { DATABASE_READ_URL: standby.urlOf(runtime), PREPARED_STATEMENTS: 'true' });

    const pool = new Pool({ connectionString: superuser, max: 2 });
    try {
      const street = (
        await pool.query<{ id: string; path: string }>(`SELECT id, path FROM jurisdictions WHERE code = $1`, [
          settings.street,
        ])
      ).rows[0];
      if (!street)
        throw new Error(`no jurisdiction ${settings.street}: seed the city with npm run seed:scale`);
      const parties = (
        await pool.query<{ id: string; grid_id: string }>(
          `SELECT p.id, p.grid_id FROM persons p JOIN jurisdictions g ON g.id = p.grid_id
            WHERE g.path LIKE $1 || '.%' ORDER BY p.created_at LIMIT 500`,
          [street.path],
        )
      ).rows;
      const primaryPid = await databaseServerPid(pool);
      const token = await signIn(variants[0]!.server, settings);
      let serial = 0;
      const j = () => ({ j: street.id });
      // Reads first, the write last: registerDispute grows the data the reads walk.
      const scenarios: Scenario[] = [
        { name: 'dashboard', query: DASHBOARD, variables: j },
        { name: 'overdueFollowUps', query: OVERDUE, variables: j },
        {
          name: 'monthlyFigures',
          query: MONTHLY,
          variables: () => ({ ...j(), m: new Date().toISOString().slice(0, 7) }),
        },
        {
          name: 'registerDispute',
          query: REGISTER,
          variables: () => {
            serial += 1;
            const party = parties[serial % parties.length];
            return {
              input: {
                category: 'NEIGHBOR',
                source: 'GRID_VISIT',
                description: `压测纠纷 ${serial}`,
                gridId: party?.grid_id,
                parties: [{ personId: party?.id, role: 'APPLICANT' }],
              },
            };
          },
        },
      ];

      const window = async (variant: Variant, scenario: Scenario): Promise<TopologyFigures> => {
        const before = await Promise.all([
          transactions(superuser),
          transactions(standbySuperuser),
          cpuSeconds(standby?.pid),
        ]);
        const figures: TopologyFigures = await measure(variant.server, token, scenario, settings, primaryPid);
        // Statistics reach pg_stat_database when a backend reports them (at most once a second).
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const after = await Promise.all([
          transactions(superuser),
          transactions(standbySuperuser),
          cpuSeconds(standby?.pid),
        ]);
        const requests = figures.requests ?? 0;
        // Each count's own query is one transaction of the database it asks.
        const perRequest = (from: number | undefined, to: number | undefined, scale = 1, own = 0) =>
          requests && from !== undefined && to !== undefined
            ? Number((((to - from - own) * scale) / requests).toFixed(2))
            : undefined;
        figures.primaryTransactionsPerRequest = perRequest(before[0], after[0], 1, 1);
        figures.standbyTransactionsPerRequest = perRequest(before[1], after[1], 1, 1);
        figures.standbyCpuMsPerRequest = perRequest(before[2], after[2], 1000);
        return figures;
      };

      const results: Record<string, unknown> = {
        measuredAt: new Date().toISOString(),
        settings: { ...settings, password: undefined, totpSecret: undefined, out: undefined },
        machine: { cpus: os.cpus().length, node: process.version },
        variants: variants.map((variant) => variant.name),
        pgbouncer: bouncer ? { poolMode: 'transaction', poolSize: settings.connections } : null,
      };
      const warmUp = { ...settings, duration: settings.warmUp };
      for (const variant of variants) await drive(variant.server.url, token, scenarios[0]!, warmUp);
      // Orders of a balanced Latin square when the count is even (each variant right after each other
      // once over the rounds), so what one variant leaves behind falls on the others alike.
      const orders =
        variants.length % 2 === 0
          ? balancedOrders(variants.length)
          : variants.map((_, round) => variants.map((__, index) => (index + round) % variants.length));
      const byScenario: Record<string, Record<string, TopologyFigures>> = {};
      for (const scenario of scenarios) {
        const windows = new Map<string, TopologyFigures[]>(variants.map((variant) => [variant.name, []]));
        for (const variant of variants)
          await drive(variant.server.url, token, scenario, {
            ...settings,
            duration: Math.max(1, settings.warmUp / 3),
          });
        for (let round = 0; round < settings.rounds; round += 1)
          for (const index of orders[round % orders.length] ?? []) {
            const variant = variants[index] as Variant;
            windows.get(variant.name)?.push(await window(variant, scenario));
          }
        const entry: Record<string, TopologyFigures> = {};
        for (const [name, measured] of windows) {
          const median = (figure: keyof TopologyFigures) => {
            const values = measured
              .map((one) => one[figure])
              .filter((value): value is number => typeof value === 'number')
              .sort((a, b) => a - b);
            return values.length ? values[Math.floor(values.length / 2)] : undefined;
          };
          entry[name] = {
            ...combine(measured),
            primaryTransactionsPerRequest: median('primaryTransactionsPerRequest'),
            standbyTransactionsPerRequest: median('standbyTransactionsPerRequest'),
            standbyCpuMsPerRequest: median('standbyCpuMsPerRequest'),
          };
        }
        byScenario[scenario.name] = entry;
        console.log(
          scenario.name,
          Object.fromEntries(
            Object.entries(entry).map(([name, figures]) => [
              name,
              `${figures.requestsPerSecond}/s p50 ${figures.p50Ms} ms, primary ${figures.primaryTransactionsPerRequest} tx/req`,
            ]),
          ),
        );
      }
      results.scenarios = byScenario;
      // Each variant against `direct` on the same screen: p50 and requests/s, and the primary's load.
      const ratios: Record<string, Record<string, number>> = {};
      for (const [scenario, entry] of Object.entries(byScenario)) {
        const direct = entry.direct;
        if (!direct) continue;
        for (const [name, figures] of Object.entries(entry)) {
          if (name === 'direct') continue;
          ratios[`${name}OverDirect`] ??= {};
          const into = ratios[`${name}OverDirect`] as Record<string, number>;
          into[`${scenario}P50`] = Number((figures.p50Ms / Math.max(direct.p50Ms, 0.1)).toFixed(2));
          into[`${scenario}RequestsPerSecond`] = Number(
            (figures.requestsPerSecond / Math.max(direct.requestsPerSecond, 1)).toFixed(2),
          );
          if (figures.databaseCpuMsPerRequest !== undefined && direct.databaseCpuMsPerRequest)
            into[`${scenario}PrimaryCpu`] = Number(
              (figures.databaseCpuMsPerRequest / direct.databaseCpuMsPerRequest).toFixed(2),
            );
        }
      }
      results.ratios = ratios;
      console.log('ratios', ratios);

      await storeResults(settings.out, 'topology', results);
      const failed = Object.entries(byScenario).flatMap(([scenario, entry]) =>
        Object.entries(entry)
          .filter(([, figures]) => figures.errors > 0 || figures.non2xx > 0)
          .map(([name]) => `${scenario} (${name})`),
      );
      if (failed.length > 0) {
        console.error(`the benchmark is not valid: failed requests in ${failed.join(', ')}`);
        process.exitCode = 1;
      }
      // The dashboard runs several statements: with DATABASE_READ_URL they must reach the standby.
      const replicaReads = byScenario.dashboard?.readReplica?.standbyTransactionsPerRequest ?? 0;
      if (replicaReads < 1) {
        console.error(
          `the benchmark is not valid: the read replica ran ${replicaReads} transactions a dashboard`,
        );
        process.exitCode = 1;
      }
    } finally {
      await pool.end();
    }
  } finally {
    for (const variant of variants) variant.server.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await bouncer?.stop();
    await standby?.stop();
    await database?.close();
    await rm(workspace, { recursive: true, force: true });
  }
}

runCli(main, { failure: 'bench:topology failed' });
