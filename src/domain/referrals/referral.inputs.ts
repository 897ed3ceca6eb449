// GraphQL inputs and payloads of the referrals area.
import { IsEnum, IsInt, IsOptional, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { PsychologicalFile, Referral, ReferralKind, ReferralStatus } from './referral.entity';

@InputType({ description: '转介帮扶 / Refer a person to help' })
export class CreateReferralInput {
  @Field(() => ID)
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field(() => ReferralKind)
  @IsEnum(ReferralKind)
  kind: ReferralKind;

  @Field({ description: '原因 / Why' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(TEXT_MAX)
  reason: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '更新转介 / Update a referral’s status and outcome' })
export class UpdateReferralInput {
  @Field(() => ID)
  @IsUUID('all', { message: `id ${UUID_MESSAGE}` })
  id: string;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  expectedVersion: number;

  @Field(() => ReferralStatus)
  @IsEnum(ReferralStatus)
  status: ReferralStatus;

  @Field({ defaultValue: '' })
  @MaxLength(TEXT_MAX)
  outcome: string;
}

@InputType({ description: '建立或更新心理档案 / Create or update a psychological file (ORANGE/RED persons)' })
export class SavePsychologicalFileInput {
  @Field(() => ID)
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field({ description: '干预方案 / Intervention plan' })
  @Matches(/\S/, { message: 'interventionPlan must not be empty' })
  @MaxLength(TEXT_MAX)
  interventionPlan: string;

  @Field({ defaultValue: '' })
  @MaxLength(TEXT_MAX)
  notes: string;

  @Field(() => Int, { nullable: true, description: '更新时必填 / Required when updating' })
  @IsOptional()
  @IsInt()
  expectedVersion?: number | null;
}

@ObjectType()
export class ReferralPayload {
  @Field(() => Referral, { nullable: true })
  referral: Referral | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class PsychologicalFilePayload {
  @Field(() => PsychologicalFile, { nullable: true })
  psychologicalFile: PsychologicalFile | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
