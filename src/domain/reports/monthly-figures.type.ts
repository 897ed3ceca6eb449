// The monthly figures ("两升三降", 一月一通报): aggregates only, never a person.
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Jurisdiction } from '../organisation/jurisdiction.entity';

@ObjectType({ description: '分组计数 / A count by key' })
export class KeyCount {
  @Field({ description: '键 / Key (tier, category, level or status)' })
  key: string;

  @Field(() => Int)
  count: number;
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

@ObjectType({ description: '月度数据 / Monthly figures of a jurisdiction (no personal data)' })
export class MonthlyFigures {
  @Field(() => Jurisdiction, { nullable: true })
  jurisdiction: Jurisdiction;

  @Field({ description: '月份 / Month, YYYY-MM (China Standard Time)' })
  month: string;

  @Field(() => [KeyCount], {
    description: '月末评估级别 / Persons by the tier of their latest assessment at month end',
  })
  personsByTier: KeyCount[];

  @Field(() => Int, { description: '月末在管人数 / Persons at YELLOW, ORANGE or RED at month end' })
  managedPersons: number;

  @Field(() => Float, {
    nullable: true,
    description: '管控率 / Share of managed persons followed up during the month',
  })
  followUpCompliance: number | null;

  @Field(() => Int, { description: '新登记纠纷 / Disputes reported in the month' })
  disputesReported: number;

  @Field(() => [KeyCount], { description: '按类别 / Disputes reported, by category' })
  disputesByCategory: KeyCount[];

  @Field(() => [KeyCount], { description: '按层级（当前） / Disputes reported, by current level' })
  disputesByLevel: KeyCount[];

  @Field(() => [KeyCount], { description: '按状态（当前） / Disputes reported, by current status' })
  disputesByStatus: KeyCount[];

  @Field(() => Int, { description: '本月办结 / Disputes closed in the month' })
  disputesClosed: number;

  @Field(() => Int, { description: '本月化解 / Disputes resolved in the month' })
  disputesResolved: number;

  @Field(() => Float, {
    nullable: true,
    description: '化解率 / Resolved share of the disputes closed in the month',
  })
  resolutionRate: number | null;

  @Field(() => Int, { description: '升级 / Escalations in the month' })
  escalations: number;

  @Field(() => Int, { description: '月末逾期未跟踪 / Managed persons overdue for follow-up at month end' })
  overdueFollowUps: number;

  @Field(() => Int, {
    description: '月末逾期未复核 / Managed persons past their review-by date at month end',
  })
  overdueReviews: number;

  @Field(() => Int, { description: '预警 / Alerts raised in the month' })
  alertsRaised: number;

  @Field(() => PoliceCounts, {
    nullable: true,
    description: '公安录入 / Entered by POLICE; null until entered',
  })
  policeCounts: PoliceCounts | null;
}

@ObjectType({ description: '环比 / Change of one figure against the previous month' })
export class FigureChange {
  @Field({ description: '指标 / Figure' })
  figure: string;

  @Field(() => Float, { nullable: true })
  current: number | null;

  @Field(() => Float, { nullable: true })
  previous: number | null;

  @Field(() => Float, { nullable: true, description: '变化 / current − previous' })
  change: number | null;
}

@ObjectType({ description: '月度环比 / This month against the previous one' })
export class MonthlyComparison {
  @Field(() => MonthlyFigures)
  current: MonthlyFigures;

  @Field(() => MonthlyFigures)
  previous: MonthlyFigures;

  @Field(() => [FigureChange])
  changes: FigureChange[];
}
