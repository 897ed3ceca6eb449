// Keyset paging never skips or repeats a row, even when rows were written with microseconds.
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

test('every dispute appears exactly once when paging, with sub-millisecond reported times', async () => {
  const gridA = await api.node('gridA');
  const userId: string = (
    await api.dataSource.query(`SELECT id FROM users WHERE username = 'grid.worker'`)
  )[0].id;
  const ids: string[] = [];
  for (let i = 0; i < 25; i += 1) {
    const id = randomUUID();
    ids.push(id);
    await api.dataSource.query(
      `INSERT INTO disputes (id, category, description, source, grid_id, reported_by_id, reported_at)
       VALUES ($1, 'NEIGHBOR', '分页', 'GRID_VISIT', $2, $3, '2026-10-01T00:00:00.000Z'::timestamptz + $4 * interval '1 microsecond')`,
      [id, gridA, userId, i * 137],
    );
  }
  const token = await api.login('grid.worker');
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const result: any = await api.gql(
      `query($after: String) { disputes(first: 4, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      { after },
      token,
    );
    seen.push(...result.data.disputes.edges.map((e: any) => e.node.id));
    // the total is over the whole filter on every page, not what remains after the cursor
    expect(result.data.disputes.totalCount).toBe(ids.length);
    if (!result.data.disputes.pageInfo.hasNextPage) break;
    after = result.data.disputes.pageInfo.endCursor;
  }
  expect(seen.sort()).toEqual([...ids].sort());
  // past the last row: no edges, and still the whole total
  const last: any = await api.gql(
    `query($after: String) { disputes(first: 4, after: $after) { totalCount edges { node { id } } } }`,
    { after: (await lastCursor(token)) as string },
    token,
  );
  expect(last.data.disputes).toEqual({ totalCount: ids.length, edges: [] });
});

async function lastCursor(token: string): Promise<string> {
  const all: any = await api.gql(`{ disputes(first: 100) { pageInfo { endCursor } } }`, {}, token);
  return all.data.disputes.pageInfo.endCursor;
}
