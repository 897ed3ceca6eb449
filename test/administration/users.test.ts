// User administration through the real server (issue 20 item 1, and the password reset of item 2):
// a new worker created by an ADMIN signs in once with a temporary password, must change it, and is
// scoped to the grid given; moved to another grid, sees the new one from the next request and nothing
// of the old; disabled, stops at once; a reset password works once and must be changed; the list
// filters; a staff list imports all or nothing, by username, with problems named by line.
import { totpCode } from '../../src/auth/totp';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;
let admin: string;
let inGridA: string;
let inGridB: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.login('admin');
  inGridA = await registerPerson(api, await api.login('grid.worker'), {
    name: '东一居民',
    gridId: await api.node('gridA'),
  });
  inGridB = await registerPerson(api, await api.login('gridb.worker'), {
    name: '东二居民',
    gridId: await api.node('gridB'),
  });
});
afterAll(() => api.close());

const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { token passwordChangeRequired secondFactorEnrolmentRequired userErrors { code message } } }`;
const CREATE = `mutation($input: CreateUserInput!) {
  createUser(input: $input) {
    user { id username version passwordChangeRequired active jurisdiction { code } department { code } }
    temporaryPassword temporaryPasswordExpiresAt userErrors { field code message } } }`;
const UPDATE = `mutation($input: UpdateUserInput!) {
  updateUser(input: $input) { user { version jurisdictionId position } userErrors { field code message } } }`;
const CHANGE = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { userErrors { message } } }`;
const PERSONS = `{ persons(first: 100) { edges { node { id } } } }`;

const code = (result: GraphQLResponse) => result.errors?.[0]?.extensions?.code;

async function signIn(username: string, password: string) {
  return (await api.gql(LOGIN, { input: { username, password } })).data?.login as {
    token: string | null;
    passwordChangeRequired: boolean;
    secondFactorEnrolmentRequired: boolean;
    userErrors: { code: string }[];
  };
}

/** Enrols a second factor on this session, as a LEADER, ADMIN or AUDITOR must before anything else. */
async function enrolSecondFactor(token: string): Promise<void> {
  const begun = await api.gql(`mutation { beginTotpEnrolment { secret } }`, {}, token);
  const confirmed = await api.gql(
    `mutation($input: ConfirmTotpEnrolmentInput!) { confirmTotpEnrolment(input: $input) { userErrors { message } } }`,
    { input: { code: totpCode(begun.data?.beginTotpEnrolment.secret, api.clock.now) } },
    token,
  );
  expect(confirmed.data?.confirmTotpEnrolment.userErrors).toEqual([]);
}

async function create(input: Record<string, unknown>, as = admin) {
  const result = await api.gql(CREATE, { input }, as);
  return result.data?.createUser;
}

async function personsSeen(token: string): Promise<string[]> {
  const result = await api.gql(PERSONS, {}, token);
  return result.data?.persons.edges.map((edge: { node: { id: string } }) => edge.node.id) ?? [];
}

/** Signs in with a temporary password and changes it; the token, now unrestricted. */
async function firstSignIn(
  username: string,
  temporaryPassword: string,
  newPassword = 'lantern-orbit-2026',
): Promise<string> {
  const login = await signIn(username, temporaryPassword);
  expect(login.passwordChangeRequired).toBe(true);
  const token = login.token as string;
  const changed = await api.gql(
    CHANGE,
    { input: { currentPassword: temporaryPassword, newPassword } },
    token,
  );
  expect(changed.data?.changePassword.userErrors).toEqual([]);
  if (login.secondFactorEnrolmentRequired) await enrolSecondFactor(token);
  return token;
}

