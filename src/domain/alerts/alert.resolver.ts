// GraphQL entry points of the alerts area: thin — arguments in, service call, result out.
import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Ctx,
  FieldResolver,
  Info,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { loadPerson } from '../people/people.loaders';
import { Reads } from '../../graphql/reads';
import { Person } from '../people/person.entity';
import type { AlertEvent } from './alert-feed';
import { Alert } from './alert.entity';
import {
  AcknowledgeAlertInput,
  AlertOrder,
  AlertPayload,
  InjuryReportConnection,
  InjuryReportFilter,
  InjuryReportPayload,
  RaiseAlertInput,
  ReceivedAlert,
  ReceivedAlertConnection,
  ReportInjuryInput,
} from './alert.inputs';
import { acknowledgeAlert, listInjuryReports, listMyAlerts, raiseAlert, reportInjury } from './alert.service';

@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => ReceivedAlertConnection, {
    nullable: true,
    description:
      '我收到的预警（默认新到旧） / Alerts addressed to you, newest first unless orderBy says otherwise',
  })
  myAlerts(
    @Ctx() context: RequestContext,
    @Arg('unacknowledgedOnly', () => Boolean, { defaultValue: false }) unacknowledgedOnly: boolean,
    @Arg('first', () => Int, { nullable: true, description: '每页条数（最多100） / Page size, at most 100' })
    first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => AlertOrder, { nullable: true, description: '排序 / Sort order' })
    orderBy?: AlertOrder,
  ) {
    return listMyAlerts(context, unacknowledgedOnly, first, after, orderBy);
  }

  @Query(() => InjuryReportConnection, {
    nullable: true,
    description:
      '警医联动报告（新到旧） / Injury reports filed in your jurisdiction, newest first; a linked person outside your scope shows as null',
  })
  injuryReports(
    @Ctx() context: RequestContext,
    @Arg('filter', () => InjuryReportFilter, { nullable: true }) filter?: InjuryReportFilter,
    @Arg('first', () => Int, { nullable: true, description: '每页条数（最多100） / Page size, at most 100' })
    first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listInjuryReports(context, filter, first, after);
  }

  @Mutation(() => AlertPayload, {
    nullable: true,
    description: '上报异常苗头 / Raise an alert; recipients follow the person’s tier',
  })
  async raiseAlert(
    @Arg('input', () => RaiseAlertInput) input: RaiseAlertInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await raiseAlert(context, input);
    return { alert: result, userErrors };
  }

  @Mutation(() => AlertPayload, {
    nullable: true,
    description: '确认收到预警 / Acknowledge an alert addressed to you',
  })
  async acknowledgeAlert(
    @Arg('input', () => AcknowledgeAlertInput) input: AcknowledgeAlertInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await acknowledgeAlert(context, input);
    return { alert: result, userErrors };
  }

  @Mutation(() => InjuryReportPayload, {
    nullable: true,
    description: '警医联动报告 / Report an injury; POLICE receive an alert at once',
  })
  async reportInjury(
    @Arg('input', () => ReportInjuryInput) input: ReportInjuryInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await reportInjury(context, input);
    return { injuryReport: result, userErrors };
  }

  @Subscription(() => ReceivedAlert, {
    nullable: true,
    description: '实时预警 / Alerts addressed to you, as they are raised (graphql-ws on /graphql)',
    subscribe: ({ context }) => {
      const subscriber = context as RequestContext;
      if (!subscriber.app.alertFeed) throw new Error('live alerts are not enabled on this server');
      return subscriber.app.alertFeed.alertsFor(subscriber.user.id);
    },
  })
  async alertReceived(@Root() event: AlertEvent, @Ctx() context: RequestContext): Promise<ReceivedAlert> {
    const alert = await context.dataSource.getRepository(Alert).findOneByOrFail({ id: event.alertId });
    return Object.assign(new ReceivedAlert(), { alert, acknowledgedAt: null });
  }

  @FieldResolver(() => Person, {
    nullable: true,
    description: '人员（权限范围外为空） / The person, null outside your scope',
  })
  @Reads('personId')
  person(@Root() alert: Alert, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    return alert.personId ? loadPerson(context, alert.personId, info) : null;
  }
}
