// GraphQL entry points of the people area: thin — arguments in, service call, result out.
import { Kind, type GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { Assignment, FollowUp } from '../assignments/assignment.entity';
import { Dispute } from '../disputes/dispute.entity';
import { PsychologicalFile, Referral } from '../referrals/referral.entity';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { Assessment } from '../risk/assessment.entity';
import { visibleIds } from '../../permissions/references';
import { describeTier, withVisibleDisputes } from '../risk/explanation';
import { TierExplanation } from '../risk/tier-explanation.type';
import { AgeGroup } from './people.enums';
import { ageGroupOf, ageOn } from './rules';
import { Household } from './household.entity';
import {
  MergePersonsInput,
  MergePersonsPayload,
  HouseholdConnection,
  HouseholdFilter,
  PersonConnection,
  PersonFilter,
  PersonOrder,
  RegisterHouseholdInput,
  RegisterHouseholdPayload,
  RegisterPersonInput,
  RegisterPersonPayload,
  UpdatePersonInput,
  UpdatePersonPayload,
  CorrectPersonInput,
} from './people.inputs';
import { PersonCorrection } from './person-correction.type';
import { correctionsFor } from './person-corrections';
import { mergePersons, similarPersons } from './duplicates.service';
import {
  findPerson,
  listHouseholds,
  listPersons,
  registerHousehold,
  registerPerson,
  updatePerson,
} from './people.service';
import { Reads } from '../../graphql/reads';
import { selectedColumns } from '../../graphql/selection';
import { Person } from './person.entity';

@Resolver(() => Person)
export class PersonResolver {
  @Query(() => Person, {
    nullable: true,
    description: '人员 / One person; NOT_FOUND when outside your scope',
  })
  person(@Arg('id', () => ID) id: string, @Ctx() context: RequestContext): Promise<Person> {
    return findPerson(context, id);
  }

  @Query(() => PersonConnection, {
    nullable: true,
    description: '人员列表 / Persons within your scope, newest first unless orderBy says otherwise',
  })
  persons(
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => PersonFilter, { nullable: true }) filter?: PersonFilter,
    @Arg('first', () => Int, { nullable: true, description: '每页条数（最多100） / Page size, at most 100' })
    first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('orderBy', () => PersonOrder, {
      nullable: true,
      description: '排序（默认按登记时间倒序） / Sort order; newest registered first when absent',
    })
    orderBy?: PersonOrder,
  ) {
    return listPersons(
      context,
      filter,
      first,
      after,
      selectedColumns(context, Person, info, ['edges', 'node']),
      orderBy,
    );
  }

  @Mutation(() => RegisterPersonPayload, { nullable: true, description: '登记人员 / Register a person' })
  async registerPerson(
    @Arg('input', () => RegisterPersonInput) input: RegisterPersonInput,
    @Ctx() context: RequestContext,
  ): Promise<RegisterPersonPayload> {
    const { outcome, existingPersonId } = await registerPerson(context, input);
    return { person: outcome.result, existingPersonId, userErrors: outcome.userErrors };
  }

  @Mutation(() => UpdatePersonPayload, {
    nullable: true,
    description: '修改人员信息 / Update a person (expectedVersion)',
  })
  async updatePerson(
    @Arg('input', () => UpdatePersonInput) input: UpdatePersonInput,
    @Ctx() context: RequestContext,
  ): Promise<UpdatePersonPayload> {
    const { outcome, existingPersonId } = await updatePerson(context, input);
    return { person: outcome.result, existingPersonId, userErrors: outcome.userErrors };
  }

  @Mutation(() => UpdatePersonPayload, {
    nullable: true,
    description:
      '更正人员信息 / Correct a person’s data with a reason (expectedVersion): the replaced values are kept in `corrections`',
  })
  async correctPerson(
    @Arg('input', () => CorrectPersonInput) input: CorrectPersonInput,
    @Ctx() context: RequestContext,
  ): Promise<UpdatePersonPayload> {
    const { reason, ...update } = input;
    const { outcome, existingPersonId } = await updatePerson(context, update, { reason });
    return { person: outcome.result, existingPersonId, userErrors: outcome.userErrors };
  }

  @Query(() => [Person], {
    nullable: true,
    description:
      '疑似重复人员 / Persons within your scope whose name is alike (characters or pinyin) and, when given, born that year (or of unknown birth date): most alike first',
  })
  similarPersons(
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('name', () => String, { description: '姓名 / Name' }) name: string,
    @Arg('birthYear', () => Int, { nullable: true, description: '出生年份 / Birth year' }) birthYear?: number,
    @Arg('first', () => Int, { nullable: true, description: '条数（最多100） / How many, at most 100' })
    first?: number,
  ): Promise<Person[]> {
    return similarPersons(context, name, birthYear, first, selectedColumns(context, Person, info));
  }

  @Mutation(() => MergePersonsPayload, {
    nullable: true,
    description:
      '合并重复人员（本网格网格长） / Merge two records of one person (the leader of their grid): both histories are kept, the tier recomputed',
  })
  async mergePersons(
    @Arg('input', () => MergePersonsInput) input: MergePersonsInput,
    @Ctx() context: RequestContext,
  ): Promise<MergePersonsPayload> {
    const { result, userErrors } = await mergePersons(context, input);
    return { person: result, userErrors };
  }

  @FieldResolver(() => Int, { nullable: true, description: '年龄 / Age in whole years' })
  @Reads('birthDate')
  age(@Root() person: Person, @Ctx() context: RequestContext): number | null {
    return person.birthDate ? ageOn(person.birthDate, context.now()) : null;
  }

  @FieldResolver(() => AgeGroup, {
    nullable: true,
    description:
      '年龄段（看不到完整身份证号者只见此项） / Age group, for those who may not see the exact age',
  })
  @Reads('birthDate')
  ageGroup(@Root() person: Person, @Ctx() context: RequestContext): AgeGroup | null {
    return person.birthDate ? ageGroupOf(ageOn(person.birthDate, context.now())) : null;
  }

  @FieldResolver(() => Jurisdiction, { description: '所属网格 / Grid' })
  @Reads('gridId')
  grid(@Root() person: Person, @Ctx() context: RequestContext) {
    return context.loaders.organisation.jurisdictionById.load(person.gridId);
  }

  @FieldResolver(() => Household, { nullable: true, description: '户 / Household' })
  @Reads('householdId')
  household(@Root() person: Person, @Ctx() context: RequestContext) {
    return person.householdId ? context.loaders.people.householdById.load(person.householdId) : null;
  }

  @FieldResolver(() => TierExplanation, { nullable: true, description: '预警级别说明 / Why this tier' })
  @Reads('tierExplanationData', 'tier', 'updatedAt')
  tierExplanation(
    @Root() person: Person,
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): TierExplanation | Promise<TierExplanation> {
    const explanation = describeTier(person.tierExplanationData, person.tier, person.updatedAt);
    // Which disputes the reader sees is looked up only when the answer names or counts them.
    if (explanation.disputeIds.length === 0 || !asksForDisputes(info)) return explanation;
    return visibleIds(context, 'Dispute', explanation.disputeIds).then((visible) =>
      withVisibleDisputes(explanation, visible),
    );
  }

  @FieldResolver(() => [Dispute], {
    nullable: true,
    description: '涉及的矛盾纠纷 / Disputes the person is party to',
  })
  @Reads()
  disputes(
    @Root() person: Person,
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('open', () => Boolean, { defaultValue: false, description: '仅未结 / Only disputes still open' })
    open: boolean,
  ) {
    const loaders = context.loaders.disputes;
    const columns = selectedColumns(context, Dispute, info);
    return (open ? loaders.openDisputesOfPerson : loaders.disputesOfPerson).load(person.id, columns);
  }

  @FieldResolver(() => [Assessment], {
    nullable: true,
    description: '风险评估（新到旧） / Assessments, newest first',
  })
  @Reads()
  assessments(@Root() person: Person, @Ctx() context: RequestContext) {
    return context.loaders.risk.assessmentsByPersonId.load(person.id);
  }

  @FieldResolver(() => Assignment, { nullable: true, description: '当前包干责任 / Current assignment' })
  @Reads()
  currentAssignment(
    @Root() person: Person,
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const columns = selectedColumns(context, Assignment, info);
    return context.loaders.assignments.currentAssignmentOfPerson.load(person.id, columns);
  }

  @FieldResolver(() => [Referral], { nullable: true, description: '帮扶转介 / Referrals, newest first' })
  @Reads()
  referrals(@Root() person: Person, @Ctx() context: RequestContext) {
    return context.loaders.referrals.referralsByPersonId.load(person.id);
  }

  @FieldResolver(() => PsychologicalFile, {
    nullable: true,
    description: '心理档案（仅社会事务管理办） / Psychological file (SOCIAL_AFFAIRS only)',
  })
  @Reads()
  psychologicalFile(@Root() person: Person, @Ctx() context: RequestContext) {
    return context.loaders.referrals.psychologicalFileByPersonId.load(person.id);
  }

  @FieldResolver(() => [PersonCorrection], {
    nullable: true,
    description:
      '更正记录（新到旧） / Corrections, newest first: who, when, why, and the values replaced as you may read them',
  })
  @Reads()
  async corrections(@Root() person: Person, @Ctx() context: RequestContext): Promise<PersonCorrection[]> {
    return correctionsFor(context, await context.loaders.people.correctionsByPersonId.load(person.id));
  }

  @FieldResolver(() => FollowUp, { nullable: true, description: '最近一次跟踪 / Latest follow-up' })
  @Reads()
  lastFollowUp(@Root() person: Person, @Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo) {
    const columns = selectedColumns(context, FollowUp, info);
    return context.loaders.assignments.lastFollowUpOfPerson.load(person.id, columns);
  }
}

