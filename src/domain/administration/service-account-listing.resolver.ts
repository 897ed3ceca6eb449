// GraphQL entry points of the service-account listing and budgets (ADMIN only, per policy.ts): thin.
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import {
  ServiceAccountBudgetPayload,
  ServiceAccountConnection,
  SetServiceAccountBudgetInput,
} from './service-account-listing.inputs';
import { listServiceAccounts, setServiceAccountBudget } from './service-account-listing.service';

@Resolver()
export class ServiceAccountListingResolver {
  @Query(() => ServiceAccountConnection, {
    nullable: true,
    description:
      '对接账号、额度与密钥 / Service accounts within your jurisdiction with their budgets and keys, newest first (ADMIN)',
  })
  serviceAccounts(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listServiceAccounts(context, first, after);
  }

  @Mutation(() => ServiceAccountBudgetPayload, {
    nullable: true,
    description:
      '设置对接账号的请求额度（立即生效） / Set a service account’s request budget; it applies from its next request',
  })
  async setServiceAccountBudget(
    @Arg('input', () => SetServiceAccountBudgetInput) input: SetServiceAccountBudgetInput,
    @Ctx() context: RequestContext,
  ): Promise<ServiceAccountBudgetPayload> {
    const { result, userErrors } = await setServiceAccountBudget(context, input);
    return { serviceAccount: result, userErrors };
  }
}