test('a new worker signs in once with the temporary password, may only change it, then sees the grid given', async () => {
  const created = await create({
    username: 'new.worker',
    displayName: '新网格员',
    departmentCode: 'GRID',
    position: 'WORKER',
    jurisdictionId: await api.node('gridB'),
  });
  expect(created.userErrors).toEqual([]);
  expect(created.user).toMatchObject({
    username: 'new.worker',
    version: 1,
    passwordChangeRequired: true,
    active: true,
    jurisdiction: { code: 'C01.S01.V01.G02' },
    department: { code: 'GRID' },
  });
  const temporary: string = created.temporaryPassword;
  expect(temporary).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);

  const login = await signIn('new.worker', temporary);
  expect(login.passwordChangeRequired).toBe(true);
  const token = login.token as string;
  const refused = await api.gql(PERSONS, {}, token);
  expect(refused.data).toBeUndefined();
  expect(refused.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'PASSWORD_CHANGE_REQUIRED' });
  expect(refused.errors?.[0]?.message).toMatch(/changePassword, me, logout/);
  // Fields under another alias or in a fragment are refused alike; me is allowed.
  const sneaky = await api.gql(
    `{ me { username } ...F } fragment F on Query { jurisdictions { id } }`,
    {},
    token,
  );
  expect(sneaky.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN', reason: 'PASSWORD_CHANGE_REQUIRED' });
  expect((await api.gql(`{ me { username passwordChangeRequired } }`, {}, token)).data?.me).toEqual({
    username: 'new.worker',
    passwordChangeRequired: true,
  });
  // The temporary password worked once.
  expect((await signIn('new.worker', temporary)).userErrors[0]?.code).toBe('UNAUTHENTICATED');

  const changed = await api.gql(
    CHANGE,
    { input: { currentPassword: temporary, newPassword: 'lantern-orbit-2026' } },
    token,
  );
  expect(changed.data?.changePassword.userErrors).toEqual([]);
  const seen = await personsSeen(token);
  expect(seen).toContain(inGridB);
  expect(seen).not.toContain(inGridA);
  const entries = JSON.stringify(
    await api.dataSource.query(
      `SELECT detail FROM audit_entries WHERE operation IN ('createUser', 'login', 'changePassword')`,
    ),
  );
  expect(entries).not.toContain(temporary);
  expect(entries).not.toContain('lantern-orbit-2026');
});

test('moved to another grid, the user sees the new grid from the next request and nothing of the old', async () => {
  const created = await create({
    username: 'moving.worker',
    displayName: '调动网格员',
    departmentCode: 'GRID',
    position: 'WORKER',
    jurisdictionId: await api.node('gridB'),
  });
  const token = await firstSignIn('moving.worker', created.temporaryPassword);
  expect(await personsSeen(token)).toContain(inGridB);

  const moved = await api.gql(
    UPDATE,
    {
      input: {
        userId: created.user.id,
        expectedVersion: 1,
        jurisdictionId: await api.node('gridA'),
        position: 'LEADER',
      },
    },
    admin,
  );
  expect(moved.data?.updateUser).toEqual({
    user: { version: 2, jurisdictionId: await api.node('gridA'), position: 'LEADER' },
    userErrors: [],
  });
  // A LEADER signs in with a second factor: this session enrols one before it reads anything.
  await enrolSecondFactor(token);
  const seen = await personsSeen(token);
  expect(seen).toContain(inGridA);
  expect(seen).not.toContain(inGridB);
  expect(code(await api.gql(`query($id: ID!) { person(id: $id) { name } }`, { id: inGridB }, token))).toBe(
    'NOT_FOUND',
  );

  const stale = await api.gql(
    UPDATE,
    { input: { userId: created.user.id, expectedVersion: 1, displayName: '旧' } },
    admin,
  );
  expect(stale.data?.updateUser.userErrors).toEqual([
    { field: 'input.expectedVersion', code: 'CONFLICT', message: expect.any(String) },
  ]);
  const [audit] = await api.dataSource.query(
    `SELECT fields, detail FROM audit_entries WHERE operation = 'updateUser' ORDER BY seq DESC LIMIT 1`,
  );
  expect(audit.fields.sort()).toEqual(['jurisdictionId', 'position']);
  expect(audit.detail.changes.position).toEqual({ from: 'WORKER', to: 'LEADER' });
});

test('a disabled user is refused at once and its sessions end; enabled again, it signs in anew', async () => {
  const created = await create({
    username: 'leaving.worker',
    displayName: '离职人员',
    departmentCode: 'POLICE',
    position: 'WORKER',
    jurisdictionId: await api.node('street'),
  });
  const token = await firstSignIn('leaving.worker', created.temporaryPassword, 'river-stone-cloud-9');
  const DISABLE = `mutation($input: DisableUserInput!) { disableUser(input: $input) { user { active version } userErrors { message } } }`;
  const disabled = await api.gql(DISABLE, { input: { userId: created.user.id, reason: '调离' } }, admin);
  expect(disabled.data?.disableUser).toEqual({ user: { active: false, version: 2 }, userErrors: [] });
  expect(code(await api.gql(`{ me { username } }`, {}, token))).toBe('UNAUTHENTICATED');
  expect((await signIn('leaving.worker', 'river-stone-cloud-9')).userErrors[0]?.code).toBe('UNAUTHENTICATED');
  const sessions = await api.dataSource.query(`SELECT end_reason FROM sessions WHERE user_id = $1`, [
    created.user.id,
  ]);
  expect(sessions).toEqual([{ end_reason: 'ACCOUNT_DISABLED' }]);

  const ENABLE = `mutation($input: UserIdInput!) { enableUser(input: $input) { user { active } userErrors { message } } }`;
  expect(
    (await api.gql(ENABLE, { input: { userId: created.user.id } }, admin)).data?.enableUser.user.active,
  ).toBe(true);
  // The old token stays refused: its session ended with the disabling.
  expect(code(await api.gql(`{ me { username } }`, {}, token))).toBe('UNAUTHENTICATED');
  expect((await signIn('leaving.worker', 'river-stone-cloud-9')).token).toEqual(expect.any(String));

  const self = await api.gql(
    DISABLE,
    { input: { userId: (await api.gql(`{ me { id } }`, {}, admin)).data?.me.id } },
    admin,
  );
  expect(self.data?.disableUser.userErrors[0].message).toMatch(/your own account/);
});

