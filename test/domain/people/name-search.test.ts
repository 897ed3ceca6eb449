// Name search indexed for Chinese (issue 23 item 4): `persons(filter: {nameContains})` finds a person
// by any one or two characters of the name and by pinyin (syllables, the whole name, initials), keeps
// Latin substring search as it was, stays within the caller's row scope, and is answered from the
// GIN index on person_name_grams rather than by reading every person.
import { nameContainsPredicate, nameGramsOf, pinyinTokensOf } from '../../../src/domain/people/name-search';
import { startTestApi, type TestApi } from '../../support/api';
import { registerPerson } from '../../support/fixtures';

let api: TestApi;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  for (const name of ['王宇轩', '李王明', '张宇', '欧阳修远', 'John Wangford']) {
    ids[name] = await registerPerson(api, worker, { name, gridId: gridA });
  }
  ids['王宇轩 (gridB)'] = await registerPerson(api, await api.login('gridb.worker'), {
    name: '王宇轩',
    gridId: await api.node('gridB'),
  });
});
afterAll(() => api.close());

const SEARCH = `query($name: String!) { persons(filter: { nameContains: $name }, first: 100) {
  totalCount edges { node { id name } } } }`;

async function found(
  username: string,
  name: string,
): Promise<{ total: number; names: string[]; ids: string[] }> {
  const result = await api.gql(SEARCH, { name }, await api.login(username));
  expect(result.errors).toBeUndefined();
  const nodes: { id: string; name: string }[] = result.data?.persons.edges.map(
    (edge: { node: { id: string; name: string } }) => edge.node,
  );
  return {
    total: result.data?.persons.totalCount,
    names: nodes.map((n) => n.name).sort(),
    ids: nodes.map((n) => n.id),
  };
}

test('one character finds it anywhere in the name, within the caller’s row scope', async () => {
  const first = await found('grid.worker', '王');
  expect(first.names).toEqual(['李王明', '王宇轩']);
  expect(first.total).toBe(2);
  // The namesake in grid B is not the grid A worker's to see, nor counted; grid B's worker sees only theirs.
  expect(first.ids).not.toContain(ids['王宇轩 (gridB)']);
  const other = await found('gridb.worker', '王');
  expect(other).toEqual({ total: 1, names: ['王宇轩'], ids: [ids['王宇轩 (gridB)']] });
  // A middle and a last character.
  expect((await found('grid.worker', '宇')).names).toEqual(['张宇', '王宇轩']);
  expect((await found('grid.worker', '远')).names).toEqual(['欧阳修远']);
});

test('two or more characters must stand together, as written', async () => {
  expect((await found('grid.worker', '宇轩')).names).toEqual(['王宇轩']);
  expect((await found('grid.worker', '王宇')).names).toEqual(['王宇轩']);
  // Both characters are in 王宇轩, but not next to each other.
  expect((await found('grid.worker', '王轩')).names).toEqual([]);
  expect((await found('grid.worker', '阳修远')).names).toEqual(['欧阳修远']);
});

test('pinyin: a syllable, neighbouring syllables, the whole name, the initials', async () => {
  expect((await found('grid.worker', 'xuan')).names).toEqual(['王宇轩']);
  expect((await found('grid.worker', 'wangyu')).names).toEqual(['王宇轩']);
  expect((await found('grid.worker', 'Wang Yu')).names).toEqual(['王宇轩']);
  expect((await found('grid.worker', 'ouyangxiuyuan')).names).toEqual(['欧阳修远']);
  expect((await found('grid.worker', 'wyx')).names).toEqual(['王宇轩']);
  // "wang": the syllable of 王 in two names, and the letters in a Latin name.
  expect((await found('grid.worker', 'wang')).names).toEqual(['John Wangford', '李王明', '王宇轩']);
  // Pinyin is never a way around row scope.
  expect((await found('gridb.worker', 'wyx')).ids).toEqual([ids['王宇轩 (gridB)']]);
});

test('Latin names keep their substring search, case-insensitive; wildcards are literal', async () => {
  expect((await found('grid.worker', 'ohn')).names).toEqual(['John Wangford']);
  expect((await found('grid.worker', 'WANGF')).names).toEqual(['John Wangford']);
  expect((await found('grid.worker', 'n W')).names).toEqual(['John Wangford']);
  expect((await found('grid.worker', '%')).names).toEqual([]);
  expect((await found('grid.worker', '_')).names).toEqual([]);
});

test('a renamed person is found by the new name only (the index follows every write)', async () => {
  const worker = await api.login('grid.worker');
  const [row] = (await api.dataSource.query(`SELECT version FROM persons WHERE id = $1`, [ids['张宇']])) as {
    version: number;
  }[];
  const renamed = await api.gql(
    `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { person { name } userErrors { message } } }`,
    { input: { id: ids['张宇'], expectedVersion: row?.version, name: '张宏' } },
    worker,
  );
  expect(renamed.data?.updatePerson.userErrors).toEqual([]);
  expect((await found('grid.worker', '宏')).names).toEqual(['张宏']);
  expect((await found('grid.worker', 'zhanghong')).names).toEqual(['张宏']);
  expect((await found('grid.worker', '宇')).names).toEqual(['王宇轩']);
});

test('the grams of a query are those person_name_grams stores for a name holding it', async () => {
  expect(nameGramsOf('王')).toEqual(['王']);
  expect(nameGramsOf('王 宇轩')).toEqual(['宇轩', '王宇'].sort());
  expect(pinyinTokensOf('Wang Yu')).toEqual(['~wangyu', '^wangyu']);
  expect(pinyinTokensOf('王')).toEqual([]);
  expect(pinyinTokensOf('w')).toEqual([]);
  const [stored] = (await api.dataSource.query(
    `SELECT person_name_grams(name, name_search) AS grams FROM persons WHERE id = $1`,
    [ids['王宇轩']],
  )) as { grams: string[] }[];
  expect(stored?.grams).toEqual(
    expect.arrayContaining([
      '王',
      '宇',
      '轩',
      '王宇',
      '宇轩',
      '~wang',
      '~yu',
      '~xuan',
      '~wangyu',
      '~yuxuan',
      '~wangyuxuan',
      '^wyx',
    ]),
  );
});

test('the search is answered from the name-grams index, not by reading every person', async () => {
  for (const query of ['王', '王宇', 'wangyu']) {
    const predicate = nameContainsPredicate(query);
    const [sql, parameters] = api.dataSource
      .createQueryBuilder()
      .select('p.id')
      .from('persons', 'p')
      .where(predicate.sql, predicate.params)
      .getQueryAndParameters();
    const plan = await api.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL enable_seqscan = off`);
      const rows = (await tx.query(`EXPLAIN ${sql}`, parameters)) as { 'QUERY PLAN': string }[];
      return rows.map((line) => line['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('persons_name_grams');
    expect(plan).not.toContain('Seq Scan');
  }
});
