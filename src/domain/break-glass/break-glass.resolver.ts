// Break-glass: open one person in an emergency, the street leader's review queue, the auditor's list.
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { BreakGlassGrant, BreakGlassReviewStatus } from './break-glass.entity';
import {
  BreakGlassGrantConnection,
  BreakGlassInput,
  BreakGlassPayload,
  ReviewBreakGlassInput,
  ReviewBreakGlassPayload,
} from './break-glass.inputs';
import {
  breakGlass,
  listBreakGlassReviews,
  listFlaggedBreakGlass,
  reviewBreakGlass,
} from './break-glass.service';

@Resolver(() => BreakGlassGrant)
export class BreakGlassResolver {
  @Mutation(() => BreakGlassPayload, {
    nullable: true,
    description:
      '紧急调阅 / Break the glass: open one person outside your scope at once, for a few hours, with the reason; every read is audited and the 综治办 leader of the person’s street reviews it',
  })
  async breakGlass(
    @Arg('input', () => BreakGlassInput) input: BreakGlassInput,
    @Ctx() context: RequestContext,
  ): Promise<BreakGlassPayload> {
    const { result, userErrors } = await breakGlass(context, input);
    return { grant: result, userErrors };
  }

  @Query(() => BreakGlassGrantConnection, {
    nullable: true,
    description: '紧急调阅审查队列 / Break-glass uses on persons of your street, newest first, for review',
  })
  breakGlassReviews(
    @Ctx() context: RequestContext,
    @Arg('status', () => BreakGlassReviewStatus, { nullable: true }) status?: BreakGlassReviewStatus,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listBreakGlassReviews(context, status, first, after);
  }

  @Mutation(() => ReviewBreakGlassPayload, {
    nullable: true,
    description: '审查紧急调阅 / Confirm a break-glass use as justified, or flag it for the auditor',
  })
  async reviewBreakGlass(
    @Arg('input', () => ReviewBreakGlassInput) input: ReviewBreakGlassInput,
    @Ctx() context: RequestContext,
  ): Promise<ReviewBreakGlassPayload> {
    const { result, userErrors } = await reviewBreakGlass(context, input);
    return { grant: result, userErrors };
  }

  @Query(() => BreakGlassGrantConnection, {
    nullable: true,
    description: '存疑的紧急调阅 / Break-glass uses their reviewers flagged, newest first',
  })
  flaggedBreakGlass(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listFlaggedBreakGlass(context, first, after);
  }
}
