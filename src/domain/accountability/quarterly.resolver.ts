// GraphQL entry point of the quarterly list (一季一约谈): thin — arguments in, service call, result out.
import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { quarterlyFollowUp } from './quarterly.service';
import { QuarterlyFollowUp } from './quarterly.type';

@Resolver(() => QuarterlyFollowUp)
export class QuarterlyFollowUpResolver {
  @Query(() => QuarterlyFollowUp, {
    nullable: true,
    description:
      '一季一约谈 / The units of a jurisdiction in your scope whose figures fell short in the quarter',
  })
  quarterlyFollowUp(
    @Arg('jurisdictionId', () => ID) jurisdictionId: string,
    @Arg('quarter', { description: 'YYYY-Qn' }) quarter: string,
    @Ctx() context: RequestContext,
  ) {
    return quarterlyFollowUp(context, jurisdictionId, quarter);
  }
}
