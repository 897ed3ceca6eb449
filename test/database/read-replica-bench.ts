// What a read replica moves off the primary, on the dashboard screen of `npm run bench` (src/cli/bench.ts)
// over the demo city: a benchmark that reports figures, never a timed test, so it is not named
// *.test.ts and `npm test` does not run it. Run it with
//   npm test -- --testMatch '**/test/database/read-replica-bench.ts' --testTimeout 900000
// (READ_REPLICA_BENCH_SECONDS, READ_REPLICA_BENCH_ROUNDS, READ_REPLICA_BENCH_CONNECTIONS change the windows).
// Two servers on one primary, one reading queries from a streaming standby, measured in alternating
// windows of the same run; besides requests/s it counts the transactions each database ran per
// dashboard (pg_stat_database.xact_commit), which the machine's load does not change.
import autocannon from 'autocannon';
import { Client } from 'pg';
import { DEMO_PASSWORD } from '../../src/database/demo-data';
import { startReplicatedCity, type ReplicatedCity } from '../support/standby';

const DASHBOARD = `query Dashboard($j: ID!) { persons(first: 50, filter: { jurisdictionId: $j, tiers: [YELLOW, ORANGE, RED] }) {
  totalCount edges { node { id name tier idNumber phone
    tierExplanation { summary categories indicators { code } }
    disputes(open: true) { id category status parties { role person { id name } } }
    currentAssignment { id responsiblePersonId measures }
    lastFollowUp { occurredAt method } } } } }`;

const seconds = Number(process.env.READ_REPLICA_BENCH_SECONDS ?? 8);
const rounds = Number(process.env.READ_REPLICA_BENCH_ROUNDS ?? 3);
const connections = Number(process.env.READ_REPLICA_BENCH_CONNECTIONS ?? 4);

interface Target {
  name: string;
  url: string;
  requests: number;
  seconds: number;
  latencies: number[];
  failures: number;
  primaryTransactions: number;
  standbyTransactions: number;
}

let city: ReplicatedCity | undefined;

afterAll(async () => {
  await city?.stop();
});

test('dashboard throughput and primary load: without and with a read replica', async () => {
  city = await startReplicatedCity();
  const { standby, gridId } = city;
  const adminUrl = new URL(city.database.embedded!.adminUrl);
  adminUrl.pathname = '/concord';
  const transactions = async (url: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ count: string }>(
        `SELECT xact_commit + xact_rollback AS count FROM pg_stat_database WHERE datname = 'concord'`,
      );
      return Number(rows[0]?.count);
    } finally {
      await client.end();
    }
  };
  const targets: Target[] = [];
  for (const [name, withReplica] of [
    ['primary only', false],
    ['queries on the read replica', true],
  ] as const) {
    const url = await city.serve(withReplica);
    targets.push({
      name,
      url,
      requests: 0,
      seconds: 0,
      latencies: [],
      failures: 0,
      primaryTransactions: 0,
      standbyTransactions: 0,
    });
  }
  const login = await fetch(targets[0]!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation($input: LoginInput!) { login(input: $input) { token } }`,
      variables: { input: { username: 'grid.worker', password: DEMO_PASSWORD } },
    }),
  }).then((response) => response.json() as Promise<{ data: { login: { token: string } } }>);
  const token = login.data.login.token;
  const body = JSON.stringify({ query: DASHBOARD, variables: { j: gridId } });
  const run = (target: Target, duration: number) =>
    autocannon({
      url: target.url,
      method: 'POST',
      connections,
      duration,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
  for (const target of targets) await run(target, 3);
  const standbyUrl = standby.urlOf(adminUrl.toString());
  for (let round = 0; round < rounds; round += 1) {
    for (const target of targets) {
      const primaryBefore = await transactions(adminUrl.toString());
      const standbyBefore = await transactions(standbyUrl);
      const result = await run(target, seconds);
      // Statistics reach pg_stat_database when a backend reports them (at most once a second).
      await new Promise((resolve) => setTimeout(resolve, 1500));
      target.primaryTransactions += (await transactions(adminUrl.toString())) - primaryBefore - 1;
      target.standbyTransactions += (await transactions(standbyUrl)) - standbyBefore - 1;
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
    primaryTransactionsPerRequest: Number((target.primaryTransactions / target.requests).toFixed(2)),
    standbyTransactionsPerRequest: Number((target.standbyTransactions / target.requests).toFixed(2)),
  }));
  process.stdout.write(
    `${JSON.stringify({ measuredAt: new Date().toISOString(), connections, windowSeconds: seconds, rounds, figures }, null, 2)}\n`,
  );
  for (const figure of figures) expect(figure.failures).toBe(0);
});
