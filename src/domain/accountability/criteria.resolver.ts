// GraphQL entry points of the scorecards' thresholds and weights: thin — input in, service call, payload out.
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { setAccountabilityThreshold, setAccountabilityWeight } from './criteria.service';
import {
  AccountabilityCriteriaPayload,
  SetAccountabilityThresholdInput,
  SetAccountabilityWeightInput,
} from './criteria.type';

@Resolver()
export class AccountabilityCriteriaResolver {
  @Mutation(() => AccountabilityCriteriaPayload, {
    nullable: true,
    description:
      '修改考核阈值 / Set the threshold below which a unit appears on the quarterly list (一季一约谈); every replica applies it from its next request',
  })
  async setAccountabilityThreshold(
    @Arg('input', () => SetAccountabilityThresholdInput) input: SetAccountabilityThresholdInput,
    @Ctx() context: RequestContext,
  ): Promise<AccountabilityCriteriaPayload> {
    const { result, userErrors } = await setAccountabilityThreshold(context, input);
    return { criteria: result, userErrors };
  }

  @Mutation(() => AccountabilityCriteriaPayload, {
    nullable: true,
    description:
      '修改考核权重 / Set the weight of one figure in the yearly score (一年一考核); every replica applies it from its next request',
  })
  async setAccountabilityWeight(
    @Arg('input', () => SetAccountabilityWeightInput) input: SetAccountabilityWeightInput,
    @Ctx() context: RequestContext,
  ): Promise<AccountabilityCriteriaPayload> {
    const { result, userErrors } = await setAccountabilityWeight(context, input);
    return { criteria: result, userErrors };
  }
}
