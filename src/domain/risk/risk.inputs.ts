// GraphQL inputs and payloads of the risk area.
import { ArrayMaxSize, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { Assessment } from './assessment.entity';

@InputType({ description: '观察到的要素 / An indicator observed, with what was seen' })
export class ObservedIndicatorInput {
  @Field({ description: '要素编码（现行目录） / Indicator code of the current catalog' })
  @Matches(/^[A-Z_]{1,64}$/, { message: 'code must be an indicator code such as VOLATILE_TEMPER' })
  code: string;

  @Field({ defaultValue: '', description: '观察记录 / What was observed' })
  @MaxLength(TEXT_MAX)
  note: string;
}

@InputType({ description: '记录风险评估 / Record a risk assessment' })
export class RecordAssessmentInput {
  @Field(() => ID, { description: '被评估人 / Person' })
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field(() => [ObservedIndicatorInput], {
    description:
      '观察到的性格与行为要素（可为空：无要素） / Character and behaviour indicators observed; empty means none',
  })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  indicators: ObservedIndicatorInput[];

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@ObjectType()
export class RecordAssessmentPayload {
  @Field(() => Assessment, { nullable: true })
  assessment: Assessment | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const AssessmentConnection = ConnectionType(
  Assessment,
  'Assessment',
  '风险评估 / A person’s assessments, newest first',
);
