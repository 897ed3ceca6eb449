// GraphQL entry point for extreme-violence incidents: thin — arguments in, service call, result out.
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
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
}
