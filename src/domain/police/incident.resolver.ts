// GraphQL entry point for extreme-violence incidents: thin — arguments in, service call, result out.
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Reads } from '../../graphql/reads';
import type { RequestContext } from '../../request-scope';
import { Incident } from './incident.entity';
import { IncidentPayload, recordIncident, RecordIncidentInput } from './incident.service';

@Resolver(() => Incident)
export class IncidentResolver {
  @Mutation(() => IncidentPayload, {
    nullable: true,
    description: '录入民转刑极端暴力案件 / Record an extreme-violence incident (POLICE)',
  })
  async recordIncident(
    @Arg('input', () => RecordIncidentInput) input: RecordIncidentInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await recordIncident(context, input);
    return { incident: result, userErrors };
  }

  // The links live in their own tables: the service reads them with the incident (loadIncident).
  @FieldResolver(() => [ID], { description: '关联人员 / Linked persons (those in your scope)' })
  @Reads()
  personIds(@Root() incident: Incident): string[] {
    return incident.personIds;
  }

  @FieldResolver(() => [ID], { description: '关联纠纷 / Linked disputes (those in your scope)' })
  @Reads()
  disputeIds(@Root() incident: Incident): string[] {
    return incident.disputeIds;
  }
}
