// The fictitious demo city (示范市) that `npm start` loads into an empty database, so the API can be tried at once.
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { hashPassword } from '../auth/passwords';
import { base32Decode } from '../auth/base32';
import { principalOf } from '../auth/principal';
import { secretSealerOf, type SecretSealer } from '../auth/second-factor-key';
import type { Config } from '../config';
import type { Capability, Position as AccountPosition } from '../domain/organisation/organisation.enums';
import { recomputeTiers } from '../domain/risk/tier.service';
import { SECOND_FACTOR_HOLDERS } from '../permissions/policy';

export const DEMO_PASSWORD = 'concord-demo-2026';
/**
 * The authenticator secret (base32) every demo LEADER, `admin` and `auditor` is enrolled with, so the
 * demo can be tried at once: add it to an authenticator app, or `npm run totp:code` prints the current
 * code. A real account enrols its own (beginTotpEnrolment). seed:scale's LEADERs use it too.
 */
export const DEMO_TOTP_SECRET = 'CONCORDDEMOTOTPSECRETFORLEADERS2';

export interface DemoLogin {
  username: string;
  department: string;
  position: 'WORKER' | 'LEADER';
  /** Code of the user's jurisdiction node. */
  jurisdiction: string;
  capabilities: string[];
}

// ---------------------------------------------------------------------------------------------------
// Deterministic randomness: every demo database holds the same people, disputes and dates (relative
// to `now`); only the UUIDs differ.

/** mulberry32: a tiny seeded generator, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('demo data: pick from an empty list');
    return item;
  }

  digits(count: number): string {
    let result = '';
    for (let i = 0; i < count; i += 1) result += String(this.int(0, 9));
    return result;
  }
}

// ---------------------------------------------------------------------------------------------------
// Organisation

type Level = 'CITY' | 'STREET' | 'VILLAGE' | 'GRID';
type Position = 'WORKER' | 'LEADER';
type Gender = 'MALE' | 'FEMALE';
type GridKey = 'A' | 'B' | 'C' | 'D';

const CITY = 'C01';
const STREET = 'C01.S01';
const VILLAGE_EAST = 'C01.S01.V01';
const VILLAGE_WEST = 'C01.S01.V02';

const NODES: readonly { code: string; name: string; level: Level; parent: string | null }[] = [
  { code: CITY, name: '示范市', level: 'CITY', parent: null },
  { code: STREET, name: '和平街道', level: 'STREET', parent: CITY },
  { code: VILLAGE_EAST, name: '东村', level: 'VILLAGE', parent: STREET },
  { code: VILLAGE_WEST, name: '西社区', level: 'VILLAGE', parent: STREET },
  { code: 'C01.S01.V01.G01', name: '东村第一网格', level: 'GRID', parent: VILLAGE_EAST },
  { code: 'C01.S01.V01.G02', name: '东村第二网格', level: 'GRID', parent: VILLAGE_EAST },
  { code: 'C01.S01.V02.G01', name: '西社区第一网格', level: 'GRID', parent: VILLAGE_WEST },
  { code: 'C01.S01.V02.G02', name: '西社区第二网格', level: 'GRID', parent: VILLAGE_WEST },
];

interface GridSeed {
  key: GridKey;
  code: string;
  village: '东村' | '西社区';
  /** Where the grid's addresses lie: village groups (东村) or an estate (西社区). */
  groups: readonly number[];
  estate: string;
  /** Household layouts: A adult (head, then spouse), M minor, E elderly relative. */
  households: readonly string[];
  /** Persons outside any household: R registered, M migrant. */
  singles: readonly ('R' | 'M')[];
  /** Usernames of the grid's worker and leader. The west village has no grid staff of its own in the
   * demo, so its village leader (a GRID-team user whose scope covers both its grids) stands in. */
  worker: string;
  leader: string;
  villageLeader: string;
}

const GRIDS: readonly GridSeed[] = [
  {
    key: 'A',
    code: 'C01.S01.V01.G01',
    village: '东村',
    groups: [1, 2, 3],
    estate: '',
    households: ['AAM', 'AA', 'AAE', 'AA'],
    singles: ['R', 'M', 'M'],
    worker: 'grid.worker',
    leader: 'grid.leader',
    villageLeader: 'village1.leader',
  },
  {
    key: 'B',
    code: 'C01.S01.V01.G02',
    village: '东村',
    groups: [4, 5, 6],
    estate: '',
    households: ['AA', 'AAM', 'AA', 'AAE'],
    singles: ['M', 'R', 'M'],
    worker: 'grid2.worker',
    leader: 'grid2.leader',
    villageLeader: 'village1.leader',
  },
  {
    key: 'C',
    code: 'C01.S01.V02.G01',
    village: '西社区',
    groups: [],
    estate: '和园小区',
    households: ['AAM', 'AA', 'AA', 'AAE'],
    singles: ['M', 'M'],
    worker: 'village2.leader',
    leader: 'village2.leader',
    villageLeader: 'village2.leader',
  },
  {
    key: 'D',
    code: 'C01.S01.V02.G02',
    village: '西社区',
    groups: [],
    estate: '景苑小区',
    households: ['AAM', 'AA', 'AAM'],
    singles: ['M', 'R', 'M', 'R'],
    worker: 'village2.leader',
    leader: 'village2.leader',
    villageLeader: 'village2.leader',
  },
];

/** Households whose members are all migrants renting in the grid. */
const MIGRANT_HOUSEHOLDS = new Set(['C-h1']);

// ---------------------------------------------------------------------------------------------------
// People

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾'];
const MALE_GIVEN =
  '伟 强 磊 军 洋 勇 杰 涛 明 超 刚 平 辉 鹏 华 飞 斌 宇 浩 凯 健 俊 峰 建国 志强 海涛 永军 国庆 文斌 子豪'.split(
    ' ',
  );
const FEMALE_GIVEN =
  '芳 娜 敏 静 艳 霞 丽 娟 婷 玲 燕 慧 萍 红 琳 倩 雪 颖 洁 丹 秀英 桂兰 晓燕 海燕 雅琴 欣怡 梓涵 佳琪 雨萱'.split(
    ' ',
  );
