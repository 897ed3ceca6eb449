// What list pages need (issue 22 item 5): orderBy on persons, disputes and assignments, with cursors
// that keep the order and are refused under another; sorts and filters only over values the caller
// reads; the filters a persons or disputes screen uses, each within row scope.
import { startTestApi, type TestApi } from '../support/api';
import { assignToGridLeader, recordAssessment, registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;
let gridA: string;

beforeAll(async () => {
  api = await startTestApi();
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

const PERSONS = `query($filter: PersonFilter, $orderBy: PersonOrder, $first: Int, $after: String) {
  persons(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`;

/** A birth date `years` years and `days` days before the test clock's today. */
function bornYearsAgo(years: number, days = 0): string {
  const date = new Date(api.clock.now);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

test('persons sorted by name page through in that order, each once, and a cursor keeps its order', async () => {
  const worker = await api.login('grid.worker');
  const names = ['排序丁', '排序乙', '排序丙', '排序甲', '排序戊'];
  for (const name of names) await registerPerson(api, worker, { name, gridId: gridA });
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 5; page += 1) {
    const result: any = await api.gql(
      PERSONS,
      { filter: { nameContains: '排序' }, orderBy: { field: 'NAME', direction: 'ASC' }, first: 2, after },
      worker,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.persons.totalCount).toBe(5);
    seen.push(...result.data.persons.edges.map((edge: any) => edge.node.name));
    if (!result.data.persons.pageInfo.hasNextPage) break;
    after = result.data.persons.pageInfo.endCursor;
  }
  // PostgreSQL's order of the names (the database's collation), each exactly once.
  const expected: string[] = (
    await api.dataSource.query(`SELECT name FROM persons WHERE name LIKE '排序%' ORDER BY name, id`)
  ).map((row: { name: string }) => row.name);
  expect(seen).toEqual(expected);
  expect([...seen].sort()).toEqual([...names].sort());

  const descending: any = await api.gql(
    PERSONS,
    { filter: { nameContains: '排序' }, orderBy: { field: 'NAME', direction: 'DESC' }, first: 5 },
    worker,
  );
  expect(descending.data.persons.edges.map((edge: any) => edge.node.name)).toEqual([...expected].reverse());

  // A cursor names its order: under another order, or the default one, it is refused and nothing leaks.
  for (const orderBy of [
    { field: 'CREATED_AT', direction: 'ASC' },
    { field: 'NAME', direction: 'DESC' },
    null,
  ]) {
    const refused: any = await api.gql(PERSONS, { orderBy, first: 2, after }, worker);
    expect([orderBy, refused.errors?.[0]?.extensions?.code, refused.data?.persons]).toEqual([
      orderBy,
      'BAD_USER_INPUT',
      null,
    ]);
  }
});

test('a sort by a field the caller may not read is refused: YOUTH_LEAGUE sorts by name, not by registration time', async () => {
  // Two minors (the youth league's scope), registered in the reverse of their names' order.
  const worker = await api.login('grid.worker');
  for (const name of ['少年乙', '少年甲']) {
    await registerPerson(api, worker, { name, gridId: gridA, birthDate: bornYearsAgo(12) });
  }
  const youth = await api.login('youth_league.worker');
  const byName: any = await api.gql(PERSONS, { orderBy: { field: 'NAME', direction: 'ASC' } }, youth);
  expect(byName.errors).toBeUndefined();
  const byRegistration: any = await api.gql(
    PERSONS,
    { orderBy: { field: 'CREATED_AT', direction: 'ASC' } },
    youth,
  );
  expect(byRegistration.data?.persons).toBeNull();
  expect(byRegistration.errors?.map((error: any) => [error.extensions?.code, error.message])).toEqual([
    ['FORBIDDEN', 'You may not sort by CREATED_AT: your department does not read the value it orders by'],
  ]);
  // With no order asked, the list does not fall back to the registration order it may not read: it
  // comes by name, exactly as the name sort.
  const unordered: any = await api.gql(PERSONS, {}, youth);
  expect(unordered.errors).toBeUndefined();
  expect(unordered.data.persons.edges.length).toBeGreaterThan(1);
  expect(unordered.data.persons.edges).toEqual(byName.data.persons.edges);
  const names = unordered.data.persons.edges.map((edge: any) => edge.node.name);
  expect(names.indexOf('少年乙')).toBeLessThan(names.indexOf('少年甲'));
  // Everyone who may list persons and reads the registration time may sort by it.
  const grid: any = await api.gql(
    PERSONS,
    { orderBy: { field: 'CREATED_AT', direction: 'ASC' } },
    await api.login('police.worker'),
  );
  expect(grid.errors).toBeUndefined();
});

test('persons by age range and age group: whole years as Person.age counts them, unknown birth dates left out', async () => {
  const worker = await api.login('grid.worker');
  const seventeen = await registerPerson(api, worker, {
    name: '年龄甲',
    gridId: gridA,
    birthDate: bornYearsAgo(18, -1),
  });
  const eighteen = await registerPerson(api, worker, {
    name: '年龄乙',
    gridId: gridA,
    birthDate: bornYearsAgo(18),
  });
  const sixty = await registerPerson(api, worker, {
    name: '年龄丙',
    gridId: gridA,
    birthDate: bornYearsAgo(60, 3),
  });
  await registerPerson(api, worker, { name: '年龄丁', gridId: gridA });
  const listed = async (filter: Record<string, unknown>) => {
    const result: any = await api.gql(
      `query($filter: PersonFilter) { persons(filter: $filter, first: 50) { totalCount edges { node { id age ageGroup } } } }`,
      { filter: { nameContains: '年龄', ...filter } },
      worker,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.persons.totalCount).toBe(result.data.persons.edges.length);
    return result.data.persons.edges.map((edge: any) => edge.node.id).sort();
  };
  expect(await listed({ minAge: 18 })).toEqual([eighteen, sixty].sort());
  expect(await listed({ maxAge: 17 })).toEqual([seventeen]);
  expect(await listed({ minAge: 18, maxAge: 59 })).toEqual([eighteen]);
  expect(await listed({ ageGroups: ['MINOR', 'SENIOR'] })).toEqual([seventeen, sixty].sort());
  expect(await listed({ ageGroups: ['ADULT'] })).toEqual([eighteen]);

  const backwards: any = await api.gql(PERSONS, { filter: { minAge: 40, maxAge: 30 } }, worker);
  expect(backwards.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  // Those who read only the age group may not narrow by exact age (SPEC §4), but may by group.
  const governance = await api.login('comprehensive_governance.worker');
  const exact: any = await api.gql(PERSONS, { filter: { minAge: 10 } }, governance);
  expect([exact.data?.persons, exact.errors?.[0]?.extensions?.code]).toEqual([null, 'FORBIDDEN']);
  const grouped: any = await api.gql(PERSONS, { filter: { ageGroups: ['MINOR'] } }, governance);
  expect(grouped.errors).toBeUndefined();
});

test('persons by special status: only by a status the caller’s department owns and reads', async () => {
  const worker = await api.login('grid.worker');
  const veteran = await registerPerson(api, worker, {
    name: '身份筛选甲',
    gridId: gridA,
    specialStatuses: ['VETERAN'],
  });
  await registerPerson(api, worker, { name: '身份筛选乙', gridId: gridA, specialStatuses: ['DISABILITY'] });
  const veterans = await api.login('veterans.worker');
  const own: any = await api.gql(
    PERSONS,
    { filter: { nameContains: '身份筛选', specialStatuses: ['VETERAN'] } },
    veterans,
  );
  expect(own.errors).toBeUndefined();
  expect(own.data.persons.edges.map((edge: any) => edge.node.id)).toEqual([veteran]);
  expect(own.data.persons.totalCount).toBe(1);
  // Another department's status, alone or beside its own, and any status for a department owning none.
  for (const [username, statuses] of [
    ['veterans.worker', ['DISABILITY']],
    ['veterans.worker', ['VETERAN', 'DRUG_INVOLVED']],
    ['grid.worker', ['VETERAN']],
  ] as const) {
    const refused: any = await api.gql(
      PERSONS,
      { filter: { specialStatuses: statuses } },
      await api.login(username),
    );
    expect([username, statuses, refused.data?.persons, refused.errors?.[0]?.extensions?.code]).toEqual([
      username,
      statuses,
      null,
      'FORBIDDEN',
    ]);
  }
});

test('persons by overdue follow-up and overdue review, as the overdue lists and Person.reviewOverdue say', async () => {
  let worker = await api.login('grid.worker');
  const red = await registerPerson(api, worker, { name: '逾期红', gridId: gridA });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [red] });
  await recordAssessment(api, worker, red, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  const calm = await registerPerson(api, worker, { name: '逾期无', gridId: gridA });
  const LIST = `query($filter: PersonFilter) { persons(filter: $filter, first: 50) {
    totalCount edges { node { id reviewOverdue } } } }`;
  const ids = async (filter: Record<string, unknown>) => {
    const result: any = await api.gql(LIST, { filter: { nameContains: '逾期', ...filter } }, worker);
    expect(result.errors).toBeUndefined();
    return result.data.persons.edges.map((edge: any) => edge.node.id);
  };
  expect(await ids({ followUpOverdue: true })).toEqual([]);
  expect(await ids({ reviewOverdue: true })).toEqual([]);
  expect((await ids({})).sort()).toEqual([red, calm].sort());

  api.clock.advanceDays(2);
  worker = await api.login('grid.worker');
  expect(await ids({ followUpOverdue: true })).toEqual([red]);
  expect(await ids({ reviewOverdue: true })).toEqual([]);

  api.clock.advanceDays(30);
  worker = await api.login('grid.worker');
  const overdue: any = await api.gql(LIST, { filter: { nameContains: '逾期', reviewOverdue: true } }, worker);
  expect(overdue.data.persons.edges.map((edge: any) => edge.node)).toEqual([
    { id: red, reviewOverdue: true },
  ]);
});

const DISPUTES = `query($filter: DisputeFilter, $orderBy: DisputeOrder, $first: Int, $after: String) {
  disputes(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount edges { node { id level source reportedAt updatedAt } } pageInfo { hasNextPage endCursor } } }`;

test('disputes by level, source, reported between and text; sorted by last change', async () => {
  let worker = await api.login('grid.worker');
  const party = await registerPerson(api, worker, { name: '纠纷筛选', gridId: gridA });
  const from = new Date(api.clock.now);
  const wages = await registerDispute(api, worker, {
    category: 'LABOR_WAGES',
    gridId: gridA,
    parties: [party],
    source: 'HOTLINE',
    description: '讨薪 100% 到账',
  });
  api.clock.advanceDays(1);
  worker = await api.login('grid.worker');
  const neighbours = await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    gridId: gridA,
    parties: [party],
    description: '邻里通行',
  });
  const listed = async (filter: Record<string, unknown>, orderBy?: unknown) => {
    const result: any = await api.gql(DISPUTES, { filter, orderBy, first: 50 }, worker);
    expect(result.errors).toBeUndefined();
    return result.data.disputes.edges.map((edge: any) => edge.node.id);
  };
  expect(await listed({ text: '100%' })).toEqual([wages]);
  // LIKE's wildcards in the text are matched as typed.
  expect(await listed({ text: '讨_' })).toEqual([]);
  expect(await listed({ text: '通行' })).toEqual([neighbours]);
  const mine = { jurisdictionId: gridA, reportedFrom: from.toISOString() };
  expect(await listed({ ...mine, sources: ['HOTLINE'] })).toEqual([wages]);
  expect(await listed({ ...mine, levels: ['GRID'] })).toEqual([neighbours, wages]);
  expect(await listed({ ...mine, levels: ['VILLAGE', 'STREET'] })).toEqual([]);
  const dayLater = new Date(from.getTime() + 86400000).toISOString();
  expect(await listed({ ...mine, reportedBefore: dayLater })).toEqual([wages]);
  expect(await listed({ reportedFrom: dayLater, jurisdictionId: gridA })).toEqual([neighbours]);
  const backwards: any = await api.gql(
    DISPUTES,
    { filter: { reportedFrom: dayLater, reportedBefore: from } },
    worker,
  );
  expect(backwards.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

  // The older dispute changed last comes first by UPDATED_AT, and last by the default order.
  api.clock.advanceDays(1);
  worker = await api.login('grid.worker');
  const leader = await api.login('grid.leader');
  const read: any = await api.gql(`query($id: ID!) { dispute(id: $id) { version } }`, { id: wages }, leader);
  const changed: any = await api.gql(
    `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) { userErrors { message } } }`,
    { input: { disputeId: wages, expectedVersion: read.data.dispute.version, status: 'ACCEPTED' } },
    leader,
  );
  expect(changed.errors).toBeUndefined();
  expect(await listed(mine, { field: 'UPDATED_AT', direction: 'DESC' })).toEqual([wages, neighbours]);
  expect(await listed(mine)).toEqual([neighbours, wages]);
  expect(await listed(mine, { field: 'REPORTED_AT', direction: 'ASC' })).toEqual([wages, neighbours]);
});

test('assignments sorted oldest first page through in that order, each once', async () => {
  const worker = await api.login('grid.worker');
  const assigned: string[] = [];
  for (const name of ['包干甲', '包干乙', '包干丙']) {
    const person = await registerPerson(api, worker, { name, gridId: gridA });
    await assignToGridLeader(api, person);
    assigned.push(person);
    api.clock.advanceDays(0.01);
  }
  const leader = await api.login('grid.leader');
  const PAGE = `query($after: String) { assignments(first: 2, after: $after, orderBy: { field: CREATED_AT, direction: ASC }) {
    totalCount edges { node { personId createdAt } } pageInfo { hasNextPage endCursor } } }`;
  const seen: { personId: string; createdAt: string }[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const result: any = await api.gql(PAGE, { after }, leader);
    expect(result.errors).toBeUndefined();
    seen.push(...result.data.assignments.edges.map((edge: any) => edge.node));
    expect(result.data.assignments.totalCount).toBeGreaterThanOrEqual(3);
    if (!result.data.assignments.pageInfo.hasNextPage) break;
    after = result.data.assignments.pageInfo.endCursor;
  }
  const times = seen.map((node) => Date.parse(node.createdAt));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(seen.map((node) => node.personId).filter((id) => assigned.includes(id))).toEqual(assigned);
});

test('my alerts are a connection: oldest first on request, each once across pages, a cursor kept to its order', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '预警分页', gridId: gridA });
  await recordAssessment(api, worker, person, ['WITHDRAWN']);
  const raised: string[] = [];
  for (const description of ['第一次苗头', '第二次苗头', '第三次苗头']) {
    const result: any = await api.gql(
      `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`,
      { input: { personId: person, description } },
      worker,
    );
    raised.push(result.data.raiseAlert.alert.id);
    api.clock.advanceDays(0.01);
  }
  const leader = await api.login('grid.leader');
  const PAGE = `query($after: String, $orderBy: AlertOrder) { myAlerts(first: 2, after: $after, orderBy: $orderBy) {
    totalCount edges { node { alert { id } } } pageInfo { hasNextPage endCursor } } }`;
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const result: any = await api.gql(
      PAGE,
      { after, orderBy: { field: 'RAISED_AT', direction: 'ASC' } },
      leader,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.myAlerts.totalCount).toBeGreaterThanOrEqual(3);
    seen.push(...result.data.myAlerts.edges.map((edge: any) => edge.node.alert.id));
    if (!result.data.myAlerts.pageInfo.hasNextPage) break;
    after = result.data.myAlerts.pageInfo.endCursor;
  }
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.filter((id) => raised.includes(id))).toEqual(raised);
  const newest: any = await api.gql(PAGE, {}, leader);
  expect(newest.data.myAlerts.edges[0].node.alert.id).toBe(raised[2]);
  const mixed: any = await api.gql(
    PAGE,
    { after: newest.data.myAlerts.pageInfo.endCursor, orderBy: { field: 'RAISED_AT', direction: 'ASC' } },
    leader,
  );
  expect(mixed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('a person’s assessments page newest first, each once, with the total', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '评估分页', gridId: gridA });
  const recorded: string[] = [];
  for (const codes of [['WITHDRAWN'], ['DEPRESSED'], ['WITHDRAWN', 'DEPRESSED']]) {
    recorded.push(await recordAssessment(api, worker, person, codes));
    api.clock.advanceDays(0.01);
  }
  const PAGE = `query($p: ID!, $after: String) { assessments(personId: $p, first: 2, after: $after) {
    totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 5; page += 1) {
    const result: any = await api.gql(PAGE, { p: person, after }, worker);
    expect(result.errors).toBeUndefined();
    expect(result.data.assessments.totalCount).toBe(3);
    seen.push(...result.data.assessments.edges.map((edge: any) => edge.node.id));
    if (!result.data.assessments.pageInfo.hasNextPage) break;
    after = result.data.assessments.pageInfo.endCursor;
  }
  expect(seen).toEqual([...recorded].reverse());
  // A forged cursor is refused, and a page larger than the limit too, each as BAD_USER_INPUT.
  const forged: any = await api.gql(PAGE, { p: person, after: 'bm90LWEtY3Vyc29y' }, worker);
  expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('tier change requests page newest first with the total', async () => {
  const worker = await api.login('grid.worker');
  const requested: string[] = [];
  for (const name of ['申请分页甲', '申请分页乙', '申请分页丙']) {
    const person = await registerPerson(api, worker, { name, gridId: gridA });
    const result: any = await api.gql(
      `mutation($input: RequestTierChangeInput!) { requestTierChange(input: $input) { request { id } userErrors { message } } }`,
      { input: { personId: person, toTier: 'YELLOW', reason: '近期多次扬言' } },
      worker,
    );
    requested.push(result.data.requestTierChange.request.id);
    api.clock.advanceDays(0.01);
  }
  const PAGE = `query($after: String) { tierChangeRequests(status: PENDING, first: 2, after: $after) {
    totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
  const seen: string[] = [];
  let after: string | null = null;
  let total = 0;
  for (let page = 0; page < 50; page += 1) {
    const result: any = await api.gql(PAGE, { after }, worker);
    expect(result.errors).toBeUndefined();
    total = result.data.tierChangeRequests.totalCount;
    seen.push(...result.data.tierChangeRequests.edges.map((edge: any) => edge.node.id));
    if (!result.data.tierChangeRequests.pageInfo.hasNextPage) break;
    after = result.data.tierChangeRequests.pageInfo.endCursor;
  }
  expect(seen).toHaveLength(total);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.slice(0, 3)).toEqual([...requested].reverse());
});
