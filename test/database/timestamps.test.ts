// The API's connections read timestamptz with their own parser (src/database/timestamps.ts). It must
// give every instant pg's own parser (postgres-date) gives, for the text PostgreSQL really sends, in
// any session time zone — including the shapes it leaves to postgres-date.
import { Client, types } from 'pg';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { parseTimestamptz } from '../../src/database/timestamps';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;
let client: Client;
const postgresDate = types.getTypeParser(1184, 'text') as (text: string) => unknown;
const asTime = (value: unknown) => (value instanceof Date ? value.getTime() : value);

beforeAll(async () => {
  api = await startTestApi();
  const { url } = api.dataSource.options as PostgresDataSourceOptions;
  // A client of its own that hands back the text, so both parsers read the same strings.
  client = new Client({ connectionString: url, types: { getTypeParser: () => (text: string) => text } });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await api.close();
});

const INSTANTS = `
  SELECT t FROM unnest(ARRAY[
    '2026-11-29 06:35:24.08+00', '2026-11-29 06:35:24+00', '2026-11-29 06:35:24.123456+00',
    '2026-11-29 06:35:24.999999+00', '2026-11-29 06:35:24.0005+00', '2026-02-28 23:59:59.5+00',
    '2024-02-29 12:00:00+00', '1970-01-01 00:00:00+00', '1969-12-31 23:59:59.9+00',
    '1900-01-01 00:00:00+00', '0050-06-01 12:00:00+00', '0099-12-31 23:59:59+00',
    '0100-01-01 00:00:00+00', '12345-01-01 00:00:00+00', '0044-03-15 12:00:00+00 BC',
    'infinity', '-infinity'
  ]::timestamptz[]) AS t
  UNION ALL
  SELECT generate_series('2025-12-31 22:00:00+00'::timestamptz, '2026-01-01 02:00:00+00', '17 minutes 3.217 seconds')`;

test.each(['UTC', 'Asia/Shanghai', 'America/St_Johns', 'Asia/Kathmandu', 'Europe/Amsterdam'])(
  'gives the instants postgres-date gives, in session time zone %s',
  async (zone) => {
    await client.query(`SET TimeZone = '${zone}'`);
    // Europe/Amsterdam before 1937 is +00:19:32: an offset with seconds.
    const { rows } = await client.query<{ t: string }>(
      `${INSTANTS} UNION ALL SELECT '1920-05-01 12:00:00+00'::timestamptz`,
    );
    expect(rows.length).toBeGreaterThan(30);
    for (const { t } of rows) expect([t, asTime(parseTimestamptz(t))]).toEqual([t, asTime(postgresDate(t))]);
  },
);

test('the API reads timestamps with it, and they come out as the same Dates', async () => {
  const [row] = await api.dataSource.query<{ t: Date }[]>(
    `SELECT '2026-11-29 06:35:24.123456+08'::timestamptz AS t`,
  );
  expect(row?.t).toBeInstanceOf(Date);
  expect(row?.t.toISOString()).toBe('2026-11-28T22:35:24.123Z');
});
