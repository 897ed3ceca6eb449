// Row scope in SQL: jurisdiction subtrees, routing of disputes to departments, YOUTH_LEAGUE's
// under-18 view, and indicator categories per department. Out of scope looks exactly like missing.
import { startTestApi, type TestApi } from '../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  const gridA = await api.node('gridA');
  const gridB = await api.node('gridB');
  const gridC = await api.node('gridC');
  const a = await api.login('grid.worker');
  const b = await api.login('gridb.worker');
  const c = await api.login('gridc.worker');
  ids.a1 = await registerPerson(api, a, {
    name: '甲一',
    gridId: gridA,
    birthDate: '1980-05-01',
    idNumber: '330004198005011234',
  });
  ids.a2 = await registerPerson(api, a, { name: '甲二', gridId: gridA, birthDate: '1985-05-01' });
  ids.minor = await registerPerson(api, a, {
    name: '小明',
    gridId: gridA,
    birthDate: '2012-03-01',
    idNumber: '330008201203011235',
  });
  ids.b1 = await registerPerson(api, b, { name: '乙一', gridId: gridB, birthDate: '1970-01-01' });
  ids.c1 = await registerPerson(api, c, { name: '丙一', gridId: gridC, birthDate: '1990-01-01' });
  ids.marriage = await registerDispute(api, a, {
    category: 'MARRIAGE_RELATIONSHIP',
    gridId: gridA,
    parties: [ids.a1],
  });
  ids.labor = await registerDispute(api, a, { category: 'LABOR_WAGES', gridId: gridA, parties: [ids.a2] });
  await recordAssessment(api, a, ids.a1, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
});
afterAll(() => api.close());

const LIST = `query($after: String) { persons(first: 100, after: $after) { totalCount edges { node { id } } } }`;
const names = (result: any): string[] => result.data?.persons.edges.map((e: any) => e.node.id) ?? [];

