// The second factor through the real server (issue 20 item 4): a LEADER without one cannot sign in —
// its password opens a session that may only enrol one; enrolment shows the secret once and gives
// recovery codes once; then the password alone gives no token, a current code does, once; wrong codes
// are throttled and audited with wrong passwords; an ADMIN resets a lost one. WORKERs are unaffected.
import { base32Decode } from '../../src/auth/base32';
import { totpCode } from '../../src/auth/totp';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { TEST_PASSWORD } from '../support/template';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) {
  token user { username } passwordChangeRequired secondFactorRequired secondFactorChallenge
  secondFactorChallengeExpiresAt secondFactorEnrolmentRequired userErrors { field code message } } }`;
const VERIFY = `mutation($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) {
  token user { username } recoveryCodesLeft userErrors { field code message } } }`;
const BEGIN = `mutation { beginTotpEnrolment { secret otpauthUri userErrors { code message } } }`;
const CONFIRM = `mutation($input: ConfirmTotpEnrolmentInput!) { confirmTotpEnrolment(input: $input) {
  user { username secondFactorEnrolledAt } recoveryCodes userErrors { field code message } } }`;
const RESET = `mutation($input: ResetSecondFactorInput!) { resetSecondFactor(input: $input) {
  user { username secondFactorEnrolledAt } endedSessionCount userErrors { field code message } } }`;
const PERSONS = `{ persons(first: 1) { totalCount } }`;
const ME = `{ me { username secondFactorEnrolledAt } }`;

const login = async (username: string, password = TEST_PASSWORD) =>
  (await api.gql(LOGIN, { input: { username, password } })).data?.login;
const verify = async (input: Record<string, unknown>) =>
  (await api.gql(VERIFY, { input })).data?.verifySecondFactor;
const refusal = (result: GraphQLResponse) =>
  result.errors?.[0]?.extensions as { code?: string; reason?: string } | undefined;
const codeNow = (secret: string) => totpCode(secret, api.clock.now);
/** On to the next time step: the authenticator app shows a new code. */
const nextStep = () => {
  api.clock.now = new Date(api.clock.now.getTime() + 30_000);
};
const userId = async (username: string): Promise<string> =>
  (await api.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]))[0].id;

/** Enrols `username` through the API as its owner would; the secret and the recovery codes. */
async function enrol(username: string): Promise<{ secret: string; recoveryCodes: string[]; token: string }> {
  const token = (await login(username)).token as string;
  const begun = (await api.gql(BEGIN, {}, token)).data?.beginTotpEnrolment;
  const confirmed = (await api.gql(CONFIRM, { input: { code: codeNow(begun.secret) } }, token)).data
    ?.confirmTotpEnrolment;
  expect(confirmed.userErrors).toEqual([]);
  nextStep();
  return { secret: begun.secret, recoveryCodes: confirmed.recoveryCodes, token };
}

test('a LEADER without a second factor cannot sign in: its password opens a session that may only enrol one', async () => {
  const signedIn = await login('grid.leader');
  expect(signedIn).toMatchObject({
    secondFactorRequired: false,
    secondFactorEnrolmentRequired: true,
    userErrors: [],
  });
  const token = signedIn.token as string;
  for (const query of [
    PERSONS,
    `{ disputes(first: 1) { totalCount } }`,
    `{ jurisdictions { id } }`,
    `{ departments { code } }`,
    `mutation { registerPerson(input: { name: "甲", gridId: "00000000-0000-4000-8000-000000000000" }) { person { id } } }`,
  ]) {
    const refused = await api.gql(query, {}, token);
    expect({ query, refused: refusal(refused) }).toEqual({
      query,
      refused: { code: 'FORBIDDEN', reason: 'SECOND_FACTOR_REQUIRED' },
    });
    expect(refused.data ?? null).toBeNull();
  }
  expect((await api.gql(ME, {}, token)).data?.me).toEqual({
    username: 'grid.leader',
    secondFactorEnrolledAt: null,
  });
  // ADMIN and AUDITOR accounts the same, whatever their position.
  for (const [username, query] of [
    ['admin', `{ users(first: 1) { totalCount } }`],
    ['auditor', `{ auditTrail(first: 1) { __typename } }`],
  ] as const) {
    const other = await login(username);
    expect(other.secondFactorEnrolmentRequired).toBe(true);
    expect(refusal(await api.gql(query, {}, other.token))).toEqual({
      code: 'FORBIDDEN',
      reason: 'SECOND_FACTOR_REQUIRED',
    });
  }
});

test('enrolment shows the secret once, takes a current code, gives recovery codes once, and opens this session', async () => {
  const token = (await login('civil_affairs.leader')).token as string;
  const begun = (await api.gql(BEGIN, {}, token)).data?.beginTotpEnrolment;
  expect(begun.userErrors).toEqual([]);
  expect(base32Decode(begun.secret)).toHaveLength(20);
  expect(begun.otpauthUri).toBe(
    `otpauth://totp/Concord:civil_affairs.leader?secret=${begun.secret}&issuer=Concord`,
  );
  const wrong = await api.gql(CONFIRM, { input: { code: '000000' } }, token);
  expect(wrong.data?.confirmTotpEnrolment).toMatchObject({ user: null, recoveryCodes: null });
  expect(wrong.data?.confirmTotpEnrolment.userErrors[0]).toMatchObject({ field: 'input.code' });
  expect(refusal(await api.gql(PERSONS, {}, token))?.reason).toBe('SECOND_FACTOR_REQUIRED');

  const confirmed = (await api.gql(CONFIRM, { input: { code: codeNow(begun.secret) } }, token)).data
    ?.confirmTotpEnrolment;
  expect(confirmed.userErrors).toEqual([]);
  expect(confirmed.user).toEqual({
    username: 'civil_affairs.leader',
    secondFactorEnrolledAt: api.clock.now.toISOString(),
  });
  expect(confirmed.recoveryCodes).toHaveLength(10);
  // The session that confirmed has passed the second factor: it works now.
  expect((await api.gql(PERSONS, {}, token)).data?.persons.totalCount).toEqual(expect.any(Number));
  // The secret is not shown again; a second enrolment is refused until an ADMIN resets this one.
  const again = (await api.gql(BEGIN, {}, token)).data?.beginTotpEnrolment;
  expect(again).toMatchObject({ secret: null, otpauthUri: null, userErrors: [{ code: 'CONFLICT' }] });

  // Stored sealed and hashed; no secret or code in the audit log.
  const [row] = await api.dataSource.query(
    `SELECT totp_secret_sealed, recovery_code_hashes FROM users WHERE username = 'civil_affairs.leader'`,
  );
  const stored = JSON.stringify(row);
  expect(stored).not.toContain(begun.secret);
  for (const code of confirmed.recoveryCodes) expect(stored).not.toContain(code.replace(/-/g, ''));
  const audit = await api.dataSource.query(
    `SELECT operation, fields, detail FROM audit_entries
      WHERE operation IN ('beginTotpEnrolment', 'confirmTotpEnrolment') AND actor_id = $1 ORDER BY seq`,
    [await userId('civil_affairs.leader')],
  );
  // The refused second beginTotpEnrolment changed nothing, so wrote nothing.
  expect(audit).toEqual([
    { operation: 'beginTotpEnrolment', fields: ['secondFactor'], detail: {} },
    {
      operation: 'confirmTotpEnrolment',
      fields: ['secondFactor', 'recoveryCodes'],
      detail: { recoveryCodeCount: 10 },
    },
  ]);
  expect(JSON.stringify(audit)).not.toContain(begun.secret);
});

