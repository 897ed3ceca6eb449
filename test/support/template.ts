// The template database every test database is cloned from: owned by the owner role and migrated by
// it (runtime role granted what the API needs), reference data loaded, and the test organisation
// (city > street > 2 villages > 4 grids, users of every department) in place. Clones keep the
// owner and the grants.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { hashPassword } from '../../src/auth/passwords';
import {
  dropDatabase,
  ensureDatabase,
  handDatabaseToOwner,
  migrate,
  roleUrl,
  type DatabaseRoles,
} from '../../src/database/database';

export const TEMPLATE_DATABASE = 'concord_template';
export const TEST_PASSWORD = 'test-password-1';

/** Jurisdiction codes of the test organisation; `path` equals the code. */
export const NODES = {
  city: 'C01',
  street: 'C01.S01',
  villageA: 'C01.S01.V01',
  villageB: 'C01.S01.V02',
  gridA: 'C01.S01.V01.G01',
  gridB: 'C01.S01.V01.G02',
  gridC: 'C01.S01.V02.G01',
  gridD: 'C01.S01.V02.G02',
} as const;

export async function buildTemplate(adminUrl: string, roles: DatabaseRoles): Promise<void> {
  await dropDatabase(adminUrl, TEMPLATE_DATABASE);
  const url = await ensureDatabase(adminUrl, TEMPLATE_DATABASE);
  await handDatabaseToOwner(url, roles.owner.name);
  const dataSource = new DataSource(dataSourceOptions(roleUrl(url, roles.owner)));
  await dataSource.initialize();
  try {
    await migrate(dataSource, { runtimeRole: roles.runtime.name });
    await seedOrganisation(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function seedOrganisation(dataSource: DataSource): Promise<void> {
  const existing: unknown[] = await dataSource.query(`SELECT 1 FROM jurisdictions LIMIT 1`);
  if (existing.length > 0) return;
  const tree: [string, string, string, string | null][] = [
    [NODES.city, '测试市', 'CITY', null],
    [NODES.street, '和平街道', 'STREET', NODES.city],
    [NODES.villageA, '东村', 'VILLAGE', NODES.street],
    [NODES.villageB, '西社区', 'VILLAGE', NODES.street],
    [NODES.gridA, '东村一网格', 'GRID', NODES.villageA],
    [NODES.gridB, '东村二网格', 'GRID', NODES.villageA],
    [NODES.gridC, '西社区一网格', 'GRID', NODES.villageB],
    [NODES.gridD, '西社区二网格', 'GRID', NODES.villageB],
  ];
  const ids = new Map<string, string>();
  for (const [code, name, level, parent] of tree) {
    const id = randomUUID();
    ids.set(code, id);
    await dataSource.query(
      `INSERT INTO jurisdictions (id, code, name, level, parent_id, path) VALUES ($1, $2, $3, $4, $5, $2)`,
      [id, code, name, level, parent ? ids.get(parent) : null],
    );
  }
  const hash = await hashPassword(TEST_PASSWORD);
  const departments: { code: string }[] = await dataSource.query(
    `SELECT code FROM departments ORDER BY code`,
  );
  const users: [string, string, string, string, string[]][] = [];
  for (const { code } of departments) {
    const node = code === 'GRID' ? NODES.gridA : code === 'CITY_CENTER' ? NODES.city : NODES.street;
    for (const position of ['WORKER', 'LEADER']) {
      users.push([`${code.toLowerCase()}.${position.toLowerCase()}`, code, position, node, []]);
    }
  }
  users.push(['gridb.worker', 'GRID', 'WORKER', NODES.gridB, []]);
  users.push(['gridb.leader', 'GRID', 'LEADER', NODES.gridB, []]);
  users.push(['gridc.worker', 'GRID', 'WORKER', NODES.gridC, []]);
  users.push(['villagea.leader', 'GRID', 'LEADER', NODES.villageA, []]);
  users.push(['villageb.leader', 'GRID', 'LEADER', NODES.villageB, []]);
  users.push(['admin', 'COMPREHENSIVE_GOVERNANCE', 'WORKER', NODES.city, ['ADMIN']]);
  users.push(['auditor', 'COMPREHENSIVE_GOVERNANCE', 'WORKER', NODES.city, ['AUDITOR']]);
  for (const [username, department, position, node, capabilities] of users) {
    await dataSource.query(
      `INSERT INTO users (username, display_name, department_code, position, jurisdiction_id, capabilities, password_hash)
       VALUES ($1, $1, $2, $3, $4, $5, $6)`,
      [username, department, position, ids.get(node), capabilities, hash],
    );
  }
}
