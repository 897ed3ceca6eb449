// GraphQL entry points of review-by dates (SPEC §6 Time): whether a person's tier is overdue for
// review, when an override ends, and renewing an override. Thin: the rules are in review-by.ts.
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { Reads } from '../../graphql/reads';
import type { RequestContext } from '../../request-scope';
import { Person } from '../people/person.entity';
import { reviewOverdue } from './review-by';
import { RenewTierOverrideInput } from './review-by.inputs';
import { renewTierOverride } from './review-by.service';
import { TierOverride } from './tier-explanation.type';
import { TierChangePayload } from './tier-change.inputs';

@Resolver(() => Person)
export class PersonReviewResolver {
  @FieldResolver(() => Boolean, {
    description:
      '逾期未复核 / The tier’s review-by date has passed: the latest assessment’s (RED 30, ORANGE 60, YELLOW 90 days), or an override’s, which then ends unless renewed',
  })
  @Reads('tier')
  async reviewOverdue(@Root() person: Person, @Ctx() context: RequestContext): Promise<boolean> {
    const state = await context.loaders.risk.reviewStateByPersonId.load(person.id);
    return reviewOverdue({ ...state, tier: person.tier }, context.now());
  }

  @Mutation(() => TierChangePayload, {
    nullable: true,
    description:
      '续期人工变更 / Renew an approved tier override for another review period (RED 30, ORANGE 60, YELLOW 90 days), by the decider of its tier level, before it ends',
  })
  async renewTierOverride(
    @Arg('input', () => RenewTierOverrideInput) input: RenewTierOverrideInput,
    @Ctx() context: RequestContext,
  ): Promise<TierChangePayload> {
    const { result, userErrors } = await renewTierOverride(context, input);
    return { request: result, userErrors };
  }
}

@Resolver(() => TierOverride)
export class TierOverrideReviewResolver {
  @FieldResolver(() => Date, {
    description: '复核期限 / When the override ends unless renewed by the same level',
  })
  reviewBy(@Root() override: TierOverride & { reviewBy?: string | Date }): Date {
    // Every stored override carries it: the tier rule writes it, migration ReviewByAndNameSearch filled
    // the ones stored before.
    if (!override.reviewBy)
      throw new Error(`tier override ${override.requestId} stored without its review-by date`);
    return new Date(override.reviewBy);
  }
}
