// GraphQL entry points of webhooks: thin — arguments in, service call, result out.
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { Webhook, WebhookDeliveryStatus } from './webhook.entity';
import {
  RegisterWebhookInput,
  RegisterWebhookPayload,
  ReplayWebhookDeliveryInput,
  WebhookDeliveryConnection,
  WebhookDeliveryPayload,
  WebhookIdInput,
  WebhookPayload,
} from './webhook.inputs';
import {
  approveWebhook,
  disableWebhook,
  listWebhookDeliveries,
  listWebhooks,
  registerWebhook,
  replayWebhookDelivery,
} from './webhook.service';

@Resolver()
export class WebhookResolver {
  @Query(() => [Webhook], {
    description:
      '推送地址 / Your service account’s webhook endpoints (every endpoint for ADMIN), newest first',
  })
  webhooks(@Ctx() context: RequestContext) {
    return listWebhooks(context);
  }

  @Query(() => WebhookDeliveryConnection, {
    description:
      '推送记录（含死信） / Deliveries to your endpoints (every endpoint for ADMIN), newest first; status: DEAD lists the dead letters',
  })
  webhookDeliveries(
    @Ctx() context: RequestContext,
    @Arg('status', () => WebhookDeliveryStatus, { nullable: true }) status?: WebhookDeliveryStatus,
    @Arg('webhookId', () => ID, { nullable: true, description: '只看此地址 / Only this endpoint' })
    webhookId?: string,
    @Arg('first', () => Int, { nullable: true, description: '每页条数（最多100） / Page size, at most 100' })
    first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listWebhookDeliveries(context, status, webhookId, first, after);
  }

  @Mutation(() => RegisterWebhookPayload, {
    nullable: true,
    description:
      '登记推送地址（待管理员批准；签名密钥仅显示一次） / Register a webhook endpoint: an ADMIN approves it; the signing secret is shown once',
  })
  async registerWebhook(
    @Arg('input', () => RegisterWebhookInput) input: RegisterWebhookInput,
    @Ctx() context: RequestContext,
  ): Promise<RegisterWebhookPayload> {
    const { result, userErrors } = await registerWebhook(context, input);
    return { webhook: result?.webhook ?? null, signingSecret: result?.signingSecret ?? null, userErrors };
  }

  @Mutation(() => WebhookPayload, {
    nullable: true,
    description: '批准推送地址 / Approve a webhook endpoint: it receives events from now on',
  })
  async approveWebhook(
    @Arg('input', () => WebhookIdInput) input: WebhookIdInput,
    @Ctx() context: RequestContext,
  ): Promise<WebhookPayload> {
    const { result, userErrors } = await approveWebhook(context, input);
    return { webhook: result, userErrors };
  }

  @Mutation(() => WebhookPayload, {
    description: '停用推送地址 / Disable a webhook endpoint (its owner or an ADMIN)',
  })
  async disableWebhook(
    @Arg('input', () => WebhookIdInput) input: WebhookIdInput,
    @Ctx() context: RequestContext,
  ): Promise<WebhookPayload> {
    const { result, userErrors } = await disableWebhook(context, input);
    return { webhook: result, userErrors };
  }

  @Mutation(() => WebhookDeliveryPayload, {
    description:
      '重新投递 / Queue a dead (or delivered) delivery again; its payload is read anew as the account reads the record now',
  })
  async replayWebhookDelivery(
    @Arg('input', () => ReplayWebhookDeliveryInput) input: ReplayWebhookDeliveryInput,
    @Ctx() context: RequestContext,
  ): Promise<WebhookDeliveryPayload> {
    const { result, userErrors } = await replayWebhookDelivery(context, input);
    return { delivery: result, userErrors };
  }
}
