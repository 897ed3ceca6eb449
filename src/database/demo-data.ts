// The demo city `npm start` loads into an empty database: a street, two villages, four grids, one
// user per department and position, and ~50 synthetic persons with households, disputes,
// assessments, assignments and follow-ups. Deterministic (seeded), fictitious, and free of anything
// SPEC §1 excludes.
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/passwords';
import { recomputeTiers } from '../domain/risk/tier.service';
import { reviewByDate } from '../domain/risk/rules';
import { Tier } from '../domain/risk/risk.enums';

export const DEMO_PASSWORD = 'concord-demo-2026';

export interface DemoLogin {
  username: string;
  department: string;
  position: 'WORKER' | 'LEADER';
  jurisdiction: string;
  capabilities: string[];
}

/** mulberry32: a small seeded generator, so every demo database is the same. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '黄',
  '赵',
  '吴',
  '周',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
];
const GIVEN = [
  '伟',
  '芳',
  '娜',
  '敏',
  '静',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '涛',
  '明',
  '超',
  '霞',
  '平',
  '刚',
];
const OCCUPATIONS = [
  '务农',
  '个体经营',
  '工厂工人',
  '建筑工人',
  '司机',
  '教师',
  '退休',
  '学生',
  '快递员',
  '厨师',
];
const TREE: [string, string, string, string | null][] = [
  ['C01', '示范市', 'CITY', null],
  ['C01.S01', '和平街道', 'STREET', 'C01'],
  ['C01.S01.V01', '东村', 'VILLAGE', 'C01.S01'],
  ['C01.S01.V02', '西社区', 'VILLAGE', 'C01.S01'],
  ['C01.S01.V01.G01', '东村第一网格', 'GRID', 'C01.S01.V01'],
  ['C01.S01.V01.G02', '东村第二网格', 'GRID', 'C01.S01.V01'],
  ['C01.S01.V02.G01', '西社区第一网格', 'GRID', 'C01.S01.V02'],
  ['C01.S01.V02.G02', '西社区第二网格', 'GRID', 'C01.S01.V02'],
];
const GRIDS = TREE.filter((node) => node[2] === 'GRID').map((node) => node[0]);
const DISPUTES: [string, string, string][] = [
  ['NEIGHBOR', 'GRID_VISIT', '宅基地通行纠纷，双方多次争吵'],
  ['MARRIAGE_RELATIONSHIP', 'SELF_REPORT', '婚姻纠纷，一方要求离婚并分割财产'],
  ['FAMILY', 'GRID_VISIT', '赡养老人费用分担纠纷'],
  ['LABOR_WAGES', 'HOTLINE', '工地拖欠工资三个月'],
  ['PRIVATE_LENDING', 'COURT', '民间借贷到期未还'],
  ['LAND_FOREST', 'GRID_VISIT', '承包地边界争议'],
  ['PROPERTY_MANAGEMENT', 'HOTLINE', '物业费与停车位纠纷'],
  ['DOMESTIC_VIOLENCE', 'POLICE_CALL', '家庭暴力报警'],
  ['CONTRACT', 'DEPARTMENT', '装修合同质量纠纷'],
  ['MEDICAL', 'PETITION', '医疗费用争议'],
  ['LAND_REQUISITION_DEMOLITION', 'DEPARTMENT', '拆迁补偿标准争议'],
  ['SCHOOL', 'SELF_REPORT', '学生之间欺凌引发家长冲突'],
  ['WORKPLACE_SAFETY', 'DEPARTMENT', '工伤赔偿纠纷'],
  ['NEIGHBOR', 'POLICE_CALL', '噪音扰民引发推搡'],
  ['FINANCIAL_INVESTMENT', 'HOTLINE', '投资平台无法兑付'],
];
const STATUSES = [
  'REPORTED',
  'ACCEPTED',
  'IN_MEDIATION',
  'IN_MEDIATION',
  'ACCEPTED',
  'RESOLVED',
  'CLOSED_UNRESOLVED',
];
const SPECIAL = [
  'COMMUNITY_CORRECTIONS',
  'RELEASED_PRISONER',
  'DRUG_INVOLVED',
  'NO_LIVELIHOOD',
  'VETERAN',
  'DISABILITY',
];

function idNumber(birth: string, serial: number): string {
  const body = `330102${birth.replace(/-/g, '')}${String(serial % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return `${body}${'10X98765432'[sum % 11]}`;
}

async function insertRows(
  manager: EntityManager,
  table: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] ?? {});
  const values: unknown[] = [];
  const tuples = rows.map((row) => `(${columns.map((column) => `$${values.push(row[column])}`).join(', ')})`);
  await manager.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
}

export async function loadDemoData(dataSource: DataSource, now: Date): Promise<DemoLogin[] | null> {
  const existing: unknown[] = await dataSource.query(`SELECT 1 FROM jurisdictions LIMIT 1`);
  if (existing.length > 0) return null;
  const random = seeded(20261101);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86400000);
  const hash = await hashPassword(DEMO_PASSWORD);

  return dataSource.transaction(async (manager) => {
    const nodeIds = new Map(TREE.map(([code]) => [code, randomUUID()]));
    await insertRows(
      manager,
      'jurisdictions',
      TREE.map(([code, name, level, parent]) => ({
        id: nodeIds.get(code),
        code,
        name,
        level,
        parent_id: parent ? nodeIds.get(parent) : null,
        path: code,
      })),
    );

    const departments: { code: string; name_zh: string }[] = await manager.query(
      `SELECT code, name_zh FROM departments ORDER BY code`,
    );
    const logins: DemoLogin[] = [];
    const userIds = new Map<string, string>();
    const addUser = (
      username: string,
      displayName: string,
      department: string,
      position: 'WORKER' | 'LEADER',
      node: string,
      capabilities: string[] = [],
    ) => {
      userIds.set(username, randomUUID());
      logins.push({ username, department, position, jurisdiction: node, capabilities });
      return {
        id: userIds.get(username),
        username,
        display_name: displayName,
        department_code: department,
        position,
        jurisdiction_id: nodeIds.get(node),
        capabilities,
        password_hash: hash,
      };
    };
    const users = departments.flatMap(({ code, name_zh }) => {
      const node = code === 'GRID' ? 'C01.S01.V01.G01' : code === 'CITY_CENTER' ? 'C01' : 'C01.S01';
      return [
        addUser(`${code.toLowerCase()}.worker`, `${name_zh}工作人员`, code, 'WORKER', node),
        addUser(`${code.toLowerCase()}.leader`, `${name_zh}领导`, code, 'LEADER', node),
      ];
    });
    users.push(
      addUser('grid2.worker', '东村第二网格员', 'GRID', 'WORKER', 'C01.S01.V01.G02'),
      addUser('grid2.leader', '东村第二网格长', 'GRID', 'LEADER', 'C01.S01.V01.G02'),
      addUser('grid3.worker', '西社区第一网格员', 'GRID', 'WORKER', 'C01.S01.V02.G01'),
      addUser('grid4.worker', '西社区第二网格员', 'GRID', 'WORKER', 'C01.S01.V02.G02'),
      addUser('village1.leader', '东村书记', 'GRID', 'LEADER', 'C01.S01.V01'),
      addUser('village2.leader', '西社区书记', 'GRID', 'LEADER', 'C01.S01.V02'),
      addUser('admin', '系统管理员', 'COMPREHENSIVE_GOVERNANCE', 'WORKER', 'C01', ['ADMIN']),
      addUser('auditor', '审计员', 'COMPREHENSIVE_GOVERNANCE', 'WORKER', 'C01', ['AUDITOR']),
    );
    await insertRows(manager, 'users', users);
    const workerOf = (grid: string): string =>
      userIds.get(
        {
          'C01.S01.V01.G01': 'grid.worker',
          'C01.S01.V01.G02': 'grid2.worker',
          'C01.S01.V02.G01': 'grid3.worker',
        }[grid] ?? 'grid4.worker',
      ) ?? '';

    const households = Array.from({ length: 15 }, (_, index) => {
      const grid = GRIDS[index % GRIDS.length] ?? 'C01.S01.V01.G01';
      const village = grid.startsWith('C01.S01.V01') ? '东村' : '西社区';
      return { id: randomUUID(), grid, address: `${village}${1 + (index % 6)}组${10 + index}号` };
    });
    await insertRows(
      manager,
      'households',
      households.map((h) => ({ id: h.id, address: h.address, grid_id: nodeIds.get(h.grid) })),
    );

    const persons = Array.from({ length: 50 }, (_, index) => {
      const household = index < 40 ? households[index % households.length] : undefined;
      const grid = household?.grid ?? pick(GRIDS);
      const minor = index % 10 === 9;
      const year = minor ? 2010 + Math.floor(random() * 6) : 1950 + Math.floor(random() * 52);
      const birth = `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
      const migrant = index % 5 === 4;
      const village = grid.startsWith('C01.S01.V01') ? '东村' : '西社区';
      return {
        id: randomUUID(),
        name: `${pick(SURNAMES)}${pick(GIVEN)}${random() < 0.5 ? pick(GIVEN) : ''}`,
        gender: index % 2 === 0 ? 'MALE' : 'FEMALE',
        birth_date: birth,
        id_number: idNumber(birth, index * 7 + 11),
        phone: `138${String(Math.floor(random() * 1e8)).padStart(8, '0')}`,
        address: household?.address ?? `${village}${1 + (index % 6)}组${50 + index}号`,
        household_id: household?.id ?? null,
        grid_id: nodeIds.get(grid),
        residency: migrant ? 'MIGRANT' : 'REGISTERED',
        employer_name: migrant ? '和平五金厂' : null,
        employer_contact: migrant ? '0571-8888' + String(1000 + index) : null,
        landlord_name: migrant ? `${pick(SURNAMES)}房东` : null,
        landlord_contact: migrant ? `139${String(Math.floor(random() * 1e8)).padStart(8, '0')}` : null,
        occupation: minor ? '学生' : pick(OCCUPATIONS),
        special_statuses: index % 8 === 3 ? `{${SPECIAL[((index / 8) % SPECIAL.length) | 0]}}` : '{}',
        created_by_id: workerOf(grid),
        grid,
      };
    });
    await insertRows(
      manager,
      'persons',
      persons.map(({ grid: _grid, ...row }) => row),
    );

    const sameGrid = (grid: string) =>
      persons.filter((p) => p.grid === grid && !p.occupation.includes('学生'));
    const disputes: Record<string, unknown>[] = [];
    const parties: Record<string, unknown>[] = [];
    DISPUTES.forEach(([category, source, description], index) => {
      const grid = GRIDS[index % GRIDS.length] ?? 'C01.S01.V01.G01';
      const candidates = sameGrid(grid);
      const applicant = candidates[index % candidates.length];
      const respondent = candidates[(index + 3) % candidates.length];
      if (!applicant || !respondent || applicant === respondent) return;
      const status = STATUSES[index % STATUSES.length] ?? 'REPORTED';
      const reportedAt = daysAgo(5 + Math.floor(random() * 80));
      const id = randomUUID();
      disputes.push({
        id,
        category,
        source,
        description,
        status,
        level: index % 6 === 5 ? 'VILLAGE' : 'GRID',
        grid_id: nodeIds.get(grid),
        reported_by_id: workerOf(grid),
        reported_at: reportedAt,
        closed_at: ['RESOLVED', 'CLOSED_UNRESOLVED'].includes(status) ? daysAgo(2) : null,
      });
      parties.push({ dispute_id: id, person_id: applicant.id, role: 'APPLICANT' });
      parties.push({ dispute_id: id, person_id: respondent.id, role: 'RESPONDENT' });
    });
    await insertRows(manager, 'disputes', disputes);
    await insertRows(manager, 'dispute_parties', parties);

    const indicators: { code: string; category: string }[] = await manager.query(
      `SELECT i.code, i.category FROM indicators i JOIN indicator_catalog_versions v
         ON v.version = i.catalog_version AND v.current ORDER BY i.code`,
    );
    const [{ version } = { version: 1 }] = (await manager.query(
      `SELECT version FROM indicator_catalog_versions WHERE current`,
    )) as { version: number }[];
    const character = indicators.filter((i) => i.category === 'CHARACTER');
    const behavior = indicators.filter((i) => i.category === 'BEHAVIOR');
    const openParties = new Set(
      parties
        .filter((p) => disputes.some((d) => d.id === p.dispute_id && d.closed_at === null))
        .map((p) => p.person_id as string),
    );
    const assessed = [...new Set(parties.map((p) => p.person_id as string))]
      .slice(0, 10)
      .concat(persons.slice(45, 47).map((p) => p.id));
    const assessments: Record<string, unknown>[] = [];
    const assessmentIndicators: Record<string, unknown>[] = [];
    assessed.forEach((personId, index) => {
      const chosen = [
        ...(index % 3 !== 2 ? [pick(character)] : []),
        ...(index % 2 === 0 ? [pick(behavior)] : []),
      ].filter((i): i is { code: string; category: string } => Boolean(i));
      const categories = new Set(chosen.map((i) => i.category));
      if (openParties.has(personId)) categories.add('EVENT');
      const tier = [Tier.NONE, Tier.YELLOW, Tier.ORANGE, Tier.RED][categories.size] ?? Tier.RED;
      const assessedAt = daysAgo(1 + Math.floor(random() * 60));
      const id = randomUUID();
      const person = persons.find((p) => p.id === personId);
      assessments.push({
        id,
        person_id: personId,
        assessor_id: workerOf(person?.grid ?? 'C01.S01.V01.G01'),
        assessed_at: assessedAt,
        catalog_version: version,
        tier,
        review_by: reviewByDate(tier, assessedAt),
      });
      for (const indicator of chosen) {
        assessmentIndicators.push({
          assessment_id: id,
          indicator_code: indicator.code,
          category: indicator.category,
          note: indicator.category === 'CHARACTER' ? '走访中观察到情绪明显波动' : '近期在村里扬言要讨个说法',
        });
      }
    });
    await insertRows(manager, 'assessments', assessments);
    await insertRows(manager, 'assessment_indicators', assessmentIndicators);
    await recomputeTiers(
      manager,
      persons.map((p) => p.id),
      now,
    );

    const tiered: { id: string; grid_id: string }[] = await manager.query(
      `SELECT id, grid_id FROM persons WHERE tier <> 'NONE' ORDER BY id`,
    );
    const gridCode = (gridId: string) =>
      [...nodeIds].find(([, id]) => id === gridId)?.[0] ?? 'C01.S01.V01.G01';
    await insertRows(
      manager,
      'assignments',
      tiered.slice(0, 6).map((person) => ({
        person_id: person.id,
        lead_leader_id: userIds.get('village1.leader'),
        responsible_department_code: 'GRID',
        responsible_person_id: workerOf(gridCode(person.grid_id)),
        measures: '定期走访，关注情绪变化，协调化解矛盾',
        created_by_id: userIds.get('grid.leader'),
      })),
    );
    await insertRows(
      manager,
      'follow_ups',
      tiered.flatMap((person, index) =>
        [3, 12 + index].map((days) => ({
          person_id: person.id,
          by_id: workerOf(gridCode(person.grid_id)),
          occurred_at: daysAgo(days),
          method: pick(['VISIT', 'PHONE', 'VIDEO', 'VISIT']),
          notes: '上门走访，了解近况',
          observed_change: pick(['情绪平稳', '有所好转', '仍有怨气']),
        })),
      ),
    );
    return logins;
  });
}
