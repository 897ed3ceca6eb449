// GraphQL inputs and payloads of user administration (ADMIN only, per policy.ts).
import { ArrayMaxSize, IsIn, IsInt, IsOptional, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, NAME_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { Capability, DepartmentCode, Position } from '../organisation/organisation.enums';
import { User } from '../organisation/user.entity';

/** Usernames: lowercase letters, digits and . _ -, 3 to 63 of them (as service accounts). */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,62}$/;
export const USERNAME_MESSAGE = 'username must be 3–63 lowercase letters, digits, . _ -';

@InputType({ description: '创建账号 / Create a user account' })
export class CreateUserInput {
  @Field({ description: '用户名 / Username, e.g. zhang.wei' })
  @Matches(USERNAME_PATTERN, { message: USERNAME_MESSAGE })
  username: string;

  @Field({ description: '显示名称 / Display name' })
  @Matches(/\S/, { message: 'displayName must not be empty' })
  @MaxLength(NAME_MAX)
  displayName: string;

  @Field(() => DepartmentCode, { description: '部门编码 / Department code' })
  departmentCode: string;

  @Field(() => Position, { description: '职务 / Position' })
  @IsIn(Object.values(Position))
  position: Position;

  @Field(() => ID, { description: '辖区根节点 / Root of what the user may see' })
  @IsUUID('all', { message: `jurisdictionId ${UUID_MESSAGE}` })
  jurisdictionId: string;

  @Field(() => [Capability], { nullable: true, description: '特别权限 / ADMIN or AUDITOR, rarely' })
  @IsOptional()
  @ArrayMaxSize(2)
  @IsIn(Object.values(Capability), { each: true })
  capabilities?: Capability[] | null;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({
  description:
    '修改账号（新的范围从下一次请求起生效） / Update an account; a new department, position or jurisdiction applies from its next request',
})
export class UpdateUserInput {
  @Field(() => ID)
  @IsUUID('all', { message: `userId ${UUID_MESSAGE}` })
  userId: string;

  @Field(() => Int, { description: '读到的版本 / The version you read' })
  @IsInt()
  @Min(1)
  expectedVersion: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/\S/, { message: 'displayName must not be empty' })
  @MaxLength(NAME_MAX)
  displayName?: string | null;

  @Field(() => DepartmentCode, { nullable: true })
  @IsOptional()
  departmentCode?: string | null;

  @Field(() => Position, { nullable: true })
  @IsOptional()
  @IsIn(Object.values(Position))
  position?: Position | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: `jurisdictionId ${UUID_MESSAGE}` })
  jurisdictionId?: string | null;

  @Field(() => [Capability], {
    nullable: true,
    description: '特别权限（整体替换） / Capabilities, replaced whole',
  })
  @IsOptional()
  @ArrayMaxSize(2)
  @IsIn(Object.values(Capability), { each: true })
  capabilities?: Capability[] | null;
}

@InputType({ description: '停用账号（其会话立即结束） / Disable an account; its sessions end at once' })
export class DisableUserInput {
  @Field(() => ID)
  @IsUUID('all', { message: `userId ${UUID_MESSAGE}` })
  userId: string;

  @Field(() => String, { nullable: true, description: '原因 / Why, for the audit log' })
  @IsOptional()
  @MaxLength(500)
  reason?: string | null;
}

@InputType({ description: '账号 / One account' })
export class UserIdInput {
  @Field(() => ID)
  @IsUUID('all', { message: `userId ${UUID_MESSAGE}` })
  userId: string;
}

@InputType({
  description:
    '导入人员名单（CSV，表头 username,displayName,departmentCode,position,jurisdictionCode） / Import a staff list',
})
export class ImportUsersInput {
  @Field({
    description:
      'CSV：每行一个账号；已存在的用户名会被更新 / CSV, one user a line; an existing username is updated, a new one created',
  })
  @MaxLength(1_000_000)
  csv: string;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: '试运行：只检查并报告，不写入 / Check and report only; nothing is written',
  })
  dryRun?: boolean | null;
}

@InputType({ description: '账号筛选 / Filter users' })
export class UserFilter {
  @Field(() => DepartmentCode, { nullable: true, description: '部门编码 / Department code' })
  departmentCode?: string | null;

  @Field(() => Position, { nullable: true })
  position?: Position | null;

  @Field(() => ID, { nullable: true, description: '辖区（含下级） / In the subtree of this node' })
  jurisdictionId?: string | null;

  @Field(() => Boolean, { nullable: true, description: '启用状态 / Active or disabled only' })
  active?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description: '用户名或显示名称包含 / Username or display name contains',
  })
  search?: string | null;
}

export const UserConnection = ConnectionType(User, 'User', '账号列表 / User accounts');

@ObjectType()
export class UserPayload {
  @Field(() => User, { nullable: true })
  user: User | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({
  description:
    '新账号及其临时密码（仅此一次可见） / A new account and its temporary password, shown this once',
})
export class CreateUserPayload {
  @Field(() => User, { nullable: true })
  user: User | null;

  @Field(() => String, {
    nullable: true,
    description:
      '临时密码：仅此一次可见，首次登录后须修改 / Shown this once; it signs in once, then must be changed. Null when an idempotent retry returns the account created before',
  })
  temporaryPassword: string | null;

  @Field(() => Date, { nullable: true, description: '临时密码失效时间 / The temporary password expires at' })
  temporaryPasswordExpiresAt: Date | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({ description: '重置密码 / A reset: the temporary password, shown this once' })
export class ResetPasswordPayload {
  @Field(() => User, { nullable: true })
  user: User | null;

  @Field(() => String, {
    nullable: true,
    description: '临时密码：仅此一次可见 / Shown this once; it signs in once, then must be changed',
  })
  temporaryPassword: string | null;

  @Field(() => Date, { nullable: true })
  temporaryPasswordExpiresAt: Date | null;

  @Field(() => Int, { nullable: true, description: '结束的会话数 / Sessions of the account that were ended' })
  endedSessionCount: number | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({ description: '导入的新账号的临时密码 / The temporary password of an imported new account' })
export class ImportedUserPassword {
  @Field()
  username: string;

  @Field({ description: '仅此一次可见 / Shown this once' })
  temporaryPassword: string;
}

@ObjectType({ description: '导入结果 / What an import did (or, in a dry run, would do)' })
export class ImportUsersPayload {
  @Field({ description: '试运行 / Nothing was written' })
  dryRun: boolean;

  @Field(() => Int, { description: '新建 / Accounts created' })
  created: number;

  @Field(() => Int, {
    description: '更新 / Accounts whose name, department, position or jurisdiction changed',
  })
  updated: number;

  @Field(() => Int, { description: '无变化 / Accounts already as listed' })
  unchanged: number;

  @Field(() => [ImportedUserPassword], {
    description: '新账号的临时密码，仅此一次可见 / Temporary passwords of the new accounts, shown this once',
  })
  temporaryPasswords: ImportedUserPassword[];

  @Field(() => Date, { nullable: true, description: '临时密码失效时间 / They expire at' })
  temporaryPasswordsExpireAt: Date | null;

  @Field(() => [UserError], {
    description: '每行的问题（字段 input.csv.<行号>） / Problems, by line: field input.csv.<line>',
  })
  userErrors: UserError[];
}

@ObjectType()
export class EndUserSessionsPayload {
  @Field(() => Int, { nullable: true, description: '结束的会话数 / How many sessions were ended' })
  endedSessionCount: number | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
