// What the benchmark scripts share: API processes started for measuring, signing in, driving a scenario
// with autocannon in windows, the CPU a window cost the server and PostgreSQL, and the plans of the
// statements a request ran. `npm run bench` (bench.ts) and `npm run bench:city` (bench-city.ts) use it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import autocannon from 'autocannon';
import type { Pool } from 'pg';
import { totpCode } from '../auth/totp';
import { DEMO_TOTP_SECRET } from '../database/demo-data';
import { freePort } from '../database/embedded';
import { SERVER_NODE_FLAGS } from './node-flags';

/** Who the benchmark signs in as: a LEADER signs in with the code of its authenticator secret. */
export interface Credentials {
  user: string;
  password: string;
  /** The user's TOTP secret, base32. */
  totpSecret: string;
}

/** How hard and how long one window drives a server. */
export interface DriveSettings {
  duration: number;
  connections: number;
}

/** What a benchmark run measures, as whom, how often, and where its figures go. */
export interface RunSettings extends Credentials, DriveSettings {
  /** The street whose screens are measured (a jurisdiction code). */
  street: string;
  /** Seconds each process is driven before it is measured (V8 optimises the hot paths meanwhile). */
  warmUp: number;
  /** How many times the compared processes are measured in turns (at least 1). */
  rounds: number;
  /** Where the results go (bench/results.json unless --out PATH). */
  out: string;
}

/** A command-line value: `--name value`, else `fallback`; without either, the option is required. */
export function argument(name: string, fallback?: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : fallback;
  if (value === undefined) throw new Error(`--${name} is required`);
  return value;
}

/**
 * The settings of a run on a city seeded by seed:scale (bench:city, bench:topology): its street
 * S-C01.S01 as that street's COMPREHENSIVE_GOVERNANCE leader, unless told otherwise.
 */
export function seededCitySettings(): RunSettings {
  const duration = Number(argument('duration', '8'));
  return {
    street: argument('street', 'S-C01.S01'),
    user: argument('user', 'scale.s01.comprehensive_governance.leader'),
    password: argument('password', 'concord-scale-2026'),
    totpSecret: argument('totp-secret', DEMO_TOTP_SECRET),
    duration,
    connections: Number(argument('connections', '10')),
    rounds: Math.max(1, Number(argument('rounds', '4'))),
    warmUp: Number(argument('warm-up', String(Math.min(15, 3 * duration)))),
    out: argument('out', path.resolve(__dirname, '..', '..', '..', 'bench', 'results.json')),
  };
}

/** Writes `results` under `key` of the results file, keeping what the other bench scripts wrote there. */
export async function storeResults(out: string, key: string, results: unknown): Promise<void> {
  await mkdir(path.dirname(out), { recursive: true });
  const stored = await readFile(out, 'utf8')
    .then((text) => JSON.parse(text) as Record<string, unknown>)
    .catch(() => ({}) as Record<string, unknown>);
  stored[key] = results;
  await writeFile(out, `${JSON.stringify(stored, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)} (${key})`);
}

export interface Server {
  url: string;
  process: ChildProcess;
  /** The garbage collector's pauses of the server so far, in ms (single processes only). */
  gcPauseMs: () => Promise<number | undefined>;
}

/** One secret for every server of a run, so replicas accept each other's tokens. */
const JWT_SECRET = randomBytes(48).toString('base64url');

export async function startServer(
  variant: string,
  databaseUrl: string,
  args: string[] = [],
  replicas = 1,
  env: NodeJS.ProcessEnv = {},
): Promise<Server> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, path.join(__dirname, 'bench-server.js'), variant, ...args],
    {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: String(port),
        NODE_ENV: 'development',
        EXPOSE_SQL_COUNT: 'true',
        JWT_SECRET,
        BENCH_REPLICAS: String(replicas),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // Lines the server prints when asked for its garbage collection (bench-server.ts), in order.
  const gcAnswers: ((pauseMs: number) => void)[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      const match = /READY (\S+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
      for (const gc of text.matchAll(/^GC (\S+) \d+$/gm)) gcAnswers.shift()?.(Number(gc[1]));
    });
    child.on('exit', (code) => reject(new Error(`bench server ${variant} exited with ${code}`)));
  });
  const gcPauseMs = () =>
    replicas > 1
      ? Promise.resolve(undefined)
      : new Promise<number | undefined>((resolve) => {
          // A server that has gone answers nothing: no figure, rather than a bench that waits forever.
          if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
          gcAnswers.push(resolve);
          if (!child.kill('SIGUSR2')) {
            gcAnswers.splice(gcAnswers.indexOf(resolve), 1);
            resolve(undefined);
          }
        });
  return { url, process: child, gcPauseMs };
}

