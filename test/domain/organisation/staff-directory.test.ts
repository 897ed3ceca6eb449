// The staff directory (issue 22 item 6): a UI lists the staff on the caller's branch of the tree to show
// and choose assignees — names, departments, positions, jurisdictions, nothing more — and an
// assignment names its people as staff members, read without one statement per row.
import { startTestApi, type TestApi } from '../../support/api';
import { assignToGridLeader, errorCodes, registerPerson } from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const DIRECTORY = `query($filter: StaffFilter, $first: Int, $after: String) {
  staff(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id displayName departmentCode position jurisdictionId } }
  } }`;

async function directory(token: string, filter?: Record<string, unknown>, first = 100, after?: string) {
  const result = await api.gql(DIRECTORY, { filter, first, after }, token);
  expect(result.errors).toBeUndefined();
  return result.data?.staff;
}

const names = (page: any): string[] => page.edges.map((e: any) => e.node.displayName).sort();

test('a grid worker lists the staff of their grid and of the nodes above it, never a sibling grid’s', async () => {
  const worker = await api.login('grid.worker');
  const page = await directory(worker);
  const listed = names(page);
  expect(listed).toEqual(
    expect.arrayContaining(['grid.leader', 'villagea.leader', 'police.worker', 'city_center.leader']),
  );
  for (const outside of ['gridb.worker', 'gridc.worker', 'villageb.leader', 'admin', 'auditor']) {
    expect(listed).not.toContain(outside);
  }
  // The count is of what is listed: it says nothing about staff elsewhere.
  expect(page.totalCount).toBe(listed.length);
  expect(page.pageInfo.hasNextPage).toBe(false);
});

test('a village leader lists the grids below them too, and not the other village', async () => {
  const leader = await api.login('villagea.leader');
  const listed = names(await directory(leader));
  expect(listed).toEqual(expect.arrayContaining(['grid.worker', 'gridb.worker', 'gridb.leader']));
  expect(listed).not.toContain('gridc.worker');
  expect(listed).not.toContain('villageb.leader');
});

test('the directory shows no sign-in data: a username or a second factor is no field of it', async () => {
  const worker = await api.login('grid.worker');
  for (const field of ['username', 'secondFactorEnrolledAt', 'capabilities', 'active']) {
    const result = await api.gql(`query { staff(first: 1) { edges { node { ${field} } } } }`, {}, worker);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toContain(`Cannot query field "${field}" on type "StaffMember"`);
  }
});

test('filters by department, position and jurisdiction; another branch’s node answers as a random id', async () => {
  const worker = await api.login('grid.worker');
  const police = await directory(worker, { departmentCode: 'POLICE', position: 'LEADER' });
  expect(names(police)).toEqual(['police.leader']);
  expect(police.totalCount).toBe(1);
  const onGrid = await directory(worker, { jurisdictionId: await api.node('gridA') });
  expect(names(onGrid)).toEqual(['grid.leader', 'grid.worker']);
  const byName = await directory(worker, { nameContains: 'VILLAGEA' });
  expect(names(byName)).toEqual(['villagea.leader']);

  const sibling = await api.gql(DIRECTORY, { filter: { jurisdictionId: await api.node('gridC') } }, worker);
  const random = await api.gql(
    DIRECTORY,
    { filter: { jurisdictionId: '00000000-0000-4000-8000-000000000000' } },
    worker,
  );
  expect(errorCodes(sibling)).toEqual({ staff: 'NOT_FOUND' });
  expect(sibling.errors?.[0]?.message).toBe(random.errors?.[0]?.message);
});

test('pages by cursor without repeating anyone, and a disabled account leaves the directory', async () => {
  const worker = await api.login('grid.worker');
  const all = await directory(worker);
  const first = await directory(worker, undefined, 5);
  const second = await directory(worker, undefined, 5, first.pageInfo.endCursor);
  expect(first.pageInfo.hasNextPage).toBe(true);
  expect(second.totalCount).toBe(all.totalCount);
  const firstIds = first.edges.map((e: any) => e.node.id);
  const secondIds = second.edges.map((e: any) => e.node.id);
  expect(secondIds).toHaveLength(5);
  expect(secondIds.some((id: string) => firstIds.includes(id))).toBe(false);
  expect([...firstIds, ...secondIds]).toEqual(all.edges.slice(0, 10).map((e: any) => e.node.id));

  await api.dataSource.query(`UPDATE users SET active = false WHERE username = 'veterans.worker'`);
  try {
    const after = await directory(worker);
    expect(names(after)).not.toContain('veterans.worker');
    expect(after.totalCount).toBe(all.totalCount - 1);
  } finally {
    await api.dataSource.query(`UPDATE users SET active = true WHERE username = 'veterans.worker'`);
  }
});

test('YOUTH_LEAGUE staff use the directory too; ADMIN and AUDITOR accounts are refused it', async () => {
  const youth = await api.login('youth_league.worker');
  expect((await directory(youth)).totalCount).toBeGreaterThan(0);
  const admin = await api.login('admin');
  const refused = await api.gql(DIRECTORY, {}, admin);
  expect(errorCodes(refused)).toEqual({ staff: 'FORBIDDEN' });
});

const ASSIGNMENTS = `query($first: Int!) { assignments(first: $first) { edges { node {
  responsiblePersonId responsiblePerson { id displayName departmentCode position jurisdictionId }
  leadLeader { displayName } teamMembers { displayName }
} } } }`;

test('an assignment names its responsible person, lead and team as staff members, in a fixed number of statements', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const persons: string[] = [];
  for (let i = 0; i < 12; i += 1)
    persons.push(await registerPerson(api, worker, { name: `包干${i}`, gridId: gridA }));
  for (const person of persons) await assignToGridLeader(api, person);

  const leader = await api.login('grid.leader');
  const small = await api.gql(ASSIGNMENTS, { first: 2 }, leader);
  const large = await api.gql(ASSIGNMENTS, { first: 12 }, leader);
  expect(large.errors).toBeUndefined();
  const [{ id: leaderId }] = await api.dataSource.query(
    `SELECT id FROM users WHERE username = 'grid.leader'`,
  );
  const nodes = large.data?.assignments.edges.map((e: any) => e.node);
  expect(nodes.length).toBeGreaterThanOrEqual(12);
  for (const node of nodes.filter((n: any) => n.responsiblePersonId === leaderId)) {
    expect(node.responsiblePerson).toEqual({
      id: leaderId,
      displayName: 'grid.leader',
      departmentCode: 'GRID',
      position: 'LEADER',
      jurisdictionId: gridA,
    });
    expect(node.leadLeader).toEqual({ displayName: 'grid.leader' });
    expect(node.teamMembers).toEqual([{ displayName: 'grid.leader' }]);
  }
  expect(small.extensions?.sqlStatements).toBeGreaterThan(0);
  expect(large.extensions?.sqlStatements).toBe(small.extensions?.sqlStatements);
});
