// GraphQL entry points of the quarterly list (一季一约谈) and the yearly assessment (一年一考核): thin — arguments in, service call, result out.
import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { quarterlyFollowUp } from './quarterly.service';
import { QuarterlyFollowUp } from './quarterly.type';
import { yearlyAssessment } from './yearly.service';
import { YearlyAssessment } from './yearly.type';

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

  @Query(() => YearlyAssessment, {
    nullable: true,
    description: '一年一考核 / The units of a jurisdiction in your scope, scored and ranked on the year',
  })
  yearlyAssessment(
    @Arg('jurisdictionId', () => ID) jurisdictionId: string,
    @Arg('year', () => Int, { description: 'e.g. 2026' }) year: number,
    @Ctx() context: RequestContext,
  ) {
    return yearlyAssessment(context, jurisdictionId, year);
  }
}