export interface Answer<T> {
  data?: T;
  errors?: unknown[];
  /** The statements the request ran, when asked for with `explain`. */
  extensions?: { sql?: { query: string; parameters: unknown[] }[] };
}

/** One GraphQL request; with `explain`, the server also returns the SQL it ran (bench builds only). */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
  explain = false,
): Promise<Answer<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(explain ? { 'x-concord-explain': '1' } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer<T>;
}

/**
 * Signs the bench's user in: the password, then — for a LEADER — the code of its authenticator secret.
 * Once per run: a code signs in once, and every server of a run shares the JWT secret and the database,
 * so they all take the one token.
 */
export async function signIn(server: Server, settings: Credentials): Promise<string> {
  const login = await graphql<{
    login?: { token?: string | null; secondFactorRequired?: boolean; secondFactorChallenge?: string | null };
  }>(
    server.url,
    `
      mutation ($input: LoginInput!) {
        login(input: $input) {
          token
          secondFactorRequired
          secondFactorChallenge
          userErrors {
            message
          }
        }
      }
    `,
    { input: { username: settings.user, password: settings.password } },
  );
  let token = login.data?.login?.token;
  if (login.data?.login?.secondFactorRequired) {
    const verified = await graphql<{ verifySecondFactor?: { token?: string | null } }>(
      server.url,
      `
        mutation ($input: VerifySecondFactorInput!) {
          verifySecondFactor(input: $input) {
            token
            userErrors {
              message
            }
          }
        }
      `,
      {
        input: {
          challenge: login.data.login.secondFactorChallenge,
          code: totpCode(settings.totpSecret, new Date()),
        },
      },
    );
    token = verified.data?.verifySecondFactor?.token;
    if (!token) throw new Error(`the second factor of ${settings.user} failed: ${JSON.stringify(verified)}`);
  }
  if (!token) throw new Error(`login as ${settings.user} failed: ${JSON.stringify(login)}`);
  return token;
}

export interface Scenario {
  name: string;
  query: string;
  variables: () => Record<string, unknown>;
}

export interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  sqlStatementsPerRequest?: number;
  /** Requests completed in the measured window. */
  requests?: number;
  /** CPU time of the server process per request (user + system), when /proc tells it. */
  serverCpuMsPerRequest?: number;
  /**
   * CPU time of the PostgreSQL server per request meanwhile (every one of its processes: the
   * backends, and the WAL writer, checkpointer and autovacuum the requests' writes set to work), when
   * it runs on this machine.
   */
  databaseCpuMsPerRequest?: number;
  /** Time the server process spent paused for garbage collection, per request (single processes). */
  gcPauseMsPerRequest?: number;
}

export async function drive(
  url: string,
  token: string,
  scenario: Scenario,
  settings: DriveSettings,
): Promise<Figures> {
  // Not `explain`: see statementsOf.
  const sample = await graphql(url, scenario.query, scenario.variables(), token);
  if (sample.errors) throw new Error(`${scenario.name}: ${JSON.stringify(sample.errors).slice(0, 500)}`);
  const result = await autocannon({
    url,
    method: 'POST',
    connections: settings.connections,
    duration: settings.duration,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ query: scenario.query, variables: scenario.variables() }),
        }),
      },
    ],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    requests: result.requests.total,
  };
}

/** The fields of /proc/PID/stat after the command name (which is in parentheses and may hold spaces). */
export async function procStat(pid: number): Promise<{ command: string; fields: string[] }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    fields: stat.slice(stat.lastIndexOf(')') + 2).split(' '),
  };
}

