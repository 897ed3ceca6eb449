// What switching named statements off costs, and what PgBouncer in transaction mode adds, on the
// dashboard screen of `npm run bench` (src/cli/bench.ts): a benchmark that reports figures, never a
// timed test, so it is not named *.test.ts and `npm test` does not run it. Run it with
//   npm test -- --testMatch '**/test/database/pgbouncer-bench.ts' --testTimeout 900000
// (PGBOUNCER_BENCH_SECONDS, PGBOUNCER_BENCH_ROUNDS, PGBOUNCER_BENCH_CONNECTIONS to change the windows).
// It seeds a small street through the API, then measures three servers on one database in
// alternating windows of the same run: named statements on (direct), off (direct), off through
// PgBouncer; figures go to stdout as JSON (the measure of record is `npm run bench:topology`, docs/performance.md#four-ways-to-the-database).
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { clusterRoles, roleUrl } from '../../src/database/database';
import { startTestApi, type TestApi } from '../support/api';
import { recordAssessment, recordFollowUp, registerDispute, registerPerson } from '../support/fixtures';
import { pgbouncerBinary, startPgBouncer, type PgBouncer } from '../support/pgbouncer';
import { startReplica, type Replica } from '../support/replica';

/** The dashboard of src/cli/bench.ts. */
const DASHBOARD = `query Dashboard($j: ID!) { persons(first: 50, filter: { jurisdictionId: $j, tiers: [YELLOW, ORANGE, RED] }) {
  totalCount edges { node { id name tier idNumber phone
    tierExplanation { summary categories indicators { code } }
    disputes(open: true) { id category status parties { role person { id name } } }
    currentAssignment { id responsiblePersonId measures }
    lastFollowUp { occurredAt method } } } } }`;

const seconds = Number(process.env.PGBOUNCER_BENCH_SECONDS ?? 8);
const rounds = Number(process.env.PGBOUNCER_BENCH_ROUNDS ?? 3);
const connections = Number(process.env.PGBOUNCER_BENCH_CONNECTIONS ?? 4);
const PERSONS = 60;

interface Target {
  name: string;
  url: string;
  token: string;
  requests: number;
  seconds: number;
  latencies: number[];
  failures: number;
  sqlStatements?: number;
}

let api: TestApi;
let bouncer: PgBouncer | undefined;
const replicas: Replica[] = [];

afterAll(async () => {
  for (const replica of replicas) await replica.close();
  await bouncer?.stop();
  await api?.close();
});

test('dashboard throughput: named statements on, off, and off through PgBouncer', async () => {
  api = await startTestApi({ preparedStatements: true });
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const persons: string[] = [];
  for (let index = 0; index < PERSONS; index += 1) {
    const personId = await registerPerson(api, worker, { name: `压测${index}`, gridId: gridA });
    persons.push(personId);
    const indicators = [['VOLATILE_TEMPER'], ['VOLATILE_TEMPER', 'THREATENED_HARM'], ['WITHDRAWN']][
      index % 3
    ];
    await recordAssessment(api, worker, personId, indicators as string[]);
    if (index % 4 === 0) await recordFollowUp(api, worker, personId);
  }
  for (let index = 0; index + 2 < PERSONS; index += 6) {
    await registerDispute(api, worker, {
      category: 'NEIGHBOR',
      gridId: gridA,
      parties: [persons[index] as string, persons[index + 2] as string],
    });
  }
  const street = await api.node('street');

  const targets: Target[] = [];
  const leader = 'comprehensive_governance.leader';
  const add = (name: string, url: string, token: string) =>
    targets.push({ name, url, token, requests: 0, seconds: 0, latencies: [], failures: 0 });
  add('named statements, direct', api.url, await api.login(leader));
  const unnamed = await api.replica({ preparedStatements: false });
  replicas.push(unnamed);
  add('unnamed, direct', unnamed.url, await api.login(leader));
  if (pgbouncerBinary()) {
    const adminUrl = process.env.CONCORD_TEST_ADMIN_URL as string;
    const { runtime } = clusterRoles(adminUrl);
    const direct = new URL(roleUrl(adminUrl, runtime));
    direct.pathname = new URL(api.runtimeUrl).pathname;
    bouncer = await startPgBouncer({ serverUrl: adminUrl, roles: [runtime], poolSize: 10 });
    const pooled = await startReplica({
      config: { ...api.config, preparedStatements: false },
      tokenSecret: randomBytes(32).toString('hex'),
      runtimeUrl: bouncer.through(direct.toString()),
      listenUrl: direct.toString(),
      clock: () => api.clock.now,
    });
    replicas.push(pooled);
    add('unnamed, through PgBouncer (transaction mode)', pooled.url, await api.signInAt(pooled.url, leader));
  }

  const body = JSON.stringify({ query: DASHBOARD, variables: { j: street } });
  for (const target of targets) {
    const sample = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
      body,
    }).then((response) => response.json() as Promise<{ data?: any; errors?: unknown; extensions?: any }>);
    if (sample.errors || !sample.data?.persons) throw new Error(`${target.name}: ${JSON.stringify(sample)}`);
    target.sqlStatements = sample.extensions?.sqlStatements;
  }
  const run = (target: Target, duration: number) =>
    autocannon({
      url: target.url,
      method: 'POST',
      connections,
      duration,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
      body,
    });
  // Warm each server (V8 and the database's cache), then alternate windows so load from elsewhere on
  // the machine falls on every target alike.
  for (const target of targets) await run(target, 3);
  for (let round = 0; round < rounds; round += 1) {
    for (const target of targets) {
      const result = await run(target, seconds);
      target.requests += result.requests.total;
      target.seconds += result.duration;
      target.latencies.push(result.latency.p50);
      target.failures += result.errors + result.non2xx + result.timeouts;
    }
  }
  const figures = targets.map((target) => ({
    target: target.name,
    requestsPerSecond: Number((target.requests / target.seconds).toFixed(1)),
    p50MsByWindow: target.latencies,
    failures: target.failures,
    sqlStatementsPerRequest: target.sqlStatements,
  }));
  const [named] = figures;
  process.stdout.write(
    `${JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        persons: PERSONS,
        connections,
        windowSeconds: seconds,
        rounds,
        figures: figures.map((figure) => ({
          ...figure,
          relativeToNamed: named
            ? Number((figure.requestsPerSecond / named.requestsPerSecond).toFixed(3))
            : null,
        })),
      },
      null,
      2,
    )}\n`,
  );
  for (const figure of figures) expect(figure.failures).toBe(0);
});