test('a reset password works once, ends the sessions, and must be changed', async () => {
  const [{ id }] = await api.dataSource.query(
    `SELECT id FROM users WHERE username = 'social_affairs.worker'`,
  );
  const before = await api.login('social_affairs.worker');
  const RESET = `mutation($input: UserIdInput!) {
    resetPassword(input: $input) { temporaryPassword temporaryPasswordExpiresAt endedSessionCount user { passwordChangeRequired } userErrors { message } } }`;
  const reset = (await api.gql(RESET, { input: { userId: id } }, admin)).data?.resetPassword;
  expect(reset.userErrors).toEqual([]);
  expect(reset.endedSessionCount).toBe(1);
  expect(reset.user.passwordChangeRequired).toBe(true);
  expect(new Date(reset.temporaryPasswordExpiresAt).getTime() - api.clock.now.getTime()).toBe(7 * 86400000);
  expect(code(await api.gql(`{ me { username } }`, {}, before))).toBe('UNAUTHENTICATED');

  const login = await signIn('social_affairs.worker', reset.temporaryPassword);
  expect(login.passwordChangeRequired).toBe(true);
  expect((await signIn('social_affairs.worker', reset.temporaryPassword)).userErrors[0]?.code).toBe(
    'UNAUTHENTICATED',
  );
  expect(code(await api.gql(PERSONS, {}, login.token as string))).toBe('FORBIDDEN');
  const changed = await api.gql(
    CHANGE,
    { input: { currentPassword: reset.temporaryPassword, newPassword: 'harbour-lamp-4417' } },
    login.token as string,
  );
  expect(changed.data?.changePassword.userErrors).toEqual([]);
  expect((await api.gql(PERSONS, {}, login.token as string)).errors).toBeUndefined();
  const audit = JSON.stringify(
    await api.dataSource.query(`SELECT detail FROM audit_entries WHERE operation = 'resetPassword'`),
  );
  expect(audit).not.toContain(reset.temporaryPassword);
});

test('a temporary password not used within its lifetime no longer signs in', async () => {
  const created = await create({
    username: 'late.worker',
    displayName: '迟到',
    departmentCode: 'JUSTICE',
    position: 'WORKER',
    jurisdictionId: await api.node('street'),
  });
  const saved = api.clock.now;
  api.clock.now = new Date(saved.getTime() + 7 * 86400000 + 1000);
  try {
    expect((await signIn('late.worker', created.temporaryPassword)).userErrors[0]?.code).toBe(
      'UNAUTHENTICATED',
    );
  } finally {
    api.clock.now = saved;
  }
});

test('bad input comes back as userErrors and creates nothing; only an ADMIN administers users', async () => {
  const base = {
    username: 'bad.input',
    displayName: '测试',
    departmentCode: 'GRID',
    position: 'WORKER',
    jurisdictionId: await api.node('gridA'),
  };
  expect((await create({ ...base, username: 'grid.worker' })).userErrors[0]).toMatchObject({
    field: 'input.username',
    code: 'CONFLICT',
  });
  // A department code is an enum: one not in it is refused before anything runs.
  const unknownDepartment = await api.gql(CREATE, { input: { ...base, departmentCode: 'NO_SUCH' } }, admin);
  expect([unknownDepartment.errors?.[0]?.extensions?.code, unknownDepartment.data?.createUser]).toEqual([
    'BAD_USER_INPUT',
    undefined,
  ]);
  expect(
    (await create({ ...base, jurisdictionId: '00000000-0000-4000-8000-000000000000' })).userErrors[0],
  ).toMatchObject({
    field: 'input.jurisdictionId',
  });
  expect((await create({ ...base, username: 'X' })).userErrors[0]).toMatchObject({ field: 'input.username' });
  expect(await api.dataSource.query(`SELECT 1 FROM users WHERE username = 'bad.input'`)).toEqual([]);
  const forbidden = await api.gql(
    CREATE,
    { input: base },
    await api.login('comprehensive_governance.leader'),
  );
  expect(code(forbidden)).toBe('FORBIDDEN');
  expect(code(await api.gql(`{ users { totalCount } }`, {}, await api.login('auditor')))).toBe('FORBIDDEN');
});

