// The operator's first ADMIN (`npm run user:create-admin`, src/auth/first-admin.ts): a new account
// with a temporary password that signs in once and must be changed; run again for an existing
// account, it makes it an ADMIN, enables it, ends its sessions and issues a new temporary password.
import { ensureAdministrator } from '../../src/auth/first-admin';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { token passwordChangeRequired user { capabilities active jurisdictionId } userErrors { code } } }`;

test('a new ADMIN from the command line, rooted at the tree’s root, must change its temporary password', async () => {
  const made = await ensureAdministrator(api.runtimeDataSource, {
    username: 'ops.admin',
    now: api.clock.now,
  });
  expect(made.created).toBe(true);
  const login = (await api.gql(LOGIN, { input: { username: 'ops.admin', password: made.temporaryPassword } }))
    .data?.login;
  expect(login.passwordChangeRequired).toBe(true);
  expect(login.user).toEqual({
    capabilities: ['ADMIN'],
    active: true,
    jurisdictionId: await api.node('city'),
  });
  const refused = await api.gql(`{ users { totalCount } }`, {}, login.token);
  expect(refused.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'PASSWORD_CHANGE_REQUIRED' });
  const [entry] = await api.dataSource.query(
    `SELECT actor_kind, operation, detail FROM audit_entries WHERE record_ids @> ARRAY[(SELECT id::text FROM users WHERE username = 'ops.admin')]`,
  );
  expect(entry).toEqual({
    actor_kind: 'ANONYMOUS',
    operation: 'createUser',
    detail: { via: 'user:create-admin', username: 'ops.admin' },
  });
  expect(JSON.stringify(entry)).not.toContain(made.temporaryPassword);
});

test('run for a disabled existing account, it becomes an enabled ADMIN with a new temporary password', async () => {
  const before = await api.login('petitions.worker');
  await api.dataSource.query(`UPDATE users SET active = false WHERE username = 'petitions.worker'`);
  const made = await ensureAdministrator(api.runtimeDataSource, {
    username: 'petitions.worker',
    now: api.clock.now,
  });
  expect(made.created).toBe(false);
  expect((await api.gql(`{ me { username } }`, {}, before)).errors?.[0]?.extensions?.code).toBe(
    'UNAUTHENTICATED',
  );
  const login = (
    await api.gql(LOGIN, { input: { username: 'petitions.worker', password: made.temporaryPassword } })
  ).data?.login;
  expect(login.user.capabilities).toEqual(['ADMIN']);
  expect(login.user.active).toBe(true);
  expect(login.passwordChangeRequired).toBe(true);
  await expect(
    ensureAdministrator(api.runtimeDataSource, { username: 'Not Valid', now: api.clock.now }),
  ).rejects.toThrow(/lowercase/);
});
