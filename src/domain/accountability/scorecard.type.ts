// The four figures every scorecard shows (一季一约谈, 一年一考核), for a month, a quarter or a year, and
// whose row it is: a village's or a department's. GraphQL types of the quarterly list and the yearly
// assessment extend them (quarterly.type.ts, yearly.type.ts).
import { Field, ObjectType } from 'type-graphql';
import { Department } from '../organisation/department.entity';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { FigureCount, FigureShare } from '../reports/monthly-figures.type';

@ObjectType()
export abstract class ScorecardFigures {
  @Field(() => FigureShare, {
    description:
      '管控率 / Follow-up compliance: in a month, the share of managed persons followed up; over several months, the mean of the months',
  })
  followUpCompliance: FigureShare;

  @Field(() => FigureCount, {
    description: '期末逾期未复核 / Persons past their review-by date at the period’s end',
  })
  overdueReviews: FigureCount;

  @Field(() => FigureCount, {
    description: '未签收预警 / Alerts raised in the period that a recipient had not acknowledged by its end',
  })
  unacknowledgedAlerts: FigureCount;

  @Field(() => FigureShare, { description: '化解率 / Resolved share of the disputes closed in the period' })
  resolutionRate: FigureShare;
}

@ObjectType()
export abstract class UnitScorecard extends ScorecardFigures {
  @Field(() => Jurisdiction, {
    nullable: true,
    description: '下级单位 / The village (null on a department’s row)',
  })
  unit: Jurisdiction | null;

  @Field(() => Department, { nullable: true, description: '部门 / The department (null on a village’s row)' })
  department: Department | null;
}
