// GraphQL entry point for publishing the indicator catalog (ADMIN, per policy.ts); reading it is
// `indicatorCatalog` in risk.resolver.ts.
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { PublishIndicatorCatalogInput, PublishIndicatorCatalogPayload } from './indicator-catalog.inputs';
import { publishIndicatorCatalog } from './indicator-catalog.service';

@Resolver()
export class IndicatorCatalogResolver {
  @Mutation(() => PublishIndicatorCatalogPayload, {
    nullable: true,
    description:
      '发布识别要素目录新版本 / Publish a new indicator catalog version: new assessments use it at once on every replica; earlier assessments keep and explain themselves with theirs',
  })
  async publishIndicatorCatalog(
    @Arg('input', () => PublishIndicatorCatalogInput) input: PublishIndicatorCatalogInput,
    @Ctx() context: RequestContext,
  ): Promise<PublishIndicatorCatalogPayload> {
    const { result, userErrors } = await publishIndicatorCatalog(context, input);
    return { catalog: result, userErrors };
  }
}
