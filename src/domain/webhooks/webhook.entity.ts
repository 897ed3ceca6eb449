// The GraphQL shapes of webhooks (SPEC §5a): a service account's endpoint and the deliveries made to
// it. Read with plain SQL (webhook.service.ts), so these are object types, not TypeORM entities.
import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { bilingualEnum } from '../../graphql/enums';

export enum WebhookEventType {
  DISPUTE_REGISTERED = 'DISPUTE_REGISTERED',
  DISPUTE_STATUS_CHANGED = 'DISPUTE_STATUS_CHANGED',
  DISPUTE_ESCALATED = 'DISPUTE_ESCALATED',
  TIER_CHANGED = 'TIER_CHANGED',
  ALERT_RAISED = 'ALERT_RAISED',
  ASSIGNMENT_MADE = 'ASSIGNMENT_MADE',
  AUDIT_CHECKPOINT = 'AUDIT_CHECKPOINT',
}
bilingualEnum(WebhookEventType, 'WebhookEventType', '事件类型 / What a webhook reports', {
  DISPUTE_REGISTERED: '纠纷登记 / A dispute was registered',
  DISPUTE_STATUS_CHANGED: '纠纷状态变更 / A dispute changed status',
  DISPUTE_ESCALATED: '纠纷升级 / A dispute moved up a level',
  TIER_CHANGED: '预警级别变更 / A person’s tier changed',
  ALERT_RAISED: '预警发出 / An alert addressed to the account was raised',
  ASSIGNMENT_MADE: '包干落实 / An assignment was made for a person or dispute',
  AUDIT_CHECKPOINT:
    '审计检查点（仅审计对接账号） / A signed checkpoint of the audit chain’s head (AUDITOR service accounts only)',
});

export enum WebhookStatus {
  PENDING_APPROVAL = 'PENDING_APPROVAL',
  ACTIVE = 'ACTIVE',
  DISABLED = 'DISABLED',
}
bilingualEnum(WebhookStatus, 'WebhookStatus', '推送地址状态 / Webhook endpoint status', {
  PENDING_APPROVAL: '待管理员批准 / Waiting for an ADMIN to approve it',
  ACTIVE: '生效 / Receives events',
  DISABLED: '已停用 / Disabled; receives nothing',
});

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
}
bilingualEnum(WebhookDeliveryStatus, 'WebhookDeliveryStatus', '投递状态 / Delivery status', {
  PENDING: '待投递或重试中 / Waiting to be sent, or to be retried',
  DELIVERED: '已送达 / The endpoint answered 2xx',
  DEAD: '死信 / Gave up after too many failures; can be replayed',
});

@ObjectType({ description: '推送地址 / A webhook endpoint a service account registered' })
export class Webhook {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { description: '所属对接账号 / The service account that receives the events' })
  ownerId: string;

  @Field({ description: '地址 / The URL events are posted to' })
  url: string;

  @Field(() => [WebhookEventType], { description: '订阅的事件 / Events it receives' })
  events: WebhookEventType[];

  @Field(() => WebhookStatus)
  status: WebhookStatus;

  @Field(() => GraphQLISODateTime)
  createdAt: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '批准时间 / When an ADMIN approved it' })
  approvedAt: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '停用时间 / When it was disabled' })
  disabledAt: Date | null;

  @Field(() => Int, { description: '版本 / Version' })
  version: number;
}

@ObjectType({ description: '推送记录 / One event sent (or to be sent) to one endpoint' })
export class WebhookDelivery {
  @Field(() => ID)
  id: string;

  @Field(() => ID, { description: '推送地址 / The endpoint' })
  webhookId: string;

  @Field(() => ID, {
    description:
      '事件编号（请求头 Concord-Event-Id，用于去重） / Event id, sent as Concord-Event-Id for dedupe',
  })
  eventId: string;

  @Field(() => WebhookEventType)
  eventType: WebhookEventType;

  @Field(() => WebhookDeliveryStatus)
  status: WebhookDeliveryStatus;

  @Field(() => Int, { description: '已尝试次数 / Attempts made' })
  attempts: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: '下次尝试 / Next attempt, while PENDING' })
  nextAttemptAt: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastAttemptAt: Date | null;

  @Field(() => String, { nullable: true, description: '最近一次失败原因 / Why the last attempt failed' })
  lastError: string | null;

  @Field(() => Int, { nullable: true, description: '最近一次响应码 / HTTP status of the last answer' })
  lastResponseStatus: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  deliveredAt: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt: Date;
}
