// `npm run bench`: drives the API over HTTP with autocannon from this process against API processes
// started on one database, and prints and writes bench/results.json — requests/s, p50/p99 latency and
// SQL statements per request for each scenario, plus the cost of the permission layer (vs all-allow),
// of sensitive-read auditing (vs none), and the API vs the same data by hand-written SQL (the floor).
// Usage: npm run bench -- [--duration 10] [--connections 10] [--user NAME --password PW] [--street CODE]
//        [--totp-secret BASE32]  (the user's authenticator secret; default: the demo city's, which
//                                 seed:scale's LEADERs have too)
//        [--in-place]  (measure on the database itself instead of a fresh copy; needs no CREATEDB)
//        [--out PATH]  (write the results there instead of bench/results.json)
//        [--replicas N] (also measure the dashboard with N API and N floor processes; default: cores)
//        [--rounds N]  (measure the dashboard builds and the floor in turns N times; default 4)
//        [--warm-up S] (drive each process S seconds before measuring it; default min(15, 3 × duration))
import 'reflect-metadata';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { loadConfig } from '../config';
import { DEMO_TOTP_SECRET } from '../database/demo-data';
import { dropDatabase, ensureDatabase, openDatabase } from '../database/database';
import { handWrittenDashboard } from './bench-floor';
import {
  combine,
  DASHBOARD,
  databaseServerPid,
  drive,
  explainScenario,
  graphql,
  measure,
  MONTHLY,
  OVERDUE,
  REGISTER,
  signIn,
  startServer,
  statementsOf,
  type RunSettings,
  type Figures,
  type Scenario,
  type Server,
} from './bench-kit';
import { balancedOrders } from './bench-order';
import { SERVER_NODE_FLAGS } from './node-flags';
import { runCli } from './run-cli';

interface Options extends RunSettings {
  inPlace: boolean;
  /** Replicas for the extra dashboard measurement of API and floor (SPEC §6); below 2, skipped. */
  replicas: number;
}

function options(): Options {
  const argument = (name: string, fallback: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
  };
  const duration = Number(argument('duration', '10'));
  return {
    duration,
    connections: Number(argument('connections', '10')),
    rounds: Math.max(1, Number(argument('rounds', '4'))),
    warmUp: Number(argument('warm-up', String(Math.min(15, 3 * duration)))),
    user: argument('user', 'comprehensive_governance.leader'),
    password: argument('password', 'concord-demo-2026'),
    totpSecret: argument('totp-secret', DEMO_TOTP_SECRET),
    street: argument('street', 'C01.S01'),
    inPlace: process.argv.includes('--in-place'),
    replicas: Number(argument('replicas', String(os.cpus().length))),
    out: argument('out', path.resolve(__dirname, '..', '..', '..', 'bench', 'results.json')),
  };
}

/**
 * How the full build's dashboards were audited in the measured rounds (only it writes read entries):
 * entries per request, and requests per insert. The rows one insert writes share its transaction id
 * (`xmin`), so this counts the group commit's batches (ReadAuditWriter) without instrumenting it.
 */
async function readAuditBatching(pool: Pool, since: Date | undefined) {
  const { rows } = await pool.query<{ entries: number; requests: number; transactions: number }>(
    `SELECT count(*)::int AS entries, count(DISTINCT request_id)::int AS requests,
            count(DISTINCT xmin::text)::int AS transactions
       FROM audit_entries WHERE action = 'READ' AND operation = 'Dashboard' AND occurred_at >= $1`,
    [since ?? new Date()],
  );
  const { entries = 0, requests = 0, transactions = 0 } = rows[0] ?? {};
  return {
    requests,
    entriesPerRequest: requests ? Number((entries / requests).toFixed(2)) : undefined,
    requestsPerInsert: transactions ? Number((requests / transactions).toFixed(2)) : undefined,
  };
}

/**
 * The floor without transport: the hand-written SQL called in this process, no HTTP or JSON. Shown for
 * reference; the target ratio is taken against the floor served over HTTP like the API.
 */
