// Jurisdiction nodes are read once per process and kept (organisation.loaders.ts); that is only right
// because the database refuses to change a node (migration JurisdictionsAppendOnly).
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const PAGE = `query($j: ID!) { persons(first: 10, filter: { jurisdictionId: $j }) { totalCount } }`;

test('a node is read from the database once, then answered from memory', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const first = await api.gql(PAGE, { j: gridA }, worker);
  const again = await api.gql(PAGE, { j: gridA }, worker);
  expect(first.errors).toBeUndefined();
  expect(again.data).toEqual(first.data);
  expect(again.extensions?.sqlStatements).toBe((first.extensions?.sqlStatements ?? 0) - 1);
});

test('a node added while the API runs is found at once, and an unknown id stays NOT_FOUND', async () => {
  const leader = await api.login('comprehensive_governance.leader');
  const unknown = '00000000-0000-4000-8000-000000000001';
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const answer = await api.gql(PAGE, { j: unknown }, leader);
    expect(answer.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  }
  const villageA = await api.node('villageA');
  const [villagePath] = (await api.dataSource.query(`SELECT path FROM jurisdictions WHERE id = $1`, [
    villageA,
  ])) as { path: string }[];
  await api.dataSource.query(
    `INSERT INTO jurisdictions (id, code, name, level, parent_id, path) VALUES ($1, $3, '新网格', 'GRID', $2, $3)`,
    [unknown, villageA, `${villagePath?.path}.G99`],
  );
  const added = await api.gql(PAGE, { j: unknown }, leader);
  expect(added.errors).toBeUndefined();
  expect(added.data?.persons.totalCount).toBe(0);
});

test('the database refuses to rename, move or remove a node', async () => {
  const gridA = await api.node('gridA');
  const villageB = await api.node('villageB');
  await expect(
    api.dataSource.query(`UPDATE jurisdictions SET name = '改名' WHERE id = $1`, [gridA]),
  ).rejects.toThrow(/append-only/);
  await expect(
    api.dataSource.query(`UPDATE jurisdictions SET parent_id = $2 WHERE id = $1`, [gridA, villageB]),
  ).rejects.toThrow(/append-only/);
  await expect(api.dataSource.query(`DELETE FROM jurisdictions WHERE id = $1`, [gridA])).rejects.toThrow(
    /append-only/,
  );
  await expect(api.dataSource.query(`TRUNCATE jurisdictions CASCADE`)).rejects.toThrow(/append-only/);
  const [node] = (await api.dataSource.query(`SELECT name FROM jurisdictions WHERE id = $1`, [gridA])) as {
    name: string;
  }[];
  expect(node?.name).not.toBe('改名');
});