const EAST_OCCUPATIONS = ['务农', '个体经营', '工厂工人', '货车司机', '养殖户', '超市店员', '厨师', '电工'];
const WEST_OCCUPATIONS = ['公司职员', '个体经营', '网约车司机', '教师', '护士', '保安', '超市店员', '会计'];
/** Jobs and employers of migrant residents (fictitious businesses). */
const MIGRANT_JOBS: readonly [occupation: string, employer: string][] = [
  ['五金厂操作工', '和平五金制品厂'],
  ['快递员', '西社区快递驿站'],
  ['建材店店员', '鑫达建材商行'],
  ['保洁员', '和园小区物业服务中心'],
  ['厨师', '老街坊餐馆'],
  ['电焊工', '东方钢构有限公司'],
];

/** Occupations the demo disputes need: person key → occupation and, for migrants, employer. */
const OCCUPATION_OVERRIDES: Readonly<Record<string, readonly [string, string | null]>> = {
  'A-h2-0': ['装修包工头（顺达装修队）', null],
  'A-s1': ['装修工', '顺达装修队'],
  'B-h2-1': ['五金加工作坊经营者', null],
  'B-s0': ['作坊工人', '和平五金加工坊'],
  'C-h2-1': ['社区卫生服务站医生', null],
  'C-h3-0': ['物业管理员', null],
  'C-s0': ['装修工', '安居装饰工作室'],
  'D-s1': ['理财产品推销员', null],
  'D-s3': ['无业', null],
};

/** Special statuses (特殊人群), each visible only to its department. */
const SPECIAL_STATUSES: Readonly<Record<string, readonly string[]>> = {
  'A-h0-1': ['VETERAN'],
  'A-h1-1': ['RELEASED_PRISONER'],
  'B-h3-1': ['SEVERE_MENTAL_DISORDER_WITH_INCIDENT'],
  'B-s2': ['DRUG_INVOLVED'],
  'C-h0-1': ['COMMUNITY_CORRECTIONS'],
  'C-h3-2': ['DISABILITY'],
  'D-s3': ['NO_LIVELIHOOD'],
};

interface DemoPerson {
  id: string;
  /** `<grid>-h<household>-<member>` or `<grid>-s<single>`, e.g. `A-h3-0`. */
  key: string;
  grid: GridSeed;
  name: string;
  gender: Gender;
  birthDate: string;
  idNumber: string;
  phone: string | null;
  address: string;
  householdId: string | null;
  residency: 'REGISTERED' | 'MIGRANT';
  employerName: string | null;
  employerContact: string | null;
  landlordName: string | null;
  landlordContact: string | null;
  occupation: string;
  specialStatuses: readonly string[];
}

interface DemoHousehold {
  id: string;
  key: string;
  grid: GridSeed;
  address: string;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

/** A fake 18-character national ID number with a valid GB 11643 check character. */
function nationalIdNumber(birthDate: string, sequence: string): string {
  const body = `330102${birthDate.replace(/-/g, '')}${sequence}`;
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) sum += Number(body.charAt(i)) * (ID_WEIGHTS[i] ?? 0);
  return `${body}${ID_CHECK_CHARS.charAt(sum % 11)}`;
}

// ---------------------------------------------------------------------------------------------------
// Disputes, assessments, assignments, follow-ups: written out so that the tiers come out as intended
// (one RED, several ORANGE, many YELLOW) and every text stays within what Concord may record.

type DisputeStatus = 'REPORTED' | 'ACCEPTED' | 'IN_MEDIATION' | 'RESOLVED' | 'CLOSED_UNRESOLVED';

interface DisputeSeed {
  grid: GridKey;
  category: string;
  source: string;
  status: DisputeStatus;
  level: 'GRID' | 'VILLAGE';
  reportedDaysAgo: number;
  closedDaysAgo?: number;
  applicant: string;
  respondent: string;
  description: string;
  /** For a VILLAGE-level dispute: why it was escalated a week after being reported. */
  escalationReason?: string;
  mediation?: {
    daysAgo: number;
    outcome: 'AGREEMENT' | 'NO_AGREEMENT' | 'ADJOURNED';
    agreement: string;
    notes: string;
    judiciallyConfirmed?: boolean;
  };
}

