// Request budgets of service accounts (issue 21 item 7), through the real server with real API keys: a
// token bucket charged by query cost, 429 + Retry-After + the cost in extensions when spent, refilled
// over time, set per account by an ADMIN, one bucket for every API replica on the database, the same
// on graphql-ws — and staff are never budgeted.
import { randomBytes } from 'node:crypto';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import { dataSourceOptions } from '../../ormconfig';
import { createTokenService } from '../../src/auth/tokens';
import { createLogger } from '../../src/logger';
import { createServer, type ConcordServer } from '../../src/server';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;
let admin: string;

/** Every account starts with 40 and refills 1 per second: a 10-cost query runs 4 times, then waits 10 s. */
const DEFAULT_BUDGET = { capacity: 40, refillPerSecond: 1 };

beforeAll(async () => {
  api = await startTestApi({ serviceAccountBudget: DEFAULT_BUDGET });
  admin = await api.login('admin');
});
afterAll(() => api.close());

/** Costs exactly 10: `me` and nine of its fields. */
const COSTS_TEN = `query Me { me { id username kind displayName departmentCode position jurisdictionId active createdAt } }`;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: {
    data?: Record<string, any> | null;
    errors?: { message: string; extensions?: Record<string, any> }[];
  };
}

async function call(endpoint: string, apiKey: string, query: string, variables?: object): Promise<Answer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `ApiKey ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Answer['body'],
  };
}

async function createServiceAccount(username: string): Promise<{ id: string; apiKey: string }> {
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id } issuedKey { apiKey } userErrors { message } } }`,
    {
      input: {
        username,
        displayName: username,
        departmentCode: 'POLICE',
        jurisdictionId: await api.node('street'),
      },
    },
    admin,
  );
  expect(created.data?.createServiceAccount.userErrors).toEqual([]);
  return {
    id: created.data?.createServiceAccount.serviceAccount.id,
    apiKey: created.data?.createServiceAccount.issuedKey.apiKey,
  };
}

const SET_BUDGET = `mutation($input: SetServiceAccountBudgetInput!) { setServiceAccountBudget(input: $input) {
  serviceAccount { id budget { capacity refillPerSecond custom available } }
  userErrors { field message code } } }`;