test('an idempotent retry of createUser returns the account without showing a password again', async () => {
  const input = {
    username: 'retry.worker',
    displayName: '重试',
    departmentCode: 'GRID',
    position: 'WORKER',
    jurisdictionId: await api.node('gridC'),
    idempotencyKey: 'retry-1',
  };
  const first = await create(input);
  const again = await create(input);
  expect(again.user.id).toBe(first.user.id);
  expect(first.temporaryPassword).toEqual(expect.any(String));
  expect(again.temporaryPassword).toBeNull();
});

test('an ADMIN of a village manages only the accounts of its village', async () => {
  const created = await create({
    username: 'village.admin',
    displayName: '东村管理员',
    departmentCode: 'GRID',
    position: 'WORKER',
    jurisdictionId: await api.node('villageA'),
    capabilities: ['ADMIN'],
  });
  const villageAdmin = await firstSignIn('village.admin', created.temporaryPassword, 'quiet-meadow-5511');
  const [{ id: inVillageB }] = await api.dataSource.query(
    `SELECT id FROM users WHERE username = 'gridc.worker'`,
  );
  const outside = await api.gql(
    UPDATE,
    { input: { userId: inVillageB, expectedVersion: 1, displayName: 'x' } },
    villageAdmin,
  );
  expect(outside.data?.updateUser.userErrors[0]).toMatchObject({ field: 'input.userId', code: 'NOT_FOUND' });
  const listed = await api.gql(`{ users(first: 100) { edges { node { username } } } }`, {}, villageAdmin);
  const usernames = listed.data?.users.edges.map(
    (edge: { node: { username: string } }) => edge.node.username,
  );
  expect(usernames).toContain('gridb.worker');
  expect(usernames).not.toContain('gridc.worker');
  expect(usernames).not.toContain('admin');
  const intoVillageB = await create(
    {
      username: 'wrong.place',
      displayName: 'x',
      departmentCode: 'GRID',
      position: 'WORKER',
      jurisdictionId: await api.node('gridC'),
    },
    villageAdmin,
  );
  expect(intoVillageB.userErrors[0]).toMatchObject({ field: 'input.jurisdictionId' });
});

test('the users list filters by department, position, jurisdiction subtree and active, and pages by cursor', async () => {
  const USERS = `query($filter: UserFilter, $first: Int, $after: String) {
    users(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { username departmentCode position active } } } }`;
  const list = async (filter: Record<string, unknown>, first = 100, after?: string) =>
    (await api.gql(USERS, { filter, first, after }, admin)).data?.users;
  const names = (page: { edges: { node: { username: string } }[] }) =>
    page.edges.map((edge) => edge.node.username).sort();

  expect(names(await list({ departmentCode: 'POLICE', position: 'LEADER' }))).toEqual(['police.leader']);
  const villageA = names(await list({ jurisdictionId: await api.node('villageA') }));
  expect(villageA).toEqual(expect.arrayContaining(['grid.worker', 'gridb.worker', 'villagea.leader']));
  expect(villageA).not.toContain('gridc.worker');
  expect(villageA).not.toContain('police.worker');
  const inactive = await list({ active: false });
  expect(inactive.edges.every((edge: { node: { active: boolean } }) => !edge.node.active)).toBe(true);
  expect(names(await list({ search: 'VILLAGEB' }))).toEqual(['villageb.leader']);

  const everyone = await list({});
  const pages: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await list({}, 7, after);
    expect(page.totalCount).toBe(everyone.totalCount);
    pages.push(...page.edges.map((edge: { node: { username: string } }) => edge.node.username));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(pages.sort()).toEqual(names(everyone));
  expect(new Set(pages).size).toBe(everyone.totalCount);
  // Service accounts are not in the users list.
  expect(pages).not.toContain(expect.stringMatching(/^svc/));
});

