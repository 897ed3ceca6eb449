// GraphQL entry points of the responsibility area: thin — arguments in, service call, result out.
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { loadPerson } from '../people/people.loaders';
import { Reads } from '../../graphql/reads';
import { selectedColumns } from '../../graphql/selection';
import { Person } from '../people/person.entity';
import { StaffMember } from '../organisation/staff.types';
import { Assignment, FollowUp } from './assignment.entity';
import {
  AcknowledgeAssignmentInput,
  AcknowledgeAssignmentPayload,
  OverdueFollowUpConnection,
  AssignInput,
  AssignmentConnection,
  AssignmentFilter,
  AssignmentOrder,
  AssignPayload,
  RecordFollowUpInput,
  RecordFollowUpPayload,
} from './assignment.inputs';
import {
  acknowledgeAssignment,
  assign,
  listAssignments,
  listOverdueFollowUps,
  recordFollowUp,
} from './assignment.service';

@Resolver(() => Assignment)
export class AssignmentResolver {
  @Query(() => AssignmentConnection, {
    nullable: true,
    description: '包干责任 / Current assignments within your scope',
  })
  assignments(
    @Ctx() context: RequestContext,
    @Arg('filter', () => AssignmentFilter, { nullable: true }) filter?: AssignmentFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => AssignmentOrder, {
      nullable: true,
      description: '排序（默认按落实时间倒序） / Sort order; newest first when absent',
    })
    orderBy?: AssignmentOrder,
  ) {
    return listAssignments(context, filter, first, after, orderBy);
  }

  @Mutation(() => AssignPayload, {
    nullable: true,
    description: '落实包干责任 / Assign responsibility (replaces the current one)',
  })
  async assign(
    @Arg('input', () => AssignInput) input: AssignInput,
    @Ctx() context: RequestContext,
  ): Promise<AssignPayload> {
    const { result, userErrors } = await assign(context, input);
    return { assignment: result, userErrors };
  }

  @Mutation(() => AcknowledgeAssignmentPayload, {
    nullable: true,
    description: '签字背书 / The responsible person acknowledges the assignment',
  })
  async acknowledgeAssignment(
    @Arg('input', () => AcknowledgeAssignmentInput) input: AcknowledgeAssignmentInput,
    @Ctx() context: RequestContext,
  ): Promise<AcknowledgeAssignmentPayload> {
    const { result, userErrors } = await acknowledgeAssignment(context, input);
    return { assignment: result, userErrors };
  }

  @Query(() => OverdueFollowUpConnection, {
    nullable: true,
    description:
      '逾期未跟踪 / Persons whose follow-up is overdue for their tier (YELLOW 15, ORANGE 7, RED 1 days)',
  })
  overdueFollowUps(
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('jurisdictionId', () => ID, { nullable: true, description: '辖区 / Within this node' })
    jurisdictionId?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const columns = selectedColumns(context, Person, info, ['edges', 'node', 'person']);
    return listOverdueFollowUps(context, jurisdictionId, first, after, columns);
  }

  @FieldResolver(() => Person, { nullable: true, description: '管控对象 / Person' })
  @Reads('personId')
  person(@Root() assignment: Assignment, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    return assignment.personId ? loadPerson(context, assignment.personId, info) : null;
  }

  @FieldResolver(() => StaffMember, { description: '责任人 / Responsible person' })
  @Reads('responsiblePersonId')
  async responsiblePerson(@Root() assignment: Assignment, @Ctx() context: RequestContext) {
    return context.loaders.organisation.staffMemberById.load(assignment.responsiblePersonId);
  }

  @FieldResolver(() => StaffMember, { nullable: true, description: '包干领导 / Lead leader' })
  @Reads('leadLeaderId')
  leadLeader(@Root() assignment: Assignment, @Ctx() context: RequestContext) {
    return assignment.leadLeaderId
      ? context.loaders.organisation.staffMemberById.load(assignment.leadLeaderId)
      : null;
  }

  @FieldResolver(() => [StaffMember], { description: '专班成员 / Team members' })
  @Reads('teamMemberIds')
  async teamMembers(@Root() assignment: Assignment, @Ctx() context: RequestContext) {
    const members = await context.loaders.organisation.staffMemberById.loadMany(assignment.teamMemberIds);
    return members.filter((member): member is StaffMember => member !== null && !(member instanceof Error));
  }
}

@Resolver(() => FollowUp)
export class FollowUpResolver {
  @Mutation(() => RecordFollowUpPayload, { nullable: true, description: '记录跟踪走访 / Record a follow-up' })
  async recordFollowUp(
    @Arg('input', () => RecordFollowUpInput) input: RecordFollowUpInput,
    @Ctx() context: RequestContext,
  ): Promise<RecordFollowUpPayload> {
    const { result, userErrors } = await recordFollowUp(context, input);
    return { followUp: result, userErrors };
  }
}