const DISPUTES: readonly DisputeSeed[] = [
  {
    grid: 'A',
    category: 'NEIGHBOR',
    source: 'GRID_VISIT',
    status: 'IN_MEDIATION',
    level: 'GRID',
    reportedDaysAgo: 40,
    applicant: 'A-h0-0',
    respondent: 'A-h1-0',
    description: '两户因宅前通道堆放木料和农具影响通行发生争执，双方多次口角，网格员走访时发现。',
    mediation: {
      daysAgo: 30,
      outcome: 'ADJOURNED',
      agreement: '',
      notes: '双方同意先清理一半杂物，约定两周后再次到调解室协商通道宽度。',
    },
  },
  {
    grid: 'A',
    category: 'LABOR_WAGES',
    source: 'HOTLINE',
    status: 'IN_MEDIATION',
    level: 'GRID',
    reportedDaysAgo: 20,
    applicant: 'A-s1',
    respondent: 'A-h2-0',
    description:
      '申请人在被申请人承包的装修工程中务工三个月，被拖欠工资约一万二千元，多次讨要未果，情绪激动。',
    mediation: {
      daysAgo: 14,
      outcome: 'ADJOURNED',
      agreement: '',
      notes: '被申请人称工程款尚未结清，承诺先支付部分工资，待核对考勤后再议余款。',
    },
  },
  {
    grid: 'A',
    category: 'DOMESTIC_VIOLENCE',
    source: 'POLICE_CALL',
    status: 'ACCEPTED',
    level: 'GRID',
    reportedDaysAgo: 12,
    applicant: 'A-h3-1',
    respondent: 'A-h3-0',
    description:
      '夫妻因家庭开支长期争吵，一方在争吵中推搡另一方致其手臂轻微擦伤，受害方报警求助，民警已出警处置。',
  },
  {
    grid: 'A',
    category: 'PRIVATE_LENDING',
    source: 'COURT',
    status: 'RESOLVED',
    level: 'GRID',
    reportedDaysAgo: 75,
    closedDaysAgo: 10,
    applicant: 'A-h2-1',
    respondent: 'A-s0',
    description: '借款三万元到期未还，出借人起诉前由法院委托网格协助调解。',
    mediation: {
      daysAgo: 12,
      outcome: 'AGREEMENT',
      agreement: '借款人分六个月归还本金三万元，出借人放弃主张利息。',
      notes: '双方当场签字，申请司法确认。',
      judiciallyConfirmed: true,
    },
  },
  {
    grid: 'A',
    category: 'FAMILY',
    source: 'GRID_VISIT',
    status: 'REPORTED',
    level: 'GRID',
    reportedDaysAgo: 3,
    applicant: 'A-h2-2',
    respondent: 'A-h2-0',
    description: '老人反映同住的子女长期不支付生活费用，双方时有言语冲突，请求村里协调赡养费用。',
  },
  {
    grid: 'B',
    category: 'LAND_FOREST',
    source: 'GRID_VISIT',
    status: 'IN_MEDIATION',
    level: 'GRID',
    reportedDaysAgo: 55,
    applicant: 'B-h0-0',
    respondent: 'B-h2-0',
    description: '承包地边界界桩移位，双方对约两分地的归属各执一词，曾在田头发生推搡。',
    mediation: {
      daysAgo: 45,
      outcome: 'ADJOURNED',
      agreement: '',
      notes: '约请国土所工作人员现场复核界址后再行调解。',
    },
  },
  {
    grid: 'B',
    category: 'MARRIAGE_RELATIONSHIP',
    source: 'SELF_REPORT',
    status: 'ACCEPTED',
    level: 'GRID',
    reportedDaysAgo: 18,
    applicant: 'B-h1-1',
    respondent: 'B-h1-0',
    description: '双方协议离婚过程中因房产分割和共同债务承担产生争议，一方多次到另一方工作单位吵闹。',
  },
  {
    grid: 'B',
    category: 'LAND_REQUISITION_DEMOLITION',
    source: 'DEPARTMENT',
    status: 'IN_MEDIATION',
    level: 'VILLAGE',
    reportedDaysAgo: 60,
    applicant: 'B-h3-0',
    respondent: 'B-s1',
    description:
      '申请人反映邻户违章搭建的钢棚侵占公共通道，行政执法中队已下达限期拆除通知，被申请人拒不拆除。',
    escalationReason: '涉及违建拆除，需村委会协调行政执法中队共同处理。',
  },
  {
    grid: 'B',
    category: 'WORKPLACE_SAFETY',
    source: 'DEPARTMENT',
    status: 'CLOSED_UNRESOLVED',
    level: 'GRID',
    reportedDaysAgo: 85,
    closedDaysAgo: 5,
    applicant: 'B-s0',
    respondent: 'B-h2-1',
    description: '工人在五金加工作坊作业时手部受伤，双方对医疗费和误工费赔偿数额分歧较大。',
    mediation: {
      daysAgo: 8,
      outcome: 'NO_AGREEMENT',
      agreement: '',
      notes: '调解未果，已告知申请人可申请劳动仲裁或提起诉讼，并介绍法律援助渠道。',
    },
  },
  {
    grid: 'C',
    category: 'PROPERTY_MANAGEMENT',
    source: 'HOTLINE',
    status: 'ACCEPTED',
    level: 'GRID',
    reportedDaysAgo: 25,
    applicant: 'C-h0-0',
    respondent: 'C-h3-0',
    description: '业主与小区物业管理员因地下车位收费和楼顶漏水维修问题多次争执。',
  },
  {
    grid: 'C',
    category: 'CONTRACT',
    source: 'DEPARTMENT',
    status: 'RESOLVED',
    level: 'GRID',
    reportedDaysAgo: 50,
    closedDaysAgo: 20,
    applicant: 'C-h2-0',
    respondent: 'C-s0',
    description: '房屋装修合同纠纷：业主认为墙面施工质量不合格拒付尾款，装修方要求结清。',
    mediation: {
      daysAgo: 21,
      outcome: 'AGREEMENT',
      agreement: '装修方一周内返工墙面，业主验收合格后支付尾款八千元。',
      notes: '双方对返工范围达成一致。',
    },
  },
  {
    grid: 'C',
    category: 'MEDICAL',
    source: 'PETITION',
    status: 'IN_MEDIATION',
    level: 'VILLAGE',
    reportedDaysAgo: 30,
    applicant: 'C-h1-0',
    respondent: 'C-h2-1',
    description: '患者家属对社区卫生服务站的诊疗结果有异议，要求赔偿医疗费用，双方多次争执。',
    escalationReason: '需社会事务管理办协调医疗鉴定，提交社区调委会处理。',
  },
  {
    grid: 'D',
    category: 'SCHOOL',
    source: 'SELF_REPORT',
    status: 'ACCEPTED',
    level: 'GRID',
    reportedDaysAgo: 8,
    applicant: 'D-h0-0',
    respondent: 'D-h2-1',
    description: '两名初中生在校内发生冲突，一方家长认为孩子受到欺凌，与对方家长在校门口争吵。',
  },
  {
    grid: 'D',
    category: 'FINANCIAL_INVESTMENT',
    source: 'HOTLINE',
    status: 'REPORTED',
    level: 'GRID',
    reportedDaysAgo: 5,
    applicant: 'D-h1-0',
    respondent: 'D-s1',
    description: '申请人经被申请人介绍投资某理财平台约八万元，平台无法兑付，申请人要求介绍人退还本金。',
  },
  {
    grid: 'D',
    category: 'NEIGHBOR',
    source: 'POLICE_CALL',
    status: 'RESOLVED',
    level: 'GRID',
    reportedDaysAgo: 70,
    closedDaysAgo: 45,
    applicant: 'D-h2-0',
    respondent: 'D-s3',
    description: '楼上楼下因深夜噪音多次争吵，曾发生推搡，民警出警后转网格调解。',
    mediation: {
      daysAgo: 46,
      outcome: 'AGREEMENT',
      agreement: '楼上住户晚十点后不再进行敲打作业，双方互相致歉。',
      notes: '达成和解，约定一个月后回访。',
    },
  },
];

