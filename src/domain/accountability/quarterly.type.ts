// The quarterly list (一季一约谈): the villages whose figures fell short of the thresholds in the
// quarter, each with its figures and the month-by-month trend, and the departments that fell short on
// their work under the jurisdiction, for the leader who holds the talks.
import { Field, Float, ObjectType } from 'type-graphql';
import { Department } from '../organisation/department.entity';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { FigureCount, FigureShare, MonthlyFigures } from '../reports/monthly-figures.type';

@ObjectType({ description: '未达标指标 / A figure that fell short of its threshold' })
export class Shortfall {
  @Field({
    description: '指标 / FOLLOW_UP_COMPLIANCE, OVERDUE_REVIEWS, UNACKNOWLEDGED_ALERTS or RESOLUTION_RATE',
  })
  figure: string;

  @Field({ description: 'AT_LEAST or AT_MOST the threshold' })
  direction: string;

  @Field(() => Float, { description: '阈值 / Threshold (reference data)' })
  threshold: number;

  @Field(() => Float, { nullable: true, description: '实际 / The unit’s value in the quarter' })
  value: number | null;
}

@ObjectType({ description: '逐月考核指标 / The four scorecard figures of one month' })
export class ScorecardMonth {
  @Field({ description: '月份 / Month, YYYY-MM (China Standard Time)' })
  month: string;

  @Field(() => FigureShare, { description: '管控率 / Follow-up compliance in the month' })
  followUpCompliance: FigureShare;

  @Field(() => FigureCount, {
    description: '月末逾期未复核 / Persons past their review-by date at month end',
  })
  overdueReviews: FigureCount;

  @Field(() => FigureCount, {
    description: '未签收预警 / Alerts raised in the month that a recipient had not acknowledged by its end',
  })
  unacknowledgedAlerts: FigureCount;

  @Field(() => FigureShare, { description: '化解率 / Resolved share of the disputes closed in the month' })
  resolutionRate: FigureShare;
}

@ObjectType({
  description: '约谈对象 / A village or a department that fell short, with its figures of the quarter',
})
export class QuarterlyUnit {
  @Field(() => Jurisdiction, {
    nullable: true,
    description: '下级单位 / The village (null on a department’s row)',
  })
  unit: Jurisdiction | null;

  @Field(() => Department, { nullable: true, description: '部门 / The department (null on a village’s row)' })
  department: Department | null;

  @Field(() => [Shortfall])
  shortfalls: Shortfall[];

  @Field(() => FigureShare, { description: '管控率 / Follow-up compliance: the mean of the months' })
  followUpCompliance: FigureShare;

  @Field(() => FigureCount, {
    description: '季末逾期未复核 / Persons past their review-by date at quarter end',
  })
  overdueReviews: FigureCount;

  @Field(() => FigureCount, {
    description: '未签收预警 / Alerts raised in the quarter that a recipient had not acknowledged by its end',
  })
  unacknowledgedAlerts: FigureCount;

  @Field(() => FigureShare, { description: '化解率 / Resolved share of the disputes closed in the quarter' })
  resolutionRate: FigureShare;

  @Field(() => [ScorecardMonth], {
    description: '逐月四项指标 / The four figures month by month, for a village and a department alike',
  })
  months: ScorecardMonth[];

  @Field(() => [MonthlyFigures], {
    description: '逐月趋势 / A village’s monthly figures of the quarter (a department’s row has none)',
  })
  trend: MonthlyFigures[];
}

@ObjectType({ description: '一季一约谈 / The quarterly follow-up list of a jurisdiction' })
export class QuarterlyFollowUp {
  @Field(() => Jurisdiction)
  jurisdiction: Jurisdiction;

  @Field({ description: '季度 / Quarter, YYYY-Qn (China Standard Time)' })
  quarter: string;

  @Field(() => [QuarterlyUnit], { description: '未达标的下级单位 / Villages below a threshold' })
  units: QuarterlyUnit[];

  @Field(() => [QuarterlyUnit], {
    description: '未达标的部门 / Departments below a threshold on their work under the jurisdiction',
  })
  departments: QuarterlyUnit[];
}
