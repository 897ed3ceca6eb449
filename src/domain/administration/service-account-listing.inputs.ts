// GraphQL types of the service-account listing and budget setting (ADMIN only, per policy.ts). What an
// ADMIN sees of an integration: its account, its request budget and its keys — a key's prefix and
// dates, never its hash (the key itself is shown once, when issued).
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { UserError } from '../../graphql/errors';
import { UUID_MESSAGE } from '../../graphql/validation';
import { DepartmentCode } from '../organisation/organisation.enums';

/** The largest capacity or refill rate an ADMIN may set: within a 32-bit GraphQL Int. */
export const BUDGET_MAX = 1_000_000_000;

@ObjectType('ApiKey', {
  description: '对接密钥 / An API key of a service account (never the key or its hash)',
})
export class ApiKeySummary {
  @Field(() => ID, { description: '密钥编号 / Key id, for revokeApiKey' })
  id: string;

  @Field({ description: '密钥前缀 / The key’s prefix: cnc_<prefix>_…, to tell keys apart' })
  prefix: string;

  @Field({ description: '签发时间 / Issued at' })
  createdAt: Date;

  @Field(() => Date, {
    nullable: true,
    description: '最近使用（精确到分钟） / Last used, to the minute; null: never used',
  })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true, description: '吊销时间 / Revoked at; null: active' })
  revokedAt: Date | null;
}

@ObjectType({
  description: '请求额度（令牌桶，按查询成本计） / Request budget: a token bucket charged by query cost',
})
export class RequestBudget {
  @Field(() => Int, { description: '容量 / Capacity: the most cost that can be spent at once' })
  capacity: number;

  @Field(() => Int, { description: '每秒补充 / Cost refilled per second' })
  refillPerSecond: number;

  @Field({ description: '是否为管理员单独设置 / Set for this account by an ADMIN (else the default)' })
  custom: boolean;

  @Field(() => Int, { description: '当前可用 / What the bucket holds now' })
  available: number;
}

@ObjectType({ description: '对接账号 / A service account (department integration)' })
export class ServiceAccount {
  @Field(() => ID)
  id: string;

  @Field({ description: '账号名 / Username' })
  username: string;

  @Field({ description: '显示名称 / Display name' })
  displayName: string;

  @Field(() => DepartmentCode, { description: '部门编码 / Department code' })
  departmentCode: string;

  @Field(() => ID, { description: '辖区根节点 / Root of what the integration may see' })
  jurisdictionId: string;

  @Field({ description: '创建时间 / Created at' })
  createdAt: Date;

  @Field({ description: '是否启用 / Whether its keys are accepted' })
  active: boolean;

  @Field(() => RequestBudget, { description: '请求额度 / Request budget' })
  budget: RequestBudget;

  @Field(() => [ApiKeySummary], { description: '密钥（新签发在前） / Its keys, newest first' })
  keys: ApiKeySummary[];
}

export const ServiceAccountConnection = ConnectionType(
  ServiceAccount,
  'ServiceAccount',
  '对接账号列表 / Service accounts',
);

@InputType({
  description:
    '设置对接账号的请求额度（空：恢复默认） / Set a service account’s request budget; null restores the default',
})
export class SetServiceAccountBudgetInput {
  @Field(() => ID)
  @IsUUID('all', { message: `serviceAccountId ${UUID_MESSAGE}` })
  serviceAccountId: string;

  @Field(() => Int, { nullable: true, description: '容量 / Capacity, in query cost' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'capacity must be at least 1' })
  @Max(BUDGET_MAX, { message: `capacity must be at most ${BUDGET_MAX}` })
  capacity?: number | null;

  @Field(() => Int, { nullable: true, description: '每秒补充 / Cost refilled per second' })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'refillPerSecond must be at least 1' })
  @Max(BUDGET_MAX, { message: `refillPerSecond must be at most ${BUDGET_MAX}` })
  refillPerSecond?: number | null;
}

@ObjectType()
export class ServiceAccountBudgetPayload {
  @Field(() => ServiceAccount, { nullable: true })
  serviceAccount: ServiceAccount | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
