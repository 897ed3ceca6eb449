// Issue 22 item 2, through the real server: a root field the account may not run answers null with its
// own FORBIDDEN error, and the rest of the response stands (root fields an account may be denied are
// nullable: test/permissions/policy-coverage.test.ts holds the schema to it). And the fields made
// non-null because everyone who reaches them reads them arrive filled.
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

test('a grid worker asking for persons and monthlyFigures gets the persons and one FORBIDDEN', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  await registerPerson(api, worker, { name: '张三', gridId: gridA });
  const result = await api.gql(
    `query($jurisdictionId: ID!) {
      persons(first: 10) { totalCount edges { node { id name tier } } }
      monthlyFigures(jurisdictionId: $jurisdictionId, month: "2026-10") { month }
    }`,
    { jurisdictionId: gridA },
    worker,
  );
  expect(result.data).not.toBeNull();
  expect(result.data?.persons.totalCount).toBeGreaterThan(0);
  expect(result.data?.persons.edges.map((edge: { node: { name: string } }) => edge.node.name)).toContain(
    '张三',
  );
  expect(result.data?.monthlyFigures).toBeNull();
  expect(result.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
    [['monthlyFigures'], 'FORBIDDEN'],
  ]);
  // A leader of the same grid reads both.
  const leader = await api.login('grid.leader');
  const both = await api.gql(
    `query($jurisdictionId: ID!) { persons(first: 1) { totalCount } monthlyFigures(jurisdictionId: $jurisdictionId, month: "2026-10") { month } }`,
    { jurisdictionId: gridA },
    leader,
  );
  expect(both.errors).toBeUndefined();
  expect(both.data?.monthlyFigures.month).toBe('2026-10');
});

test('a denied mutation answers null for itself, not for the whole response', async () => {
  const youth = await api.login('youth_league.worker');
  const result = await api.gql(
    `mutation { registerDispute(input: { category: OTHER, source: GRID_VISIT, gridId: "00000000-0000-4000-8000-000000000000", description: "x", parties: [] }) { userErrors { code } } }`,
    {},
    youth,
  );
  expect(result.status).toBeLessThan(500);
  expect(result.data).toEqual({ registerDispute: null });
  expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

test('fields every reader of a dispute or person reads arrive non-null', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const a = await registerPerson(api, worker, { name: '甲', gridId: gridA });
  const b = await registerPerson(api, worker, { name: '乙', gridId: gridA });
  const disputeId = await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    gridId: gridA,
    parties: [a, b],
  });
  const result = await api.gql(
    `query($id: ID!) { dispute(id: $id) { description grid { id } parties { role person { name tier grid { id } } } escalations { id } returnVisits { id } } }`,
    { id: disputeId },
    worker,
  );
  expect(result.errors).toBeUndefined();
  const dispute = result.data?.dispute;
  expect(typeof dispute.description).toBe('string');
  expect(dispute.grid.id).toBe(gridA);
  expect(dispute.parties).toHaveLength(2);
  for (const party of dispute.parties) {
    expect(typeof party.person.name).toBe('string');
    expect(typeof party.person.tier).toBe('string');
    expect(party.person.grid.id).toBe(gridA);
  }
  expect(dispute.escalations).toEqual([]);
  expect(dispute.returnVisits).toEqual([]);
});