interface AssessmentSeed {
  person: string;
  daysAgo: number;
  indicators: readonly [code: string, note: string][];
}

const ASSESSMENTS: readonly AssessmentSeed[] = [
  {
    person: 'A-h3-0',
    daysAgo: 50,
    indicators: [['VOLATILE_TEMPER', '走访中因琐事大声呵斥家人，情绪难以平复。']],
  },
  {
    person: 'A-h3-0',
    daysAgo: 10,
    indicators: [
      ['VOLATILE_TEMPER', '出警后仍情绪激动，多次摔打物品。'],
      ['VIOLENT_TENDENCY', '近一个月内两次在争吵中动手推搡。'],
      ['THREATENED_HARM', '当着邻居的面扬言要让对方“好看”。'],
    ],
  },
  {
    person: 'A-s1',
    daysAgo: 15,
    indicators: [['EXTREME_FIXATION', '反复提及被拖欠工资一事，认为只有把事情闹大才能解决。']],
  },
  { person: 'A-h0-0', daysAgo: 30, indicators: [] },
  { person: 'A-h1-1', daysAgo: 45, indicators: [['ERRATIC', '对帮扶安排时而配合时而抵触，态度反复。']] },
  {
    person: 'B-h0-0',
    daysAgo: 35,
    indicators: [['VOLATILE_TEMPER', '谈及地界问题即情绪激动，言语冲撞调解人员。']],
  },
  {
    person: 'B-s1',
    daysAgo: 25,
    indicators: [['AGITATION_IN_OFFICIAL_CONTACT', '执法人员送达限拆通知时情绪失控，阻挡执法车辆。']],
  },
  { person: 'B-s0', daysAgo: 4, indicators: [['WITHDRAWN', '受伤后很少与人来往，拒绝工友探望。']] },
  {
    person: 'B-h3-1',
    daysAgo: 28,
    indicators: [
      ['DEPRESSED', '家属反映近期睡眠差、少言寡语。'],
      ['WITHDRAWN', '长期独处，不参加村里活动。'],
    ],
  },
  {
    person: 'C-h1-0',
    daysAgo: 20,
    indicators: [['HOPELESSNESS', '多次流露对生活失去信心的想法，已联系心理服务。']],
  },
  {
    person: 'C-s1',
    daysAgo: 22,
    indicators: [['ONLINE_THREATS', '在短视频平台评论中发出要动手伤人的威胁。']],
  },
  { person: 'D-h1-0', daysAgo: 3, indicators: [['DEPRESSED', '投资损失后精神状态低落，家人担心其情况。']] },
  { person: 'D-s3', daysAgo: 40, indicators: [] },
];

interface AssignmentSeed {
  person: string;
  measures: string;
  teamMembers: readonly string[];
  acknowledged: boolean;
}

const ASSIGNMENTS: readonly AssignmentSeed[] = [
  {
    person: 'A-h3-0',
    measures: '一人一专班：每日见面或电话了解情况；妇联、司法所上门开展家庭关系调解；派出所落实告诫措施。',
    teamMembers: [
      'police.worker',
      'womens_federation.worker',
      'justice.worker',
      'comprehensive_governance.leader',
    ],
    acknowledged: true,
  },
  {
    person: 'A-s1',
    measures: '协调包工头分期支付欠薪，必要时引导申请劳动仲裁；每周走访了解情绪。',
    teamMembers: ['village1.leader', 'economic_development.worker'],
    acknowledged: true,
  },
  {
    person: 'B-h0-0',
    measures: '会同国土所复核地界；每周走访，调解期间避免双方单独接触。',
    teamMembers: ['village1.leader', 'land_resources.worker'],
    acknowledged: true,
  },
  {
    person: 'B-s1',
    measures: '村委会联系行政执法中队说明拆除政策，每周走访做思想疏导。',
    teamMembers: ['village1.leader', 'law_enforcement.worker'],
    acknowledged: false,
  },
  {
    person: 'A-h0-0',
    measures: '网格员每半月走访一次，推动通道纠纷调解。',
    teamMembers: [],
    acknowledged: false,
  },
];

interface FollowUpSeed {
  person: string;
  daysAgo: number;
  method: 'VISIT' | 'PHONE' | 'VIDEO' | 'OTHER';
  /** The grid worker (YELLOW, RED) or the village leader (ORANGE: village cadre). */
  by: 'worker' | 'villageLeader';
  notes: string;
  change: string;
}

const followUp = (
  person: string,
  daysAgo: number,
  method: FollowUpSeed['method'],
  by: FollowUpSeed['by'],
  notes: string,
  change: string,
): FollowUpSeed => ({ person, daysAgo, method, by, notes, change });

