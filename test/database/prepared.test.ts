// The identity lookup, the loaders' keyed reads and the read-audit insert run as named statements
// (src/database/prepared.ts): they must give the rows an unnamed statement gives, be prepared once
// per connection, and inside a transaction run in it.
import { DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { dataSourceOptions } from '../../ormconfig';
import {
  arrayParameter,
  NAMED_STATEMENT_LIMIT,
  queryPrepared,
  statementName,
} from '../../src/database/prepared';
import { runCountingStatements } from '../../src/database/statement-counter';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;
let single: DataSource;
let personIds: string[];
const sql = 'SELECT id, name FROM persons WHERE id = ANY($1) ORDER BY name';

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  personIds = [
    await registerPerson(api, worker, { name: '命名甲', gridId: gridA }),
    await registerPerson(api, worker, { name: '命名乙', gridId: gridA }),
  ];
  // One connection, so the statements prepared on it can be listed from it.
  const { url } = api.dataSource.options as PostgresDataSourceOptions;
  single = new DataSource(dataSourceOptions(url as string, { extra: { max: 1 } }));
  await single.initialize();
});
afterAll(async () => {
  await single.destroy();
  await api.close();
});

const preparedOnConnection = () =>
  single.query<{ name: string; statement: string }[]>(
    `SELECT name, statement FROM pg_prepared_statements ORDER BY name`,
  );

test('a repeated read is prepared once on its connection and gives the rows an unnamed run gives', async () => {
  const { result, counter } = runCountingStatements(async () => [
    await queryPrepared(single, sql, [personIds]),
    await queryPrepared(single, sql, [personIds]),
  ]);
  const [first, second] = await result;
  expect(first).toEqual(await single.query(sql, [personIds]));
  expect(first?.map((row) => row.name)).toEqual(['命名乙', '命名甲'].sort());
  expect(second).toEqual(first);
  expect(counter.statements).toBe(2);
  expect(await preparedOnConnection()).toEqual([{ name: statementName(sql), statement: sql }]);
});

test('an array of strings reaches PostgreSQL as the same array pg would send', async () => {
  const arrays = [
    personIds,
    ['YELLOW', 'ORANGE', 'RED'],
    ['a,b', '{c}', ' d ', '', 'NULL', 'null', '命名', "it's", 'tab\there'],
    ['has "quotes"', 'back\\slash'],
    ['one'],
  ];
  for (const array of arrays) {
    const [byPg] = await single.query(`SELECT $1::text[] AS a, cardinality($1::text[]) AS n`, [array]);
    const [byJoin] = await single.query(`SELECT $1::text[] AS a, cardinality($1::text[]) AS n`, [
      arrayParameter(array),
    ]);
    expect(byJoin).toEqual(byPg);
    expect(byJoin.a).toEqual(array);
  }
  // Left to pg: escaping, other element types, nested and empty arrays, non-arrays.
  for (const value of [['has "quotes"'], [1, 2], [['a']], [], 'text', null]) {
    expect(arrayParameter(value)).toBe(value);
  }
  const [page] = await queryPrepared<{ n: number }>(
    single,
    'SELECT count(*)::int AS n FROM persons WHERE id = ANY($1)',
    [personIds],
  );
  expect(page).toEqual({ n: 2 });
});

test('inside a transaction it runs on the transaction, unnamed', async () => {
  const other = 'SELECT count(*)::int AS n FROM persons WHERE name = $1';
  const seen = await single.transaction(async (tx) => {
    await tx.query(`UPDATE persons SET name = '命名丙' WHERE id = $1`, [personIds[0]]);
    return queryPrepared<{ n: number }>(single, other, ['命名丙'], tx.queryRunner);
  });
  expect(seen).toEqual([{ n: 1 }]);
  expect((await preparedOnConnection()).map((row) => row.statement)).not.toContain(other);
});

test('a failing statement is a QueryFailedError and leaves nothing prepared', async () => {
  const broken = 'SELECT no_such_column FROM persons WHERE id = ANY($1)';
  await expect(queryPrepared(single, broken, [personIds])).rejects.toBeInstanceOf(QueryFailedError);
  expect((await preparedOnConnection()).map((row) => row.statement)).not.toContain(broken);
});

test('two statements never share a name', () => {
  expect(statementName(sql)).toBe(statementName(`${sql}`));
  expect(statementName(sql)).not.toBe(statementName(`${sql} `));
  expect(statementName(sql)?.length).toBeLessThan(64);
});

test('past the limit, new texts run unnamed and nothing more is prepared', async () => {
  const texts = Array.from({ length: NAMED_STATEMENT_LIMIT + 20 }, (_, index) => `SELECT ${index}::int AS n`);
  for (const [index, text] of texts.entries()) {
    expect(await queryPrepared(single, text, [])).toEqual([{ n: index }]);
  }
  const prepared = await preparedOnConnection();
  // Some names went to the test server's own reads, prepared on its connections, not this one.
  expect(prepared.length).toBeLessThanOrEqual(NAMED_STATEMENT_LIMIT);
  expect(prepared.map((row) => row.statement)).toContain(texts[0]);
  expect(prepared.map((row) => row.statement)).not.toContain(texts.at(-1));
  // Texts named before the limit was reached keep their names.
  expect(statementName(sql)).toBeDefined();
  expect(statementName(texts.at(-1) as string)).toBeUndefined();
});
