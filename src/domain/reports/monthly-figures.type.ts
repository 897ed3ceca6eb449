// The monthly figures ("两升三降", 一月一通报): aggregates only, never a person. Small cells (SPEC §4):
// a count below 5 is shown as <5 to an account whose row scope does not cover every record counted,
// and accounts that see no disputes (YOUTH_LEAGUE) get no dispute figures at all.
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Jurisdiction } from '../organisation/jurisdiction.entity';

const SMALL_CELL_RULE =
  'Below 5 it is shown as <5 (count null, suppressed true) to accounts whose row scope does not cover every record counted; the coordinating departments (GRID, COMPREHENSIVE_GOVERNANCE, CITY_CENTER) see exact numbers';

@ObjectType({ description: `统计数 / A count. ${SMALL_CELL_RULE}.` })
export class FigureCount {
  @Field(() => Int, { nullable: true, description: '数 / The count; null when suppressed (<5)' })
  count: number | null;

  @Field({ description: '小于5而不显示 / true: the count is 0–4 and shown as <5' })
  suppressed: boolean;
}

@ObjectType({
  description:
    '比率 / A share of two counts. To accounts that get small cells suppressed it is null (suppressed) when the part, the whole or the rest is below 5: with the whole, a share gives the part away.',
})
export class FigureShare {
  @Field(() => Float, {
    nullable: true,
    description: '比率 / The share, 0–1; null when suppressed or when there is nothing to divide',
  })
  share: number | null;

  @Field({
    description: '因小数而不显示 / true: the part, the whole or the rest is below 5 (see FigureCount)',
  })
  suppressed: boolean;
}

@ObjectType({
  description: `分组计数 / A count by key. ${SMALL_CELL_RULE}; those accounts get every key, with or without records, so a key's presence says nothing.`,
})
export class KeyCount {
  @Field({ description: '键 / Key (tier, category, level or status)' })
  key: string;

  @Field(() => Int, { nullable: true, description: '数 / The count; null when suppressed (<5)' })
  count: number | null;

  @Field({ description: '小于5而不显示 / true: the count is 0–4 and shown as <5' })
  suppressed: boolean;
}

@ObjectType({ description: '公安录入数 / Counts entered by POLICE for the month' })
export class PoliceCounts {
  @Field(() => Int, { description: '民转刑极端暴力案件 / Extreme-violence incidents' })
  extremeViolenceIncidents: number;

  @Field(() => Int, { description: '命案 / Resulting homicides' })
  resultingHomicides: number;

  @Field(() => Int, { description: '矛盾纠纷类警情 / Dispute-related police calls' })
  disputePoliceCalls: number;
}

@ObjectType({
  description: `公安录入数（通报） / The police-entered counts in the figures. ${SMALL_CELL_RULE}.`,
})
export class PoliceFigures {
  @Field(() => FigureCount, { description: '民转刑极端暴力案件 / Extreme-violence incidents' })
  extremeViolenceIncidents: FigureCount;

  @Field(() => FigureCount, { description: '命案 / Resulting homicides' })
  resultingHomicides: FigureCount;

  @Field(() => FigureCount, { description: '矛盾纠纷类警情 / Dispute-related police calls' })
  disputePoliceCalls: FigureCount;
}

const DISPUTE_FIGURE = 'null for accounts that see no disputes (YOUTH_LEAGUE)';

@ObjectType({
  description:
    '月度数据 / Monthly figures of a jurisdiction (no personal data). Small cells: see FigureCount; accounts that see no disputes (YOUTH_LEAGUE) get every dispute figure as null.',
})
export class MonthlyFigures {
  @Field(() => Jurisdiction)
  jurisdiction: Jurisdiction;

  @Field({ description: '月份 / Month, YYYY-MM (China Standard Time)' })
  month: string;

  @Field(() => [KeyCount], {
    description: '月末评估级别 / Persons by the tier of their latest assessment at month end',
  })
  personsByTier: KeyCount[];

  @Field(() => FigureCount, { description: '月末在管人数 / Persons at YELLOW, ORANGE or RED at month end' })
  managedPersons: FigureCount;