const FOLLOW_UPS: readonly FollowUpSeed[] = [
  followUp('A-h3-0', 0.25, 'VISIT', 'worker', '上门了解家庭情况，双方已分开居住。', '情绪较前几日平稳'),
  followUp('A-h3-0', 1.3, 'PHONE', 'worker', '电话询问近况，表示愿意接受调解。', '态度有所缓和'),
  followUp('A-h3-0', 2.2, 'VISIT', 'worker', '与妇联工作人员一同上门。', '仍有怨气'),
  followUp('A-h3-0', 3.4, 'PHONE', 'worker', '电话了解工作和生活情况。', '无明显变化'),
  followUp('A-h3-0', 5.1, 'VISIT', 'worker', '与派出所民警一同走访。', '情绪激动，经劝说后平复'),
  followUp('A-h3-0', 8, 'VISIT', 'worker', '首次走访，告知调解程序。', '情绪激动'),
  followUp('A-s1', 4, 'VISIT', 'villageLeader', '到租住处了解讨薪进展。', '已收到部分工资，情绪好转'),
  followUp('A-s1', 11, 'PHONE', 'villageLeader', '电话沟通调解安排。', '仍坚持要求一次性付清'),
  followUp('B-h0-0', 3, 'VISIT', 'villageLeader', '田头走访，说明复核界址安排。', '同意等待复核结果'),
  followUp('B-h0-0', 10, 'VISIT', 'villageLeader', '上门沟通调解方案。', '无明显变化'),
  followUp('B-s1', 6, 'VISIT', 'villageLeader', '解释违建拆除政策和补偿途径。', '态度有所软化'),
  followUp('B-s1', 13, 'PHONE', 'villageLeader', '电话提醒限拆期限。', '仍有抵触'),
  followUp('C-h1-0', 12, 'VISIT', 'villageLeader', '陪同前往社区卫生服务站沟通。', '情绪低落'),
  followUp(
    'D-h1-0',
    2,
    'PHONE',
    'villageLeader',
    '电话了解投资损失情况，介绍报案途径。',
    '情绪低落但愿意沟通',
  ),
  followUp('D-h1-0', 1, 'VIDEO', 'villageLeader', '视频通话，心理服务志愿者参与。', '有所好转'),
  followUp('A-h0-0', 9, 'VISIT', 'worker', '走访了解通道清理进展。', '已清理部分杂物'),
  followUp('A-h0-0', 24, 'PHONE', 'worker', '电话约定调解时间。', '无明显变化'),
  followUp('B-s0', 2, 'VISIT', 'worker', '探望伤情，介绍法律援助申请方式。', '伤情好转'),
  followUp('A-h1-1', 16, 'VISIT', 'worker', '了解就业情况，推荐招聘信息。', '已找到临时工作'),
  followUp('C-s1', 7, 'OTHER', 'villageLeader', '约请到社区谈话，进行法治教育。', '承认言语过激并删除评论'),
];

// ---------------------------------------------------------------------------------------------------
// The tier rule as the risk module applies it (SPEC §3 Tier, §4 Minimisation), for assessments.tier

type TierName = 'NONE' | 'YELLOW' | 'ORANGE' | 'RED';
const TIER_BY_COUNT: readonly TierName[] = ['NONE', 'YELLOW', 'ORANGE', 'RED'];
const REVIEW_DAYS: Readonly<Record<TierName, number | null>> = {
  NONE: null,
  YELLOW: 90,
  ORANGE: 60,
  RED: 30,
};
const OPEN_STATUSES: readonly DisputeStatus[] = ['REPORTED', 'ACCEPTED', 'IN_MEDIATION'];

const DAY_MS = 24 * 3600 * 1000;

// ---------------------------------------------------------------------------------------------------
// SQL helper

type Cell = string | number | boolean | Date | null | readonly string[];
type Row = Readonly<Record<string, Cell>>;

