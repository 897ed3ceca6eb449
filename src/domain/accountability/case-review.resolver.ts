// GraphQL entry point of the case review (一案一倒查): thin — arguments in, service call, result out.
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { caseReview } from './case-review.service';
import { CaseReview } from './case-review.type';

@Resolver(() => CaseReview)
export class CaseReviewResolver {
  @Query(() => CaseReview, {
    nullable: true,
    description:
      '一案一倒查 / The case review of an extreme-violence incident in your jurisdiction, as you may read it (audited)',
  })
  caseReview(@Arg('incidentId', () => ID) incidentId: string, @Ctx() context: RequestContext) {
    return caseReview(context, incidentId);
  }
}
