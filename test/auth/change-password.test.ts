// Changing one's own password (issue 20 item 2): the current password is required and its check is
// throttled with sign-in; the new one must pass the policy; the change ends one's other sessions and
// writes no password anywhere. A hash made with weaker argon2 parameters is made again at sign-in.
import * as argon2 from '@node-rs/argon2';
import { startTestApi, type TestApi } from '../support/api';
import { TEST_PASSWORD } from '../support/template';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { token passwordChangeRequired userErrors { code message } } }`;
const CHANGE = `mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { user { username passwordChangeRequired } endedSessionCount userErrors { field code message } } }`;
const ME = `{ me { username } }`;

async function signIn(username: string, password = TEST_PASSWORD) {
  const result = await api.gql(LOGIN, { input: { username, password } });
  return result.data?.login as { token: string | null; userErrors: { code: string; message: string }[] };
}

async function hashOf(username: string): Promise<string> {
  const [row] = await api.dataSource.query(`SELECT password_hash FROM users WHERE username = $1`, [username]);
  return row.password_hash;
}

test('the current password is required, the new one must pass the policy, and a refusal changes nothing', async () => {
  const token = (await signIn('civil_affairs.worker')).token as string;
  const before = await hashOf('civil_affairs.worker');
  const wrong = await api.gql(
    CHANGE,
    { input: { currentPassword: 'not-it', newPassword: 'lantern-orbit-77' } },
    token,
  );
  expect(wrong.data?.changePassword.userErrors).toEqual([
    {
      field: 'input.currentPassword',
      code: 'UNAUTHENTICATED',
      message: '当前密码错误 / The current password is wrong',
    },
  ]);
  for (const [newPassword, message] of [
    ['short-1', /at least 12 characters/],
    ['qwerty123456', /10,000 most common/],
    ['civil_affairs.worker-2026', /username/],
    [TEST_PASSWORD, /must differ from the current password/],
  ] as const) {
    const weak = await api.gql(CHANGE, { input: { currentPassword: TEST_PASSWORD, newPassword } }, token);
    expect(weak.data?.changePassword.user).toBeNull();
    expect(weak.data?.changePassword.userErrors[0].field).toBe('input.newPassword');
    expect(weak.data?.changePassword.userErrors[0].message).toMatch(message);
  }
  expect(await hashOf('civil_affairs.worker')).toBe(before);
  expect((await signIn('civil_affairs.worker')).token).toEqual(expect.any(String));
});

test('a change ends the other sessions, keeps this one, and the new password signs in instead of the old', async () => {
  const token = (await signIn('justice.leader')).token as string;
  const elsewhere = (await signIn('justice.leader')).token as string;
  const newPassword = '长城 黄河 泰山 长江';
  const changed = await api.gql(CHANGE, { input: { currentPassword: TEST_PASSWORD, newPassword } }, token);
  expect(changed.data?.changePassword).toEqual({
    user: { username: 'justice.leader', passwordChangeRequired: false },
    endedSessionCount: 1,
    userErrors: [],
  });
  expect((await api.gql(ME, {}, token)).data?.me.username).toBe('justice.leader');
  expect((await api.gql(ME, {}, elsewhere)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect((await signIn('justice.leader')).userErrors[0]?.code).toBe('UNAUTHENTICATED');
  expect((await signIn('justice.leader', newPassword)).token).toEqual(expect.any(String));
  // Neither password, nor a hash, went into the audit log.
  const entries: { detail: unknown; fields: string[] }[] = await api.dataSource.query(
    `SELECT detail, fields FROM audit_entries WHERE operation = 'changePassword'`,
  );
  expect(entries.length).toBeGreaterThan(0);
  const text = JSON.stringify(entries);
  for (const secret of [newPassword, TEST_PASSWORD, 'argon2']) expect(text).not.toContain(secret);
  expect(entries.at(-1)?.fields).toEqual(['password']);
});

test('guessing the current password through changePassword is throttled like sign-in, and counts with it', async () => {
  const token = (await signIn('veterans.worker')).token as string;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const guess = await api.gql(
      CHANGE,
      { input: { currentPassword: `guess-${attempt}`, newPassword: 'lantern-orbit-77' } },
      token,
    );
    expect(guess.data?.changePassword.userErrors[0].code).toBe('UNAUTHENTICATED');
  }
  const throttled = await api.gql(
    CHANGE,
    { input: { currentPassword: TEST_PASSWORD, newPassword: 'lantern-orbit-77' } },
    token,
  );
  expect(throttled.data?.changePassword.userErrors[0]).toMatchObject({
    field: 'input.currentPassword',
    code: 'FORBIDDEN',
    message: expect.stringMatching(/try again in 1 second$/),
  });
  // The same count refuses a sign-in from this address.
  expect((await signIn('veterans.worker')).userErrors[0]?.code).toBe('FORBIDDEN');
  const guesses = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_entries
      WHERE action = 'LOGIN_FAILED' AND operation = 'changePassword' AND detail->>'username' = 'veterans.worker'`,
  );
  expect(guesses).toEqual([{ n: 5 }]);
});

test('a hash made with weaker argon2 parameters is made again with the current ones at sign-in', async () => {
  const weaker = await argon2.hash(TEST_PASSWORD, {
    algorithm: 2,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  await api.dataSource.query(`UPDATE users SET password_hash = $1 WHERE username = 'land_resources.worker'`, [
    weaker,
  ]);
  expect((await signIn('land_resources.worker')).token).toEqual(expect.any(String));
  const rehashed = await hashOf('land_resources.worker');
  expect(rehashed).not.toBe(weaker);
  expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$/);
  expect((await signIn('land_resources.worker')).token).toEqual(expect.any(String));
  expect(await hashOf('land_resources.worker')).toBe(rehashed);
  const [login] = await api.dataSource.query(
    `SELECT detail FROM audit_entries WHERE action = 'LOGIN' AND detail->>'username' = 'land_resources.worker'
      ORDER BY seq LIMIT 1`,
  );
  expect(login.detail).toEqual({ username: 'land_resources.worker', passwordRehashed: true });
});
