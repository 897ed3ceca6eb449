// GraphQL inputs and payloads for break-glass grants and their review.
import { IsEnum, IsInt, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import { UUID_MESSAGE } from '../../graphql/validation';
import { BreakGlassGrant } from './break-glass.entity';

/** A reason shorter than this says nothing a reviewer can weigh ("急", "查一下"). */
export const BREAK_GLASS_REASON_MIN = 10;
const REASON_MAX = 2000;

@InputType({
  description:
    '紧急调阅 / Open one person outside your scope in an emergency, for a few hours; the reason is reviewed',
})
export class BreakGlassInput {
  @Field(() => ID)
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field({
    description: `紧急事由（至少${BREAK_GLASS_REASON_MIN}字） / Why, at least ${BREAK_GLASS_REASON_MIN} characters`,
  })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(REASON_MAX)
  reason: string;
}

export enum BreakGlassDecision {
  CONFIRMED = 'CONFIRMED',
  FLAGGED = 'FLAGGED',
}
bilingualEnum(BreakGlassDecision, 'BreakGlassDecision', '审查结论 / Review decision', {
  CONFIRMED: '确认合理 / Justified',
  FLAGGED: '存疑，转审计 / Questionable: list it for the auditor',
});

@InputType({ description: '审查紧急调阅 / Confirm or flag a break-glass use' })
export class ReviewBreakGlassInput {
  @Field(() => ID)
  @IsUUID('all', { message: `grantId ${UUID_MESSAGE}` })
  grantId: string;

  @Field(() => BreakGlassDecision)
  @IsEnum(BreakGlassDecision)
  decision: BreakGlassDecision;

  @Field({ defaultValue: '', description: '审查意见 / Note' })
  @MaxLength(REASON_MAX)
  note: string;

  @Field(() => Int, { description: '读取时的版本 / The version you read' })
  @IsInt()
  @Min(1)
  expectedVersion: number;
}

@ObjectType()
export class BreakGlassPayload {
  @Field(() => BreakGlassGrant, { nullable: true })
  grant: BreakGlassGrant | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class ReviewBreakGlassPayload {
  @Field(() => BreakGlassGrant, { nullable: true })
  grant: BreakGlassGrant | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const BreakGlassGrantConnection = ConnectionType(
  BreakGlassGrant,
  'BreakGlassGrant',
  '紧急调阅授权（新到旧） / Break-glass grants, newest first',
);
