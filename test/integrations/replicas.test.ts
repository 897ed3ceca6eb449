// Two API replicas on one database (SPEC §6, issue 23 item 3), each with its own connection pool,
// alert feed and token service holding the shared secret, driven at once: what one replica does,
// the other sees as if there were one server — live alerts, sign-in throttling, idempotency keys,
// the audit chain. (The outbox worker and request budgets test their own replicas.)
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { verifyAuditChain } from '../../src/audit/verify';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';
import type { Replica } from '../support/replica';

let api: TestApi;
let replica: Replica;
const clients: Client[] = [];

beforeAll(async () => {
  api = await startTestApi();
  replica = await api.replica();
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await replica?.close();
  await api?.close();
});

const RAISE = `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`;
const REGISTER = `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) {
  person { id name } userErrors { field message code } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token userErrors { code message } } }`;

/** Subscribes to `alertReceived` at `endpoint` as `token`; resolves once the connection is up. */
async function subscribeAlerts(endpoint: string, token: string): Promise<string[]> {
  const client = createClient({
    url: endpoint.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  const received: string[] = [];
  const connected = new Promise<void>((resolve, reject) => {
    client.on('connected', () => setTimeout(resolve, 200));
    client.on('error', reject);
  });
  client.subscribe<{ alertReceived: { alert: { id: string } } }>(
    { query: `subscription { alertReceived { alert { id } } }` },
    {
      next: (message) => {
        const id = message.data?.alertReceived.alert.id;
        if (id) received.push(id);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await connected;
  return received;
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

test('a token issued by one replica works on the other, and a subscription on A hears an alert raised through B', async () => {
  const worker = await api.login('grid.worker');
  const personId = await registerPerson(api, worker, { name: '跨副本', gridId: await api.node('gridA') });
  const onA = await subscribeAlerts(api.url, worker);
  const onB = await subscribeAlerts(replica.url, worker);

  const raised = await replica.gql(RAISE, { input: { personId, description: '副本乙苗头' } }, worker);
  expect(raised.errors).toBeUndefined();
  const alertId: string = raised.data?.raiseAlert.alert.id;
  expect(alertId).toBeTruthy();
  await until(() => onA.includes(alertId) && onB.includes(alertId));
  // Once each: every replica delivers to its own subscribers only.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(onA).toEqual([alertId]);
  expect(onB).toEqual([alertId]);
});

/** Signs in over HTTP at `endpoint` from `source`, a loopback address (each one another source). */
function signIn(
  endpoint: string,
  source: string,
  username: string,
  password: string,
): Promise<string | null> {
  const url = new URL(endpoint);
  const body = JSON.stringify({ query: LOGIN, variables: { input: { username, password } } });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: source,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          try {
            const login = JSON.parse(text).data.login as { userErrors: { code: string }[] };
            resolve(login.userErrors[0]?.code ?? null);
          } catch {
            reject(new Error(`not a login answer: ${text}`));
          }
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

test('sign-in throttling counts the failures made at both replicas as one server would', async () => {
  // 20 wrong passwords from one address, alternating between the replicas, all at once: as with one
  // server, 5 reach the password check and 15 are refused.
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      signIn(i % 2 === 0 ? api.url : replica.url, '127.0.0.5', 'police.worker', `guess-${i}`),
    ),
  );
  expect(answers.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(5);
  expect(answers.filter((code) => code === 'FORBIDDEN')).toHaveLength(15);
  // Failures made at A alone throttle the address at B.
  for (let i = 0; i < 5; i += 1)
    expect(await signIn(api.url, '127.0.0.6', 'justice.worker', 'wrong')).toBe('UNAUTHENTICATED');
  expect(await signIn(replica.url, '127.0.0.6', 'justice.worker', 'wrong')).toBe('FORBIDDEN');
});

test('an idempotency key used at A replays at B: the same answer, one record', async () => {
  const worker = await api.login('grid.worker');
  const gridId = await api.node('gridA');
  const input = { name: '幂等副本', gridId, idempotencyKey: `replica-${randomUUID()}` };
  const first = await api.gql(REGISTER, { input }, worker);
  const again = await replica.gql(REGISTER, { input }, worker);
  expect(first.data?.registerPerson.userErrors).toEqual([]);
  expect(again.data).toEqual(first.data);
  // The same key at both replicas at the same moment: one waits for the other, then replays it.
  const racing = { name: '并发幂等', gridId, idempotencyKey: `replica-${randomUUID()}` };
  const [atA, atB] = await Promise.all([
    api.gql(REGISTER, { input: racing }, worker),
    replica.gql(REGISTER, { input: racing }, worker),
  ]);
  expect(atA.data?.registerPerson.person.id).toBeTruthy();
  expect(atB.data).toEqual(atA.data);
  const rows: { name: string; n: number }[] = await api.dataSource.query(
    `SELECT name, count(*)::int AS n FROM persons WHERE name IN ('幂等副本', '并发幂等') GROUP BY name`,
  );
  expect(Object.fromEntries(rows.map((row) => [row.name, row.n]))).toEqual({ 幂等副本: 1, 并发幂等: 1 });
  // The key with another payload is a CONFLICT at the other replica too.
  const changed = await replica.gql(REGISTER, { input: { ...input, name: '另一个人' } }, worker);
  expect(changed.data?.registerPerson.userErrors[0]?.code).toBe('CONFLICT');
});

test('the audit chain stays verifiable after concurrent writes and audited reads through both replicas', async () => {
  const worker = await api.login('grid.worker');
  const gridId = await api.node('gridA');
  const [{ before }] = await api.dataSource.query(
    `SELECT coalesce(max(seq), 0)::int AS before FROM audit_entries`,
  );
  const READ = `query($grid: ID!) { persons(first: 50, filter: { jurisdictionId: $grid }) { edges { node { id idNumber phone } } } }`;
  const work = Array.from({ length: 24 }, (_, i) => {
    const server = i % 2 === 0 ? api : replica;
    return i % 3 === 0
      ? server.gql(READ, { grid: gridId }, worker)
      : server.gql(REGISTER, { input: { name: `审计链${i}`, gridId } }, worker);
  });
  const answers = await Promise.all(work);
  for (const answer of answers) expect(answer.errors).toBeUndefined();
  const verification = await verifyAuditChain(api.dataSource);
  expect(verification.findings).toEqual([]);
  expect(verification.firstBroken).toBeNull();
  const [{ added, distinct, first, last }] = await api.dataSource.query(
    `SELECT count(*)::int AS added, count(DISTINCT seq)::int AS distinct, min(seq)::int AS first, max(seq)::int AS last
       FROM audit_entries WHERE seq > $1`,
    [before],
  );
  // 16 registrations, each audited, and the reads' entries: none lost or doubled, no gap.
  expect(added).toBeGreaterThanOrEqual(16);
  expect(distinct).toBe(added);
  expect(last - first + 1).toBe(added);
  const registered: { n: number }[] = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM persons WHERE name LIKE '审计链%'`,
  );
  expect(registered[0]?.n).toBe(16);
});
