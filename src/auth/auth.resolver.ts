// Sign-in and the signed-in user's own account: login exchanges a username and password for an access
// token (auth.service.ts); changePassword, logout and mySessions act on the caller's own account only.
import { MaxLength } from 'class-validator';
import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { RequestContext } from '../request-scope';
import { Reads } from '../graphql/reads';
import { Department } from '../domain/organisation/department.entity';
import { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { User } from '../domain/organisation/user.entity';
import { UserError } from '../graphql/errors';
import { signIn } from './auth.service';
import { changePassword, ChangePasswordInput, ChangePasswordPayload } from './password-change';
import { listOwnSessions, logout, LogoutInput, LogoutPayload, SessionConnection } from './sessions';

@InputType({ description: '登录 / Sign in' })
export class LoginInput {
  @Field()
  @MaxLength(100)
  username: string;

  @Field()
  @MaxLength(200)
  password: string;
}

@ObjectType()
export class LoginPayload {
  @Field(() => String, {
    nullable: true,
    description: '访问令牌（Bearer） / Access token for the Authorization header',
  })
  token: string | null;

  @Field(() => Date, { nullable: true, description: '过期时间 / Expiry' })
  expiresAt: Date | null;

  @Field(() => User, { nullable: true })
  user: User | null;

  @Field({
    description:
      '须先修改密码 / Signed in with a temporary password: this token may only run changePassword, me and logout',
  })
  passwordChangeRequired: boolean;

  @Field(() => [UserError])
  userErrors: UserError[];
}

/** Departments by code, read once per request: a page of users names a handful of the twenty. */
const departmentsOfRequest = new WeakMap<RequestContext, Promise<Map<string, Department>>>();

function departmentsOf(context: RequestContext): Promise<Map<string, Department>> {
  let departments = departmentsOfRequest.get(context);
  if (!departments) {
    departments = context.dataSource
      .getRepository(Department)
      .find()
      .then((rows) => new Map(rows.map((row) => [row.code, row])));
    departmentsOfRequest.set(context, departments);
  }
  return departments;
}

@Resolver(() => User)
export class AuthResolver {
  @Mutation(() => LoginPayload, { description: '登录 / Sign in with username and password' })
  login(
    @Arg('input', () => LoginInput) input: LoginInput,
    @Ctx() context: RequestContext,
  ): Promise<LoginPayload> {
    return signIn(context, input.username, input.password);
  }

  @Query(() => User, { description: '当前用户 / The signed-in user' })
  async me(@Ctx() context: RequestContext): Promise<User> {
    return context.dataSource.getRepository(User).findOneByOrFail({ id: context.user.id });
  }

  @Mutation(() => ChangePasswordPayload, {
    description: '修改密码 / Change your own password (the current one is required); your other sessions end',
  })
  async changePassword(
    @Arg('input', () => ChangePasswordInput) input: ChangePasswordInput,
    @Ctx() context: RequestContext,
  ): Promise<ChangePasswordPayload> {
    const { result, userErrors } = await changePassword(context, input);
    return { user: result?.user ?? null, endedSessionCount: result?.endedSessionCount ?? null, userErrors };
  }

  @Mutation(() => LogoutPayload, {
    description: '退出登录 / Sign out: this token (or every token of yours) stops working at once',
  })
  async logout(
    @Ctx() context: RequestContext,
    @Arg('input', () => LogoutInput, { nullable: true }) input?: LogoutInput,
  ): Promise<LogoutPayload> {
    const { result, userErrors } = await logout(context, input ?? Object.assign(new LogoutInput(), {}));
    return { endedSessionCount: result ?? 0, userErrors };
  }

  @Query(() => SessionConnection, {
    description: '我的登录会话 / Your open sessions, newest first, with their last use',
  })
  mySessions(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listOwnSessions(context, first, after);
  }

  @FieldResolver(() => Department, { nullable: true, description: '部门 / Department' })
  @Reads('departmentCode')
  async department(@Root() user: User, @Ctx() context: RequestContext) {
    return (await departmentsOf(context)).get(user.departmentCode) ?? null;
  }

  @FieldResolver(() => Jurisdiction, { nullable: true, description: '辖区 / Jurisdiction node' })
  @Reads('jurisdictionId')
  jurisdiction(@Root() user: User, @Ctx() context: RequestContext) {
    return context.loaders.organisation.jurisdictionById.load(user.jurisdictionId);
  }
}