/**
 * CPU seconds (user + system) a process and its children have used, from /proc — those that have
 * exited too (PostgreSQL's autovacuum workers come and go); undefined where there is none.
 */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    // utime, stime, cutime and cstime are fields 14-17, in clock ticks of 1/100 s (USER_HZ)
    const { fields } = await procStat(pid);
    const own = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
    // replicas are the server's child processes: their CPU counts too
    const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).split(' ').filter(Boolean);
    const theirs = await Promise.all(children.map((child) => cpuSeconds(Number(child))));
    return theirs.reduce<number>((sum, value) => sum + (value ?? 0), own);
  } catch {
    return undefined;
  }
}

/**
 * The PostgreSQL server behind `pool` when it runs on this machine: its postmaster, the parent of the
 * backend that answers us, whose process tree /proc can then account. Undefined for a server on
 * another machine or in another process namespace (a container), where that pid means nothing here.
 */
export async function databaseServerPid(pool: Pool): Promise<number | undefined> {
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  try {
    const backend = await procStat(Number(rows[0]?.pid));
    const postmaster = Number(backend.fields[1]);
    const parent = await procStat(postmaster);
    return backend.command.startsWith('postgres') && parent.command.startsWith('postgres')
      ? postmaster
      : undefined;
  } catch {
    return undefined;
  }
}

/** `drive`, plus the CPU time the server process and PostgreSQL (`database`) spent per request meanwhile. */
export async function measure(
  server: Server,
  token: string,
  scenario: Scenario,
  settings: DriveSettings,
  database: number | undefined,
): Promise<Figures> {
  const before = await Promise.all([
    cpuSeconds(server.process.pid),
    cpuSeconds(database),
    server.gcPauseMs(),
  ]);
  const figures = await drive(server.url, token, scenario, settings);
  const after = await Promise.all([cpuSeconds(server.process.pid), cpuSeconds(database), server.gcPauseMs()]);
  const perRequest = (start: number | undefined, end: number | undefined) =>
    start !== undefined && end !== undefined && figures.requests
      ? Number((((end - start) * 1000) / figures.requests).toFixed(2))
      : undefined;
  figures.serverCpuMsPerRequest = perRequest(before[0], after[0]);
  figures.databaseCpuMsPerRequest = perRequest(before[1], after[1]);
  const [gcBefore, gcAfter] = [before[2], after[2]];
  if (gcBefore !== undefined && gcAfter !== undefined && figures.requests) {
    figures.gcPauseMsPerRequest = Number(((gcAfter - gcBefore) / figures.requests).toFixed(2));
  }
  return figures;
}

/**
 * Several measured windows of one build as one: each figure the median of the windows' (a slow
 * spell of the shared machine that falls on one window does not move it), counts summed.
 */
export function combine(windows: Figures[]): Figures {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2
      ? (sorted[middle] ?? 0)
      : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  };
  const requests = windows.reduce((sum, window) => sum + (window.requests ?? 0), 0);
  const medianOf = (figure: 'serverCpuMsPerRequest' | 'databaseCpuMsPerRequest' | 'gcPauseMsPerRequest') =>
    windows.every((window) => window[figure] !== undefined)
      ? Number(median(windows.map((window) => window[figure] ?? 0)).toFixed(2))
      : undefined;
  return {
    requestsPerSecond: Math.round(median(windows.map((window) => window.requestsPerSecond))),
    p50Ms: Number(median(windows.map((window) => window.p50Ms)).toFixed(1)),
    p99Ms: Number(median(windows.map((window) => window.p99Ms)).toFixed(1)),
    non2xx: windows.reduce((sum, window) => sum + window.non2xx, 0),
    errors: windows.reduce((sum, window) => sum + window.errors, 0),
    sqlStatementsPerRequest: windows[0]?.sqlStatementsPerRequest,
    requests,
    serverCpuMsPerRequest: medianOf('serverCpuMsPerRequest'),
    databaseCpuMsPerRequest: medianOf('databaseCpuMsPerRequest'),
    gcPauseMsPerRequest: medianOf('gcPauseMsPerRequest'),
  };
}

