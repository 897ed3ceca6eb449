// The yearly assessment (一年一考核): a scorecard per unit of a jurisdiction from the year's figures,
// weighted by accountability_criteria (reference data), ranked, with the year's incidents with more
// than one death shown on their own (一确保).
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { IncidentKind } from '../police/incident.entity';
import { FigureCount } from '../reports/monthly-figures.type';
import { UnitScorecard } from './scorecard.type';

@ObjectType({ description: '年度考核得分 / One village’s or department’s scorecard of the year' })
export class YearlyScore extends UnitScorecard {
  @Field(() => Float, {
    nullable: true,
    description: '得分（0–100） / Score from 0 to 100, by the weights; withheld where small cells are',
  })
  score: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      '排名 / Rank among the villages, or among the departments: 1 the best; equal scores share a rank',
  })
  rank: number | null;

  @Field(() => FigureCount, {
    description: '一确保：多人死亡案事件 / Incidents with more than one death in the year',
  })
  multiFatalityIncidents: FigureCount;
}

@ObjectType({
  description: '年度案事件 / An extreme-violence incident of the year, with the id its review opens by',
})
export class YearIncident {
  @Field(() => ID, {
    description: '案件 / The incident: caseReview(incidentId) opens its review (一案一倒查)',
  })
  incidentId: string;

  @Field({ description: '发生时间 / When it happened' })
  occurredAt: Date;

  @Field(() => IncidentKind)
  kind: IncidentKind;

  @Field(() => Int, { description: '死亡人数 / Deaths' })
  deaths: number;

  @Field(() => Int, { description: '受伤人数 / Injured' })
  injuries: number;

  @Field(() => Jurisdiction, { description: '发生的下级单位 / The unit (village) it happened in' })
  unit: Jurisdiction;
}

@ObjectType({ description: '一年一考核 / The yearly assessment of a jurisdiction’s units' })
export class YearlyAssessment {
  @Field(() => Jurisdiction)
  jurisdiction: Jurisdiction;

  @Field(() => Int, { description: '年度 / Year (China Standard Time)' })
  year: number;

  @Field(() => [YearlyScore], { description: '各下级单位，按排名 / Every village, by rank' })
  units: YearlyScore[];

  @Field(() => [YearlyScore], {
    description: '各部门，按排名 / Every department with work under the jurisdiction in the year, by rank',
  })
  departments: YearlyScore[];

  @Field(() => [YearIncident], {
    description:
      '年度案事件 / The year’s extreme-violence incidents, oldest first; caseReview(incidentId) opens each',
  })
  incidents: YearIncident[];

  @Field(() => FigureCount, {
    description: '一确保：全年多人死亡案事件 / Incidents with more than one death in the year, all units',
  })
  multiFatalityIncidents: FigureCount;
}
