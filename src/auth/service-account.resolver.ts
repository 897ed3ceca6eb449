// GraphQL entry points for service accounts and their API keys (ADMIN only, per policy.ts).
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-scope';
import {
  createServiceAccount,
  CreateServiceAccountInput,
  issueApiKey,
  IssueApiKeyInput,
  revokeApiKey,
  RevokeApiKeyInput,
  RevokeApiKeyPayload,
  ServiceAccountPayload,
} from './service-accounts';

@Resolver()
export class ServiceAccountResolver {
  @Mutation(() => ServiceAccountPayload, {
    nullable: true,
    description: '创建对接账号并签发密钥 / Create a service account and its first key',
  })
  async createServiceAccount(
    @Arg('input', () => CreateServiceAccountInput) input: CreateServiceAccountInput,
    @Ctx() context: RequestContext,
  ): Promise<ServiceAccountPayload> {
    const { result, userErrors } = await createServiceAccount(context, input);
    return { serviceAccount: result?.account ?? null, issuedKey: result?.issued ?? null, userErrors };
  }

  @Mutation(() => ServiceAccountPayload, {
    nullable: true,
    description: '签发新密钥 / Issue another key (for rotation)',
  })
  async issueApiKey(
    @Arg('input', () => IssueApiKeyInput) input: IssueApiKeyInput,
    @Ctx() context: RequestContext,
  ): Promise<ServiceAccountPayload> {
    const { result, userErrors } = await issueApiKey(context, input);
    return { serviceAccount: result?.account ?? null, issuedKey: result?.issued ?? null, userErrors };
  }

  @Mutation(() => RevokeApiKeyPayload, {
    nullable: true,
    description: '吊销密钥（立即生效） / Revoke a key; it stops working at once',
  })
  async revokeApiKey(
    @Arg('input', () => RevokeApiKeyInput) input: RevokeApiKeyInput,
    @Ctx() context: RequestContext,
  ): Promise<RevokeApiKeyPayload> {
    const { result, userErrors } = await revokeApiKey(context, input);
    return { revokedKeyId: result, userErrors };
  }
}
