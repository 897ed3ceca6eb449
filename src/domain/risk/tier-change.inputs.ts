// GraphQL inputs and payloads for tier overrides and overdue reviews.
import { IsEnum, IsInt, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { Person } from '../people/person.entity';
import { Tier } from './risk.enums';
import { TierChangeRequest } from './tier-change.entity';

export enum TierDecision {
  APPROVE = 'APPROVE',
  REJECT = 'REJECT',
}
bilingualEnum(TierDecision, 'TierDecision', '审批决定 / Decision', {
  APPROVE: '批准 / Approve',
  REJECT: '驳回 / Reject',
});

@InputType({ description: '申请变更预警级别 / Ask for a person’s tier to be changed, with the reason' })
export class RequestTierChangeInput {
  @Field(() => ID)
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field(() => Tier, { description: '申请级别 / Tier asked for' })
  @IsEnum(Tier)
  toTier: Tier;

  @Field({ description: '理由 / Reason' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(TEXT_MAX)
  reason: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '审批变更申请 / Approve or reject a tier change request' })
export class DecideTierChangeInput {
  @Field(() => ID)
  @IsUUID('all', { message: `requestId ${UUID_MESSAGE}` })
  requestId: string;

  @Field(() => TierDecision)
  @IsEnum(TierDecision)
  decision: TierDecision;

  @Field({ defaultValue: '', description: '审批意见 / Note' })
  @MaxLength(TEXT_MAX)
  note: string;

  @Field(() => Int, { description: '读取时的版本 / The version you read' })
  @IsInt()
  @Min(1)
  expectedVersion: number;
}

@ObjectType()
export class TierChangePayload {
  @Field(() => TierChangeRequest, { nullable: true })
  request: TierChangeRequest | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({ description: '逾期未复核 / A person whose assessment is past its review-by date' })
export class OverdueReview {
  @Field(() => Person)
  person: Person;

  @Field(() => ID, { nullable: true, description: '最近评估 / Latest assessment' })
  assessmentId: string;

  @Field({ description: '复核期限 / Review-by date' })
  reviewBy: Date;

  @Field(() => Int, { description: '逾期天数 / Whole days overdue' })
  daysOverdue: number;
}

export const OverdueReviewConnection = ConnectionType(
  OverdueReview,
  'OverdueReview',
  '逾期未复核 / Overdue reviews, most overdue first',
);

export const TierChangeRequestConnection = ConnectionType(
  TierChangeRequest,
  'TierChangeRequest',
  '变更申请 / Tier change requests, newest first',
);
