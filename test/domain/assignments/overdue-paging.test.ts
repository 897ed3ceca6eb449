// overdueFollowUps pages by due time: every overdue person exactly once, most overdue first, the
// total on every page (also past the end), and only within the jurisdiction asked for.
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;
const overdue: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  const gridA = await api.node('gridA');
  const gridB = await api.node('gridB');
  const now = api.clock.now.getTime();
  // YELLOW is due 15 days after its tier began (no follow-ups here): 20..26 days ago are overdue,
  // in that order, and one in grid B and one only 3 days in are not in grid A's list.
  for (let i = 0; i < 7; i += 1) {
    const [row] = await api.dataSource.query(
      `INSERT INTO persons (name, gender, grid_id, residency, tier, computed_tier, tier_since)
       VALUES ($1, 'UNKNOWN', $2, 'REGISTERED', 'YELLOW', 'YELLOW', $3) RETURNING id`,
      [`逾期${i}`, gridA, new Date(now - (26 - i) * 86400000)],
    );
    overdue.push(row.id);
  }
  await api.dataSource.query(
    `INSERT INTO persons (name, gender, grid_id, residency, tier, computed_tier, tier_since)
     VALUES ('别网格', 'UNKNOWN', $1, 'REGISTERED', 'YELLOW', 'YELLOW', $2),
            ('未逾期', 'UNKNOWN', $3, 'REGISTERED', 'YELLOW', 'YELLOW', $4)`,
    [gridB, new Date(now - 30 * 86400000), gridA, new Date(now - 3 * 86400000)],
  );
});
afterAll(() => api.close());

const PAGE = `query($j: ID!, $after: String) { overdueFollowUps(jurisdictionId: $j, first: 3, after: $after) {
  totalCount edges { node { person { id } daysOverdue } } pageInfo { hasNextPage endCursor } } }`;

test('paging walks every overdue person of the grid once, most overdue first', async () => {
  const token = await api.login('villagea.leader');
  const gridA = await api.node('gridA');
  const seen: { id: string; days: number }[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10; page += 1) {
    const result: any = await api.gql(PAGE, { j: gridA, after }, token);
    expect(result.errors).toBeUndefined();
    expect(result.data.overdueFollowUps.totalCount).toBe(overdue.length);
    seen.push(
      ...result.data.overdueFollowUps.edges.map((e: any) => ({
        id: e.node.person.id,
        days: e.node.daysOverdue,
      })),
    );
    after = result.data.overdueFollowUps.pageInfo.endCursor;
    if (!result.data.overdueFollowUps.pageInfo.hasNextPage) break;
  }
  expect(seen.map((item) => item.id)).toEqual(overdue);
  expect(seen.map((item) => item.days)).toEqual([11, 10, 9, 8, 7, 6, 5]);
  const past: any = await api.gql(PAGE, { j: gridA, after }, token);
  expect(past.data.overdueFollowUps).toMatchObject({ totalCount: overdue.length, edges: [] });
});
