// GraphQL entry points of the monthly bulletin: figures, comparison, police-entered counts.
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import {
  monthlyComparison,
  monthlyFigures,
  PoliceCountsPayload,
  recordPoliceCounts,
  RecordPoliceCountsInput,
} from './monthly-figures.service';
import { MonthlyComparison, MonthlyFigures } from './monthly-figures.type';

@Resolver(() => MonthlyFigures)
export class MonthlyFiguresResolver {
  @Query(() => MonthlyFigures, {
    nullable: true,
    description: '月度数据 / Monthly figures of a jurisdiction in your scope',
  })
  monthlyFigures(
    @Arg('jurisdictionId', () => ID) jurisdictionId: string,
    @Arg('month', { description: 'YYYY-MM' }) month: string,
    @Ctx() context: RequestContext,
  ) {
    return monthlyFigures(context, jurisdictionId, month);
  }

  @Query(() => MonthlyComparison, {
    nullable: true,
    description: '月度环比 / The month against the previous one',
  })
  monthlyComparison(
    @Arg('jurisdictionId', () => ID) jurisdictionId: string,
    @Arg('month', { description: 'YYYY-MM' }) month: string,
    @Ctx() context: RequestContext,
  ) {
    return monthlyComparison(context, jurisdictionId, month);
  }

  @Mutation(() => PoliceCountsPayload, {
    nullable: true,
    description: '录入公安月度数 / Enter the police counts of a month',
  })
  async recordPoliceCounts(
    @Arg('input', () => RecordPoliceCountsInput) input: RecordPoliceCountsInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await recordPoliceCounts(context, input);
    return { policeCounts: result, userErrors };
  }
}
