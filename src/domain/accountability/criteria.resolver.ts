// GraphQL entry point of the scorecards' thresholds: thin — input in, service call, payload out.
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { setAccountabilityThreshold } from './criteria.service';
import { SetAccountabilityThresholdInput, SetAccountabilityThresholdPayload } from './criteria.type';

@Resolver()
export class AccountabilityCriteriaResolver {
  @Mutation(() => SetAccountabilityThresholdPayload, {
    nullable: true,
    description:
      '修改考核阈值 / Set the threshold below which a unit appears on the quarterly list (一季一约谈); every replica applies it from its next request',
  })
  async setAccountabilityThreshold(
    @Arg('input', () => SetAccountabilityThresholdInput) input: SetAccountabilityThresholdInput,
    @Ctx() context: RequestContext,
  ): Promise<SetAccountabilityThresholdPayload> {
    const { result, userErrors } = await setAccountabilityThreshold(context, input);
    return { criteria: result, userErrors };
  }
}