test('spending past the budget answers 429 with Retry-After and the cost spent, and runs nothing', async () => {
  const account = await createServiceAccount('budget-spender');
  for (let i = 0; i < 4; i += 1) {
    const admitted = await call(api.url, account.apiKey, COSTS_TEN);
    expect([admitted.status, admitted.body.data?.me.username]).toEqual([200, 'budget-spender']);
  }
  const refused = await call(api.url, account.apiKey, COSTS_TEN);
  expect(refused.status).toBe(429);
  expect(refused.body.data ?? null).toBeNull();
  const extensions = refused.body.errors?.[0]?.extensions ?? {};
  expect(extensions).toMatchObject({
    code: 'TOO_MANY_REQUESTS',
    cost: 10,
    capacity: 40,
    refillPerSecond: 1,
  });
  expect(extensions.remaining).toBeGreaterThanOrEqual(0);
  expect(extensions.remaining).toBeLessThan(10);
  // 1 per second: what is missing of 10, in whole seconds; the header says the same.
  expect(extensions.retryAfterSeconds).toBe(Math.ceil(10 - extensions.remaining));
  expect(refused.retryAfter).toBe(String(extensions.retryAfterSeconds));
  // A refused request spends nothing: the bucket is where the last admitted one left it (plus refill).
  const [row] = await api.dataSource.query(
    `SELECT tokens, last_admitted FROM service_account_buckets WHERE service_account_id = $1`,
    [account.id],
  );
  expect(row.last_admitted).toBe(false);
  expect(row.tokens).toBeLessThan(10);

  // A query that costs more than the whole budget can never run: a clear 400, no Retry-After.
  const tooBig = await call(
    api.url,
    account.apiKey,
    `{ persons(first: 100) { edges { node { id name tier } } } }`,
  );
  expect(tooBig.status).toBe(400);
  expect(tooBig.retryAfter).toBeNull();
  expect(tooBig.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', capacity: 40 });
  expect(tooBig.body.errors?.[0]?.message).toContain('exceeds this service account');
});

test('an ADMIN sets an account’s budget; after Retry-After the bucket has refilled', async () => {
  const account = await createServiceAccount('budget-refill');
  const set = await api.gql(
    SET_BUDGET,
    { input: { serviceAccountId: account.id, capacity: 10, refillPerSecond: 10 } },
    admin,
  );
  expect(set.data?.setServiceAccountBudget).toEqual({
    serviceAccount: {
      id: account.id,
      budget: { capacity: 10, refillPerSecond: 10, custom: true, available: 10 },
    },
    userErrors: [],
  });
  expect((await call(api.url, account.apiKey, COSTS_TEN)).status).toBe(200);
  const refused = await call(api.url, account.apiKey, COSTS_TEN);
  expect(refused.status).toBe(429);
  expect(refused.retryAfter).toBe('1');
  await new Promise((resolve) => setTimeout(resolve, 1050));
  expect((await call(api.url, account.apiKey, COSTS_TEN)).status).toBe(200);

  // Bad settings are userErrors and change nothing; an unknown account answers as NOT_FOUND.
  const zero = await api.gql(SET_BUDGET, { input: { serviceAccountId: account.id, capacity: 0 } }, admin);
  expect(zero.data?.setServiceAccountBudget.userErrors).toEqual([
    { field: 'input.capacity', message: '数值过小 / capacity must be at least 1', code: 'BAD_USER_INPUT' },
  ]);
  const unknown = await api.gql(
    SET_BUDGET,
    { input: { serviceAccountId: '00000000-0000-4000-8000-000000000000', capacity: 5 } },
    admin,
  );
  expect(unknown.data?.setServiceAccountBudget.userErrors).toEqual([
    {
      field: 'input.serviceAccountId',
      message: '您的辖区内没有此编号的服务账号 / No service account with this id within your jurisdiction',
      code: 'NOT_FOUND',
    },
  ]);
  const [settings] = await api.dataSource.query(
    `SELECT capacity, refill_per_second FROM service_account_budgets WHERE service_account_id = $1`,
    [account.id],
  );
  expect(settings).toEqual({ capacity: 10, refill_per_second: 10 });

  // Nulls give the account the default back.
  const reset = await api.gql(
    SET_BUDGET,
    { input: { serviceAccountId: account.id, capacity: null, refillPerSecond: null } },
    admin,
  );
  expect(reset.data?.setServiceAccountBudget.serviceAccount.budget).toMatchObject({
    capacity: 40,
    refillPerSecond: 1,
    custom: false,
  });
  // Only an ADMIN sets budgets.
  const police = await api.login('police.leader');
  const refusedToStaff = await api.gql(
    SET_BUDGET,
    { input: { serviceAccountId: account.id, capacity: 1000 } },
    police,
  );
  expect(refusedToStaff.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

test('staff requests are never budgeted', async () => {
  const token = await api.login('police.worker');
  const before = await api.dataSource.query(`SELECT count(*)::int AS n FROM service_account_buckets`);
  // 30 requests of cost 10: far past any service account's 40.
  for (let i = 0; i < 30; i += 1) {
    const answer = await api.gql(COSTS_TEN, {}, token);
    expect([answer.status, answer.data?.me.username]).toEqual([200, 'police.worker']);
  }
  const after = await api.dataSource.query(`SELECT count(*)::int AS n FROM service_account_buckets`);
  expect(after).toEqual(before);
});

describe('a second API server on the same database', () => {
  let replica: ConcordServer;
  let replicaUrl: string;
  let replicaData: DataSource;

  beforeAll(async () => {
    // Its own process state and its own connection pool, as another replica would have.
    replicaData = new DataSource(dataSourceOptions(api.runtimeUrl));
    await replicaData.initialize();
    replica = await createServer({
      config: api.config,
      dataSource: replicaData,
      tokens: createTokenService(randomBytes(32).toString('hex'), 3600, () => api.clock.now),
      clock: () => api.clock.now,
      logger: createLogger('silent'),
    });
    replicaUrl = await replica.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await replica.close();
    await replicaData.destroy();
  });

  test('shares the bucket: concurrent requests through both spend it exactly once', async () => {
    const account = await createServiceAccount('budget-two-replicas');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        call(index % 2 === 0 ? api.url : replicaUrl, account.apiKey, COSTS_TEN),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    // 40 / 10: four go through, whichever server they reached; refill (1/s) adds no fifth in time.
    expect(statuses.filter((status) => status === 200)).toHaveLength(4);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
    const [row] = await api.dataSource.query(
      `SELECT tokens FROM service_account_buckets WHERE service_account_id = $1`,
      [account.id],
    );
    expect(row.tokens).toBeLessThan(10);
  });
});

describe('over graphql-ws', () => {
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
  });

  type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

  function overWebSocket(client: Client, query: string): Promise<Result> {
    return new Promise((resolve, reject) => {
      let result: Result = {};
      client.subscribe<Record<string, unknown>>(
        { query },
        {
          next: (value) => {
            result = value;
          },
          error: (error) => {
            if (Array.isArray(error)) resolve({ errors: error });
            else reject(error instanceof Error ? error : new Error(`closed: ${JSON.stringify(error)}`));
          },
          complete: () => resolve(result),
        },
      );
    });
  }

  test('the same budget applies, with the retry time in extensions', async () => {
    const account = await createServiceAccount('budget-websocket');
    const client = createClient({
      url: api.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `ApiKey ${account.apiKey}` },
      retryAttempts: 0,
    });
    clients.push(client);
    // Two over HTTP and two over the socket spend the 40 together.
    for (let i = 0; i < 2; i += 1) expect((await call(api.url, account.apiKey, COSTS_TEN)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const admitted = await overWebSocket(client, COSTS_TEN);
      expect(admitted.errors).toBeUndefined();
      expect((admitted.data as { me: { username: string } }).me.username).toBe('budget-websocket');
    }
    const refused = await overWebSocket(client, COSTS_TEN);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS', cost: 10 });
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.errors?.[0]?.extensions).not.toHaveProperty('http');
  });
});

test('an export draws on the same budget: each page is charged, and a spent budget is a 429 before any file', async () => {
  const account = await createServiceAccount('budget-exporter');
  await api.gql(
    SET_BUDGET,
    { input: { serviceAccountId: account.id, capacity: 100000, refillPerSecond: 1 } },
    admin,
  );
  const tokens = async (): Promise<number> =>
    (
      await api.dataSource.query(`SELECT tokens FROM service_account_buckets WHERE service_account_id = $1`, [
        account.id,
      ])
    )[0]?.tokens ?? 100000;
  const exported = await fetch(new URL('/export/disputes.ndjson', api.url), {
    headers: { authorization: `ApiKey ${account.apiKey}` },
  });
  expect(exported.status).toBe(200);
  await exported.text();
  // A page of the list costs what `disputes(first: 100)` costs over GraphQL: far more than one.
  expect(await tokens()).toBeLessThan(100000 - 100);

  await api.dataSource.query(`UPDATE service_account_buckets SET tokens = 0 WHERE service_account_id = $1`, [
    account.id,
  ]);
  const refused = await fetch(new URL('/export/disputes.ndjson', api.url), {
    headers: { authorization: `ApiKey ${account.apiKey}` },
  });
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(1);
  const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
  expect(body.errors[0]?.extensions).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
  expect(body.errors[0]?.extensions).not.toHaveProperty('http');
  // Refused before the first page: nothing was read, so nothing is audited as read.
  const entries = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_entries WHERE actor_id = $1 AND operation LIKE 'export %'`,
    [account.id],
  );
  expect(entries[0].n).toBe(1);
});