@Resolver(() => Household)
export class HouseholdResolver {
  @Query(() => HouseholdConnection, {
    nullable: true,
    description: '户列表 / Households with at least one member within your scope, newest first',
  })
  households(
    @Ctx() context: RequestContext,
    @Arg('filter', () => HouseholdFilter, { nullable: true }) filter?: HouseholdFilter,
    @Arg('first', () => Int, { nullable: true, description: '每页条数（最多100） / Page size, at most 100' })
    first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listHouseholds(context, filter, first, after);
  }

  @Mutation(() => RegisterHouseholdPayload, { nullable: true, description: '登记户 / Register a household' })
  async registerHousehold(
    @Arg('input', () => RegisterHouseholdInput) input: RegisterHouseholdInput,
    @Ctx() context: RequestContext,
  ): Promise<RegisterHouseholdPayload> {
    const { result, userErrors } = await registerHousehold(context, input);
    return { household: result, userErrors };
  }

  @FieldResolver(() => [Person], { description: '成员 / Members' })
  @Reads()
  members(@Root() household: Household, @Ctx() context: RequestContext) {
    return context.loaders.people.membersByHouseholdId.load(household.id);
  }

  @FieldResolver(() => Jurisdiction, { description: '所属网格 / Grid' })
  @Reads('gridId')
  grid(@Root() household: Household, @Ctx() context: RequestContext) {
    return context.loaders.organisation.jurisdictionById.load(household.gridId);
  }
}

/** Whether a tierExplanation selection may read its disputes (a fragment may: it is looked into). */
function asksForDisputes(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.some((node) =>
    node.selectionSet?.selections.some(
      (selection) =>
        selection.kind !== Kind.FIELD ||
        selection.name.value === 'disputeIds' ||
        selection.name.value === 'otherDisputeCount',
    ),
  );
}
