// Sessions (issue 20 item 3): logout stops a token at once — on this server and on a second server
// process on the same database, whose own cache of verified tokens has seen it — mySessions shows
// one's open sessions with their last use (written at most once a minute, in the statement the
// identity lookup runs anyway), and an ADMIN ends every session of an account.
import { randomBytes } from 'node:crypto';
import { createTokenService } from '../../src/auth/tokens';
import { createLogger } from '../../src/logger';
import { createServer, type ConcordServer } from '../../src/server';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { TEST_PASSWORD } from '../support/template';
import { startServerProcess, type ServerProcess } from './support/processes';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token userErrors { message } } }`;
const ME = `{ me { username } }`;

async function post(endpoint: string, query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Omit<GraphQLResponse, 'status'>;
}

/** A fresh sign-in (a session of its own), not the test API's cached token. */
async function signIn(username: string, endpoint = api.url): Promise<string> {
  const result = await post(endpoint, LOGIN, { input: { username, password: TEST_PASSWORD } });
  const token = result.data?.login.token as string | undefined;
  if (!token) throw new Error(`login ${username} failed: ${JSON.stringify(result)}`);
  return token;
}

const code = (result: { errors?: { extensions?: { code?: string } }[] }) =>
  result.errors?.[0]?.extensions?.code;

describe('two API processes on one database', () => {
  const secret = randomBytes(32).toString('hex');
  let first: ConcordServer;
  let firstEndpoint: string;
  let second: ServerProcess;

  beforeAll(async () => {
    const clock = () => new Date();
    first = await createServer({
      config: api.config,
      dataSource: api.runtimeDataSource,
      tokens: createTokenService(secret, api.config.tokenLifetimeSeconds, clock),
      clock,
      logger: createLogger('silent'),
    });
    firstEndpoint = await first.listen(0, '127.0.0.1');
    second = await startServerProcess(api.runtimeUrl, secret);
  }, 180_000);
  afterAll(async () => {
    await second?.stop();
    await first?.close();
  });

  test('logout on one process refuses the token at once on the other, which had verified it', async () => {
    const token = await signIn('grid.worker', firstEndpoint);
    const other = await signIn('grid.worker', firstEndpoint);
    // The second process verifies the token and keeps it in its cache of verified tokens.
    expect((await post(second.endpoint, ME, {}, token)).data?.me.username).toBe('grid.worker');
    expect((await post(second.endpoint, ME, {}, token)).data?.me.username).toBe('grid.worker');

    const logout = await post(
      firstEndpoint,
      `mutation { logout { endedSessionCount userErrors { message } } }`,
      {},
      token,
    );
    expect(logout.data?.logout).toEqual({ endedSessionCount: 1, userErrors: [] });

    expect(code(await post(second.endpoint, ME, {}, token))).toBe('UNAUTHENTICATED');
    expect(code(await post(firstEndpoint, ME, {}, token))).toBe('UNAUTHENTICATED');
    // Only that session ended: the same user's other sign-in still works everywhere.
    expect((await post(second.endpoint, ME, {}, other)).data?.me.username).toBe('grid.worker');
    const [row] = await api.dataSource.query(
      `SELECT s.end_reason FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE u.username = 'grid.worker' AND s.ended_at IS NOT NULL`,
    );
    expect(row).toEqual({ end_reason: 'LOGOUT' });
  });

  test('an ADMIN ending all sessions of an account refuses its tokens on the other process too', async () => {
    const worker = await signIn('police.worker', firstEndpoint);
    // An ADMIN signs in with its second factor, at this server's clock.
    const admin = await api.signInAt(firstEndpoint, 'admin', () => new Date());
    expect((await post(second.endpoint, ME, {}, worker)).data?.me.username).toBe('police.worker');
    const [{ id }] = await api.dataSource.query(`SELECT id FROM users WHERE username = 'police.worker'`);
    const ended = await post(
      firstEndpoint,
      `mutation($input: UserIdInput!) { endUserSessions(input: $input) { endedSessionCount userErrors { message } } }`,
      { input: { userId: id } },
      admin,
    );
    expect(ended.data?.endUserSessions.userErrors).toEqual([]);
    expect(ended.data?.endUserSessions.endedSessionCount).toBeGreaterThanOrEqual(1);
    expect(code(await post(second.endpoint, ME, {}, worker))).toBe('UNAUTHENTICATED');
  });
});

test('mySessions lists open sessions with their last use, stamped at most once a minute without an extra statement', async () => {
  const start = new Date(api.clock.now);
  const first = await signIn('grid.leader');
  const second = await signIn('grid.leader');
  const SESSIONS = `{ mySessions(first: 10) { totalCount edges { node { id current createdAt lastUsedAt expiresAt signedInFrom } } } }`;
  const listed = await api.gql(SESSIONS, {}, first);
  const nodes = listed.data?.mySessions.edges.map((edge: { node: unknown }) => edge.node);
  expect(listed.data?.mySessions.totalCount).toBe(2);
  expect(nodes.map((node: { current: boolean }) => node.current).sort()).toEqual([false, true]);
  expect(nodes.every((node: { lastUsedAt: string }) => node.lastUsedAt === start.toISOString())).toBe(true);
  expect(nodes[0].signedInFrom).toMatch(/127\.0\.0\.1/);

  const lastUse = async () =>
    (
      await api.dataSource.query(
        `SELECT s.last_used_at FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE u.username = 'grid.leader' AND s.ended_at IS NULL ORDER BY s.last_used_at DESC`,
      )
    ).map((row: { last_used_at: Date }) => row.last_used_at.toISOString());

  const before = await api.gql(ME, {}, first);
  api.clock.now = new Date(start.getTime() + 30_000);
  await api.gql(ME, {}, first);
  expect(await lastUse()).toEqual([start.toISOString(), start.toISOString()]);
  api.clock.now = new Date(start.getTime() + 61_000);
  const stamped = await api.gql(ME, {}, first);
  expect(await lastUse()).toEqual([api.clock.now.toISOString(), start.toISOString()]);
  // The stamp rode along with the identity lookup: no statement more than a request without it.
  expect(stamped.extensions?.sqlStatements).toBe(before.extensions?.sqlStatements);

  const everywhere = await api.gql(
    `mutation { logout(input: { everywhere: true }) { endedSessionCount userErrors { message } } }`,
    {},
    second,
  );
  expect(everywhere.data?.logout).toEqual({ endedSessionCount: 2, userErrors: [] });
  expect(code(await api.gql(ME, {}, first))).toBe('UNAUTHENTICATED');
  expect(code(await api.gql(ME, {}, second))).toBe('UNAUTHENTICATED');
  const audited = await api.dataSource.query(
    `SELECT record_type, fields, detail FROM audit_entries WHERE operation = 'logout' ORDER BY seq DESC LIMIT 1`,
  );
  expect(audited).toEqual([{ record_type: 'Session', fields: ['endedAt'], detail: { everywhere: true } }]);
});

test('only an ADMIN ends the sessions of another account', async () => {
  const [{ id }] = await api.dataSource.query(`SELECT id FROM users WHERE username = 'gridb.worker'`);
  const attempt = await api.gql(
    `mutation($input: UserIdInput!) { endUserSessions(input: $input) { endedSessionCount } }`,
    { input: { userId: id } },
    await api.login('comprehensive_governance.leader'),
  );
  expect(code(attempt)).toBe('FORBIDDEN');
});