/** Tables that grow with the city: a sequential scan of one of these is a missing index. */
export const LARGE_TABLES = new Set([
  'persons',
  'households',
  'disputes',
  'dispute_parties',
  'assessments',
  'assessment_indicators',
  'follow_ups',
  'assignments',
  'audit_entries',
  'alerts',
  'alert_recipients',
  'referrals',
  'hazard_sales',
]);

export interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

export function sequentialScans(node: PlanNode, found: string[]): string[] {
  // A month of the audit log (migration AuditEntriesByMonth) is the audit log.
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'])
    found.push(node['Relation Name'].replace(/^audit_entries_(\d{4}_\d{2}|default)$/, 'audit_entries'));
  for (const child of node.Plans ?? []) sequentialScans(child, found);
  return found;
}

/**
 * The statements one request of the scenario runs. Asked only once nothing more is measured on that
 * server: counting them runs the request inside an AsyncLocalStorage, and on Node 20 the first one
 * turns on promise hooks for the rest of the process's life (an await loop: 10 → 23 ms). On the
 * dashboard, one such request put 25% on the server's CPU per request over the next 6 s and still
 * 4-10% after 20 s, against a twin server that got none; the bench used to send one before every
 * window of every API build, and never to the floor.
 */
export async function statementsOf(
  url: string,
  token: string,
  scenario: Scenario,
): Promise<number | undefined> {
  const body = await graphql(url, scenario.query, scenario.variables(), token, true);
  return body.extensions?.sql?.length;
}

/**
 * Runs one request of the scenario, gets the SQL it ran, and EXPLAINs each statement; with `analyze`,
 * runs each (in a transaction rolled back) and adds up their execution times.
 */
export async function explainScenario(
  url: string,
  token: string,
  scenario: Scenario,
  pool: Pool,
  analyze = false,
) {
  const body = await graphql(url, scenario.query, scenario.variables(), token, true);
  const statements = body.extensions?.sql ?? [];
  const scans: string[] = [];
  let executionMs = 0;
  for (const statement of statements) {
    if (!/^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)/i.test(statement.query)) continue;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const plan = await client.query(
        `EXPLAIN (${analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${statement.query}`,
        statement.parameters,
      );
      const [explained] = (plan.rows[0] as { 'QUERY PLAN': { Plan: PlanNode; 'Execution Time'?: number }[] })[
        'QUERY PLAN'
      ];
      if (explained?.Plan) sequentialScans(explained.Plan, scans);
      executionMs += explained?.['Execution Time'] ?? 0;
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }
  return {
    statements: statements.length,
    sequentialScans: [...new Set(scans)].sort(),
    sequentialScansOfLargeTables: [...new Set(scans.filter((table) => LARGE_TABLES.has(table)))].sort(),
    ...(analyze ? { executionMs: Number(executionMs.toFixed(2)) } : {}),
  };
}

export const DASHBOARD = `query Dashboard($j: ID!) { persons(first: 50, filter: { jurisdictionId: $j, tiers: [YELLOW, ORANGE, RED] }) {
  totalCount edges { node { id name tier idNumber phone
    tierExplanation { summary categories indicators { code } }
    disputes(open: true) { id category status parties { role person { id name } } }
    currentAssignment { id responsiblePersonId measures }
    lastFollowUp { occurredAt method } } } } }`;
export const OVERDUE = `query Overdue($j: ID!) { overdueFollowUps(jurisdictionId: $j, first: 50) {
  totalCount edges { node { dueAt daysOverdue person { id name tier } } } } }`;
export const MONTHLY = `query Monthly($j: ID!, $m: String!) { monthlyFigures(jurisdictionId: $j, month: $m) {
  managedPersons { count suppressed } followUpCompliance { share suppressed } disputesReported { count suppressed }
  resolutionRate { share suppressed } escalations { count suppressed } overdueFollowUps { count suppressed }
  overdueReviews { count suppressed } alertsRaised { count suppressed } disputesByCategory { key count suppressed }
  personsByTier { key count suppressed } } }`;
export const REGISTER = `mutation Register($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } userErrors { message } } }`;