test('once enrolled, the password gives no token but a challenge; a current code completes the sign-in, once', async () => {
  const { secret } = await enrol('justice.leader');
  const first = await login('justice.leader');
  expect(first).toMatchObject({
    token: null,
    user: null,
    secondFactorRequired: true,
    secondFactorEnrolmentRequired: false,
    userErrors: [],
  });
  expect(new Date(first.secondFactorChallengeExpiresAt).getTime() - api.clock.now.getTime()).toBe(300_000);
  // A challenge is no access token.
  expect(refusal(await api.gql(ME, {}, first.secondFactorChallenge))?.code).toBe('UNAUTHENTICATED');

  const wrong = await verify({ challenge: first.secondFactorChallenge, code: '123456' });
  expect(wrong).toMatchObject({
    token: null,
    userErrors: [{ field: 'input.code', code: 'UNAUTHENTICATED' }],
  });
  const code = codeNow(secret);
  const done = await verify({ challenge: first.secondFactorChallenge, code });
  expect(done).toMatchObject({ user: { username: 'justice.leader' }, userErrors: [] });
  expect((await api.gql(PERSONS, {}, done.token)).data?.persons.totalCount).toEqual(expect.any(Number));

  // The same code, even with a new password sign-in in the same 30 seconds, does not work again.
  const second = await login('justice.leader');
  const replayed = await verify({ challenge: second.secondFactorChallenge, code });
  expect(replayed).toMatchObject({ token: null, userErrors: [{ code: 'UNAUTHENTICATED' }] });
  nextStep();
  const later = await verify({ challenge: second.secondFactorChallenge, code: codeNow(secret) });
  expect(later.token).toEqual(expect.any(String));
  // A challenge signs in once: answered, it takes no further code, even a fresh one.
  nextStep();
  expect(
    (await verify({ challenge: second.secondFactorChallenge, code: codeNow(secret) })).userErrors,
  ).toEqual([expect.objectContaining({ field: 'input.challenge', code: 'UNAUTHENTICATED' })]);
  expect(
    (await verify({ challenge: first.secondFactorChallenge, code: codeNow(secret) })).userErrors,
  ).toEqual([expect.objectContaining({ field: 'input.challenge', code: 'UNAUTHENTICATED' })]);

  // An expired challenge, a forged one, or a code and a recovery code at once: nothing.
  const third = await login('justice.leader');
  api.clock.now = new Date(api.clock.now.getTime() + 301_000);
  expect(
    (await verify({ challenge: third.secondFactorChallenge, code: codeNow(secret) })).userErrors,
  ).toEqual([expect.objectContaining({ field: 'input.challenge', code: 'UNAUTHENTICATED' })]);
  expect((await verify({ challenge: done.token, code: codeNow(secret) })).userErrors[0].field).toBe(
    'input.challenge',
  );
  expect(
    (await verify({ challenge: third.secondFactorChallenge, code: '1', recoveryCode: '2' })).userErrors[0]
      .code,
  ).toBe('BAD_USER_INPUT');

  const entries = await api.dataSource.query(
    `SELECT action, operation, detail FROM audit_entries
      WHERE detail->>'username' = 'justice.leader' AND action IN ('LOGIN', 'LOGIN_FAILED') ORDER BY seq`,
  );
  expect(entries.slice(0, 5)).toEqual([
    {
      action: 'LOGIN',
      operation: 'login',
      detail: { username: 'justice.leader', secondFactorEnrolmentRequired: true },
    },
    { action: 'LOGIN', operation: 'login', detail: { username: 'justice.leader', secondFactor: 'REQUIRED' } },
    {
      action: 'LOGIN_FAILED',
      operation: 'verifySecondFactor',
      detail: { username: 'justice.leader', method: 'TOTP' },
    },
    {
      action: 'LOGIN',
      operation: 'verifySecondFactor',
      detail: { username: 'justice.leader', method: 'TOTP' },
    },
    { action: 'LOGIN', operation: 'login', detail: { username: 'justice.leader', secondFactor: 'REQUIRED' } },
  ]);
  expect(JSON.stringify(entries)).not.toContain(code);
});

