// GraphQL input of renewing a tier override for another review period.
import { IsInt, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';

@InputType({
  description:
    '续期人工变更 / Renew an approved tier override before its review-by date, by the decider of its tier level',
})
export class RenewTierOverrideInput {
  @Field(() => ID, { description: '生效中的变更申请 / The approved request in effect' })
  @IsUUID('all', { message: `requestId ${UUID_MESSAGE}` })
  requestId: string;

  @Field({ description: '续期理由 / Why the override should stay' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(TEXT_MAX)
  reason: string;

  @Field(() => Int, { description: '读取时的版本 / The version you read' })
  @IsInt()
  @Min(1)
  expectedVersion: number;
}
