// The HTTP surface: health and readiness, abuse limits, error masking, tokens and sign-in limits.
import { SignJWT } from 'jose';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const base = () => api.url.replace(/\/graphql$/, '');

test('/healthz answers while the process runs and /readyz while the database answers', async () => {
  expect((await fetch(`${base()}/healthz`)).status).toBe(200);
  expect((await fetch(`${base()}/readyz`)).status).toBe(200);
});

test('every response carries a request id, and a caller-supplied one is kept', async () => {
  const response = await fetch(`${base()}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
  expect(response.headers.get('x-request-id')).toBe('trace-123');
  const other = await fetch(`${base()}/healthz`);
  expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});

test('a query nested deeper than the limit is refused before it runs', async () => {
  const token = await api.login('grid.worker');
  let selection = 'id';
  for (let i = 0; i < 6; i += 1) selection = `household { members { ${selection} } }`;
  const result = await api.gql(`{ persons(first: 1) { edges { node { ${selection} } } } }`, {}, token);
  expect(result.status).toBe(400);
  expect(result.errors?.[0]?.message).toMatch(/depth/);
});

test('too many aliases are refused', async () => {
  const token = await api.login('grid.worker');
  const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: departments { code }`).join(' ');
  const result = await api.gql(`{ ${aliases} }`, {}, token);
  expect(result.status).toBe(400);
  expect(result.errors?.[0]?.message).toMatch(/aliases/);
});

test('a query whose estimated cost is too high is refused; a 100-person nested page is not', async () => {
  const token = await api.login('grid.worker');
  const costly = await api.gql(
    `{ persons(first: 100) { edges { node { disputes { parties { person { household { members { disputes { id } } } } } } } } } }`,
    {},
    token,
  );
  expect(costly.status).toBe(400);
  expect(costly.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(costly.errors?.[0]?.message).toMatch(/cost/);
  const page = await api.gql(
    `query($first: Int!) { persons(first: $first) { totalCount edges { node { id name tier
       disputes { id status parties { role person { id name } } } assessments { tier indicators { code } } } } } }`,
    { first: 100 },
    token,
  );
  expect(page.errors).toBeUndefined();
});

test('an oversized body is refused with 413', async () => {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ me { id } }`, variables: { padding: 'x'.repeat(400 * 1024) } }),
  });
  expect(response.status).toBe(413);
});

test('a malformed query is a 400 with BAD_USER_INPUT', async () => {
  const result = await api.gql(`{ persons(first: 1) { `);
  expect(result.status).toBe(400);
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('forged, expired and unsigned tokens are UNAUTHENTICATED', async () => {
  const token = await api.login('grid.worker');
  const userId: string = (
    await api.dataSource.query(`SELECT id FROM users WHERE username = 'grid.worker'`)
  )[0].id;
  const forged = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuer('concord')
    .setAudience('concord-api')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('some-other-secret-some-other-secret'));
  const [header, payload] = token.split('.');
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
  for (const bad of [forged, unsigned, `${header}.${payload}.AAAA`, 'garbage']) {
    const result = await api.gql(`{ me { username } }`, {}, bad);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }
  const ok = await api.gql(`{ me { username } }`, {}, token);
  expect(ok.data?.me.username).toBe('grid.worker');
  api.clock.advanceDays(1);
  const expired = await api.gql(`{ me { username } }`, {}, token);
  expect(expired.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test("a disabled user's token stops working at once", async () => {
  const token = await api.login('gridc.worker');
  expect((await api.gql(`{ me { username } }`, {}, token)).data?.me.username).toBe('gridc.worker');
  await api.dataSource.query(`UPDATE users SET active = false WHERE username = 'gridc.worker'`);
  const result = await api.gql(`{ me { username } }`, {}, token);
  expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('repeated wrong passwords from one address make that address wait, not the account', async () => {
  const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token userErrors { code message } } }`;
  for (let i = 0; i < 5; i += 1) {
    const wrong = await api.gql(LOGIN, { input: { username: 'police.worker', password: 'wrong' } });
    expect(wrong.data?.login.userErrors[0].code).toBe('UNAUTHENTICATED');
  }
  const blocked = await api.gql(LOGIN, { input: { username: 'police.worker', password: 'test-password-1' } });
  expect(blocked.data?.login.token).toBeNull();
  expect(blocked.data?.login.userErrors[0].message).toMatch(/Too many .* try again in 1 second$/);
  // The count lives in PostgreSQL, not in this process: every replica sees it, a restart keeps it.
  const key = 'source:127.0.0.1 account:police.worker';
  const stored = await api.dataSource.query(`SELECT failures FROM login_failures WHERE key = $1`, [key]);
  expect(stored).toEqual([{ failures: 5 }]);
  // Once the wait has passed the right password works again, and a success clears the count.
  api.clock.advanceDays(1);
  const again = await api.gql(LOGIN, { input: { username: 'police.worker', password: 'test-password-1' } });
  expect(again.data?.login.userErrors).toEqual([]);
  expect(again.data?.login.token).toEqual(expect.any(String));
  const cleared = await api.dataSource.query(`SELECT failures FROM login_failures WHERE key = $1`, [key]);
  expect(cleared).toEqual([{ failures: 0 }]);
});

test('/readyz fails while the database is unreachable', async () => {
  await api.dataSource.destroy();
  expect((await fetch(`${base()}/readyz`)).status).toBe(503);
  expect((await fetch(`${base()}/healthz`)).status).toBe(200);
  await api.dataSource.initialize();
});

test('a server told to stop twice (two signals in a row) stops once, without an error', async () => {
  const server = await api.sibling({});
  const token = await api.login('grid.worker');
  expect((await server.gql('{ me { username } }', {}, token)).data?.me.username).toBe('grid.worker');
  await expect(Promise.all([server.close(), server.close()])).resolves.toEqual([undefined, undefined]);
  await expect(server.close()).resolves.toBeUndefined();
});
