// GraphQL inputs and payloads of webhooks.
import { ArrayMaxSize, ArrayNotEmpty, IsEnum, IsUUID, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, UUID_MESSAGE } from '../../graphql/validation';
import { Webhook, WebhookDelivery, WebhookEventType } from './webhook.entity';

export const URL_MAX = 2000;

@InputType({ description: '登记推送地址 / Register a webhook endpoint for your service account' })
export class RegisterWebhookInput {
  @Field({
    description:
      '地址（http/https；仅本机或配置允许的主机） / URL to post to: http(s), loopback or a host the server allows',
  })
  @MaxLength(URL_MAX)
  url: string;

  @Field(() => [WebhookEventType], { description: '订阅的事件 / Events to receive' })
  @ArrayNotEmpty({ message: 'events must name at least one event' })
  @ArrayMaxSize(Object.keys(WebhookEventType).length)
  @IsEnum(WebhookEventType, { each: true })
  events: WebhookEventType[];

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '批准或停用推送地址 / Approve or disable a webhook endpoint' })
export class WebhookIdInput {
  @Field(() => ID)
  @IsUUID('all', { message: `webhookId ${UUID_MESSAGE}` })
  webhookId: string;
}

@InputType({ description: '重新投递 / Queue a delivery again (a dead letter, or one to resend)' })
export class ReplayWebhookDeliveryInput {
  @Field(() => ID)
  @IsUUID('all', { message: `deliveryId ${UUID_MESSAGE}` })
  deliveryId: string;
}

@ObjectType()
export class RegisterWebhookPayload {
  @Field(() => Webhook, { nullable: true })
  webhook: Webhook | null;

  @Field(() => String, {
    nullable: true,
    description:
      '签名密钥（仅此一次可见） / The signing secret, shown this once (and to a retry with the same idempotencyKey)',
  })
  signingSecret: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class WebhookPayload {
  @Field(() => Webhook, { nullable: true })
  webhook: Webhook | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class WebhookDeliveryPayload {
  @Field(() => WebhookDelivery, { nullable: true })
  delivery: WebhookDelivery | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const WebhookDeliveryConnection = ConnectionType(
  WebhookDelivery,
  'WebhookDelivery',
  '推送记录 / Deliveries to your endpoints (all endpoints for ADMIN), newest first',
);