async function floorInProcess(pool: Pool, streetPath: string, settings: Options): Promise<Figures> {
  const latencies: number[] = [];
  const deadline = Date.now() + settings.duration * 1000;
  await Promise.all(
    Array.from({ length: settings.connections }, async () => {
      while (Date.now() < deadline) {
        const started = process.hrtime.bigint();
        await handWrittenDashboard(pool, streetPath);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 10) / 10;
  return {
    requestsPerSecond: Math.round(latencies.length / settings.duration),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    non2xx: 0,
    errors: 0,
  };
}

interface DashboardAnswer {
  data: {
    persons: {
      totalCount: number;
      edges: {
        node: {
          id: string;
          disputes: { id: string; parties: unknown[] }[];
          currentAssignment: unknown;
          lastFollowUp: unknown;
        };
      }[];
    };
  };
}

interface FloorAnswer {
  data: {
    persons: { id: string; total: string }[];
    disputes: { person_id: string; id: string; parties: unknown[] }[];
    assignments: unknown[];
    followUps: unknown[];
  };
}

/** The dashboard as the API and as the floor answer it, in counts that must agree. */
async function compareWithFloor(apiUrl: string, token: string, floorUrl: string, streetId: string) {
  const answer = await graphql<DashboardAnswer['data']>(apiUrl, DASHBOARD, { j: streetId }, token);
  const api = answer as DashboardAnswer;
  const floor = (await (await fetch(floorUrl, { method: 'POST', body: '{}' })).json()) as FloorAnswer;
  const nodes = api.data.persons.edges.map((edge) => edge.node);
  const figures = {
    samePersonsInOrder:
      JSON.stringify(nodes.map((node) => node.id)) ===
      JSON.stringify(floor.data.persons.map((row) => row.id)),
    totalCount: [api.data.persons.totalCount, Number(floor.data.persons[0]?.total ?? 0)],
    openDisputesOfPersons: [nodes.flatMap((node) => node.disputes).length, floor.data.disputes.length],
    parties: [
      nodes.flatMap((node) => node.disputes.flatMap((dispute) => dispute.parties)).length,
      floor.data.disputes.flatMap((dispute) => dispute.parties ?? []).length,
    ],
    assignments: [nodes.filter((node) => node.currentAssignment).length, floor.data.assignments.length],
    lastFollowUps: [nodes.filter((node) => node.lastFollowUp).length, floor.data.followUps.length],
  };
  const agree =
    figures.samePersonsInOrder &&
    [
      figures.totalCount,
      figures.openDisputesOfPersons,
      figures.parties,
      figures.assignments,
      figures.lastFollowUps,
    ].every(([fromApi, fromFloor]) => fromApi === fromFloor);
  return { agree, apiVersusFloor: figures };
}

async function main(): Promise<void> {
  const settings = options();
  const config = loadConfig();
  const database = await openDatabase(config, () => undefined);
  // registerDispute writes thousands of disputes a run (and raises the tiers of their parties), so
  // every run works on a fresh copy of the database and drops it at the end: runs stay comparable,
  // and the seeded database is never changed. `--in-place` skips the copy (no CREATEDB right).
  const admin = new URL(database.url);
  admin.pathname = '/postgres';
  const source = decodeURIComponent(new URL(database.url).pathname.slice(1));
  const copy = `${source}_bench`;
  let url = database.url;
  if (!settings.inPlace) {
    await database.dataSource.destroy();
    const started = Date.now();
    await dropDatabase(admin.toString(), copy);
    url = await ensureDatabase(admin.toString(), copy, source);
    console.log(`copied ${source} to ${copy} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const pool = new Pool({ connectionString: url, max: settings.connections });
  const servers: Server[] = [];
  try {
    const street = await pool.query(`SELECT id, path FROM jurisdictions WHERE code = $1`, [settings.street]);
    const streetId: string = street.rows[0]?.id;
    const streetPath: string = street.rows[0]?.path;
    if (!streetId)
      throw new Error(`no jurisdiction ${settings.street}: seed first (npm start, or npm run seed:scale)`);
    const parties = await pool.query(
      `SELECT p.id, p.grid_id FROM persons p JOIN jurisdictions g ON g.id = p.grid_id
        WHERE g.path LIKE $1 || '.%' ORDER BY p.created_at LIMIT 500`,
      [streetPath],
    );
    const database = await databaseServerPid(pool);
    const variants = ['full', 'allow-all', 'no-read-audit'];
    for (const variant of variants) servers.push(await startServer(variant, url));
    const token = await signIn(servers[0] as Server, settings);
    const tokens = servers.map(() => token);
    const [full, allowAll, noAudit] = servers as [Server, Server, Server];
    const floorServer = await startServer('hand-written-sql', url, [streetPath]);
    servers.push(floorServer);
    const [fullToken, allowToken, noAuditToken] = tokens as [string, string, string];
    const dashboard: Scenario = { name: 'dashboard', query: DASHBOARD, variables: () => ({ j: streetId }) };
    let serial = 0;
    const scenarios: Scenario[] = [
      dashboard,
      { name: 'overdueFollowUps', query: OVERDUE, variables: () => ({ j: streetId }) },
      {
        name: 'monthlyFigures',
        query: MONTHLY,
        variables: () => ({ j: streetId, m: new Date().toISOString().slice(0, 7) }),
      },
      {
        name: 'registerDispute',
        query: REGISTER,
        variables: () => ({
          input: {
            category: 'NEIGHBOR',
            source: 'GRID_VISIT',
            description: `压测纠纷 ${(serial += 1)}`,
            gridId: parties.rows[serial % parties.rows.length]?.grid_id,
            parties: [{ personId: parties.rows[serial % parties.rows.length]?.id, role: 'APPLICANT' }],
          },
        }),
      },
    ];
    const results: Record<string, unknown> = {
      measuredAt: new Date().toISOString(),
      settings: { ...settings, password: undefined, totpSecret: undefined, out: undefined },
      machine: { cpus: os.cpus().length, node: process.version, serverNodeFlags: SERVER_NODE_FLAGS },
      scenarios: {} as Record<string, Figures>,
    };
    const byScenario = results.scenarios as Record<string, Figures>;
    // Reads first, the write last: registerDispute grows the data the reads walk.
    const [, overdueScenario, monthlyScenario, registerScenario] = scenarios as [
      Scenario,
      Scenario,
      Scenario,
      Scenario,
    ];
    // Warm every process and the database's cache first; nothing measured here is reported. A server
    // that has run for a while is what users meet: an API process spends 20% less CPU per dashboard
    // after 15 s of load than in its first 8 s (V8 optimising its hot paths), the floor's small loop
    // much less, so a short warm-up overstated the API against the floor.
    const warmUp = { ...settings, duration: settings.warmUp };
    for (const [server, token] of [
      [full, fullToken],
      [allowAll, allowToken],
      [noAudit, noAuditToken],
    ] as const) {
      await drive(server.url, token, dashboard, warmUp);
    }
    await drive(floorServer.url, '', dashboard, warmUp);
    // The floor must fetch the same data, or the ratio compares different work.
    results.floorMatchesApi = await compareWithFloor(full.url, fullToken, floorServer.url, streetId);
    console.log('floor matches API', results.floorMatchesApi);
    // The three builds and the floor in turns, `rounds` times: a slow spell of the shared machine then
    // falls on each of them rather than on one, and each one's figures are its windows' medians. The
    // orders form a balanced Latin square (balancedOrders): over four rounds each build is measured
    // right after each other build once. Rotating one fixed order kept the same successor: allow-all
    // came right after the full build in four of five rounds.
    const builds = [
      ['full', full, fullToken, dashboard],
      ['allowAll', allowAll, allowToken, dashboard],
      ['noReadAudit', noAudit, noAuditToken, dashboard],
      ['handWrittenSql', floorServer, '', dashboard],
    ] as const;
    const windows: Record<(typeof builds)[number][0], Figures[]> = {
      full: [],
      allowAll: [],
      noReadAudit: [],
      handWrittenSql: [],
    };
    const orders = balancedOrders(builds.length);
    const roundsStarted = (await pool.query<{ now: Date }>(`SELECT clock_timestamp() AS now`)).rows[0]?.now;
    for (let round = 0; round < settings.rounds; round += 1) {
      const order = orders[round % orders.length] ?? [];
      for (const index of order) {
        const [name, server, token, scenario] = builds[index] as (typeof builds)[number];
        windows[name].push(await measure(server, token, scenario, settings, database));
      }
    }
    results.readAuditBatching = await readAuditBatching(pool, roundsStarted);
    console.log('read audit batching', results.readAuditBatching);
    const base = combine(windows.full);
    const allow = combine(windows.allowAll);
    const unaudited = combine(windows.noReadAudit);
    const handWritten = combine(windows.handWrittenSql);
    const inProcess = await floorInProcess(pool, streetPath, settings);
    byScenario.dashboard = base;
    // Each of the other scenarios warms its own paths first (a third of the warm-up).
    const scenarioWarmUp = { ...settings, duration: Math.max(1, Math.round(settings.warmUp / 3)) };
    for (const [name, scenario] of [
      ['overdueFollowUps', overdueScenario],
      ['monthlyFigures', monthlyScenario],
      ['registerDispute', registerScenario],
    ] as const) {
      await drive(full.url, fullToken, scenario, scenarioWarmUp);
      byScenario[name] = await measure(full, fullToken, scenario, settings, database);
    }
    for (const [name, figures] of Object.entries(byScenario)) console.log(name, figures);
    results.dashboardVariants = {
      fullWindows: windows.full,
      allowAll: allow,
      allowAllWindows: windows.allowAll,
      noReadAudit: unaudited,
      noReadAuditWindows: windows.noReadAudit,
      handWrittenSql: handWritten,
      handWrittenSqlWindows: windows.handWrittenSql,
      handWrittenSqlInProcess: inProcess,
    };
    const ratio = (value: number) => Number(value.toFixed(3));
    const cpu = (figures: Figures) => figures.serverCpuMsPerRequest ?? Number.NaN;
    // The API process and PostgreSQL together: a layer's statements (the read audit's insert and its
    // commit) cost the database too, which the server's CPU alone does not show.
    const totalCpu = (figures: Figures) => cpu(figures) + (figures.databaseCpuMsPerRequest ?? Number.NaN);
    // The layers stack: allow-all < + permission checks (no-read-audit) < + read audit (full). Costs
    // are given twice: as throughput lost, and as extra server CPU per request — the steadier of the
    // two on a shared machine, since it does not move with what the other processes are doing.
    results.ratios = {
      permissionLayerThroughputCost: ratio(1 - unaudited.requestsPerSecond / allow.requestsPerSecond),
      readAuditThroughputCost: ratio(1 - base.requestsPerSecond / unaudited.requestsPerSecond),
      permissionAndAuditThroughputCost: ratio(1 - base.requestsPerSecond / allow.requestsPerSecond),
      permissionLayerCpuCost: ratio(cpu(unaudited) / cpu(allow) - 1),
      readAuditCpuCost: ratio(cpu(base) / cpu(unaudited) - 1),
      permissionAndAuditCpuCost: ratio(cpu(base) / cpu(allow) - 1),
      permissionLayerTotalCpuCost: ratio(totalCpu(unaudited) / totalCpu(allow) - 1),
      readAuditTotalCpuCost: ratio(totalCpu(base) / totalCpu(unaudited) - 1),
      permissionAndAuditTotalCpuCost: ratio(totalCpu(base) / totalCpu(allow) - 1),
      apiTotalCpuOverHandWrittenSqlTotalCpu: ratio(totalCpu(base) / totalCpu(handWritten)),
      apiP50OverHandWrittenSqlP50: Number((base.p50Ms / Math.max(handWritten.p50Ms, 0.1)).toFixed(2)),
      apiP50OverInProcessSqlP50: Number((base.p50Ms / Math.max(inProcess.p50Ms, 0.1)).toFixed(2)),
    };
    // The same ratios round by round, each from windows measured within one round (under a minute):
    // how far they spread shows how much of a cost is the machine's noise rather than the layer's.
    const rounds = windows.full.map((_, round) => ({
      full: windows.full[round] as Figures,
      allow: windows.allowAll[round] as Figures,
      unaudited: windows.noReadAudit[round] as Figures,
      floor: windows.handWrittenSql[round] as Figures,
    }));
    results.ratiosByRound = {
      permissionLayerCpuCost: rounds.map((r) => ratio(cpu(r.unaudited) / cpu(r.allow) - 1)),
      readAuditCpuCost: rounds.map((r) => ratio(cpu(r.full) / cpu(r.unaudited) - 1)),
      readAuditTotalCpuCost: rounds.map((r) => ratio(totalCpu(r.full) / totalCpu(r.unaudited) - 1)),
      apiP50OverHandWrittenSqlP50: rounds.map((r) => ratio(r.full.p50Ms / Math.max(r.floor.p50Ms, 0.1))),
    };
    if (settings.replicas > 1) {
      // As SPEC §6 runs it: one API process per core behind a load balancer (here node:cluster on one
      // port), against the floor run the same way.
      const apiReplicas = await startServer('full', url, [], settings.replicas);
      servers.push(apiReplicas);
      const floorReplicas = await startServer('hand-written-sql', url, [streetPath], settings.replicas);
      servers.push(floorReplicas);
      const replicaToken = fullToken;
      await drive(apiReplicas.url, replicaToken, dashboard, warmUp);
      await drive(floorReplicas.url, '', dashboard, warmUp);
      const api = await measure(apiReplicas, replicaToken, dashboard, settings, database);
      const floorFigures = await measure(floorReplicas, '', dashboard, settings, database);
      results.dashboardWithReplicas = { replicas: settings.replicas, api, handWrittenSql: floorFigures };
      (results.ratios as Record<string, number>).apiP50OverHandWrittenSqlP50WithReplicas = Number(
        (api.p50Ms / Math.max(floorFigures.p50Ms, 0.1)).toFixed(2),
      );
      console.log('dashboard with replicas', results.dashboardWithReplicas);
    }
    // Measuring is over: now the statements each request ran, and their plans (see statementsOf).
    const plans: Record<string, { statements: number }> = {};
    for (const scenario of scenarios)
      plans[scenario.name] = await explainScenario(full.url, fullToken, scenario, pool);
    results.plans = plans;
    for (const [name, figures] of Object.entries(byScenario))
      figures.sqlStatementsPerRequest = plans[name]?.statements;
    const statementsOfBuild = {
      full: plans.dashboard?.statements,
      allowAll: await statementsOf(allowAll.url, allowToken, dashboard),
      noReadAudit: await statementsOf(noAudit.url, noAuditToken, dashboard),
    };
    for (const [figures, build] of [
      [allow, 'allowAll'],
      [unaudited, 'noReadAudit'],
      ...windows.full.map((window) => [window, 'full'] as const),
      ...windows.allowAll.map((window) => [window, 'allowAll'] as const),
      ...windows.noReadAudit.map((window) => [window, 'noReadAudit'] as const),
    ] as const) {
      figures.sqlStatementsPerRequest = statementsOfBuild[build];
    }
    if (results.dashboardWithReplicas) {
      (results.dashboardWithReplicas as { api: Figures }).api.sqlStatementsPerRequest =
        statementsOfBuild.full;
    }
    console.log('plans', JSON.stringify(plans, null, 1));
    console.log('dashboard variants', results.dashboardVariants);
    console.log('ratios', results.ratios);
    console.log('ratios by round', results.ratiosByRound);
    const target = settings.out;
    await mkdir(path.dirname(target), { recursive: true });
    // The figures other bench scripts keep in the same file (bench:audit's, bench:city's) stay.
    const previous = await readFile(target, 'utf8')
      .then((text) => JSON.parse(text) as Record<string, unknown>)
      .catch(() => ({}) as Record<string, unknown>);
    for (const key of ['auditChain', 'citySize'])
      if (previous[key] !== undefined) results[key] = previous[key];
    await writeFile(target, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
    // Figures from failed requests, or a floor that fetched other data, are not figures: say so and fail.
    const problems = [
      ...Object.entries({
        ...byScenario,
        ...(results.dashboardVariants as Record<string, Figures | Figures[]>),
        ...(results.dashboardWithReplicas
          ? {
              apiWithReplicas: (results.dashboardWithReplicas as { api: Figures }).api,
              floorWithReplicas: (results.dashboardWithReplicas as { handWrittenSql: Figures })
                .handWrittenSql,
            }
          : {}),
      })
        .flatMap(([name, figures]) =>
          (Array.isArray(figures) ? figures : [figures]).map((f) => [name, f] as const),
        )
        .filter(([, figures]) => figures.errors > 0 || figures.non2xx > 0)
        .map(([name, figures]) => `${name}: ${figures.errors} errors, ${figures.non2xx} non-2xx answers`),
      ...((results.floorMatchesApi as { agree: boolean }).agree
        ? []
        : ["the floor did not fetch the API's data"]),
    ];
    if (problems.length > 0) {
      console.error(`the benchmark is not valid:\n  ${problems.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    for (const server of servers) server.process.kill('SIGTERM');
    await pool.end();
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (!settings.inPlace) await dropDatabase(admin.toString(), copy);
    await database.close();
  }
}

runCli(main, { failure: 'bench failed' });
