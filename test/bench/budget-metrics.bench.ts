// A benchmark script, not a test (it asserts no timing): what the service-account budget and the
// metrics hooks add to a request, measured with autocannon against a real test server in one run,
// each build alternated A/B/A/B so drift on a shared machine falls on both. Figures go to
// docs/performance.md ("Budgets and metrics"). Run through jest only for its database harness:
//   npx jest --testMatch '<rootDir>/test/bench/*.bench.ts' --testTimeout 900000 test/bench/budget-metrics.bench.ts
import autocannon from 'autocannon';
import { RequestBudgets } from '../../src/auth/budgets';
import { buildBareSchema } from '../../src/graphql/schema';
import { ServerMetrics } from '../../src/http/metrics';
import { startTestApi, type TestApi } from '../support/api';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

let api: TestApi;
beforeAll(async () => {
  // A budget no run can spend: every request is charged, none refused.
  api = await startTestApi({
    serviceAccountBudget: { capacity: 1_000_000_000, refillPerSecond: 1_000_000_000 },
    exposeSqlStatementCount: false,
  });
});
afterAll(() => api.close());

const QUERY = JSON.stringify({
  query: `query Me { me { id username kind displayName departmentCode position jurisdictionId active createdAt } }`,
  operationName: 'Me',
});

interface Figures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(authorization: string): Promise<Figures> {
  const result = await autocannon({
    url: api.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json', authorization },
    body: QUERY,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Swaps the methods of `target` for no-ops while `work` runs: the build "without". */
async function without<T>(target: object, names: string[], work: () => Promise<T>): Promise<T> {
  const saved = names.map((name) => [name, Reflect.get(target, name)] as const);
  for (const name of names) {
    Reflect.set(target, name, name === 'refuse' ? () => Promise.resolve(undefined) : () => undefined);
  }
  try {
    return await work();
  } finally {
    for (const [name, method] of saved) Reflect.set(target, name, method);
  }
}

const line = (label: string, figures: Figures) =>
  `${label.padEnd(34)} ${figures.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${figures.p50} ms  p99 ${figures.p99} ms  errors ${figures.errors}`;

test('budget and metrics: with and without, same run', async () => {
  const admin = await api.login('admin');
  const staff = `Bearer ${await api.login('police.worker')}`;
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { issuedKey { apiKey } } }`,
    {
      input: {
        username: 'bench-tool',
        displayName: 'bench',
        departmentCode: 'POLICE',
        jurisdictionId: await api.node('street'),
      },
    },
    admin,
  );
  const service = `ApiKey ${created.data?.createServiceAccount.issuedKey.apiKey as string}`;
  const metricsHooks = ['operationFinished', 'httpAnswered', 'readAuditWritten', 'budgetCharged'];
  const report: string[] = [`${SECONDS} s × ${CONNECTIONS} connections per window, ${ROUNDS} rounds`];
  await load(staff); // warm-up: plans, prepared statements, JIT
  await load(service);
  for (let round = 1; round <= ROUNDS; round += 1) {
    // ABBA: odd rounds run the build "with" first, even rounds "without" first.
    const staffOn = async () => report.push(line(`staff, metrics on (${round})`, await load(staff)));
    const staffOff = async () =>
      report.push(
        line(
          `staff, metrics off (${round})`,
          await without(ServerMetrics.prototype, metricsHooks, () => load(staff)),
        ),
      );
    const serviceOn = async () =>
      report.push(line(`service account, budget on (${round})`, await load(service)));
    const serviceOff = async () =>
      report.push(
        line(
          `service account, budget off (${round})`,
          await without(RequestBudgets.prototype, ['refuse'], () => load(service)),
        ),
      );
    for (const window of round % 2 === 1
      ? [staffOn, staffOff, serviceOn, serviceOff]
      : [staffOff, staffOn, serviceOff, serviceOn])
      await window();
  }
  // The statement alone, one at a time and then 8 at once on one account's row.
  const budgets = new RequestBudgets(
    api.runtimeDataSource,
    api.config.serviceAccountBudget,
    await buildBareSchema(),
  );
  const [{ id }] = await api.dataSource.query(`SELECT id FROM users WHERE username = 'bench-tool'`);
  // The same statement on the unlogged bucket table and on a logged one (SET LOGGED), alternated.
  const sequential = async (label: string) => {
    const timings: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const started = process.hrtime.bigint();
      await budgets.charge(id, 10);
      timings.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    timings.sort((x, y) => x - y);
    const at = (q: number) => timings[Math.floor(q * (timings.length - 1))]?.toFixed(3);
    const mean = timings.reduce((sum, value) => sum + value, 0) / timings.length;
    report.push(
      `charge statement, ${label}: p50 ${at(0.5)} ms  p99 ${at(0.99)} ms  mean ${mean.toFixed(3)} ms (1000 sequential)`,
    );
  };
  for (let round = 1; round <= ROUNDS; round += 1) {
    await sequential(`unlogged (${round})`);
    await api.dataSource.query(`ALTER TABLE service_account_buckets SET LOGGED`);
    await sequential(`logged (${round})`);
    await api.dataSource.query(`ALTER TABLE service_account_buckets SET UNLOGGED`);
  }
  const parallelStarted = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 500; i += 1) await budgets.charge(id, 10);
    }),
  );
  const parallelSeconds = Number(process.hrtime.bigint() - parallelStarted) / 1e9;
  report.push(`charge statement, 8 concurrent on one row: ${(4000 / parallelSeconds).toFixed(0)} charges/s`);
  process.stdout.write(`\n${report.join('\n')}\n`);
});