describe('importing a staff list', () => {
  const IMPORT = `mutation($input: ImportUsersInput!) {
    importUsers(input: $input) {
      dryRun created updated unchanged temporaryPasswords { username temporaryPassword } temporaryPasswordsExpireAt
      userErrors { field code message } } }`;
  const run = async (csv: string, dryRun = false) =>
    (await api.gql(IMPORT, { input: { csv, dryRun } }, admin)).data?.importUsers;
  const count = async () =>
    (await api.dataSource.query(`SELECT count(*)::int AS n FROM users`))[0].n as number;

  const LIST = [
    'username,displayName,departmentCode,position,jurisdictionCode',
    'staff.one,张一,GRID,WORKER,C01.S01.V02.G01',
    '"staff.two","李二, 副组长",CIVIL_AFFAIRS,LEADER,C01.S01',
    'staff.three,"王""三""",GRID,WORKER,C01.S01.V02.G02',
  ].join('\r\n');

  test('every bad line is named and nothing is written', async () => {
    const before = await count();
    const bad = await run(
      [
        'username,displayName,departmentCode,position,jurisdictionCode',
        'ok.one,好的,GRID,WORKER,C01.S01.V01.G01',
        'bad.dept,部门错,NO_SUCH,WORKER,C01.S01',
        'bad.position,职务错,GRID,BOSS,C01.S01',
        '',
        'ok.one,重复,GRID,WORKER,C01.S01.V01.G01',
        'bad.node,辖区错,GRID,WORKER,C99',
        'Bad Name,,GRID,WORKER,C01.S01',
        'short.row,少一列,GRID,WORKER',
      ].join('\n'),
    );
    expect(bad.created).toBe(0);
    expect(bad.userErrors.map((error: { field: string }) => error.field)).toEqual([
      'input.csv.3',
      'input.csv.4',
      'input.csv.6',
      'input.csv.7',
      'input.csv.8',
      'input.csv.8',
      'input.csv.9',
      'input.csv.9',
    ]);
    expect(bad.userErrors[0].message).toBe('第 3 行有误 / Line 3: no department NO_SUCH');
    expect(bad.userErrors[2].message).toBe(
      '第 6 行有误 / Line 6: username ok.one is listed already on line 2',
    );
    expect(await count()).toBe(before);
    const unreadable = await run('username,displayName\n"unclosed,x');
    expect(unreadable.userErrors[0]).toMatchObject({
      field: 'input.csv.2',
      message: '第 2 行有误 / Line 2: a quoted field is not closed',
    });
  });

  test('a dry run counts and writes nothing; the import creates, issues passwords once, and a re-import changes nothing', async () => {
    const before = await count();
    const dry = await run(LIST, true);
    expect(dry).toMatchObject({
      dryRun: true,
      created: 3,
      updated: 0,
      unchanged: 0,
      temporaryPasswords: [],
      userErrors: [],
    });
    expect(await count()).toBe(before);

    const done = await run(LIST);
    expect(done).toMatchObject({ dryRun: false, created: 3, updated: 0, unchanged: 0, userErrors: [] });
    expect(done.temporaryPasswords.map((entry: { username: string }) => entry.username)).toEqual([
      'staff.one',
      'staff.two',
      'staff.three',
    ]);
    expect(await count()).toBe(before + 3);
    const [two] = await api.dataSource.query(
      `SELECT u.display_name, u.position, j.code, u.password_change_required FROM users u
         JOIN jurisdictions j ON j.id = u.jurisdiction_id WHERE u.username = 'staff.two'`,
    );
    expect(two).toEqual({
      display_name: '李二, 副组长',
      position: 'LEADER',
      code: 'C01.S01',
      password_change_required: true,
    });
    const three = done.temporaryPasswords[2].temporaryPassword;
    expect((await signIn('staff.three', three)).passwordChangeRequired).toBe(true);

    const again = await run(LIST);
    expect(again).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 3,
      temporaryPasswords: [],
      userErrors: [],
    });
    const moved = await run(
      LIST.replace(
        'staff.one,张一,GRID,WORKER,C01.S01.V02.G01',
        'staff.one,张一,GRID,LEADER,C01.S01.V02.G01',
      ),
    );
    expect(moved).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    const audit = JSON.stringify(
      await api.dataSource.query(`SELECT detail FROM audit_entries WHERE operation = 'importUsers'`),
    );
    for (const { temporaryPassword } of done.temporaryPasswords)
      expect(audit).not.toContain(temporaryPassword);
  });
});
