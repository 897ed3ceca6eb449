// The correction history of a person (issue 24 item 3), as each reader may see it: the values a
// correction replaced, read, masked or withheld exactly as the policy row of the field says.
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: '更正前的值 / A value a correction replaced' })
export class CorrectedValue {
  @Field({ description: '字段 / Person field' })
  field: string;

  @Field(() => String, {
    nullable: true,
    description: '更正前的值 / The value before, masked as you read the field; null when withheld or empty',
  })
  previousValue: string | null;

  @Field({ description: '不可见 / You may not read this field: the value is withheld' })
  withheld: boolean;
}

@ObjectType({ description: '更正记录 / A correction of the person’s data: who, when, why, what it replaced' })
export class PersonCorrection {
  @Field(() => ID)
  id: string;

  @Field({ description: '更正时间 / When' })
  correctedAt: Date;

  @Field(() => ID, { description: '更正人 / Account that corrected it' })
  correctedById: string;

  @Field({ description: '理由 / Why (empty once retention anonymised the record)' })
  reason: string;

  @Field(() => [CorrectedValue])
  changes: CorrectedValue[];

  @Field(() => Date, { nullable: true, description: '匿名化时间 / When retention erased the values' })
  anonymisedAt: Date | null;
}
