// Police records: POLICE add short entries about persons in their scope; reads go through the
// per-request loaders (police-record.loaders.ts), and only the policy table decides who sees them.
import { IsEnum, IsUUID, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { UserError } from '../../graphql/errors';
import { createIdempotently, runMutation, type MutationResult } from '../../graphql/mutation';
import { IdempotencyKey, IsCalendarDate, UUID_MESSAGE } from '../../graphql/validation';
import { requireVisiblePerson } from '../people/people.service';
import { PoliceRecord, PoliceRecordKind } from './police-record.entity';

@InputType({ description: '录入公安记录 / Add a police record about a person' })
export class AddPoliceRecordInput {
  @Field(() => ID)
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field(() => PoliceRecordKind)
  @IsEnum(PoliceRecordKind)
  kind: PoliceRecordKind;

  @Field({ description: '摘要 / Summary' })
  @Matches(/\S/, { message: 'summary must not be empty' })
  @MaxLength(2000)
  summary: string;

  @Field({ description: 'YYYY-MM-DD' })
  @IsCalendarDate()
  occurredOn: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@ObjectType()
export class PoliceRecordPayload {
  @Field(() => PoliceRecord, { nullable: true })
  policeRecord: PoliceRecord | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export function addPoliceRecord(
  context: RequestContext,
  input: AddPoliceRecordInput,
): Promise<MutationResult<PoliceRecord>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'addPoliceRecord', input, async () => {
      const person = await requireVisiblePerson(tx, context, input.personId, 'input.personId');
      const inserted = await tx.getRepository(PoliceRecord).insert({
        personId: person.id,
        kind: input.kind,
        summary: input.summary.trim(),
        occurredOn: input.occurredOn,
        recordedById: context.user.id,
      });
      return (inserted.identifiers[0] as { id: string }).id;
    });
    const record = await tx.getRepository(PoliceRecord).findOneByOrFail({ id });
    return {
      result: record,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'addPoliceRecord',
              recordType: 'PoliceRecord',
              recordIds: [id, record.personId],
              fields: ['kind', 'summary', 'occurredOn'],
            },
          ],
    };
  });
}
