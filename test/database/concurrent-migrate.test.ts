// Replicas that start at the same moment (SPEC §6) migrate one database without tripping over each
// other: one runs the migrations, the others wait and then find nothing left to do.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { dropDatabase, ensureDatabase, migrate } from '../../src/database/database';
import { migrations } from '../../migrations';

const adminUrl = () => {
  const url = process.env.CONCORD_TEST_ADMIN_URL;
  if (!url) throw new Error('CONCORD_TEST_ADMIN_URL is not set: run the tests through jest (npm test)');
  return url;
};

test('three replicas migrating an empty database at once all start, and each migration runs once', async () => {
  const name = `concord_migrate_${randomBytes(6).toString('hex')}`;
  const url = await ensureDatabase(adminUrl(), name);
  const replicas = Array.from({ length: 3 }, () => new DataSource(dataSourceOptions(url)));
  try {
    await Promise.all(replicas.map((replica) => replica.initialize()));
    await Promise.all(replicas.map((replica) => migrate(replica)));
    const ran: { name: string }[] = await replicas[0]!.query(
      `SELECT name FROM schema_migrations ORDER BY id`,
    );
    expect(ran.map((row) => row.name)).toEqual(migrations.map((migration) => migration.name));
    const departments: { count: string }[] = await replicas[0]!.query(`SELECT count(*) FROM departments`);
    expect(Number(departments[0]?.count)).toBeGreaterThan(10);
  } finally {
    await Promise.all(replicas.map((replica) => (replica.isInitialized ? replica.destroy() : undefined)));
    await dropDatabase(adminUrl(), name);
  }
});
