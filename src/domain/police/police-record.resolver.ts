// GraphQL entry points for police records: thin — arguments in, service call, result out.
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { Reads } from '../../graphql/reads';
import { Person } from '../people/person.entity';
import { PoliceRecord } from './police-record.entity';
import { addPoliceRecord, AddPoliceRecordInput, PoliceRecordPayload } from './police-record.service';

@Resolver(() => Person)
export class PoliceRecordResolver {
  @Mutation(() => PoliceRecordPayload, {
    nullable: true,
    description: '录入公安记录 / Add a police record (POLICE)',
  })
  async addPoliceRecord(
    @Arg('input', () => AddPoliceRecordInput) input: AddPoliceRecordInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await addPoliceRecord(context, input);
    return { policeRecord: result, userErrors };
  }

  @FieldResolver(() => [PoliceRecord], {
    nullable: true,
    description: '公安记录（仅派出所） / Police records (POLICE only)',
  })
  @Reads()
  policeRecords(@Root() person: Person, @Ctx() context: RequestContext) {
    return context.loaders.police.recordsByPersonId.load(person.id);
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description: '是否有公安记录 / Whether POLICE keep a record (COMPREHENSIVE_GOVERNANCE sees only this)',
  })
  @Reads()
  async hasPoliceRecord(@Root() person: Person, @Ctx() context: RequestContext): Promise<boolean> {
    return (await context.loaders.police.recordsByPersonId.load(person.id)).length > 0;
  }
}
