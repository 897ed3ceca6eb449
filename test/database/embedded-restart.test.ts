// `npm start`'s database: an embedded PostgreSQL whose data under the data directory survives a
// stop and a start, and whose migrations and reference data load on every start without harm.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/database/database';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'concord-restart-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

test('data written before a stop is there after the next start', async () => {
  const config = { ...loadConfig({ NODE_ENV: 'test' }), databaseUrl: undefined, dataDir };
  const first = await openDatabase(config, () => undefined);
  await first.dataSource.query(
    `INSERT INTO jurisdictions (code, name, level, path) VALUES ('R01', '重启市', 'CITY', 'R01')`,
  );
  await first.close();

  const second = await openDatabase(config, () => undefined);
  try {
    const rows: { name: string }[] = await second.dataSource.query(
      `SELECT name FROM jurisdictions WHERE code = 'R01'`,
    );
    expect(rows).toEqual([{ name: '重启市' }]);
    const departments: { count: string }[] = await second.dataSource.query(
      `SELECT count(*) FROM departments`,
    );
    expect(Number(departments[0]?.count)).toBe(20);
  } finally {
    await second.close();
  }
});
