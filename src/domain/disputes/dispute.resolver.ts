// GraphQL entry points of the disputes area: thin — arguments in, service call, result out.
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { loadPerson } from '../people/people.loaders';
import { Reads } from '../../graphql/reads';
import { oncePerField, selectedColumns, selectedFieldNames } from '../../graphql/selection';
import { Person } from '../people/person.entity';
import { Dispute, DisputeEscalation, DisputeParty, MediationSession, ReturnVisit } from './dispute.entity';
import {
  ChangeDisputeStatusInput,
  ChangeDisputeStatusPayload,
  DisputeConnection,
  DisputeFilter,
  DisputeOrder,
  EscalateDisputeInput,
  EscalateDisputePayload,
  RecordMediationSessionInput,
  RecordMediationSessionPayload,
  RecordReturnVisitInput,
  RecordReturnVisitPayload,
  RegisterDisputeInput,
  RegisterDisputePayload,
  ReturnVisitDueConnection,
} from './dispute.inputs';
import {
  changeDisputeStatus,
  escalateDispute,
  findDispute,
  listDisputes,
  registerDispute,
} from './dispute.service';
import { listReturnVisitsDue, recordMediationSession, recordReturnVisit } from './mediation.service';

@Resolver(() => Dispute)
export class DisputeResolver {
  @Query(() => Dispute, {
    nullable: true,
    description: '矛盾纠纷 / One dispute; NOT_FOUND when outside your scope',
  })
  dispute(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext): Promise<Dispute> {
    return findDispute(context, id);
  }

  @Query(() => DisputeConnection, {
    nullable: true,
    description: '矛盾纠纷列表 / Disputes within your scope, newest first unless orderBy says otherwise',
  })
  disputes(
    @Ctx() context: RequestContext,
    @Arg('filter', () => DisputeFilter, { nullable: true }) filter?: DisputeFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => DisputeOrder, {
      nullable: true,
      description: '排序（默认按登记时间倒序） / Sort order; newest reported first when absent',
    })
    orderBy?: DisputeOrder,
  ) {
    return listDisputes(context, filter, first, after, orderBy);
  }

  @Mutation(() => RegisterDisputePayload, {
    nullable: true,
    description: '登记矛盾纠纷 / Register a dispute with its parties',
  })
  async registerDispute(
    @Arg('input', () => RegisterDisputeInput) input: RegisterDisputeInput,
    @Ctx() context: RequestContext,
  ): Promise<RegisterDisputePayload> {
    const { result, userErrors } = await registerDispute(context, input);
    return { dispute: result, userErrors };
  }

  @Mutation(() => ChangeDisputeStatusPayload, {
    nullable: true,
    description:
      '变更办理状态 / Move a dispute along REPORTED → ACCEPTED → IN_MEDIATION → RESOLVED | REFERRED | CLOSED_UNRESOLVED',
  })
  async changeDisputeStatus(
    @Arg('input', () => ChangeDisputeStatusInput) input: ChangeDisputeStatusInput,
    @Ctx() context: RequestContext,
  ): Promise<ChangeDisputeStatusPayload> {
    const { result, userErrors } = await changeDisputeStatus(context, input);
    return { dispute: result, userErrors };
  }

  @Mutation(() => EscalateDisputePayload, {
    nullable: true,
    description: '升级 / Escalate one level: GRID → VILLAGE → STREET (with a venue) → CITY',
  })
  async escalateDispute(
    @Arg('input', () => EscalateDisputeInput) input: EscalateDisputeInput,
    @Ctx() context: RequestContext,
  ): Promise<EscalateDisputePayload> {
    const { result, userErrors } = await escalateDispute(context, input);
    return { dispute: result, userErrors };
  }

  @Mutation(() => RecordMediationSessionPayload, {
    nullable: true,
    description: '记录调解 / Record a mediation session',
  })
  async recordMediationSession(
    @Arg('input', () => RecordMediationSessionInput) input: RecordMediationSessionInput,
    @Ctx() context: RequestContext,
  ): Promise<RecordMediationSessionPayload> {
    const { result, userErrors } = await recordMediationSession(context, input);
    return { mediationSession: result, userErrors };
  }

  @Mutation(() => RecordReturnVisitPayload, {
    nullable: true,
    description: '记录回访 / Record a return visit',
  })
  async recordReturnVisit(
    @Arg('input', () => RecordReturnVisitInput) input: RecordReturnVisitInput,
    @Ctx() context: RequestContext,
  ): Promise<RecordReturnVisitPayload> {
    const { result, userErrors } = await recordReturnVisit(context, input);
    return { returnVisit: result, userErrors };
  }

  @Query(() => ReturnVisitDueConnection, {
    nullable: true,
    description: '待回访（含逾期） / Return visits due within `withinDays` or overdue, oldest first',
  })
  returnVisitsDue(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('withinDays', () => Int, { defaultValue: 7 }) withinDays = 7,
  ) {
    return listReturnVisitsDue(context, first, after, Math.max(0, Math.min(withinDays, 90)));
  }

  @FieldResolver(() => Jurisdiction, { description: '所属网格 / Grid' })
  @Reads('gridId')
  grid(@Root() dispute: Dispute, @Ctx() context: RequestContext) {
    return context.loaders.organisation.jurisdictionById.load(dispute.gridId);
  }

  @FieldResolver(() => [DisputeEscalation], { description: '升级记录 / Escalations' })
  @Reads()
  escalations(@Root() dispute: Dispute, @Ctx() context: RequestContext) {
    return context.loaders.disputes.escalationsByDisputeId.load(dispute.id);
  }

  @FieldResolver(() => [MediationSession], { nullable: true, description: '调解记录 / Mediation sessions' })
  @Reads()
  mediationSessions(@Root() dispute: Dispute, @Ctx() context: RequestContext) {
    return context.loaders.disputes.mediationSessionsByDisputeId.load(dispute.id);
  }

  @FieldResolver(() => [ReturnVisit], { description: '回访记录 / Return visits' })
  @Reads()
  returnVisits(@Root() dispute: Dispute, @Ctx() context: RequestContext) {
    return context.loaders.disputes.returnVisitsByDisputeId.load(dispute.id);
  }

  @FieldResolver(() => [DisputeParty], { description: '当事人 / Parties' })
  @Reads()
  parties(@Root() dispute: Dispute, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    const loaders = context.loaders.disputes;
    // personId too: which parties' persons are within row scope comes with them (no foreign ids).
    const withPersons = oncePerField(info, 'parties.person', () => {
      const selected = selectedFieldNames(info);
      return selected.has('person') || selected.has('personId');
    });
    return withPersons
      ? loaders.partiesWithPersonsByDisputeId.load(
          dispute.id,
          selectedColumns(context, Person, info, ['person']),
        )
      : loaders.partiesByDisputeId.load(dispute.id);
  }
}

@Resolver(() => DisputeParty)
export class DisputePartyResolver {
  @FieldResolver(() => Person, {
    nullable: true,
    description: '人员（权限范围外为空） / The person, null outside your scope',
  })
  @Reads('personId')
  person(@Root() party: DisputeParty, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    return loadPerson(context, party.personId, info);
  }
}
