// One request lifecycle for HTTP and graphql-ws: a read over WebSocket is audited and priced as over
// HTTP, each subscription event runs with a fresh context and a re-read identity, hostile documents
// are refused before parsing, a bad variable answers the same every time, and connections are capped.
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config';
import { nestingDepth } from '../../src/graphql/limits';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;
let wsUrl: string;
let personId: string;
const ID_NUMBER = '33010219800101123X';

beforeAll(async () => {
  api = await startTestApi({
    webSocket: {
      ...loadConfig({ NODE_ENV: 'test' }).webSocket,
      maxConnections: 4,
      maxConnectionsPerAccount: 2,
      maxSubscriptionsPerConnection: 2,
    },
  });
  wsUrl = api.url.replace(/^http/, 'ws');
  const worker = await api.login('grid.worker');
  personId = await registerPerson(api, worker, {
    name: '甲一',
    gridId: await api.node('gridA'),
    idNumber: ID_NUMBER,
    phone: '13812345678',
    specialStatuses: ['DRUG_INVOLVED'],
  });
});
afterAll(() => api.close());

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  // The server counts a connection until it sees the close.
  await new Promise((resolve) => setTimeout(resolve, 100));
});

function connect(token: string): Client {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

/** Runs one query or mutation over graphql-ws and returns its answer (errors as `errors`). */
function overWebSocket(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  operationName?: string,
): Promise<FormattedExecutionResult<Record<string, any>, unknown>> {
  return new Promise((resolve, reject) => {
    let result: FormattedExecutionResult<Record<string, any>, unknown> = {};
    client.subscribe<Record<string, any>>(
      { query, variables, operationName },
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

/** A subscription's messages as they arrive, and whether it completed. */
function subscribe(client: Client, query: string) {
  const received: FormattedExecutionResult<Record<string, any>, unknown>[] = [];
  const state = { completed: false, failed: undefined as unknown };
  const stop = client.subscribe<Record<string, any>>(
    { query },
    {
      next: (value) => received.push(value),
      error: (error) => {
        state.failed = error;
      },
      complete: () => {
        state.completed = true;
      },
    },
  );
  return { received, state, stop };
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function userId(username: string): Promise<string> {
  const rows: { id: string }[] = await api.dataSource.query(`SELECT id FROM users WHERE username = $1`, [
    username,
  ]);
  return rows[0]!.id;
}

/** Raises an alert on the person as grid.worker (its recipient); returns the alert id. */
async function raiseAlert(description: string): Promise<string> {
  const worker = await api.login('grid.worker');
  const result = await api.gql(
    `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`,
    { input: { personId, description } },
    worker,
  );
  const id = result.data?.raiseAlert.alert?.id;
  if (!id) throw new Error(`raiseAlert failed: ${JSON.stringify(result)}`);
  return id;
}

/** Delivers an alert to `recipient` again: the next event of its subscription. */
async function notifyAgain(alertId: string, recipient: string): Promise<void> {
  await api.dataSource.query(`SELECT pg_notify('concord_alerts', $1)`, [
    JSON.stringify({ alertId, recipients: [recipient] }),
  ]);
}

async function readEntries(requestIdPattern?: string): Promise<any[]> {
  return api.dataSource.query(
    `SELECT action, operation, record_type, record_ids, fields, actor_kind, actor_id, actor_department, request_id
       FROM audit_entries WHERE action = 'READ' AND record_type = 'Person' AND $1 = ANY(record_ids)
        AND ($2::text IS NULL OR request_id LIKE $2) ORDER BY seq`,
    [personId, requestIdPattern ?? null],
  );
}

const READ_ID = `query ReadIdentity($id: ID!) { person(id: $id) { name idNumber } }`;

test('a query over graphql-ws reading an ID number writes the same audit entry as over HTTP', async () => {
  const police = await api.login('police.worker');
  const before = (await readEntries()).length;
  const overHttp = await api.gql(READ_ID, { id: personId }, police);
  expect(overHttp.data?.person.idNumber).toBe(ID_NUMBER);
  const afterHttp = await readEntries();
  expect(afterHttp).toHaveLength(before + 1);

  const overWs = await overWebSocket(connect(police), READ_ID, { id: personId });
  expect(overWs.errors).toBeUndefined();
  expect(overWs.data?.person.idNumber).toBe(ID_NUMBER);
  const afterWs = await readEntries();
  expect(afterWs).toHaveLength(before + 2);

  const { request_id: httpRequest, ...httpEntry } = afterHttp[before];
  const { request_id: wsRequest, ...wsEntry } = afterWs[before + 1];
  expect(wsEntry).toEqual(httpEntry);
  expect(wsEntry).toMatchObject({
    operation: 'ReadIdentity',
    record_ids: [personId],
    fields: ['idNumber'],
    actor_department: 'POLICE',
  });
  expect(wsRequest).toBeTruthy();
  expect(wsRequest).not.toBe(httpRequest);
});

test('over graphql-ws, a read whose audit entry cannot be written answers an error and no data', async () => {
  const police = await api.login('police.worker');
  await api.dataSource.query(
    `ALTER TABLE audit_entries ADD CONSTRAINT refuse_police_reads
       CHECK (NOT (action = 'READ' AND actor_department = 'POLICE')) NOT VALID`,
  );
  try {
    const refused = await overWebSocket(connect(police), READ_ID, { id: personId });
    expect(refused.data).toBeUndefined();
    expect(JSON.stringify(refused)).not.toContain(ID_NUMBER);
    expect(refused.errors).toEqual([
      {
        message: 'The audit entry could not be written, so nothing is returned',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
  } finally {
    await api.dataSource.query(`ALTER TABLE audit_entries DROP CONSTRAINT refuse_police_reads`);
  }
});

test('a query over the cost limit is refused over graphql-ws as over HTTP', async () => {
  const worker = await api.login('grid.worker');
  const costly = `{ persons(first: 100) { edges { node { disputes { parties { person { household { members { disputes { id } } } } } } } } } }`;
  const overHttp = await api.gql(costly, {}, worker);
  expect(overHttp.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const overWs = await overWebSocket(connect(worker), costly);
  expect(overWs.data).toBeUndefined();
  expect(overWs.errors).toEqual([
    { message: overHttp.errors?.[0]?.message, extensions: { code: 'BAD_USER_INPUT' } },
  ]);
  expect(overWs.errors?.[0]?.message).toMatch(/cost/);
});

test('each subscription event is read afresh: a changed name shows in the next event', async () => {
  const worker = await api.login('grid.worker');
  const client = connect(worker);
  const subscription = subscribe(client, `subscription { alertReceived { alert { id person { name } } } }`);
  await new Promise((resolve) => setTimeout(resolve, 300));

  const alertId = await raiseAlert('第一次预警');
  await until(() => subscription.received.length === 1, 'the first event');
  expect(subscription.received[0]?.data?.alertReceived.alert.person.name).toBe('甲一');

  await api.dataSource.query(`UPDATE persons SET name = '甲二' WHERE id = $1`, [personId]);
  await notifyAgain(alertId, await userId('grid.worker'));
  await until(() => subscription.received.length === 2, 'the second event');
  expect(subscription.received[1]?.data?.alertReceived.alert.person.name).toBe('甲二');
  await api.dataSource.query(`UPDATE persons SET name = '甲一' WHERE id = $1`, [personId]);
  subscription.stop();
});

test("a disabled user's subscription ends at its next event with UNAUTHENTICATED", async () => {
  const worker = await api.login('grid.worker');
  const workerId = await userId('grid.worker');
  const client = connect(worker);
  const subscription = subscribe(client, `subscription { alertReceived { alert { id description } } }`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const alertId = await raiseAlert('停用前');
  await until(() => subscription.received.length === 1, 'the event before disabling');
  expect(subscription.received[0]?.data?.alertReceived.alert.description).toBe('停用前');

  await api.dataSource.query(`UPDATE users SET active = false WHERE id = $1`, [workerId]);
  try {
    await notifyAgain(alertId, workerId);
    await until(() => subscription.state.completed, 'the subscription to end');
    expect(subscription.received).toHaveLength(2);
    expect(subscription.received[1]?.data).toBeUndefined();
    expect(subscription.received[1]?.errors?.map((error) => error.extensions?.code)).toEqual([
      'UNAUTHENTICATED',
    ]);
    // Nothing more arrives for the ended subscription.
    await notifyAgain(alertId, workerId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscription.received).toHaveLength(2);
  } finally {
    await api.dataSource.query(`UPDATE users SET active = true WHERE id = $1`, [workerId]);
  }
});

test('the same bad variable sent twice (graphql-jit from the second time) answers BAD_USER_INPUT both times', async () => {
  const worker = await api.login('grid.worker');
  const query = `query Count($n: Int!) { persons(first: $n) { totalCount } }`;
  for (const n of ['x', null]) {
    const first = await api.gql(query, { n }, worker);
    const second = await api.gql(query, { n }, worker);
    const third = await api.gql(query, { n }, worker);
    expect(first.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(second).toEqual(first);
    expect(third).toEqual(first);
  }
  // A good value still runs compiled afterwards.
  const good = await api.gql(query, { n: 1 }, worker);
  expect(good.errors).toBeUndefined();
});

test('a document or literal nested 10,000 deep is refused before parsing, on both transports', async () => {
  const worker = await api.login('grid.worker');
  const deepSelection = `{ ${'persons { '.repeat(10_000)}id${' }'.repeat(10_000)} }`;
  const deepLiteral = `{ persons(first: ${'['.repeat(10_000)}1${']'.repeat(10_000)}) { totalCount } }`;
  const client = connect(worker);
  for (const query of [deepSelection, deepLiteral]) {
    const overHttp = await api.gql(query, {}, worker);
    expect(overHttp.status).toBe(400);
    expect(overHttp.errors).toHaveLength(1);
    expect(overHttp.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(overHttp.errors?.[0]?.message).toMatch(/nests brackets more than \d+ levels/);
    const overWs = await overWebSocket(client, query);
    expect(overWs.errors).toEqual([
      { message: overHttp.errors?.[0]?.message, extensions: { code: 'BAD_USER_INPUT' } },
    ]);
  }
  // Brackets inside strings and comments do not count.
  const quoted = await api.gql(
    `{ persons(first: 1, filter: { nameContains: "${'{'.repeat(200)}" }) { totalCount } } # ${'['.repeat(200)}`,
    {},
    worker,
  );
  expect(quoted.errors).toBeUndefined();
});

test('nesting counts brackets outside strings, block strings and comments', () => {
  expect(nestingDepth('{ a { b(c: [[1]]) } }')).toBe(5);
  expect(nestingDepth('{ a(s: "{{{[[[") }')).toBe(2);
  expect(nestingDepth('{ a(s: "\\"{{{") }')).toBe(2);
  expect(nestingDepth('{ a(s: """ {{{ \\""" [[[ """) }')).toBe(2);
  expect(nestingDepth('{ a # {{{{\n b }')).toBe(1);
  expect(nestingDepth('{'.repeat(10_000), 64)).toBe(65);
});

/** Opens a raw graphql-ws connection and says whether it was acknowledged or closed (code, reason). */
function openRaw(
  token: string,
): Promise<{ socket: WebSocket; acked: boolean; code?: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ socket, acked: true });
    });
    socket.on('close', (code, reason) => resolve({ socket, acked: false, code, reason: String(reason) }));
    socket.on('error', reject);
  });
}

async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
        }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
}

test('connections are capped per account and server-wide, and subscriptions per connection (4429)', async () => {
  const [first, second, third] = await Promise.all(
    ['grid.worker', 'gridb.worker', 'gridc.worker'].map((username) => api.login(username)),
  );
  const open: WebSocket[] = [];
  try {
    const a1 = await openRaw(first!);
    const a2 = await openRaw(first!);
    open.push(a1.socket, a2.socket);
    expect([a1.acked, a2.acked]).toEqual([true, true]);
    const a3 = await openRaw(first!);
    expect(a3).toMatchObject({ acked: false, code: 4429 });
    expect(a3.reason).toMatch(/account holds its limit of 2 connections/);

    const b1 = await openRaw(second!);
    const b2 = await openRaw(second!);
    open.push(b1.socket, b2.socket);
    expect([b1.acked, b2.acked]).toEqual([true, true]);
    const c1 = await openRaw(third!);
    expect(c1).toMatchObject({ acked: false, code: 4429 });
    expect(c1.reason).toMatch(/server holds its limit of 4 connections/);

    // Closing one frees a place.
    await closeAll([b2.socket]);
    const c2 = await openRaw(third!);
    open.push(c2.socket);
    expect(c2.acked).toBe(true);

    // Two subscriptions on one connection; the third closes it.
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      a1.socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    for (const id of ['1', '2', '3']) {
      a1.socket.send(
        JSON.stringify({
          id,
          type: 'subscribe',
          payload: { query: `subscription { alertReceived { alert { id } } }` },
        }),
      );
    }
    const refused = await closed;
    expect(refused.code).toBe(4429);
    expect(refused.reason).toMatch(/connection holds its limit of 2 subscriptions/);
  } finally {
    await closeAll(open);
  }
});