  @Field(() => FigureShare, {
    description: '管控率 / Share of managed persons followed up during the month',
  })
  followUpCompliance: FigureShare;

  @Field(() => FigureCount, {
    nullable: true,
    description: `新登记纠纷 / Disputes reported in the month; ${DISPUTE_FIGURE}`,
  })
  disputesReported: FigureCount | null;

  @Field(() => [KeyCount], {
    nullable: true,
    description: `按类别 / Disputes reported, by category; ${DISPUTE_FIGURE}`,
  })
  disputesByCategory: KeyCount[] | null;

  @Field(() => [KeyCount], {
    nullable: true,
    description: `按层级（当前） / Disputes reported, by current level; ${DISPUTE_FIGURE}`,
  })
  disputesByLevel: KeyCount[] | null;

  @Field(() => [KeyCount], {
    nullable: true,
    description: `按状态（当前） / Disputes reported, by current status; ${DISPUTE_FIGURE}`,
  })
  disputesByStatus: KeyCount[] | null;

  @Field(() => FigureCount, {
    nullable: true,
    description: `本月办结 / Disputes closed in the month; ${DISPUTE_FIGURE}`,
  })
  disputesClosed: FigureCount | null;

  @Field(() => FigureCount, {
    nullable: true,
    description: `本月化解 / Disputes resolved in the month; ${DISPUTE_FIGURE}`,
  })
  disputesResolved: FigureCount | null;

  @Field(() => FigureShare, {
    nullable: true,
    description: `化解率 / Resolved share of the disputes closed in the month; ${DISPUTE_FIGURE}`,
  })
  resolutionRate: FigureShare | null;

  @Field(() => FigureCount, {
    nullable: true,
    description: `升级 / Escalations in the month; ${DISPUTE_FIGURE}`,
  })
  escalations: FigureCount | null;

  @Field(() => FigureCount, {
    description: '月末逾期未跟踪 / Managed persons overdue for follow-up at month end',
  })
  overdueFollowUps: FigureCount;

  @Field(() => FigureCount, {
    description: '月末逾期未复核 / Managed persons past their review-by date at month end',
  })
  overdueReviews: FigureCount;

  @Field(() => FigureCount, {
    description:
      '到期终止的人工变更 / Tier overrides that ended at their review-by date in the month, not renewed by the same level',
  })
  overridesEnded: FigureCount;

  @Field(() => FigureCount, {
    description:
      '预警 / Alerts raised in the month. Accounts that get small cells suppressed count no hazardous-purchase alerts: a sale they record must not move a figure they read (no oracle)',
  })
  alertsRaised: FigureCount;

  @Field(() => FigureCount, {
    nullable: true,
    description: `一确保：多人死亡案件 / Extreme-violence incidents POLICE recorded in the month with more than one death (the goal is none); ${DISPUTE_FIGURE}`,
  })
  multiFatalityIncidents: FigureCount | null;

  @Field(() => PoliceFigures, {
    nullable: true,
    description: `公安录入 / Entered by POLICE; null until entered, and ${DISPUTE_FIGURE}`,
  })
  policeCounts: PoliceFigures | null;
}

@ObjectType({ description: '环比 / Change of one figure against the previous month' })
export class FigureChange {
  @Field({ description: '指标 / Figure' })
  figure: string;

  @Field(() => Float, {
    nullable: true,
    description: '本月 / This month; null when suppressed or not entered',
  })
  current: number | null;

  @Field(() => Float, {
    nullable: true,
    description: '上月 / Previous month; null when suppressed or not entered',
  })
  previous: number | null;

  @Field(() => Float, { nullable: true, description: '变化 / current − previous; null when either is null' })
  change: number | null;

  @Field({ description: '小于5而不显示 / true: this month or the previous one is shown as <5' })
  suppressed: boolean;
}

@ObjectType({
  description:
    '月度环比 / This month against the previous one. Accounts that see no disputes (YOUTH_LEAGUE) get no change of a dispute figure.',
})
export class MonthlyComparison {
  @Field(() => MonthlyFigures)
  current: MonthlyFigures;

  @Field(() => MonthlyFigures)
  previous: MonthlyFigures;

  @Field(() => [FigureChange])
  changes: FigureChange[];
}
