// The operator's path to one record per person on a database that already holds duplicates (issue 21
// item 5): the migration leaves the ID number index non-unique and says what to do; the duplicates
// command lists each group; the API refuses the number all the same; once the grid leader has merged
// them, the index is made unique. Rows written by SQL get their romanised search name on request.
import { OnePersonOneRecord1765900000000 } from '../../../migrations/1765900000000-OnePersonOneRecord';
import { grantRuntimeAccess, RUNTIME_ROLE } from '../../../src/database/database';
import {
  enforceUniqueIdNumbers,
  fillMissingNameSearch,
  findDuplicateIdNumbers,
  idNumberIndexIsUnique,
} from '../../../src/domain/people/duplicates.service';
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;
let gridA: string;
const SHARED = '330102196802141238';
const ids: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

test('a database holding duplicates migrates with a non-unique index and a notice naming the command', async () => {
  const migration = new OnePersonOneRecord1765900000000();
  const runner = api.dataSource.createQueryRunner();
  const warn = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    // Back to before the migration, two records of one person, and the migration again.
    await migration.down(runner);
    for (const [number, registered] of [
      [SHARED, '2020-01-01'],
      [` ${SHARED} `, '2021-01-01'],
    ]) {
      const [row] = (await runner.query(
        `INSERT INTO persons (name, gender, grid_id, residency, id_number, birth_date, created_at)
         VALUES ('重复甲', 'MALE', $1, 'REGISTERED', $2, '1968-02-14', $3) RETURNING id`,
        [gridA, number, registered],
      )) as { id: string }[];
      ids.push(row!.id);
    }
    await migration.up(runner);
    await grantRuntimeAccess(api.dataSource, RUNTIME_ROLE);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('npm run duplicates:persons'));
  } finally {
    await runner.release();
    warn.mockRestore();
  }
  expect(await idNumberIndexIsUnique(api.dataSource.manager)).toBe(false);
  const [{ n: unnamed }] = (await api.dataSource.query(
    `SELECT count(*)::int AS n FROM persons WHERE name_search IS NULL`,
  )) as [{ n: number }];
  expect(unnamed).toBe(0);
});

test('the duplicates command lists the group, without names or numbers', async () => {
  const groups = await findDuplicateIdNumbers(api.dataSource.manager);
  expect(groups).toEqual([
    {
      idNumberEnding: '1238',
      persons: ids.map((id) => ({
        id,
        gridPath: 'C01.S01.V01.G01',
        createdAt: expect.any(Date),
        tier: 'NONE',
      })),
    },
  ]);
});

test('the API refuses the number all the same, and the grid leader merges the two', async () => {
  const refused = await api.gql(
    `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { existingPersonId userErrors { code } } }`,
    { input: { name: '重复甲', gridId: gridA, idNumber: SHARED } },
    await api.login('grid.worker'),
  );
  expect(refused.data?.registerPerson).toEqual({
    existingPersonId: ids[0],
    userErrors: [{ code: 'CONFLICT' }],
  });
  const merged = await api.gql(
    `mutation($input: MergePersonsInput!) { mergePersons(input: $input) { person { id } userErrors { message } } }`,
    {
      input: { keepPersonId: ids[0], keepExpectedVersion: 1, mergePersonId: ids[1], mergeExpectedVersion: 1 },
    },
    await api.login('grid.leader'),
  );
  expect(merged.data?.mergePersons).toEqual({ person: { id: ids[0] }, userErrors: [] });
  expect(await findDuplicateIdNumbers(api.dataSource.manager)).toEqual([]);
});

test('once merged, the index is made unique (once)', async () => {
  expect(await enforceUniqueIdNumbers(api.dataSource)).toBe(true);
  expect(await idNumberIndexIsUnique(api.dataSource.manager)).toBe(true);
  expect(await enforceUniqueIdNumbers(api.dataSource)).toBe(false);
  await expect(
    api.dataSource.query(
      `INSERT INTO persons (name, gender, grid_id, residency, id_number) VALUES ('绕过', 'MALE', $1, 'REGISTERED', $2)`,
      [gridA, SHARED.toLowerCase()],
    ),
  ).rejects.toThrow(/persons_id_number_normalised/);
});

test('persons written by SQL get their search name on request', async () => {
  await api.dataSource.query(
    `INSERT INTO persons (name, gender, grid_id, residency) VALUES ('章三', 'MALE', $1, 'REGISTERED')`,
    [gridA],
  );
  expect(await fillMissingNameSearch(api.dataSource)).toBe(1);
  const rows = (await api.dataSource.query(`SELECT name_search FROM persons WHERE name = '章三'`)) as {
    name_search: string;
  }[];
  expect(rows).toEqual([{ name_search: 'zhang san' }]);
});
