// Service accounts for department integrations: created by an ADMIN with a department and a
// jurisdiction like a user, authenticated by API keys that can be issued and revoked at any time.
import { IsIn, IsOptional, IsUUID, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { RequestContext } from '../request-scope';
import { Department } from '../domain/organisation/department.entity';
import { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { Capability } from '../domain/organisation/organisation.enums';
import { User } from '../domain/organisation/user.entity';
import { UserError } from '../graphql/errors';
import { problem, runMutation, type MutationResult } from '../graphql/mutation';
import { NAME_MAX, UUID_MESSAGE } from '../graphql/validation';
import { generateApiKey } from './api-keys';
import { DepartmentCode } from '../domain/organisation/organisation.enums';

@InputType({ description: '创建对接账号 / Create a service account for a department integration' })
export class CreateServiceAccountInput {
  @Field({ description: '账号名 / Username, e.g. police-dispatch' })
  @Matches(/^[a-z0-9][a-z0-9._-]{2,62}$/, {
    message: 'username must be 3–63 lowercase letters, digits, . _ -',
  })
  username: string;

  @Field({ description: '显示名称 / Display name' })
  @Matches(/\S/, { message: 'displayName must not be empty' })
  @MaxLength(NAME_MAX)
  displayName: string;

  @Field(() => DepartmentCode, { description: '部门编码 / Department code' })
  departmentCode: string;

  @Field(() => ID, { description: '辖区根节点 / Root of what the integration may see' })
  @IsUUID('all', { message: `jurisdictionId ${UUID_MESSAGE}` })
  jurisdictionId: string;

  @Field(() => Capability, {
    nullable: true,
    description:
      '特别权限（仅可为审计） / AUDITOR for the auditor’s tool: it reads the audit trail and receives signed audit checkpoints, no personal data; null: a department integration',
  })
  @IsOptional()
  @IsIn([Capability.AUDITOR], { message: 'capability may only be AUDITOR for a service account' })
  capability?: Capability | null;
}

@InputType({ description: '签发密钥 / Issue a new API key for a service account' })
export class IssueApiKeyInput {
  @Field(() => ID)
  @IsUUID('all', { message: `serviceAccountId ${UUID_MESSAGE}` })
  serviceAccountId: string;
}

@InputType({ description: '吊销密钥 / Revoke an API key' })
export class RevokeApiKeyInput {
  @Field(() => ID)
  @IsUUID('all', { message: `keyId ${UUID_MESSAGE}` })
  keyId: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  reason?: string | null;
}

@ObjectType({ description: '新签发的密钥（仅此一次可见） / A newly issued key, shown this once only' })
export class IssuedApiKey {
  @Field(() => ID, { description: '密钥编号 / Key id, for revoking it' })
  keyId: string;

  @Field({ description: '密钥 / The key: send it as "Authorization: ApiKey <key>"' })
  apiKey: string;
}

@ObjectType()
export class ServiceAccountPayload {
  @Field(() => User, { nullable: true })
  serviceAccount: User | null;

  @Field(() => IssuedApiKey, { nullable: true })
  issuedKey: IssuedApiKey | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class RevokeApiKeyPayload {
  @Field(() => ID, { nullable: true })
  revokedKeyId: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

interface Created {
  account: User;
  issued: IssuedApiKey;
}

async function issue(context: RequestContext, tx: import('typeorm').EntityManager, accountId: string) {
  const { key, prefix, hash } = generateApiKey();
  const rows: { id: string }[] = await tx.query(
    `INSERT INTO api_keys (service_account_id, prefix, key_hash, created_by_id) VALUES ($1, $2, $3, $4) RETURNING id`,
    [accountId, prefix, hash, context.user.id],
  );
  return Object.assign(new IssuedApiKey(), { keyId: rows[0]?.id ?? '', apiKey: key });
}

export function createServiceAccount(
  context: RequestContext,
  input: CreateServiceAccountInput,
): Promise<MutationResult<Created>> {
  return runMutation(context, input, async (tx) => {
    if (!(await tx.getRepository(Department).findOneBy({ code: input.departmentCode }))) {
      throw problem('input.departmentCode', {
        zh: `没有部门 ${input.departmentCode}`,
        en: `No department ${input.departmentCode}`,
      });
    }
    if (!(await tx.getRepository(Jurisdiction).findOneBy({ id: input.jurisdictionId }))) {
      throw problem('input.jurisdictionId', {
        zh: `没有辖区 ${input.jurisdictionId}`,
        en: `No jurisdiction ${input.jurisdictionId}`,
      });
    }
    if (await tx.getRepository(User).findOneBy({ username: input.username })) {
      throw problem('input.username', { zh: `${input.username} 已被占用`, en: `${input.username} is taken` });
    }
    const inserted = await tx.getRepository(User).insert({
      kind: 'SERVICE',
      username: input.username,
      displayName: input.displayName.trim(),
      departmentCode: input.departmentCode,
      position: 'WORKER' as User['position'],
      jurisdictionId: input.jurisdictionId,
      capabilities: input.capability === Capability.AUDITOR ? [Capability.AUDITOR] : [],
      passwordHash: '!service-account-has-no-password',
    });
    const id = (inserted.identifiers[0] as { id: string }).id;
    const issued = await issue(context, tx, id);
    const account = await tx.getRepository(User).findOneByOrFail({ id });
    return {
      result: { account, issued },
      audit: [
        {
          action: 'MUTATION',
          operation: 'createServiceAccount',
          recordType: 'User',
          recordIds: [id, issued.keyId],
          fields: [
            'username',
            'departmentCode',
            'jurisdictionId',
            ...(input.capability ? ['capability'] : []),
          ],
        },
      ],
    };
  });
}

export function issueApiKey(
  context: RequestContext,
  input: IssueApiKeyInput,
): Promise<MutationResult<Created>> {
  return runMutation(context, input, async (tx) => {
    const account = await tx.getRepository(User).findOneBy({ id: input.serviceAccountId, kind: 'SERVICE' });
    if (!account)
      throw problem('input.serviceAccountId', {
        zh: `没有服务账号 ${input.serviceAccountId}`,
        en: `No service account ${input.serviceAccountId}`,
      });
    const issued = await issue(context, tx, account.id);
    return {
      result: { account, issued },
      audit: [
        {
          action: 'MUTATION',
          operation: 'issueApiKey',
          recordType: 'User',
          recordIds: [account.id, issued.keyId],
          fields: ['apiKey'],
        },
      ],
    };
  });
}

export function revokeApiKey(
  context: RequestContext,
  input: RevokeApiKeyInput,
): Promise<MutationResult<string>> {
  return runMutation(context, input, async (tx) => {
    // TypeORM answers a raw UPDATE with [rows, count]: read the count, not the length.
    const [, revoked] = (await tx.query(
      `UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [input.keyId, context.now()],
    )) as [unknown[], number];
    if (revoked === 0)
      throw problem('input.keyId', {
        zh: `没有有效的 API 密钥 ${input.keyId}`,
        en: `No active API key ${input.keyId}`,
      });
    return {
      result: input.keyId,
      audit: [
        {
          action: 'MUTATION',
          operation: 'revokeApiKey',
          recordType: 'ApiKey',
          recordIds: [input.keyId],
          fields: ['revokedAt'],
          detail: { reason: input.reason ?? null },
        },
      ],
    };
  });
}
