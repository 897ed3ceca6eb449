// The yearly assessment (一年一考核): a scorecard per unit of a jurisdiction from the year's figures,
// weighted by accountability_criteria (reference data), ranked, with the year's incidents with more
// than one death shown on their own (一确保).
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { FigureCount, FigureShare } from '../reports/monthly-figures.type';

@ObjectType({ description: '年度考核得分 / One unit’s scorecard of the year' })
export class YearlyScore {
  @Field(() => Jurisdiction)
  unit: Jurisdiction;

  @Field(() => Float, {
    nullable: true,
    description: '得分（0–100） / Score from 0 to 100, by the weights; withheld where small cells are',
  })
  score: number | null;

  @Field(() => Int, { nullable: true, description: '排名 / Rank, 1 the best; equal scores share a rank' })
  rank: number | null;

  @Field(() => FigureShare, { description: '管控率 / Follow-up compliance: the mean of the months' })
  followUpCompliance: FigureShare;

  @Field(() => FigureCount, { description: '年末逾期未复核 / Persons past their review-by date at year end' })
  overdueReviews: FigureCount;

  @Field(() => FigureCount, {
    description: '未签收预警 / Alerts raised in the year that a recipient had not acknowledged by its end',
  })
  unacknowledgedAlerts: FigureCount;

  @Field(() => FigureShare, { description: '化解率 / Resolved share of the disputes closed in the year' })
  resolutionRate: FigureShare;

  @Field(() => FigureCount, {
    description: '一确保：多人死亡案事件 / Incidents with more than one death in the year',
  })
  multiFatalityIncidents: FigureCount;
}

@ObjectType({ description: '一年一考核 / The yearly assessment of a jurisdiction’s units' })
export class YearlyAssessment {
  @Field(() => Jurisdiction)
  jurisdiction: Jurisdiction;

  @Field(() => Int, { description: '年度 / Year (China Standard Time)' })
  year: number;

  @Field(() => [YearlyScore], { description: '各下级单位，按排名 / Every unit, by rank' })
  units: YearlyScore[];

  @Field(() => FigureCount, {
    description: '一确保：全年多人死亡案事件 / Incidents with more than one death in the year, all units',
  })
  multiFatalityIncidents: FigureCount;
}