/** One multi-row INSERT for all rows (every row has the columns of the first). */
async function insertRows(manager: EntityManager, table: string, rows: readonly Row[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const params: Cell[] = [];
  const tuples = rows.map((row) => {
    const placeholders = columns.map((column) => {
      const value = row[column];
      if (value === undefined) throw new Error(`demo data: ${table}.${column} missing in a row`);
      params.push(value);
      return `$${params.length}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  await manager.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
}

// ---------------------------------------------------------------------------------------------------

/** Loads the demo city into an EMPTY database (no rows in jurisdictions); returns null and does nothing
 * if jurisdictions already has rows. Runs in ONE transaction. */
export async function loadDemoData(
  dataSource: DataSource,
  now: Date,
  config: Config,
): Promise<DemoLogin[] | null> {
  if (await hasJurisdictions(dataSource.manager)) return null;
  // argon2 is slow: hash once, outside the transaction, and share the hash between all demo users.
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const sealer = await secretSealerOf(config);
  return dataSource.transaction(async (manager) => {
    // Two processes starting at once on one empty database: the second waits here, then sees rows.
    await manager.query(`LOCK TABLE jurisdictions IN SHARE ROW EXCLUSIVE MODE`);
    if (await hasJurisdictions(manager)) return null;
    return loadInto(manager, now, passwordHash, sealer);
  });
}

/**
 * The second-factor columns of a demo account that needs one (policy.ts, SECOND_FACTOR_HOLDERS):
 * enrolled with DEMO_TOTP_SECRET, no recovery codes; nothing for the others.
 */
export function demoSecondFactor(
  sealer: SecretSealer,
  user: { id: string; department: string; position: 'WORKER' | 'LEADER'; capabilities: string[] },
  now: Date,
): { totp_secret_sealed: string | null; second_factor_enrolled_at: Date | null } {
  const holder = SECOND_FACTOR_HOLDERS.includes(
    principalOf({
      departmentCode: user.department,
      position: user.position as AccountPosition,
      capabilities: user.capabilities as Capability[],
    }),
  );
  const secret = base32Decode(DEMO_TOTP_SECRET);
  if (!holder || !secret) return { totp_secret_sealed: null, second_factor_enrolled_at: null };
  return { totp_secret_sealed: sealer.seal(user.id, secret), second_factor_enrolled_at: now };
}

async function hasJurisdictions(manager: EntityManager): Promise<boolean> {
  const rows: { found: boolean }[] = await manager.query(
    `SELECT EXISTS (SELECT 1 FROM jurisdictions) AS found`,
  );
  return rows[0]?.found === true;
}

async function loadInto(
  manager: EntityManager,
  now: Date,
  passwordHash: string,
  sealer: SecretSealer,
): Promise<DemoLogin[]> {
  const dice = new Dice(20260101);
  const at = (daysAgo: number): Date => new Date(now.getTime() - Math.round(daysAgo * DAY_MS));

  // Jurisdictions ----------------------------------------------------------------------------------
  const nodeIds = new Map(NODES.map((node) => [node.code, randomUUID()]));
  const nodeId = (code: string): string => {
    const id = nodeIds.get(code);
    if (!id) throw new Error(`demo data: unknown jurisdiction ${code}`);
    return id;
  };
  await insertRows(
    manager,
    'jurisdictions',
    NODES.map((node) => ({
      id: nodeId(node.code),
      code: node.code,
      name: node.name,
      level: node.level,
      parent_id: node.parent === null ? null : nodeId(node.parent),
      path: node.code,
    })),
  );

  // Users ------------------------------------------------------------------------------------------
  const departments: { code: string; name_zh: string }[] = await manager.query(
    `SELECT code, name_zh FROM departments ORDER BY code`,
  );
  for (const required of ['GRID', 'COMPREHENSIVE_GOVERNANCE']) {
    if (!departments.some((department) => department.code === required)) {
      throw new Error(`demo data: department ${required} is missing; load the reference data first`);
    }
  }
  const logins: DemoLogin[] = [];
  const userRows: Row[] = [];
  const userIds = new Map<string, string>();
  const addUser = (
    username: string,
    displayName: string,
    department: string,
    position: Position,
    node: string,
    capabilities: string[] = [],
  ): void => {
    const id = randomUUID();
    userIds.set(username, id);
    logins.push({ username, department, position, jurisdiction: node, capabilities });
    userRows.push({
      id,
      username,
      display_name: displayName,
      department_code: department,
      position,
      jurisdiction_id: nodeId(node),
      capabilities,
      password_hash: passwordHash,
      ...demoSecondFactor(sealer, { id, department, position, capabilities }, now),
    });
  };
  for (const { code, name_zh } of departments) {
    const node = code === 'GRID' ? 'C01.S01.V01.G01' : code === 'CITY_CENTER' ? CITY : STREET;
    addUser(`${code.toLowerCase()}.worker`, `${name_zh}工作人员`, code, 'WORKER', node);
    addUser(`${code.toLowerCase()}.leader`, `${name_zh}领导`, code, 'LEADER', node);
  }
  addUser('grid2.worker', '东村第二网格网格员', 'GRID', 'WORKER', 'C01.S01.V01.G02');
  addUser('grid2.leader', '东村第二网格网格长', 'GRID', 'LEADER', 'C01.S01.V01.G02');
  addUser('village1.leader', '东村村委会负责人', 'GRID', 'LEADER', VILLAGE_EAST);
  addUser('village2.leader', '西社区居委会负责人', 'GRID', 'LEADER', VILLAGE_WEST);
  addUser('admin', '系统管理员', 'COMPREHENSIVE_GOVERNANCE', 'WORKER', CITY, ['ADMIN']);
  addUser('auditor', '安全审计员', 'COMPREHENSIVE_GOVERNANCE', 'WORKER', CITY, ['AUDITOR']);
  await insertRows(manager, 'users', userRows);
  const userId = (username: string): string => {
    const id = userIds.get(username);
    if (!id) throw new Error(`demo data: no demo user ${username}`);
    return id;
  };

  // Households and persons -------------------------------------------------------------------------
  const usedAddresses = new Set<string>();
  const newAddress = (grid: GridSeed): string => {
    for (;;) {
      const address =
        grid.village === '东村'
          ? `东村${dice.pick(grid.groups)}组${dice.int(1, 60)}号`
          : `西社区${grid.estate}${dice.int(1, 12)}幢${dice.int(1, 6)}0${dice.int(1, 4)}室`;
      if (!usedAddresses.has(address)) {
        usedAddresses.add(address);
        return address;
      }
    }
  };
  const usedNames = new Set<string>();
  const newName = (surname: string, gender: Gender): string => {
    for (;;) {
      const name = `${surname}${dice.pick(gender === 'MALE' ? MALE_GIVEN : FEMALE_GIVEN)}`;
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const usedIdNumbers = new Set<string>();
  const birthDateAndIdNumber = (age: number, gender: Gender): [string, string] => {
    for (;;) {
      const birthDate = [
        String(now.getUTCFullYear() - age),
        String(dice.int(1, 12)).padStart(2, '0'),
        String(dice.int(1, 28)).padStart(2, '0'),
      ].join('-');
      // The 17th character is odd for men and even for women (GB 11643).
      const sexDigit = gender === 'MALE' ? dice.pick([1, 3, 5, 7, 9]) : dice.pick([0, 2, 4, 6, 8]);
      const idNumber = nationalIdNumber(birthDate, `${dice.digits(2)}${sexDigit}`);
      if (!usedIdNumbers.has(idNumber)) {
        usedIdNumbers.add(idNumber);
        return [birthDate, idNumber];
      }
    }
  };
  const usedPhones = new Set<string>();
  const newPhone = (): string => {
    for (;;) {
      const phone = `138${dice.digits(8)}`;
      if (!usedPhones.has(phone)) {
        usedPhones.add(phone);
        return phone;
      }
    }
  };
  const randomGender = (): Gender => (dice.chance(0.5) ? 'MALE' : 'FEMALE');
  const occupationFor = (grid: GridSeed, age: number): string =>
    age >= 62 ? '退休' : dice.pick(grid.village === '东村' ? EAST_OCCUPATIONS : WEST_OCCUPATIONS);

  const households: DemoHousehold[] = [];
  const persons: DemoPerson[] = [];
  const addPerson = (
    key: string,
    grid: GridSeed,
    gender: Gender,
    surname: string,
    age: number,
    household: DemoHousehold | null,
    residency: 'REGISTERED' | 'MIGRANT',
  ): void => {
    const [birthDate, idNumber] = birthDateAndIdNumber(age, gender);
    const override = OCCUPATION_OVERRIDES[key];
    const minor = age < 18;
    const working = residency === 'MIGRANT' && !minor;
    const migrantJob = working ? dice.pick(MIGRANT_JOBS) : null;
    persons.push({
      id: randomUUID(),
      key,
      grid,
      name: newName(surname, gender),
      gender,
      birthDate,
      idNumber,
      phone: age < 14 ? null : newPhone(),
      address: household?.address ?? newAddress(grid),
      householdId: household?.id ?? null,
      residency,
      employerName: working ? (override?.[1] ?? migrantJob?.[1] ?? null) : null,
      employerContact: working ? `0571-8${dice.digits(7)}` : null,
      landlordName: null,
      landlordContact: null,
      occupation: minor ? '学生' : (override?.[0] ?? migrantJob?.[0] ?? occupationFor(grid, age)),
      specialStatuses: SPECIAL_STATUSES[key] ?? [],
    });
  };

  for (const grid of GRIDS) {
    grid.households.forEach((layout, h) => {
      const key = `${grid.key}-h${h}`;
      const household: DemoHousehold = { id: randomUUID(), key, grid, address: newAddress(grid) };
      households.push(household);
      const residency = MIGRANT_HOUSEHOLDS.has(key) ? 'MIGRANT' : 'REGISTERED';
      const surname = dice.pick(SURNAMES);
      const headGender = randomGender();
      const headAge = dice.int(32, 60);
      [...layout].forEach((kind, m) => {
        const memberKey = `${key}-${m}`;
        if (kind === 'A' && m === 0) {
          addPerson(memberKey, grid, headGender, surname, headAge, household, residency);
        } else if (kind === 'A') {
          const spouseSurname = dice.pick(SURNAMES.filter((other) => other !== surname));
          const spouseGender = headGender === 'MALE' ? 'FEMALE' : 'MALE';
          const spouseAge = Math.max(22, headAge + dice.int(-4, 4));
          addPerson(memberKey, grid, spouseGender, spouseSurname, spouseAge, household, residency);
        } else if (kind === 'M') {
          addPerson(memberKey, grid, randomGender(), surname, dice.int(8, 16), household, residency);
        } else {
          addPerson(memberKey, grid, randomGender(), surname, dice.int(68, 85), household, residency);
        }
      });
    });
    grid.singles.forEach((kind, s) => {
      const age = kind === 'M' ? dice.int(20, 45) : dice.int(25, 58);
      const residency = kind === 'M' ? 'MIGRANT' : 'REGISTERED';
      addPerson(`${grid.key}-s${s}`, grid, randomGender(), dice.pick(SURNAMES), age, null, residency);
    });
  }

  // Migrants rent from a registered household head of their grid, who shares responsibility for them.
  for (const migrant of persons.filter((p) => p.residency === 'MIGRANT')) {
    const landlord = dice.pick(
      persons.filter(
        (p) => p.grid === migrant.grid && p.residency === 'REGISTERED' && /-h\d+-0$/.test(p.key),
      ),
    );
    migrant.landlordName = landlord.name;
    migrant.landlordContact = landlord.phone;
    if (migrant.householdId === null) migrant.address = `${landlord.address}（租住）`;
  }
  for (const household of households.filter((h) => MIGRANT_HOUSEHOLDS.has(h.key))) {
    household.address = `${household.address}（租住）`;
    for (const member of persons.filter((p) => p.householdId === household.id))
      member.address = household.address;
  }

  const byKey = new Map(persons.map((p) => [p.key, p]));
  const personByKey = (key: string): DemoPerson => {
    const found = byKey.get(key);
    if (!found) throw new Error(`demo data: no demo person ${key}`);
    return found;
  };
  const gridByKey = (key: GridKey): GridSeed => {
    const found = GRIDS.find((grid) => grid.key === key);
    if (!found) throw new Error(`demo data: no grid ${key}`);
    return found;
  };

  const registeredSince = at(120);
  const hoursLater = (index: number) => new Date(registeredSince.getTime() + index * 3600 * 1000);
  await insertRows(
    manager,
    'households',
    households.map((household, index) => ({
      id: household.id,
      address: household.address,
      grid_id: nodeId(household.grid.code),
      created_at: hoursLater(index),
    })),
  );
  await insertRows(
    manager,
    'persons',
    persons.map((p, index) => ({
      id: p.id,
      name: p.name,
      gender: p.gender,
      birth_date: p.birthDate,
      id_number: p.idNumber,
      phone: p.phone,
      address: p.address,
      household_id: p.householdId,
      grid_id: nodeId(p.grid.code),
      residency: p.residency,
      employer_name: p.employerName,
      employer_contact: p.employerContact,
      landlord_name: p.landlordName,
      landlord_contact: p.landlordContact,
      occupation: p.occupation,
      special_statuses: p.specialStatuses,
      created_at: hoursLater(index),
      updated_at: hoursLater(index),
      created_by_id: userId(p.grid.worker),
    })),
  );

  // Disputes ---------------------------------------------------------------------------------------
  const disputes = DISPUTES.map((seed) => {
    const grid = gridByKey(seed.grid);
    const applicant = personByKey(seed.applicant);
    const respondent = personByKey(seed.respondent);
    if (applicant.grid !== grid || respondent.grid !== grid) {
      throw new Error(`demo data: a party of the ${seed.category} dispute lives outside grid ${grid.key}`);
    }
    return {
      seed,
      id: randomUUID(),
      grid,
      reportedAt: at(seed.reportedDaysAgo),
      closedAt: seed.closedDaysAgo === undefined ? null : at(seed.closedDaysAgo),
      partyIds: [applicant.id, respondent.id],
    };
  });
  await insertRows(
    manager,
    'disputes',
    disputes.map((d) => ({
      id: d.id,
      category: d.seed.category,
      description: d.seed.description,
      source: d.seed.source,
      status: d.seed.status,
      level: d.seed.level,
      grid_id: nodeId(d.grid.code),
      reported_by_id: userId(d.grid.worker),
      reported_at: d.reportedAt,
      closed_at: d.closedAt,
      created_at: d.reportedAt,
    })),
  );
  await insertRows(
    manager,
    'dispute_parties',
    disputes.flatMap((d) => [
      { dispute_id: d.id, person_id: personByKey(d.seed.applicant).id, role: 'APPLICANT' },
      { dispute_id: d.id, person_id: personByKey(d.seed.respondent).id, role: 'RESPONDENT' },
    ]),
  );
  await insertRows(
    manager,
    'dispute_escalations',
    disputes.flatMap((d) =>
      d.seed.escalationReason === undefined
        ? []
        : [
            {
              dispute_id: d.id,
              from_level: 'GRID',
              to_level: d.seed.level,
              venue: null,
              reason: d.seed.escalationReason,
              by_id: userId(d.grid.leader),
              occurred_at: at(d.seed.reportedDaysAgo - 7),
            },
          ],
    ),
  );
  await insertRows(
    manager,
    'mediation_sessions',
    disputes.flatMap((d) => {
      const mediation = d.seed.mediation;
      if (!mediation) return [];
      const heldAt = at(mediation.daysAgo);
      const confirmed = mediation.judiciallyConfirmed === true;
      return [
        {
          dispute_id: d.id,
          held_at: heldAt,
          venue: `${d.grid.village}人民调解室`,
          mediator_name: `${d.grid.village}人民调解委员会调解员`,
          outcome: mediation.outcome,
          agreement_text: mediation.agreement,
          notes: mediation.notes,
          judicially_confirmed: confirmed,
          judicial_confirmation_date: confirmed
            ? at(mediation.daysAgo - 2)
                .toISOString()
                .slice(0, 10)
            : null,
          recorded_by_id: userId(d.grid.worker),
          created_at: heldAt,
        },
      ];
    }),
  );
  // The 30-day return visit (回访) of each resolved dispute for which it has fallen due.
  await insertRows(
    manager,
    'return_visits',
    disputes.flatMap((d) =>
      d.seed.status === 'RESOLVED' && d.seed.closedDaysAgo !== undefined && d.seed.closedDaysAgo > 31
        ? [
            {
              dispute_id: d.id,
              sequence: 1,
              occurred_at: at(d.seed.closedDaysAgo - 30),
              by_id: userId(d.grid.worker),
              method: 'VISIT',
              notes: '回访双方，协议履行正常，未再发生争吵。',
            },
          ]
        : [],
    ),
  );

  /** EVENT at a moment: the person was party to a dispute reported by then and not yet closed. */
  const eventAt = (personId: string, when: Date): boolean =>
    disputes.some(
      (d) =>
        d.partyIds.includes(personId) &&
        d.reportedAt.getTime() <= when.getTime() &&
        (d.closedAt === null || d.closedAt.getTime() > when.getTime()),
    );
  const eventNow = (personId: string): boolean =>
    disputes.some((d) => d.partyIds.includes(personId) && OPEN_STATUSES.includes(d.seed.status));

  // Assessments ------------------------------------------------------------------------------------
  const catalog: { version: number; code: string; category: 'CHARACTER' | 'BEHAVIOR' }[] =
    await manager.query(
      `SELECT i.catalog_version AS version, i.code, i.category
       FROM indicators i JOIN indicator_catalog_versions v ON v.version = i.catalog_version
      WHERE v.current`,
    );
  const catalogVersion = catalog[0]?.version;
  if (catalogVersion === undefined) throw new Error('demo data: no current indicator catalog');
  const categoryOf = new Map(catalog.map((indicator) => [indicator.code, indicator.category]));

  /** Tier each assessed person will have once recomputed, from their latest assessment. */
  const currentTier = new Map<string, TierName>();
  const latestAssessedAt = new Map<string, Date>();
  const assessments = ASSESSMENTS.map((seed) => {
    const subject = personByKey(seed.person);
    const assessedAt = at(seed.daysAgo);
    const indicators = seed.indicators.flatMap(([code, note]) => {
      const category = categoryOf.get(code);
      return category === undefined ? [] : [{ code, category, note }];
    });
    const categories = new Set<string>(indicators.map((indicator) => indicator.category));
    const tier = TIER_BY_COUNT[categories.size + (eventAt(subject.id, assessedAt) ? 1 : 0)] ?? 'RED';
    const previous = latestAssessedAt.get(subject.id);
    if (!previous || previous.getTime() < assessedAt.getTime()) {
      latestAssessedAt.set(subject.id, assessedAt);
      currentTier.set(subject.id, TIER_BY_COUNT[categories.size + (eventNow(subject.id) ? 1 : 0)] ?? 'RED');
    }
    const reviewDays = REVIEW_DAYS[tier];
    return {
      id: randomUUID(),
      subject,
      assessedAt,
      indicators,
      tier,
      reviewBy: reviewDays === null ? null : new Date(assessedAt.getTime() + reviewDays * DAY_MS),
    };
  });
  await insertRows(
    manager,
    'assessments',
    assessments.map((a) => ({
      id: a.id,
      person_id: a.subject.id,
      assessor_id: userId(a.subject.grid.worker),
      assessed_at: a.assessedAt,
      catalog_version: catalogVersion,
      tier: a.tier,
      review_by: a.reviewBy,
    })),
  );
  await insertRows(
    manager,
    'assessment_indicators',
    assessments.flatMap((a) =>
      a.indicators.map((indicator) => ({
        assessment_id: a.id,
        indicator_code: indicator.code,
        category: indicator.category,
        note: indicator.note,
      })),
    ),
  );
  const expectedTier = (p: DemoPerson): TierName =>
    currentTier.get(p.id) ?? (eventNow(p.id) ? 'YELLOW' : 'NONE');

  // Assignments and follow-ups ---------------------------------------------------------------------
  await insertRows(
    manager,
    'assignments',
    ASSIGNMENTS.flatMap((seed) => {
      const subject = personByKey(seed.person);
      if (expectedTier(subject) === 'NONE') return [];
      const assessedAt = latestAssessedAt.get(subject.id) ?? at(20);
      const createdAt = new Date(Math.min(assessedAt.getTime() + DAY_MS, now.getTime()));
      return [
        {
          person_id: subject.id,
          lead_leader_id: userId(subject.grid.leader),
          responsible_department_code: 'GRID',
          responsible_person_id: userId(subject.grid.worker),
          team_member_ids: seed.teamMembers.filter((username) => userIds.has(username)).map((u) => userId(u)),
          measures: seed.measures,
          acknowledged_at: seed.acknowledged
            ? new Date(Math.min(createdAt.getTime() + DAY_MS / 2, now.getTime()))
            : null,
          created_at: createdAt,
          created_by_id: userId(subject.grid.leader),
        },
      ];
    }),
  );
  await insertRows(
    manager,
    'follow_ups',
    FOLLOW_UPS.map((seed) => {
      const subject = personByKey(seed.person);
      return {
        person_id: subject.id,
        by_id: userId(seed.by === 'worker' ? subject.grid.worker : subject.grid.villageLeader),
        occurred_at: at(seed.daysAgo),
        method: seed.method,
        notes: seed.notes,
        observed_change: seed.change,
      };
    }),
  );

  // Tiers: stored by the risk module from what was just inserted -----------------------------------
  await recomputeTiers(
    manager,
    persons.map((p) => p.id),
    now,
  );

  return logins;
}
