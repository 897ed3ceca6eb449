// GraphQL entry points of the referrals area: thin — arguments in, service call, result out.
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { Referral } from './referral.entity';
import {
  CreateReferralInput,
  PsychologicalFilePayload,
  ReferralPayload,
  SavePsychologicalFileInput,
  UpdateReferralInput,
} from './referral.inputs';
import { createReferral, savePsychologicalFile, updateReferral } from './referral.service';

@Resolver(() => Referral)
export class ReferralResolver {
  @Mutation(() => ReferralPayload, { nullable: true, description: '转介帮扶 / Refer a person to help' })
  async createReferral(
    @Arg('input', () => CreateReferralInput) input: CreateReferralInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await createReferral(context, input);
    return { referral: result, userErrors };
  }

  @Mutation(() => ReferralPayload, { nullable: true, description: '更新转介 / Update a referral' })
  async updateReferral(
    @Arg('input', () => UpdateReferralInput) input: UpdateReferralInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await updateReferral(context, input);
    return { referral: result, userErrors };
  }

  @Mutation(() => PsychologicalFilePayload, {
    nullable: true,
    description: '保存心理档案 / Save a psychological file (SOCIAL_AFFAIRS)',
  })
  async savePsychologicalFile(
    @Arg('input', () => SavePsychologicalFileInput) input: SavePsychologicalFileInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await savePsychologicalFile(context, input);
    return { psychologicalFile: result, userErrors };
  }
}