test('a recovery code signs in once instead of a code', async () => {
  const { recoveryCodes } = await enrol('veterans.leader');
  const [recoveryCode, other] = recoveryCodes as [string, string];
  const first = await login('veterans.leader');
  const used = await verify({
    challenge: first.secondFactorChallenge,
    recoveryCode: recoveryCode.toLowerCase(),
  });
  expect(used).toMatchObject({ recoveryCodesLeft: 9, userErrors: [] });
  expect(used.token).toEqual(expect.any(String));
  const second = await login('veterans.leader');
  expect(
    (await verify({ challenge: second.secondFactorChallenge, recoveryCode })).userErrors[0],
  ).toMatchObject({ field: 'input.recoveryCode', code: 'UNAUTHENTICATED' });
  expect(
    (await verify({ challenge: second.secondFactorChallenge, recoveryCode: other })).recoveryCodesLeft,
  ).toBe(8);
  const [failed] = await api.dataSource.query(
    `SELECT detail FROM audit_entries WHERE action = 'LOGIN_FAILED' AND detail->>'username' = 'veterans.leader'`,
  );
  expect(failed.detail).toEqual({ username: 'veterans.leader', method: 'RECOVERY_CODE' });
});

test('wrong codes count against the same throttle as wrong passwords; the right code after the wait clears it', async () => {
  const { secret } = await enrol('police.leader');
  const challenge = (await login('police.leader')).secondFactorChallenge as string;
  // The password's attempt counts until a code completes it: with 4 wrong codes, 5 failures.
  for (let attempt = 0; attempt < 4; attempt += 1) {
    expect((await verify({ challenge, code: `00000${attempt}` })).userErrors[0].code).toBe('UNAUTHENTICATED');
  }
  const waiting = await verify({ challenge, code: codeNow(secret) });
  expect(waiting).toMatchObject({
    token: null,
    userErrors: [{ code: 'FORBIDDEN', message: expect.stringMatching(/try again in 1 second$/) }],
  });
  // The same keys: the password is refused from this address too, and guessing it would not reset them.
  expect((await login('police.leader')).userErrors[0].code).toBe('FORBIDDEN');
  api.clock.now = new Date(api.clock.now.getTime() + 1_000);
  const done = await verify({ challenge, code: codeNow(secret) });
  expect(done.token).toEqual(expect.any(String));
  // A completed sign-in clears the address's count.
  expect((await login('police.leader')).secondFactorRequired).toBe(true);
  const [{ n }] = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_entries
      WHERE action = 'LOGIN_FAILED' AND operation = 'verifySecondFactor' AND detail->>'username' = 'police.leader'`,
  );
  expect(n).toBe(4);
});

test('an ADMIN resets a lost second factor: the account’s sessions end and it enrols anew', async () => {
  const { token } = await enrol('petitions.leader');
  const admin = await api.login('admin');
  const target = await userId('petitions.leader');
  const denied = await api.gql(RESET, { input: { userId: target } }, await api.login('grid.worker'));
  expect(refusal(denied)?.code).toBe('FORBIDDEN');
  const self = (await api.gql(RESET, { input: { userId: await userId('admin') } }, admin)).data
    ?.resetSecondFactor;
  expect(self.userErrors[0].field).toBe('input.userId');

  const reset = (await api.gql(RESET, { input: { userId: target } }, admin)).data?.resetSecondFactor;
  expect(reset).toEqual({
    user: { username: 'petitions.leader', secondFactorEnrolledAt: null },
    endedSessionCount: 1,
    userErrors: [],
  });
  expect(refusal(await api.gql(ME, {}, token))?.code).toBe('UNAUTHENTICATED');
  const [entry] = await api.dataSource.query(
    `SELECT fields, detail, actor_id FROM audit_entries WHERE operation = 'resetSecondFactor' AND record_ids[1] = $1`,
    [target],
  );
  expect(entry).toEqual({
    fields: ['secondFactor', 'recoveryCodes'],
    detail: { hadSecondFactor: true, endedSessionCount: 1 },
    actor_id: await userId('admin'),
  });
  const after = await login('petitions.leader');
  expect(after).toMatchObject({ secondFactorRequired: false, secondFactorEnrolmentRequired: true });
});

test('a WORKER signs in with the password alone; promoted to LEADER, its session needs the second factor at once', async () => {
  const signedIn = await login('social_affairs.worker');
  expect(signedIn).toMatchObject({ secondFactorRequired: false, secondFactorEnrolmentRequired: false });
  expect((await api.gql(PERSONS, {}, signedIn.token)).data?.persons.totalCount).toEqual(expect.any(Number));
  await api.dataSource.query(`UPDATE users SET position = 'LEADER' WHERE username = 'social_affairs.worker'`);
  expect(refusal(await api.gql(PERSONS, {}, signedIn.token))?.reason).toBe('SECOND_FACTOR_REQUIRED');
  await api.dataSource.query(`UPDATE users SET position = 'WORKER' WHERE username = 'social_affairs.worker'`);
  expect((await api.gql(PERSONS, {}, signedIn.token)).data?.persons.totalCount).toEqual(expect.any(Number));
});
