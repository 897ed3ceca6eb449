// The thresholds of the scorecards (accountability_criteria, reference data) as GraphQL types, and the
// ADMIN's edit of one (criteria.service.ts).
import { Matches, Max, MaxLength, Min } from 'class-validator';
import { Field, Float, InputType, ObjectType } from 'type-graphql';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import { REASON_MAX } from '../organisation/organisation.inputs';

export enum AccountabilityFigure {
  FOLLOW_UP_COMPLIANCE = 'FOLLOW_UP_COMPLIANCE',
  OVERDUE_REVIEWS = 'OVERDUE_REVIEWS',
  UNACKNOWLEDGED_ALERTS = 'UNACKNOWLEDGED_ALERTS',
  RESOLUTION_RATE = 'RESOLUTION_RATE',
}
bilingualEnum(AccountabilityFigure, 'AccountabilityFigure', '考核指标 / A figure the scorecards judge', {
  FOLLOW_UP_COMPLIANCE: '管控率（比例） / Follow-up compliance (a share)',
  OVERDUE_REVIEWS: '逾期未复核人数 / Overdue reviews (a count)',
  UNACKNOWLEDGED_ALERTS: '未签收预警数 / Unacknowledged alerts (a count)',
  RESOLUTION_RATE: '化解率（比例） / Resolution rate (a share)',
});

@ObjectType({ description: '考核阈值 / The threshold and weight of one scorecard figure' })
export class AccountabilityCriterion {
  @Field(() => AccountabilityFigure)
  figure: AccountabilityFigure;

  @Field({ description: 'AT_LEAST or AT_MOST the threshold' })
  direction: string;

  @Field(() => Float, { description: '阈值 / Threshold: a share from 0 to 1, or a count' })
  threshold: number;

  @Field(() => Float, { description: '权重 / Weight in the yearly assessment' })
  weight: number;

  @Field({ description: '最近修改时间 / When it was last set' })
  updatedAt: Date;
}

@InputType({ description: '修改考核阈值 / Set the threshold of one scorecard figure' })
export class SetAccountabilityThresholdInput {
  @Field(() => AccountabilityFigure)
  figure: AccountabilityFigure;

  @Field(() => Float, { description: '新阈值 / The new threshold: a share from 0 to 1, or a whole count' })
  @Min(0, { message: 'threshold must not be negative' })
  threshold: number;

  @Field({ description: '修改原因 / Why, for the audit trail' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(REASON_MAX)
  reason: string;
}

@InputType({ description: '修改考核权重 / Set the weight of one figure in the yearly score' })
export class SetAccountabilityWeightInput {
  @Field(() => AccountabilityFigure)
  figure: AccountabilityFigure;

  @Field(() => Float, {
    description:
      '新权重 / The new weight; a score is the weighted mean of the figures, so weights need not sum to 1',
  })
  @Min(0, { message: 'weight must not be negative' })
  @Max(100, { message: 'weight must be at most 100' })
  weight: number;

  @Field({ description: '修改原因 / Why, for the audit trail' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(REASON_MAX)
  reason: string;
}

@ObjectType({ description: '考核阈值或权重修改结果 / The criteria after an edit of a threshold or weight' })
export class AccountabilityCriteriaPayload {
  @Field(() => [AccountabilityCriterion], {
    nullable: true,
    description: '修改后的全部阈值 / Every criterion after the edit',
  })
  criteria: AccountabilityCriterion[] | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
