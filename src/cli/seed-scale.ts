// Fills a database with synthetic city-scale data (1 city that grows as a real one does: about 1,000
// persons per grid, 4 grids per village, 10 villages per street; N persons and their disputes,
// assessments, tiers, follow-ups, assignments) for load tests: `node dist/src/cli/seed-scale.js --persons 100000`.
// Tiers are set in one statement for speed, with the rule's own tables (risk/rules.ts);
// test/cli/seed-scale.test.ts proves they equal what recomputeTiers gives.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fakerZH_CN as faker } from '@faker-js/faker';
import type { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/passwords';
import { secretSealerOf, type SecretSealer } from '../auth/second-factor-key';
import { loadConfig } from '../config';
import { demoSecondFactor } from '../database/demo-data';
import { OPEN_STATUSES } from '../domain/disputes/rules';
import { nameSearchKey } from '../domain/people/rules';
import { REVIEW_DAYS_BY_TIER, TIER_BY_CATEGORY_COUNT } from '../domain/risk/rules';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const CITY_CODE = 'S-C01';
// A city grows by more grids, villages and streets, not by fuller ones: a street's screens then cost
// the same in a city of 100,000 as in one of 1,000,000 (issue 23).
const PERSONS_PER_GRID = 1000;
const GRIDS_PER_VILLAGE = 4;
const VILLAGES_PER_STREET = 10;
const BATCH = 5000;
const PASSWORD = 'concord-scale-2026';
const DAY = 24 * 3600 * 1000;
const NOW = Date.now();
const OPEN_STATUS_NAMES: readonly string[] = OPEN_STATUSES;

interface Options {
  persons: number;
  databaseUrl: string | undefined;
  force: boolean;
}

interface Grid {
  id: string;
  code: string;
  name: string;
  villageName: string;
  streetName: string;
  workerId: string;
  leaderId: string;
  persons: number[];
  /** Adults, who are the usual parties to disputes. */
  adults: number[];
  /** Repeat disputants. */
  pool: number[];
}

interface Household {
  id: string;
  address: string;
  gridId: string;
  createdAt: number;
}

interface Person {
  id: string;
  name: string;
  gender: 'MALE' | 'FEMALE';
  birthDate: string;
  idNumber: string;
  phone: string | null;
  address: string;
  householdId: string;
  grid: number;
  residency: 'REGISTERED' | 'MIGRANT';
  employerName: string | null;
  employerContact: string | null;
  landlordName: string | null;
  landlordContact: string | null;
  occupation: string | null;
  statuses: string;
  createdAt: number;
}

interface Dispute {
  id: string;
  category: string;
  description: string;
  source: string;
  status: string;
  level: string;
  venue: string | null;
  grid: number;
  reportedAt: number;
  closedAt: number | null;
  parties: [number, number];
}

interface Assessment {
  id: string;
  person: number;
  assessedAt: number;
  indicators: { code: string; category: string; note: string }[];
}

interface FollowUp {
  person: number;
  occurredAt: number;
  method: string;
  notes: string;
  observedChange: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { persons: 100000, databaseUrl: loadConfig().databaseUrl, force: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.split('=', 2) as [string, string | undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${name} needs a value`);
      return next;
    };
    if (name === '--persons') options.persons = Number(value());
    else if (name === '--database-url') options.databaseUrl = value();
    else if (name === '--force') options.force = true;
    else throw new Error(`unknown argument ${arg} (usage: --persons N [--database-url URL] [--force])`);
  }
  if (!Number.isInteger(options.persons) || options.persons < 1)
    throw new Error('--persons must be a positive integer');
  return options;
}

/** mulberry32: fast seeded numbers for the bulk choices; faker (also seeded) supplies the text. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = seeded(20261129);
const int = (min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));
function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
function weighted<T extends string>(table: Readonly<Record<T, number>>): () => T {
  const entries = Object.entries(table) as [T, number][];
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  return () => {
    let roll = rand() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1]![0];
  };
}
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
const iso = (ms: number): string => new Date(ms).toISOString();
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const PHONE_PREFIXES = ['130', '131', '133', '135', '136', '137', '138', '139', '150', '151', '152', '157'];
const MORE_PREFIXES = ['158', '159', '177', '180', '181', '182', '186', '187', '188', '189', '199'];
const phone = (): string => `${pick([...PHONE_PREFIXES, ...MORE_PREFIXES])}${pad(int(0, 99999999), 8)}`;

const LOCAL_AREAS = ['330102', '330105', '330106', '330108', '330109', '330110', '330111', '330112'];
const MIGRANT_AREAS = [
  '341222',
  '411323',
  '510921',
  '522425',
  '430524',
  '362330',
  '450881',
  '130682',
  '420982',
];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const usedIdNumbers = new Set<string>();

/** An 18-character resident ID number with its GB 11643 check digit, unique in this run. */
function idNumber(area: string, birthDate: string, gender: 'MALE' | 'FEMALE'): string {
  for (;;) {
    let sequence = int(0, 999);
    if ((sequence % 2 === 1) !== (gender === 'MALE')) sequence = (sequence + 1) % 1000;
    const body = `${area}${birthDate.replace(/-/g, '')}${pad(sequence, 3)}`;
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(body[i]) * (ID_WEIGHTS[i] ?? 0);
    const value = `${body}${ID_CHECK[sum % 11] ?? '0'}`;
    if (!usedIdNumbers.has(value)) {
      usedIdNumbers.add(value);
      return value;
    }
  }
}

const OCCUPATIONS = [
  '企业职工',
  '个体工商户',
  '农民',
  '教师',
  '医生',
  '护士',
  '货车司机',
  '出租车司机',
  '建筑工人',
  '装修工人',
  '餐饮服务员',
  '厨师',
  '快递员',
  '外卖骑手',
  '保安',
  '销售人员',
  '工程师',
  '会计',
  '清洁工',
  '公务员',
  '自由职业',
  '待业',
];

const SPECIAL_STATUS = weighted({
  VETERAN: 30,
  DISABILITY: 30,
  NO_LIVELIHOOD: 12,
  RELEASED_PRISONER: 10,
  COMMUNITY_CORRECTIONS: 7,
  DRUG_INVOLVED: 6,
  SEVERE_MENTAL_DISORDER_WITH_INCIDENT: 5,
});

const CATEGORY = weighted({
  NEIGHBOR: 16,
  FAMILY: 12,
  MARRIAGE_RELATIONSHIP: 9,
  DOMESTIC_VIOLENCE: 3,
  LAND_FOREST: 6,
  PROPERTY_MANAGEMENT: 9,
  CONTRACT: 7,
  LABOR_WAGES: 10,
  PRIVATE_LENDING: 7,
  FINANCIAL_INVESTMENT: 2,
  ADMINISTRATIVE: 3,
  LAND_REQUISITION_DEMOLITION: 4,
  MEDICAL: 3,
  SCHOOL: 2,
  WORKPLACE_SAFETY: 3,
  VETERANS_RIGHTS: 1,
  EPIDEMIC_RELATED: 1,
  OTHER: 3,
});

const DESCRIPTIONS: Readonly<Record<string, readonly string[]>> = {
  MARRIAGE_RELATIONSHIP: ['双方因分手后财物返还问题发生争执', '双方因彩礼返还问题产生矛盾'],
  FAMILY: [
    '兄弟姐妹因老人赡养费用分担发生争执',
    '家庭成员因房屋继承问题产生纠纷',
    '因子女抚养费支付问题发生争执',
  ],
  DOMESTIC_VIOLENCE: ['家庭成员之间发生肢体冲突，一方受轻微伤', '一方多次对家庭成员实施殴打，邻居报告'],
  NEIGHBOR: [
    '邻里因通行道路被占用发生争吵',
    '因新建房屋影响采光引发邻里矛盾',
    '楼上漏水导致楼下房屋受损引发纠纷',
  ],
  LAND_FOREST: ['双方因承包地边界划分发生争执', '因山林权属不清引发纠纷'],
  PROPERTY_MANAGEMENT: ['业主因物业费收取标准与物业公司发生纠纷', '小区停车位管理引发业主与物业矛盾'],
  CONTRACT: ['双方因装修合同履行质量发生纠纷', '因买卖合同货款结算问题产生争议'],
  LABOR_WAGES: [
    '务工人员反映被拖欠工资',
    '员工因工伤认定与赔偿问题与用人单位发生争议',
    '因解除劳动关系补偿问题发生纠纷',
  ],
  PRIVATE_LENDING: ['借款到期未还，双方多次争吵', '因民间借贷利息计算发生纠纷'],
  FINANCIAL_INVESTMENT: ['多名群众反映投资平台无法兑付本金', '涉众理财产品逾期引发集中反映'],
  ADMINISTRATIVE: ['群众对社保待遇核定结果有异议', '因低保资格认定问题与相关机构发生争议'],
  LAND_REQUISITION_DEMOLITION: ['因征地补偿标准问题产生争议', '违建拆除过程中当事人情绪激动'],
  MEDICAL: ['患者家属对治疗结果不满与医院发生纠纷', '因医疗费用结算问题发生医患矛盾'],
  SCHOOL: ['学生之间发生冲突，双方家长产生矛盾', '家长因校园欺凌事件处理结果与学校产生争议'],
  WORKPLACE_SAFETY: ['工地发生意外受伤，双方就赔偿问题发生争执', '因交通意外赔偿问题产生纠纷'],
  VETERANS_RIGHTS: ['退役军人反映安置待遇落实问题', '退役军人就优抚待遇问题提出诉求'],
  EPIDEMIC_RELATED: ['因疫情期间租金减免问题发生纠纷', '因疫情期间合同解除问题产生争议'],
  OTHER: ['双方因琐事发生口角', '因宠物伤人赔偿问题发生纠纷'],
};

const SOURCE = weighted({
  GRID_VISIT: 40,
  POLICE_CALL: 15,
  PETITION: 6,
  COURT: 4,
  DEPARTMENT: 8,
  HOTLINE: 15,
  SELF_REPORT: 12,
});
const CLOSED_STATUS = weighted({ RESOLVED: 85, REFERRED: 10, CLOSED_UNRESOLVED: 5 });
const OPEN_STATUS = weighted({ REPORTED: 30, ACCEPTED: 30, IN_MEDIATION: 40 });
const LEVEL = weighted({ GRID: 80, VILLAGE: 14, STREET: 6 });
const VENUES = [
  'STREET_MEDIATION_COMMITTEE',
  'POLICE_MEDIATION_ROOM',
  'COURT_MEDIATION_ROOM',
  'LABOR_ARBITRATION_ROOM',
  'CIRCUIT_MICRO_COURT',
];
const METHOD = weighted({ VISIT: 55, PHONE: 30, VIDEO: 8, OTHER: 7 });
const FOLLOW_UP_NOTES = [
  '入户走访，了解近况',
  '电话联系，询问矛盾化解进展',
  '走访家属及邻居了解情况',
  '协调相关部门跟进诉求',
];
const CHANGES = ['', '', '情绪平稳', '情绪较前好转', '矛盾有所缓和', '无明显变化'];

async function timed(label: string, work: () => Promise<number>): Promise<number> {
  const started = performance.now();
  const count = await work();
  console.log(
    `${label.padEnd(22)} ${String(count).padStart(8)} rows  ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return count;
}

/** Runs `sql` (an INSERT ... FROM unnest($1, $2, ...)) once per batch of rows, columns transposed. */
async function insertInBatches<T>(
  manager: EntityManager,
  sql: string,
  rows: readonly T[],
  columns: (row: T) => unknown[],
): Promise<number> {
  for (let start = 0; start < rows.length; start += BATCH) {
    const arrays: unknown[][] = [];
    for (const row of rows.slice(start, start + BATCH)) {
      columns(row).forEach((value, i) => (arrays[i] ??= []).push(value));
    }
    await manager.query(sql, arrays);
  }
  return rows.length;
}

/** The streets a city of `persons` has: how many villages each holds and grids each village holds. */
export function cityShape(persons: number): { villagesPerStreet: number[]; gridsPerVillage: number } {
  const grids = Math.max(GRIDS_PER_VILLAGE, Math.round(persons / PERSONS_PER_GRID));
  const villages = Math.ceil(grids / GRIDS_PER_VILLAGE);
  const streets = Math.ceil(villages / VILLAGES_PER_STREET);
  const villagesPerStreet = Array.from({ length: streets }, (_, s) =>
    Math.min(VILLAGES_PER_STREET, villages - s * VILLAGES_PER_STREET),
  );
  return { villagesPerStreet, gridsPerVillage: GRIDS_PER_VILLAGE };
}

async function ensureJurisdictions(dataSource: DataSource, persons: number): Promise<void> {
  const existing: unknown[] = await dataSource.query('SELECT 1 FROM jurisdictions WHERE code = $1', [
    CITY_CODE,
  ]);
  if (existing.length > 0) {
    console.log(`jurisdictions: ${CITY_CODE} exists, reusing it`);
    return;
  }
  const rows: { id: string; code: string; name: string; level: string; parentId: string | null }[] = [];
  const cityId = randomUUID();
  rows.push({ id: cityId, code: CITY_CODE, name: faker.location.city(), level: 'CITY', parentId: null });
  const shape = cityShape(persons);
  for (let s = 1; s <= shape.villagesPerStreet.length; s++) {
    const street = { id: randomUUID(), code: `${CITY_CODE}.S${pad(s, 2)}` };
    rows.push({ ...street, name: `${faker.location.street()}街道`, level: 'STREET', parentId: cityId });
    for (let v = 1; v <= (shape.villagesPerStreet[s - 1] ?? 0); v++) {
      const village = { id: randomUUID(), code: `${street.code}.V${pad(v, 2)}` };
      const villageName = `${faker.location.street()}${rand() < 0.5 ? '村' : '社区'}`;
      rows.push({ ...village, name: villageName, level: 'VILLAGE', parentId: street.id });
      for (let g = 1; g <= shape.gridsPerVillage; g++) {
        const name = `${villageName}第${g}网格`;
        rows.push({
          id: randomUUID(),
          code: `${village.code}.G${pad(g, 2)}`,
          name,
          level: 'GRID',
          parentId: village.id,
        });
      }
    }
  }
  await timed('jurisdictions', () =>
    dataSource.transaction((manager) =>
      insertInBatches(
        manager,
        `INSERT INTO jurisdictions (id, code, name, level, parent_id, path)
         SELECT v.id, v.code, v.name, v.level, v.parent_id, v.code
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[]) AS v(id, code, name, level, parent_id)`,
        rows,
        (r) => [r.id, r.code, r.name, r.level, r.parentId],
      ),
    ),
  );
}

/**
 * The scale city's accounts, one of each position per department and node. With `sealer`, every
 * LEADER is enrolled with the demo city's authenticator secret (DEMO_TOTP_SECRET), so the bench signs
 * in with its code; without (tests), LEADERs enrol at their first sign-in.
 */
async function ensureUsers(dataSource: DataSource, sealer?: SecretSealer): Promise<void> {
  const departments: { code: string }[] = await dataSource.query(
    'SELECT code FROM departments ORDER BY code',
  );
  const nodes: { id: string; code: string; level: string }[] = await dataSource.query(
    `SELECT id, code, level FROM jurisdictions WHERE path = $1 OR path LIKE $2 ORDER BY code`,
    [CITY_CODE, `${CITY_CODE}.%`],
  );
  const passwordHash = await hashPassword(PASSWORD);
  const rows: {
    username: string;
    displayName: string;
    department: string;
    position: string;
    jurisdictionId: string;
  }[] = [];
  const add = (node: { id: string; code: string }, department: string) => {
    const prefix = node.code
      .split('.')
      .slice(node.code === CITY_CODE ? 0 : 1)
      .join('.')
      .replace('S-C01', 'c01')
      .toLowerCase();
    for (const position of ['WORKER', 'LEADER']) {
      rows.push({
        username: `scale.${prefix}.${department.toLowerCase()}.${position.toLowerCase()}`,
        displayName: faker.person.fullName(),
        department,
        position,
        jurisdictionId: node.id,
      });
    }
  };
  for (const node of nodes) {
    if (node.level === 'CITY' && departments.some((d) => d.code === 'CITY_CENTER')) add(node, 'CITY_CENTER');
    if (node.level === 'GRID') add(node, 'GRID');
    if (node.level === 'STREET') {
      for (const { code } of departments) if (code !== 'GRID' && code !== 'CITY_CENTER') add(node, code);
    }
  }
  await timed('users', () =>
    dataSource.transaction(async (manager) => {
      await insertInBatches(
        manager,
        `INSERT INTO users (id, username, display_name, department_code, position, jurisdiction_id, password_hash,
                            totp_secret_sealed, second_factor_enrolled_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[],
                              $8::text[], $9::timestamptz[])
         ON CONFLICT (username) DO NOTHING`,
        rows,
        (r) => {
          const id = randomUUID();
          const position = r.position as 'WORKER' | 'LEADER';
          const enrolled = sealer
            ? demoSecondFactor(
                sealer,
                { id, department: r.department, position, capabilities: [] },
                new Date(NOW),
              )
            : null;
          return [
            id,
            r.username,
            r.displayName,
            r.department,
            r.position,
            r.jurisdictionId,
            passwordHash,
            enrolled?.totp_secret_sealed ?? null,
            enrolled?.second_factor_enrolled_at ?? null,
          ];
        },
      );
      return rows.length;
    }),
  );
}

async function loadGrids(dataSource: DataSource): Promise<Grid[]> {
  const rows: {
    id: string;
    code: string;
    name: string;
    village_name: string;
    street_name: string;
    worker_id: string | null;
    leader_id: string | null;
  }[] = await dataSource.query(
    `SELECT g.id, g.code, g.name, v.name AS village_name, s.name AS street_name,
            (SELECT u.id FROM users u WHERE u.jurisdiction_id = g.id AND u.department_code = 'GRID'
                AND u.position = 'WORKER' AND u.username LIKE 'scale.%' LIMIT 1) AS worker_id,
            (SELECT u.id FROM users u WHERE u.jurisdiction_id = g.id AND u.department_code = 'GRID'
                AND u.position = 'LEADER' AND u.username LIKE 'scale.%' LIMIT 1) AS leader_id
       FROM jurisdictions g
       JOIN jurisdictions v ON v.id = g.parent_id
       JOIN jurisdictions s ON s.id = v.parent_id
      WHERE g.level = 'GRID' AND g.path LIKE $1
      ORDER BY g.code`,
    [`${CITY_CODE}.%`],
  );
  return rows.map((r) => {
    if (!r.worker_id || !r.leader_id) throw new Error(`grid ${r.code} has no scale grid worker/leader`);
    return {
      id: r.id,
      code: r.code,
      name: r.name,
      villageName: r.village_name,
      streetName: r.street_name,
      workerId: r.worker_id,
      leaderId: r.leader_id,
      persons: [],
      adults: [],
      pool: [],
    };
  });
}

/** FNV-1a: a number from a text, the same in every run. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * How many of `total` persons each grid (by code) holds: each street its share of the city by its
 * number of grids, and within a street each grid by a weight (0.5-1.5) drawn from its own code. A
 * street then holds the same persons, grid by grid, in a city of any size (to within one per grid),
 * which is what `npm run bench:city` compares.
 */
export function gridPopulations(codes: readonly string[], total: number): number[] {
  const weights = codes.map((code) => 0.5 + seeded(hashOf(code))());
  const streets = new Map<string, number[]>();
  codes.forEach((code, index) => {
    const street = code.split('.').slice(0, 2).join('.');
    streets.set(street, [...(streets.get(street) ?? []), index]);
  });
  const exact = codes.map(() => 0);
  for (const indices of streets.values()) {
    const streetTotal = (total * indices.length) / codes.length;
    const weightSum = indices.reduce((sum, index) => sum + (weights[index] ?? 0), 0);
    for (const index of indices) exact[index] = (streetTotal * (weights[index] ?? 0)) / weightSum;
  }
  const counts = exact.map(Math.floor);
  // What rounding down left over goes one by one to the grids it cut most (largest remainder).
  const rest = total - counts.reduce((sum, count) => sum + count, 0);
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder.slice(0, rest)) counts[index] = (counts[index] ?? 0) + 1;
  return counts;
}

function generatePeople(grids: Grid[], total: number): { households: Household[]; persons: Person[] } {
  const counts = gridPopulations(
    grids.map((grid) => grid.code),
    total,
  );
  const householdSize = weighted({ '1': 25, '2': 30, '3': 25, '4': 13, '5': 7 });
  const households: Household[] = [];
  const persons: Person[] = [];
  grids.forEach((grid, gridIndex) => {
    let remaining = counts[gridIndex] ?? 0;
    while (remaining > 0) {
      const size = Math.min(remaining, Number(householdSize()));
      remaining -= size;
      const migrant = rand() < 0.15;
      const householdCreated = NOW - rand() * 730 * DAY;
      const address = `${grid.streetName}${grid.villageName}${faker.location.streetAddress()}${int(1, 30)}幢${int(1, 6)}0${int(1, 4)}室`;
      const household: Household = {
        id: randomUUID(),
        address,
        gridId: grid.id,
        createdAt: householdCreated,
      };
      households.push(household);
      const surname = faker.person.lastName();
      const landlordName = migrant ? faker.person.fullName() : null;
      const landlordContact = migrant ? phone() : null;
      for (let m = 0; m < size; m++) {
        const gender = rand() < 0.5 ? 'MALE' : 'FEMALE';
        const minor = rand() < (m === 0 ? 0.02 : 0.17);
        const age = minor ? rand() * 18 : 18 + 72 * rand() ** 1.3;
        const birth = new Date(NOW - age * 365.25 * DAY);
        const birthDate = birth.toISOString().slice(0, 10);
        const adult = age >= 18;
        const name = `${m === 0 || rand() < 0.6 ? surname : faker.person.lastName()}${faker.person.firstName(gender === 'MALE' ? 'male' : 'female')}`;
        let occupation: string | null;
        if (age < 6) occupation = null;
        else if (!adult || (age < 22 && rand() < 0.5)) occupation = '学生';
        else if (age >= 62 && rand() < 0.7) occupation = '退休人员';
        else occupation = pick(OCCUPATIONS);
        const statuses: string[] = [];
        if (adult && rand() < 0.034) {
          statuses.push(SPECIAL_STATUS());
          if (rand() < 0.1) {
            const second = SPECIAL_STATUS();
            if (!statuses.includes(second)) statuses.push(second);
          }
        }
        const employed = migrant && adult && occupation !== '退休人员' && occupation !== '学生';
        const personIndex = persons.length;
        persons.push({
          id: randomUUID(),
          name,
          gender,
          birthDate,
          idNumber: idNumber(pick(migrant ? MIGRANT_AREAS : LOCAL_AREAS), birthDate, gender),
          phone: age >= 14 ? phone() : null,
          address,
          householdId: household.id,
          grid: gridIndex,
          residency: migrant ? 'MIGRANT' : 'REGISTERED',
          employerName: employed ? faker.company.name() : null,
          employerContact: employed ? `${faker.person.fullName()} ${phone()}` : null,
          landlordName,
          landlordContact,
          occupation,
          statuses: statuses.join(','),
          createdAt: Math.min(NOW - 1000, householdCreated + rand() * 30 * DAY),
        });
        grid.persons.push(personIndex);
        if (adult) grid.adults.push(personIndex);
        if (adult && rand() < 0.06) grid.pool.push(personIndex);
      }
    }
    if (grid.adults.length === 0) grid.adults.push(...grid.persons);
    if (grid.pool.length === 0) grid.pool.push(...grid.adults);
  });
  return { households, persons };
}

function generateDisputes(grids: readonly Grid[], persons: readonly Person[], count: number): Dispute[] {
  const disputes: Dispute[] = [];
  // Repeat disputants (a small pool per grid) make up most parties of the disputes still open.
  const party = (grid: Grid, open: boolean): number =>
    rand() < (open ? 0.7 : 0.3) ? pick(grid.pool) : rand() < 0.95 ? pick(grid.adults) : pick(grid.persons);
  while (disputes.length < count) {
    const gridIndex = pick(persons).grid;
    const grid = grids[gridIndex]!;
    if (grid.persons.length < 2) continue;
    const category = CATEGORY();
    const ageDays = rand() * 365;
    const reportedAt = NOW - ageDays * DAY;
    const closedShare = ageDays < 30 ? 0.35 : ageDays < 90 ? 0.7 : 0.85;
    const closed = rand() < closedShare;
    const first = party(grid, !closed);
    let second = party(grid, !closed);
    for (let tries = 0; second === first && tries < 20; tries++) second = pick(grid.persons);
    if (second === first) continue;
    const level = LEVEL();
    disputes.push({
      id: randomUUID(),
      category,
      description: pick(DESCRIPTIONS[category] ?? ['双方发生纠纷']),
      source: SOURCE(),
      status: closed ? CLOSED_STATUS() : OPEN_STATUS(),
      level,
      venue: level === 'STREET' ? pick(VENUES) : null,
      grid: gridIndex,
      reportedAt,
      closedAt: closed ? Math.min(NOW - 1000, reportedAt + (0.5 + rand() * 60) * DAY) : null,
      parties: [first, second],
    });
  }
  return disputes;
}

function generateAssessments(
  persons: readonly Person[],
  disputes: readonly Dispute[],
  catalog: readonly { code: string; category: string; name_zh: string }[],
): Assessment[] {
  const target = Math.round(persons.length * 0.1);
  const open = new Set<number>();
  for (const d of disputes) if (OPEN_STATUS_NAMES.includes(d.status)) d.parties.forEach((p) => open.add(p));
  const chosen = new Set<number>(shuffle([...open]).slice(0, Math.round(target * 0.6)));
  while (chosen.size < target && chosen.size < persons.length)
    chosen.add(Math.floor(rand() * persons.length));
  const indicatorCount = weighted({ '1': 55, '2': 30, '3': 15 });
  const character = catalog.filter((i) => i.category === 'CHARACTER');
  const behavior = catalog.filter((i) => i.category === 'BEHAVIOR');
  return [...chosen].map((person) => {
    // Mostly indicators of one category (character more often than behaviour), sometimes both.
    const roll = rand();
    const pool = roll < 0.5 ? character : roll < 0.8 ? behavior : catalog;
    let picked = shuffle([...(pool.length > 0 ? pool : catalog)]).slice(0, Number(indicatorCount()));
    if (roll >= 0.8 && character.length > 0 && behavior.length > 0) {
      picked = [pick(character), pick(behavior), ...picked].filter(
        (item, index, all) => all.findIndex((other) => other.code === item.code) === index,
      );
      picked = picked.slice(0, 3);
    }
    return {
      id: randomUUID(),
      person,
      assessedAt: NOW - rand() * 120 * DAY,
      indicators: picked.map((i) => ({
        code: i.code,
        category: i.category,
        note: `${pick(['走访中发现', '家属反映', '邻居反映', '调解过程中观察到'])}：${i.name_zh}`,
      })),
    };
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const config = loadConfig();
  const database = await openCliDatabase(
    options.databaseUrl ? { ...config, databaseUrl: options.databaseUrl } : config,
    (message) => console.log(message),
  );
  try {
    const dataSource = database.dataSource;
    const [{ count: existingPersons } = { count: '0' }]: { count: string }[] = await dataSource.query(
      'SELECT count(*) AS count FROM persons',
    );
    if (Number(existingPersons) > 1000 && !options.force) {
      console.error(
        `refusing to seed: persons already has ${existingPersons} rows (pass --force to add ${options.persons} more)`,
      );
      process.exitCode = 1;
      return;
    }

    const seeded = await seedScale(dataSource, options.persons, await secretSealerOf(config));

    // What autovacuum does soon after a bulk load, done now so the benchmark sees a settled database:
    // fresh statistics for the planner and a visibility map that lets index-only scans skip the heap.
    // As the owner: the runtime role owns no table, and VACUUM skips (with a warning only) every table
    // its caller does not own.
    const analyzeStarted = performance.now();
    await database.asOwner((owner) => owner.query('VACUUM (ANALYZE)'));
    console.log(`VACUUM (ANALYZE)       ${((performance.now() - analyzeStarted) / 1000).toFixed(1)} s`);
    console.log(
      `done: ${seeded.persons} persons, ${seeded.households} households, ${seeded.disputes} disputes, ` +
        `${seeded.assessments} assessments in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await database.close();
  }
}

/**
 * Adds the scale city (made once, then reused) and `personCount` persons with their households,
 * disputes, assessments, tiers, follow-ups, assignments and alerts.
 */
export async function seedScale(
  dataSource: DataSource,
  personCount: number,
  sealer?: SecretSealer,
): Promise<{ persons: number; households: number; disputes: number; assessments: number }> {
  faker.seed(20261129);
  await ensureJurisdictions(dataSource, personCount);
  await ensureUsers(dataSource, sealer);
  const grids = await loadGrids(dataSource);
  console.log(`grids: ${grids.length}, generating ${personCount} persons…`);

  const { households, persons } = generatePeople(grids, personCount);
  const disputes = generateDisputes(grids, persons, Math.round(personCount * 0.3));
  const catalog: { code: string; category: string; name_zh: string; version: number }[] =
    await dataSource.query(
      `SELECT i.code, i.category, i.name_zh, i.catalog_version AS version
         FROM indicators i JOIN indicator_catalog_versions c ON c.version = i.catalog_version AND c.current
        ORDER BY i.code`,
    );
  const catalogVersion = catalog[0]?.version;
  if (catalogVersion === undefined) throw new Error('no current indicator catalog');
  const assessments = generateAssessments(persons, disputes, catalog);

  const gridIds = grids.map((g) => g.id);
  const workerIds = grids.map((g) => g.workerId);
  const leaderIds = grids.map((g) => g.leaderId);
  const workerOf = (person: number): string => grids[persons[person]!.grid]!.workerId;

  await timed('households', () =>
    dataSource.transaction((manager) =>
      insertInBatches(
        manager,
        `INSERT INTO households (id, address, grid_id, created_at)
           SELECT v.id, v.address, v.grid_id, date_trunc('milliseconds', v.created_at)
             FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[]) AS v(id, address, grid_id, created_at)`,
        households,
        (h) => [h.id, h.address, h.gridId, iso(h.createdAt)],
      ),
    ),
  );

  await timed('persons', () =>
    dataSource.transaction((manager) =>
      insertInBatches(
        manager,
        `INSERT INTO persons (id, name, gender, birth_date, id_number, phone, address, household_id, grid_id,
                                residency, employer_name, employer_contact, landlord_name, landlord_contact,
                                occupation, special_statuses, tier, computed_tier, tier_since, created_at,
                                updated_at, created_by_id, name_search)
           SELECT v.id, v.name, v.gender, v.birth_date, v.id_number, v.phone, v.address, v.household_id, v.grid_id,
                  v.residency, v.employer_name, v.employer_contact, v.landlord_name, v.landlord_contact,
                  v.occupation, coalesce(string_to_array(nullif(v.statuses, ''), ','), '{}'), 'NONE', 'NONE',
                  date_trunc('milliseconds', v.created_at), date_trunc('milliseconds', v.created_at),
                  date_trunc('milliseconds', v.created_at), v.created_by_id, v.name_search
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[], $7::text[],
                         $8::uuid[], $9::uuid[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                         $15::text[], $16::text[], $17::timestamptz[], $18::uuid[], $19::text[])
               AS v(id, name, gender, birth_date, id_number, phone, address, household_id, grid_id, residency,
                    employer_name, employer_contact, landlord_name, landlord_contact, occupation, statuses,
                    created_at, created_by_id, name_search)`,
        persons,
        (p) => [
          p.id,
          p.name,
          p.gender,
          p.birthDate,
          p.idNumber,
          p.phone,
          p.address,
          p.householdId,
          grids[p.grid]!.id,
          p.residency,
          p.employerName,
          p.employerContact,
          p.landlordName,
          p.landlordContact,
          p.occupation,
          p.statuses,
          iso(p.createdAt),
          grids[p.grid]!.workerId,
          nameSearchKey(p.name),
        ],
      ),
    ),
  );

  await timed('disputes', () =>
    dataSource.transaction((manager) =>
      insertInBatches(
        manager,
        `INSERT INTO disputes (id, category, description, source, status, level, venue, grid_id, reported_by_id,
                                 reported_at, closed_at, created_at)
           SELECT v.id, v.category, v.description, v.source, v.status, v.level, v.venue, v.grid_id,
                  v.reported_by_id, date_trunc('milliseconds', v.reported_at),
                  date_trunc('milliseconds', v.closed_at), date_trunc('milliseconds', v.reported_at)
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::uuid[], $9::uuid[], $10::timestamptz[], $11::timestamptz[])
               AS v(id, category, description, source, status, level, venue, grid_id, reported_by_id,
                    reported_at, closed_at)`,
        disputes,
        (d) => [
          d.id,
          d.category,
          d.description,
          d.source,
          d.status,
          d.level,
          d.venue,
          grids[d.grid]!.id,
          grids[d.grid]!.workerId,
          iso(d.reportedAt),
          d.closedAt === null ? null : iso(d.closedAt),
        ],
      ),
    ),
  );

  const parties = disputes.flatMap((d) => [
    { disputeId: d.id, person: d.parties[0], role: 'APPLICANT' },
    { disputeId: d.id, person: d.parties[1], role: 'RESPONDENT' },
  ]);
  await timed('dispute_parties', () =>
    dataSource.transaction((manager) =>
      insertInBatches(
        manager,
        `INSERT INTO dispute_parties (dispute_id, person_id, role)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])`,
        parties,
        (p) => [p.disputeId, persons[p.person]!.id, p.role],
      ),
    ),
  );

  await timed('assessments', () =>
    dataSource.transaction(async (manager) => {
      await insertInBatches(
        manager,
        `INSERT INTO assessments (id, person_id, assessor_id, assessed_at, catalog_version, tier)
           SELECT v.id, v.person_id, v.assessor_id, date_trunc('milliseconds', v.assessed_at), v.catalog_version, 'NONE'
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::integer[])
               AS v(id, person_id, assessor_id, assessed_at, catalog_version)`,
        assessments,
        (a) => [a.id, persons[a.person]!.id, workerOf(a.person), iso(a.assessedAt), catalogVersion],
      );
      const indicators = assessments.flatMap((a) => a.indicators.map((i) => ({ assessmentId: a.id, ...i })));
      await insertInBatches(
        manager,
        `INSERT INTO assessment_indicators (assessment_id, indicator_code, category, note)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])`,
        indicators,
        (i) => [i.assessmentId, i.code, i.category, i.note],
      );
      return assessments.length;
    }),
  );

  const scope = `SELECT p.id, p.created_at FROM persons p
                     JOIN jurisdictions j ON j.id = p.grid_id WHERE j.path LIKE '${CITY_CODE}.%'`;
  await timed('tiers', () =>
    dataSource.transaction(async (manager) => {
      await manager.query(
        `WITH scope AS (${scope}),
           latest AS (
             SELECT DISTINCT ON (a.person_id) a.person_id, a.id, a.catalog_version, a.assessed_at
               FROM assessments a JOIN scope s ON s.id = a.person_id
              ORDER BY a.person_id, a.assessed_at DESC, a.id DESC),
           ind AS (
             SELECT l.person_id, l.id AS assessment_id, l.catalog_version, l.assessed_at,
                    bool_or(ai.category = 'CHARACTER') AS has_character,
                    bool_or(ai.category = 'BEHAVIOR') AS has_behavior,
                    jsonb_agg(jsonb_build_object('code', ai.indicator_code, 'category', ai.category,
                                                 'nameZh', i.name_zh, 'nameEn', i.name_en)
                              ORDER BY ai.indicator_code) AS indicators
               FROM latest l
               JOIN assessment_indicators ai ON ai.assessment_id = l.id
               JOIN indicators i ON i.catalog_version = l.catalog_version AND i.code = ai.indicator_code
              GROUP BY l.person_id, l.id, l.catalog_version, l.assessed_at),
           ev AS (
             SELECT dp.person_id, array_agg(dp.dispute_id ORDER BY dp.dispute_id) AS dispute_ids,
                    max(d.reported_at) AS last_reported
               FROM dispute_parties dp JOIN disputes d ON d.id = dp.dispute_id
              WHERE d.status = ANY($2)
              GROUP BY dp.person_id),
           calc AS (
             SELECT s.id, ind.assessment_id, ind.catalog_version,
                    coalesce(ind.indicators, '[]'::jsonb) AS indicators,
                    coalesce(ev.dispute_ids, '{}'::uuid[]) AS dispute_ids,
                    array_remove(ARRAY[CASE WHEN ind.has_character THEN 'CHARACTER' END,
                                       CASE WHEN ind.has_behavior THEN 'BEHAVIOR' END,
                                       CASE WHEN ev.person_id IS NOT NULL THEN 'EVENT' END], NULL) AS categories,
                    greatest(s.created_at, ind.assessed_at, ev.last_reported) AS since
               FROM scope s
               LEFT JOIN ind ON ind.person_id = s.id
               LEFT JOIN ev ON ev.person_id = s.id
              WHERE ind.person_id IS NOT NULL OR ev.person_id IS NOT NULL),
           tiered AS (
             SELECT c.*, ($3::text[])[cardinality(c.categories) + 1] AS tier FROM calc c)
           UPDATE persons p
              SET tier = t.tier, computed_tier = t.tier, tier_since = date_trunc('milliseconds', t.since),
                  tier_explanation_data = jsonb_build_object(
                    'tier', t.tier, 'computedTier', t.tier, 'override', NULL::text,
                    'categories', to_jsonb(t.categories), 'indicators', t.indicators,
                    'disputeIds', to_jsonb(t.dispute_ids), 'assessmentId', t.assessment_id,
                    'catalogVersion', t.catalog_version, 'computedAt', $1::text)
             FROM tiered t
            WHERE p.id = t.id`,
        [iso(NOW), OPEN_STATUSES, TIER_BY_CATEGORY_COUNT],
      );
      await manager.query(
        `UPDATE assessments a
              SET tier = p.computed_tier,
                  review_by = date_trunc('milliseconds',
                    a.assessed_at + make_interval(days => ($1::jsonb ->> p.computed_tier)::int))
             FROM (${scope}) s JOIN persons p ON p.id = s.id
            WHERE a.id = (p.tier_explanation_data ->> 'assessmentId')::uuid`,
        [JSON.stringify(REVIEW_DAYS_BY_TIER)],
      );
      const rows: { tier: string; count: string }[] = await manager.query(
        `SELECT p.tier, count(*) AS count FROM (${scope}) s JOIN persons p ON p.id = s.id
            WHERE p.tier <> 'NONE' GROUP BY p.tier ORDER BY p.tier`,
      );
      console.log(`  tiers: ${rows.map((r) => `${r.tier} ${r.count}`).join(', ')}`);
      return rows.reduce((sum, r) => sum + Number(r.count), 0);
    }),
  );

  await timed('follow_ups', () =>
    dataSource.transaction(async (manager) => {
      // Tiered persons: at their tier's cadence since the tier began, some of them now overdue.
      const tieredRows: { count: string }[] = await manager.query(
        `WITH inserted AS (
             INSERT INTO follow_ups (id, person_id, by_id, occurred_at, method, notes, observed_change)
             SELECT gen_random_uuid(), p.id, g.worker_id,
                    date_trunc('milliseconds', least(now(), s.t + random() * interval '8 hours')),
                    (ARRAY['VISIT','VISIT','VISIT','VISIT','PHONE','PHONE','PHONE','VIDEO','OTHER'])[1 + floor(random() * 9)::int],
                    ($4::text[])[1 + floor(random() * cardinality($4::text[]))::int],
                    ($5::text[])[1 + floor(random() * cardinality($5::text[]))::int]
               FROM persons p
               JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS g(grid_id, worker_id, leader_id)
                 ON g.grid_id = p.grid_id
               JOIN (VALUES ('YELLOW', interval '15 days'), ('ORANGE', interval '7 days'), ('RED', interval '1 day'))
                 AS c(tier, step) ON c.tier = p.tier
              CROSS JOIN LATERAL generate_series(
                    greatest(p.tier_since, now() - interval '1 year') + c.step * random() * 0.5,
                    now() - c.step * random() * 1.4,
                    c.step) AS s(t)
             RETURNING 1)
           SELECT count(*) AS count FROM inserted`,
        [gridIds, workerIds, leaderIds, FOLLOW_UP_NOTES, CHANGES],
      );
      const tiered = Number(tieredRows[0]?.count ?? 0);
      // The rest: dispute parties and other residents visited over the last year.
      const rest: FollowUp[] = [];
      for (let i = tiered; i < personCount * 2; i++) {
        const party = rand() < 0.6 ? parties[Math.floor(rand() * parties.length)] : undefined;
        const person = party ? party.person : Math.floor(rand() * persons.length);
        const from = Math.max(persons[person]!.createdAt, NOW - 365 * DAY);
        rest.push({
          person,
          occurredAt: from + rand() * (NOW - from),
          method: METHOD(),
          notes: pick(FOLLOW_UP_NOTES),
          observedChange: pick(CHANGES),
        });
      }
      await insertInBatches(
        manager,
        `INSERT INTO follow_ups (id, person_id, by_id, occurred_at, method, notes, observed_change)
           SELECT v.id, v.person_id, v.by_id, date_trunc('milliseconds', v.occurred_at), v.method, v.notes,
                  v.observed_change
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
               AS v(id, person_id, by_id, occurred_at, method, notes, observed_change)`,
        rest,
        (f) => [
          randomUUID(),
          persons[f.person]!.id,
          workerOf(f.person),
          iso(f.occurredAt),
          f.method,
          f.notes,
          f.observedChange,
        ],
      );
      console.log(`  follow-ups of tiered persons: ${tiered}, others: ${rest.length}`);
      return tiered + rest.length;
    }),
  );

  await timed('assignments', () =>
    dataSource.transaction(async (manager) => {
      const rows: { count: string }[] = await manager.query(
        `WITH inserted AS (
             INSERT INTO assignments (id, person_id, lead_leader_id, responsible_department_code,
                                      responsible_person_id, team_member_ids, measures, acknowledged_at, active,
                                      created_at, created_by_id)
             SELECT gen_random_uuid(), x.person_id, x.leader_id, 'GRID', x.worker_id, ARRAY[x.worker_id],
                    CASE x.tier WHEN 'RED' THEN '一人一专班，每日跟踪走访，落实稳控措施，通报派出所'
                                ELSE '每周走访，开展矛盾化解和心理疏导，每月分析研判' END,
                    CASE WHEN random() < 0.85
                         THEN date_trunc('milliseconds', least(now(), x.created_at + random() * interval '2 days'))
                    END,
                    true, x.created_at, x.leader_id
               FROM (SELECT p.id AS person_id, p.tier, g.worker_id, g.leader_id,
                            date_trunc('milliseconds', least(now(), p.tier_since + random() * interval '1 day'))
                              AS created_at
                       FROM persons p
                       JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS g(grid_id, worker_id, leader_id)
                         ON g.grid_id = p.grid_id
                      WHERE p.tier IN ('ORANGE','RED')
                        AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = p.id AND a.active)) x
             RETURNING 1)
           SELECT count(*) AS count FROM inserted`,
        [gridIds, workerIds, leaderIds],
      );
      return Number(rows[0]?.count ?? 0);
    }),
  );

  // Alerts over the past year: ORANGE and RED persons raise a few each (anomalies seen on visits),
  // sent to their grid's worker and leader, who acknowledged all but the most recent ones.
  await timed('alerts', () =>
    dataSource.transaction(async (manager) => {
      const rows: { count: string }[] = await manager.query(
        `WITH raised AS (
             INSERT INTO alerts (id, person_id, kind, description, tier_at_raise, raised_by_id, raised_at, grid_id)
             SELECT gen_random_uuid(), p.id, 'ANOMALY', '走访发现情绪异常，需加强关注', p.tier, g.worker_id,
                    date_trunc('milliseconds', now() - random() * interval '365 days'), p.grid_id
               FROM persons p
               JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS g(grid_id, worker_id, leader_id)
                 ON g.grid_id = p.grid_id
               CROSS JOIN LATERAL generate_series(1, CASE p.tier WHEN 'RED' THEN 3 ELSE 1 END) AS n
              WHERE p.tier IN ('ORANGE','RED')
             RETURNING id, grid_id, raised_at),
           sent AS (
             INSERT INTO alert_recipients (alert_id, user_id, acknowledged_at)
             SELECT r.id, u.user_id,
                    CASE WHEN r.raised_at < now() - interval '3 days'
                         THEN date_trunc('milliseconds', r.raised_at + random() * interval '1 day') END
               FROM raised r
               JOIN unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS g(grid_id, worker_id, leader_id)
                 ON g.grid_id = r.grid_id
               CROSS JOIN LATERAL (VALUES (g.worker_id), (g.leader_id)) AS u(user_id)
             RETURNING 1)
           SELECT (SELECT count(*) FROM raised) AS count`,
        [gridIds, workerIds, leaderIds],
      );
      return Number(rows[0]?.count ?? 0);
    }),
  );

  return {
    persons: persons.length,
    households: households.length,
    disputes: disputes.length,
    assessments: assessments.length,
  };
}

// Run as a command; imported (by its test), it only defines seedScale.
if (require.main === module) {
  runCli(main, {
    failure: 'seed-scale failed',
    hint: 'usage: node dist/src/cli/seed-scale.js --persons N [--database-url URL] [--force]',
  });
}