test('a grid worker of grid A cannot see, count or page into grid B', async () => {
  const token = await api.login('grid.worker');
  const list = await api.gql(LIST, {}, token);
  expect(names(list).sort()).toEqual([ids.a1, ids.a2, ids.minor].sort());
  expect(list.data?.persons.totalCount).toBe(3);
  const direct = await api.gql(`query($id: ID!) { person(id: $id) { name } }`, { id: ids.b1 }, token);
  expect(errorCodes(direct)).toEqual({ person: 'NOT_FOUND' });
  const missing = await api.gql(
    `query($id: ID!) { person(id: $id) { name } }`,
    { id: '00000000-0000-4000-8000-000000000000' },
    token,
  );
  expect(missing.errors?.[0]?.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(
    direct.errors?.[0]?.message.replace(/[0-9a-f-]{36}/, 'ID'),
  );
  const filtered = await api.gql(
    `query($j: ID!) { persons(first: 10, filter: { jurisdictionId: $j }) { totalCount } }`,
    { j: await api.node('gridB') },
    token,
  );
  // Another grid, not on the caller's branch, answers as a random id does (no existence signal).
  expect(errorCodes(filtered)).toEqual({ persons: 'NOT_FOUND' });
});

test('a village user sees both grids of the village and nothing of the other village', async () => {
  const token = await api.login('villagea.leader');
  const list = await api.gql(LIST, {}, token);
  expect(names(list).sort()).toEqual([ids.a1, ids.a2, ids.minor, ids.b1].sort());
  const other = await api.gql(`query($id: ID!) { person(id: $id) { name } }`, { id: ids.c1 }, token);
  expect(errorCodes(other)).toEqual({ person: 'NOT_FOUND' });
});

test('YOUTH_LEAGUE sees only persons under 18, and only their name, age, grid and tier', async () => {
  const token = await api.login('youth_league.worker');
  const list = await api.gql(LIST, {}, token);
  expect(names(list)).toEqual([ids.minor]);
  const read = await api.gql(
    `query($id: ID!) { person(id: $id) { name age tier grid { code } idNumber phone disputes { id } } }`,
    { id: ids.minor },
    token,
  );
  expect(read.data?.person).toMatchObject({
    name: '小明',
    age: 14,
    tier: 'NONE',
    grid: { code: 'C01.S01.V01.G01' },
  });
  expect(read.data?.person.idNumber).toBeNull();
  expect(errorCodes(read)).toEqual({
    'person.idNumber': 'FORBIDDEN',
    'person.phone': 'FORBIDDEN',
    'person.disputes': 'FORBIDDEN',
  });
  const adult = await api.gql(`query($id: ID!) { person(id: $id) { name } }`, { id: ids.a1 }, token);
  expect(errorCodes(adult)).toEqual({ person: 'NOT_FOUND' });
});

test('CIVIL_AFFAIRS reads a MARRIAGE_RELATIONSHIP dispute but not a LABOR_WAGES one', async () => {
  const token = await api.login('civil_affairs.worker');
  const marriage = await api.gql(
    `query($id: ID!) { dispute(id: $id) { category } }`,
    { id: ids.marriage },
    token,
  );
  expect(marriage.data?.dispute.category).toBe('MARRIAGE_RELATIONSHIP');
  const labor = await api.gql(`query($id: ID!) { dispute(id: $id) { category } }`, { id: ids.labor }, token);
  expect(errorCodes(labor)).toEqual({ dispute: 'NOT_FOUND' });
  const list = await api.gql(`{ disputes(first: 50) { totalCount edges { node { id } } } }`, {}, token);
  expect(list.data?.disputes.totalCount).toBe(1);
  const persons = await api.gql(LIST, {}, token);
  expect(names(persons)).toEqual([ids.a1]);
  const labourer = await api.gql(`query($id: ID!) { person(id: $id) { name } }`, { id: ids.a2 }, token);
  expect(errorCodes(labourer)).toEqual({ person: 'NOT_FOUND' });
});

test('ECONOMIC_DEVELOPMENT reads the LABOR_WAGES dispute and not the marriage one', async () => {
  const token = await api.login('economic_development.worker');
  const list = await api.gql(`{ disputes(first: 50) { edges { node { id category } } } }`, {}, token);
  expect(list.data?.disputes.edges.map((e: any) => e.node.category)).toEqual(['LABOR_WAGES']);
});

const INDICATORS = `query($id: ID!) { person(id: $id) {
  tier assessments { indicators { code category } } tierExplanation { indicators { code } } } }`;

test('POLICE read behaviour indicators; CIVIL_AFFAIRS read none; SOCIAL_AFFAIRS read character ones', async () => {
  const police = await api.login('police.leader');
  await api.dataSource.query(`UPDATE persons SET tier = 'RED' WHERE id = $1`, [ids.a1]);
  const asPolice = await api.gql(INDICATORS, { id: ids.a1 }, police);
  expect(asPolice.errors).toBeUndefined();
  expect(asPolice.data?.person.assessments[0].indicators).toEqual([
    { code: 'THREATENED_HARM', category: 'BEHAVIOR' },
  ]);
  expect(asPolice.data?.person.tierExplanation.indicators).toEqual([{ code: 'THREATENED_HARM' }]);

  const civil = await api.login('civil_affairs.worker');
  const asCivil = await api.gql(INDICATORS, { id: ids.a1 }, civil);
  expect(asCivil.data?.person.assessments).toBeNull();
  expect(errorCodes(asCivil)).toEqual({
    'person.assessments': 'FORBIDDEN',
    'person.tierExplanation.indicators': 'FORBIDDEN',
  });

  await api.dataSource.query(
    `UPDATE persons SET special_statuses = '{SEVERE_MENTAL_DISORDER_WITH_INCIDENT}' WHERE id = $1`,
    [ids.a1],
  );
  const social = await api.login('social_affairs.worker');
  const asSocial = await api.gql(INDICATORS, { id: ids.a1 }, social);
  expect(asSocial.data?.person.assessments[0].indicators).toEqual([
    { code: 'VOLATILE_TEMPER', category: 'CHARACTER' },
  ]);
});

test('ADMIN and AUDITOR accounts see no personal data', async () => {
  for (const username of ['admin', 'auditor']) {
    const token = await api.login(username);
    const result = await api.gql(`{ persons(first: 5) { totalCount } }`, {}, token);
    expect(errorCodes(result)).toEqual({ persons: 'FORBIDDEN' });
  }
});

test('a jurisdiction filter at or below one’s own node narrows the list, and the rest of the scope still holds', async () => {
  const filtered = async (username: string, node: 'street' | 'villageA' | 'gridA' | 'gridB') => {
    const result = await api.gql(
      `query($j: ID!) { persons(first: 100, filter: { jurisdictionId: $j }) { totalCount edges { node { id } } } }`,
      { j: await api.node(node) },
      await api.login(username),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.persons.totalCount).toBe(names(result).length);
    return names(result).sort();
  };
  expect(await filtered('villagea.leader', 'villageA')).toEqual([ids.a1, ids.a2, ids.minor, ids.b1].sort());
  expect(await filtered('villagea.leader', 'gridA')).toEqual([ids.a1, ids.a2, ids.minor].sort());
  expect(await filtered('villagea.leader', 'street')).toEqual([ids.a1, ids.a2, ids.minor, ids.b1].sort());
  // YOUTH_LEAGUE (street level) filtering on a grid still sees only the under-18s there.
  expect(await filtered('youth_league.worker', 'gridA')).toEqual([ids.minor]);
  expect(await filtered('youth_league.worker', 'gridB')).toEqual([]);
});
