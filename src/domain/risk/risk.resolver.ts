// GraphQL entry points of the risk area: thin — arguments in, service call, result out.
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context';
import { Assessment, AssessmentIndicator } from './assessment.entity';
import { IndicatorCatalogVersion } from './indicator.entity';
import { RecordAssessmentInput, RecordAssessmentPayload } from './risk.inputs';
import { assessmentsOf, indicatorCatalog, recordAssessment } from './risk.service';

@Resolver(() => Assessment)
export class AssessmentResolver {
  @Query(() => [Assessment], {
    nullable: true,
    description: '某人的风险评估（新到旧） / A person’s assessments',
  })
  assessments(@Arg('personId', () => ID) personId: string, @Ctx() context: RequestContext) {
    return assessmentsOf(context, personId);
  }

  @Query(() => IndicatorCatalogVersion, { description: '识别要素目录（默认现行版本） / Indicator catalog' })
  indicatorCatalog(
    @Ctx() context: RequestContext,
    @Arg('version', () => Int, { nullable: true }) version?: number,
  ) {
    return indicatorCatalog(context, version);
  }

  @Mutation(() => RecordAssessmentPayload, {
    description: '记录风险评估 / Record an assessment; the tier is recomputed',
  })
  async recordAssessment(
    @Arg('input', () => RecordAssessmentInput) input: RecordAssessmentInput,
    @Ctx() context: RequestContext,
  ): Promise<RecordAssessmentPayload> {
    const { result, userErrors } = await recordAssessment(context, input);
    return { assessment: result, userErrors };
  }

  @FieldResolver(() => [AssessmentIndicator], {
    nullable: true,
    description: '记录的要素 / Indicators recorded',
  })
  indicators(@Root() assessment: Assessment, @Ctx() context: RequestContext) {
    return context.loaders.risk.indicatorsByAssessmentId.load(assessment.id);
  }
}
