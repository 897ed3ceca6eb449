// GraphQL entry points of the risk area: thin — arguments in, service call, result out.
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Person } from '../people/person.entity';
import { Reads } from '../../graphql/reads';
import { selectedColumns } from '../../graphql/selection';
import type { RequestContext } from '../../request-scope';
import { Assessment, AssessmentIndicator } from './assessment.entity';
import { IndicatorCatalogVersion } from './indicator.entity';
import { AssessmentConnection, RecordAssessmentInput, RecordAssessmentPayload } from './risk.inputs';
import { assessmentsOf, indicatorCatalog, recordAssessment } from './risk.service';
import { TierChangeStatus } from './tier-change.entity';
import {
  DecideTierChangeInput,
  OverdueReviewConnection,
  RequestTierChangeInput,
  TierChangePayload,
  TierChangeRequestConnection,
} from './tier-change.inputs';
import {
  decideTierChange,
  listOverdueReviews,
  listTierChangeRequests,
  requestTierChange,
} from './tier-change.service';

@Resolver(() => Assessment)
export class AssessmentResolver {
  @Query(() => AssessmentConnection, {
    nullable: true,
    description: '某人的风险评估（新到旧） / A person’s assessments, newest first',
  })
  assessments(
    @Arg('personId', () => ID) personId: string,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return assessmentsOf(context, personId, first, after);
  }

  @Query(() => IndicatorCatalogVersion, { description: '识别要素目录（默认现行版本） / Indicator catalog' })
  indicatorCatalog(
    @Ctx() context: RequestContext,
    @Arg('version', () => Int, { nullable: true }) version?: number,
  ) {
    return indicatorCatalog(context, version);
  }

  @Mutation(() => RecordAssessmentPayload, {
    nullable: true,
    description: '记录风险评估 / Record an assessment; the tier is recomputed',
  })
  async recordAssessment(
    @Arg('input', () => RecordAssessmentInput) input: RecordAssessmentInput,
    @Ctx() context: RequestContext,
  ): Promise<RecordAssessmentPayload> {
    const { result, userErrors } = await recordAssessment(context, input);
    return { assessment: result, userErrors };
  }

  @Mutation(() => TierChangePayload, {
    nullable: true,
    description: '申请变更预警级别 / Request a tier change, with the reason',
  })
  async requestTierChange(
    @Arg('input', () => RequestTierChangeInput) input: RequestTierChangeInput,
    @Ctx() context: RequestContext,
  ): Promise<TierChangePayload> {
    const { result, userErrors } = await requestTierChange(context, input);
    return { request: result, userErrors };
  }

  @Mutation(() => TierChangePayload, {
    nullable: true,
    description:
      '审批变更 / Decide a tier change: YELLOW grid leader, ORANGE street 综治办 leader, RED 市综治中心 leader',
  })
  async decideTierChange(
    @Arg('input', () => DecideTierChangeInput) input: DecideTierChangeInput,
    @Ctx() context: RequestContext,
  ): Promise<TierChangePayload> {
    const { result, userErrors } = await decideTierChange(context, input);
    return { request: result, userErrors };
  }

  @Query(() => TierChangeRequestConnection, {
    nullable: true,
    description: '变更申请（新到旧） / Tier change requests, newest first',
  })
  tierChangeRequests(
    @Ctx() context: RequestContext,
    @Arg('personId', () => ID, { nullable: true }) personId?: string,
    @Arg('status', () => TierChangeStatus, { nullable: true }) status?: TierChangeStatus,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listTierChangeRequests(context, personId, status, first, after);
  }

  @Query(() => OverdueReviewConnection, {
    nullable: true,
    description:
      '逾期未复核 / Persons whose latest assessment is past its review-by date (RED 30, ORANGE 60, YELLOW 90 days)',
  })
  overdueReviews(
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('jurisdictionId', () => ID, { nullable: true }) jurisdictionId?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const columns = selectedColumns(context, Person, info, ['edges', 'node', 'person']);
    return listOverdueReviews(context, jurisdictionId, first, after, columns);
  }

  @FieldResolver(() => [AssessmentIndicator], {
    description: '记录的要素 / Indicators recorded',
  })
  @Reads()
  indicators(@Root() assessment: Assessment, @Ctx() context: RequestContext) {
    return context.loaders.risk.indicatorsByAssessmentId.load(assessment.id);
  }
}
