// GraphQL entry points of user administration (ADMIN only, per policy.ts): thin — arguments in,
// service call, result out.
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { User } from '../organisation/user.entity';
import {
  CreateUserInput,
  CreateUserPayload,
  DisableUserInput,
  EndUserSessionsPayload,
  ImportUsersInput,
  ImportUsersPayload,
  ResetPasswordPayload,
  UpdateUserInput,
  UserConnection,
  UserFilter,
  UserIdInput,
  UserPayload,
} from './user-administration.inputs';
import {
  createUser,
  disableUser,
  enableUser,
  endUserSessions,
  importUsers,
  listUsers,
  resetPassword,
  updateUser,
} from './user-administration.service';

@Resolver(() => User)
export class UserAdministrationResolver {
  @Query(() => UserConnection, {
    nullable: true,
    description: '账号 / User accounts within your jurisdiction, newest first (ADMIN)',
  })
  users(
    @Ctx() context: RequestContext,
    @Arg('filter', () => UserFilter, { nullable: true }) filter?: UserFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listUsers(context, filter, first, after);
  }

  @Mutation(() => CreateUserPayload, {
    nullable: true,
    description:
      '创建账号（返回一次性临时密码） / Create an account; its temporary password is returned once',
  })
  async createUser(
    @Arg('input', () => CreateUserInput) input: CreateUserInput,
    @Ctx() context: RequestContext,
  ): Promise<CreateUserPayload> {
    const { result, userErrors } = await createUser(context, input);
    return {
      user: result?.user ?? null,
      temporaryPassword: result?.temporaryPassword ?? null,
      temporaryPasswordExpiresAt: result?.temporaryPasswordExpiresAt ?? null,
      userErrors,
    };
  }

  @Mutation(() => UserPayload, {
    nullable: true,
    description: '修改账号 / Update an account: the new scope applies from its next request',
  })
  async updateUser(
    @Arg('input', () => UpdateUserInput) input: UpdateUserInput,
    @Ctx() context: RequestContext,
  ): Promise<UserPayload> {
    const { result, userErrors } = await updateUser(context, input);
    return { user: result, userErrors };
  }

  @Mutation(() => UserPayload, {
    nullable: true,
    description: '停用账号 / Disable an account; its sessions end at once',
  })
  async disableUser(
    @Arg('input', () => DisableUserInput) input: DisableUserInput,
    @Ctx() context: RequestContext,
  ): Promise<UserPayload> {
    const { result, userErrors } = await disableUser(context, input);
    return { user: result, userErrors };
  }

  @Mutation(() => UserPayload, { nullable: true, description: '启用账号 / Enable a disabled account' })
  async enableUser(
    @Arg('input', () => UserIdInput) input: UserIdInput,
    @Ctx() context: RequestContext,
  ): Promise<UserPayload> {
    const { result, userErrors } = await enableUser(context, input);
    return { user: result, userErrors };
  }

  @Mutation(() => ResetPasswordPayload, {
    nullable: true,
    description:
      '重置密码（一次性临时密码，须在下次登录时修改） / Reset a password: a one-time temporary password, to be changed at the next sign-in',
  })
  async resetPassword(
    @Arg('input', () => UserIdInput) input: UserIdInput,
    @Ctx() context: RequestContext,
  ): Promise<ResetPasswordPayload> {
    const { result, userErrors } = await resetPassword(context, input);
    return {
      user: result?.user ?? null,
      temporaryPassword: result?.temporaryPassword ?? null,
      temporaryPasswordExpiresAt: result?.temporaryPasswordExpiresAt ?? null,
      endedSessionCount: result?.endedSessionCount ?? null,
      userErrors,
    };
  }

  @Mutation(() => EndUserSessionsPayload, {
    nullable: true,
    description: '结束某账号的全部会话 / End every session of an account: its tokens stop working at once',
  })
  async endUserSessions(
    @Arg('input', () => UserIdInput) input: UserIdInput,
    @Ctx() context: RequestContext,
  ): Promise<EndUserSessionsPayload> {
    const { result, userErrors } = await endUserSessions(context, input);
    return { endedSessionCount: result, userErrors };
  }

  @Mutation(() => ImportUsersPayload, {
    nullable: true,
    description:
      '导入人员名单（按用户名幂等，全部或全不） / Import a staff list: idempotent by username, all or nothing, problems by line',
  })
  async importUsers(
    @Arg('input', () => ImportUsersInput) input: ImportUsersInput,
    @Ctx() context: RequestContext,
  ): Promise<ImportUsersPayload> {
    const { result, userErrors } = await importUsers(context, input);
    return {
      dryRun: Boolean(input.dryRun),
      created: result?.created ?? 0,
      updated: result?.updated ?? 0,
      unchanged: result?.unchanged ?? 0,
      temporaryPasswords: result?.temporaryPasswords ?? [],
      temporaryPasswordsExpireAt: result?.temporaryPasswordsExpireAt ?? null,
      userErrors,
    };
  }
}
