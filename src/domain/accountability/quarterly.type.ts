// The quarterly list (一季一约谈): the villages whose figures fell short of the thresholds in the
// quarter, each with its figures and the month-by-month trend, and the departments that fell short on
// their work under the jurisdiction, for the leader who holds the talks.
import { Field, Float, ObjectType } from 'type-graphql';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { MonthlyFigures } from '../reports/monthly-figures.type';
import { ScorecardFigures, UnitScorecard } from './scorecard.type';

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
export class ScorecardMonth extends ScorecardFigures {
  @Field({ description: '月份 / Month, YYYY-MM (China Standard Time)' })
  month: string;
}

@ObjectType({
  description: '约谈对象 / A village or a department that fell short, with its figures of the quarter',
})
export class QuarterlyUnit extends UnitScorecard {
  @Field(() => [Shortfall])
  shortfalls: Shortfall[];

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
