// Registering, updating and listing persons through the real API.
import { startTestApi, type GraphQLResponse, type TestApi } from '../../support/api';
import { recordAssessment, registerPerson } from '../../support/fixtures';

let api: TestApi;
let worker: string;
let gridA: string;

const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { person { id name version tier } userErrors { field message code } }
}`;

beforeAll(async () => {
  api = await startTestApi();
  worker = await api.login('grid.worker');
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

async function personCount(): Promise<number> {
  const rows: { count: string }[] = await api.dataSource.query(`SELECT count(*) FROM persons`);
  return Number(rows[0]?.count);
}

test('a grid worker registers a person and reads it back', async () => {
  const result = await api.gql(
    REGISTER,
    { input: { name: '张三', gridId: gridA, idNumber: '33010219800101123X' } },
    worker,
  );
  expect(result.data?.registerPerson.userErrors).toEqual([]);
  const id = result.data?.registerPerson.person.id;
  const read = await api.gql(`query($id: ID!) { person(id: $id) { name tier version } }`, { id }, worker);
  expect(read.data?.person).toEqual({ name: '张三', tier: 'NONE', version: 1 });
});

test('every operation needs a signed-in user', async () => {
  const result = await api.gql(`{ persons(first: 5) { totalCount } }`);
  expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(result.data?.persons ?? null).toBeNull();
});

test.each([
  ['an empty name', { name: '   ' }, 'input.name'],
  ['a 10 000-character name', { name: '名'.repeat(10000) }, 'input.name'],
  ['a malformed grid ID', { name: '李四', gridId: 'not-an-id' }, 'input.gridId'],
  ['a malformed national ID number', { name: '李四', idNumber: '12345' }, 'input.idNumber'],
])('%s is refused with a userError and writes nothing', async (_label, change, field) => {
  const before = await personCount();
  const result = await api.gql(
    REGISTER,
    { input: { gridId: gridA, ...{ name: '李四' }, ...change } },
    worker,
  );
  expect(result.data?.registerPerson.person).toBeNull();
  expect(result.data?.registerPerson.userErrors.map((e: { field: string }) => e.field)).toContain(field);
  expect(await personCount()).toBe(before);
});

test('an unknown enum value is a BAD_USER_INPUT error and writes nothing', async () => {
  const before = await personCount();
  const result = await api.gql(
    REGISTER,
    { input: { name: '王五', gridId: gridA, residency: 'NOMAD' } },
    worker,
  );
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(await personCount()).toBe(before);
});

test('the same idempotencyKey twice creates one person', async () => {
  const input = { name: '赵六', gridId: gridA, idempotencyKey: 'import-2026-11-01-0001' };
  const first = await api.gql(REGISTER, { input }, worker);
  const before = await personCount();
  const second = await api.gql(REGISTER, { input }, worker);
  expect(second.data?.registerPerson.person.id).toBe(first.data?.registerPerson.person.id);
  expect(await personCount()).toBe(before);
});

test('a stale expectedVersion is a CONFLICT and changes nothing', async () => {
  const created = await api.gql(REGISTER, { input: { name: '钱七', gridId: gridA } }, worker);
  const id = created.data?.registerPerson.person.id;
  const UPDATE = `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { person { name version } userErrors { message code currentVersion } } }`;
  const first = await api.gql(UPDATE, { input: { id, expectedVersion: 1, occupation: '司机' } }, worker);
  expect(first.data?.updatePerson.person).toEqual({ name: '钱七', version: 2 });
  const stale = await api.gql(UPDATE, { input: { id, expectedVersion: 1, name: '孙八' } }, worker);
  expect(stale.data?.updatePerson.userErrors).toMatchObject([{ code: 'CONFLICT', currentVersion: 2 }]);
  const rows: { name: string; version: number }[] = await api.dataSource.query(
    `SELECT name, version FROM persons WHERE id = $1`,
    [id],
  );
  expect(rows[0]).toEqual({ name: '钱七', version: 2 });
});

test('persons pages with cursors and reports the total', async () => {
  for (let i = 0; i < 5; i += 1) {
    await api.gql(REGISTER, { input: { name: `分页${i}`, gridId: gridA } }, worker);
  }
  const LIST = `query($after: String) { persons(first: 2, after: $after, filter: { nameContains: "分页" }) {
    totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }`;
  const names: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GraphQLResponse = await api.gql(LIST, { after }, worker);
    expect(page.data?.persons.totalCount).toBe(5);
    names.push(...(page.data?.persons.edges ?? []).map((e: { node: { name: string } }) => e.node.name));
    if (!page.data?.persons.pageInfo.hasNextPage) break;
    after = page.data?.persons.pageInfo.endCursor;
  }
  expect(names.sort()).toEqual(['分页0', '分页1', '分页2', '分页3', '分页4']);
});

test('a special status puts a person on the needs-assessment list until they are assessed', async () => {
  const id = (
    await api.gql(
      REGISTER,
      { input: { name: '待评估', gridId: gridA, specialStatuses: ['RELEASED_PRISONER'] } },
      worker,
    )
  ).data?.registerPerson.person.id;
  const LIST = `{ persons(first: 100, filter: { needsAssessment: true }) { edges { node { id tier } } } }`;
  const listed = await api.gql(LIST, {}, worker);
  expect(listed.data?.persons.edges.map((e: any) => e.node)).toEqual([{ id, tier: 'NONE' }]);
  api.clock.advanceDays(1);
  worker = await api.login('grid.worker');
  await api.gql(
    `mutation($input: RecordAssessmentInput!) { recordAssessment(input: $input) { userErrors { message } } }`,
    { input: { personId: id, indicators: [] } },
    worker,
  );
  expect((await api.gql(LIST, {}, worker)).data?.persons.edges).toEqual([]);
});

test('the tiers filter gives the persons of those tiers, whatever their order or repetition', async () => {
  await registerPerson(api, worker, { name: '层级甲', gridId: gridA });
  const watched = await registerPerson(api, worker, { name: '层级乙', gridId: gridA });
  await recordAssessment(api, worker, watched, ['VOLATILE_TEMPER']);
  const names = async (tiers: string[]) => {
    const result = await api.gql<{ persons: { edges: { node: { name: string; tier: string } }[] } }>(
      `query($j: ID!, $tiers: [Tier!]) { persons(first: 100, filter: { jurisdictionId: $j, tiers: $tiers }) {
         edges { node { name tier } } } }`,
      { j: gridA, tiers },
      worker,
    );
    expect(result.errors).toBeUndefined();
    return result.data?.persons.edges.map((edge) => `${edge.node.name}:${edge.node.tier}`) ?? [];
  };
  const yellow = await names(['YELLOW']);
  expect(yellow).toContain('层级乙:YELLOW');
  expect(yellow.every((entry) => entry.endsWith(':YELLOW'))).toBe(true);
  expect(await names(['YELLOW', 'YELLOW'])).toEqual(yellow);
  const both = await names(['YELLOW', 'NONE']);
  expect(both).toEqual(expect.arrayContaining(['层级甲:NONE', '层级乙:YELLOW']));
  expect(await names(['NONE', 'YELLOW', 'NONE'])).toEqual(both);
  expect(await names(['RED'])).toEqual([]);
});

test('an update of the birth date alone must still agree with the stored ID number, and changes nothing if not', async () => {
  const id = await registerPerson(api, worker, {
    name: '生日',
    gridId: gridA,
    birthDate: '1980-01-01',
    // not the first test's number: a national ID number belongs to one person (duplicates.test.ts)
    idNumber: '330102198001011256',
  });
  const UPDATE = `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) {
    person { version birthDate } userErrors { field message } } }`;
  const refused = await api.gql(
    UPDATE,
    { input: { id, expectedVersion: 1, birthDate: '1981-01-01' } },
    worker,
  );
  expect(refused.data?.updatePerson.userErrors).toEqual([
    { field: 'input.birthDate', message: expect.stringContaining('GB 11643') },
  ]);
  const read = await api.gql(`query($id: ID!) { person(id: $id) { version birthDate } }`, { id }, worker);
  expect(read.data?.person).toEqual({ version: 1, birthDate: '1980-01-01' });
});
