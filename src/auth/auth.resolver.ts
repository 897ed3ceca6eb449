// Sign-in and the signed-in user's own account: login exchanges a username and password for an access
// token — or, for an account with a second factor, for a challenge that verifySecondFactor exchanges
// with a code (auth.service.ts); changePassword, logout, mySessions and the enrolment of a second factor
// act on the caller's own account only (second-factor.ts); resetSecondFactor is an ADMIN's.
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
import { signIn, verifySecondFactor, type SignInResult } from './auth.service';
import { changePassword, ChangePasswordInput, ChangePasswordPayload } from './password-change';
import {
  beginTotpEnrolment,
  BeginTotpEnrolmentPayload,
  confirmTotpEnrolment,
  ConfirmTotpEnrolmentInput,
  ConfirmTotpEnrolmentPayload,
  resetSecondFactor,
  ResetSecondFactorInput,
  ResetSecondFactorPayload,
} from './second-factor';
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

  @Field({
    description:
      '须输入动态验证码 / The password was right and the account has a second factor: no token yet — send secondFactorChallenge with the code of your authenticator app (or a recovery code) to verifySecondFactor',
  })
  secondFactorRequired: boolean;

  @Field(() => String, {
    nullable: true,
    description: '动态验证凭据 / For verifySecondFactor, valid until secondFactorChallengeExpiresAt',
  })
  secondFactorChallenge: string | null;

  @Field(() => Date, { nullable: true })
  secondFactorChallengeExpiresAt: Date | null;

  @Field({
    description:
      '须先绑定动态验证码 / LEADER, ADMIN and AUDITOR accounts sign in with a second factor and this one has none: this token may only run beginTotpEnrolment, confirmTotpEnrolment, me, mySessions, changePassword and logout until confirmTotpEnrolment succeeds',
  })
  secondFactorEnrolmentRequired: boolean;

  @Field(() => Int, {
    nullable: true,
    description: '剩余恢复码 / Signed in with a recovery code: how many are left',
  })
  recoveryCodesLeft: number | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType({ description: '输入动态验证码完成登录 / Complete a sign-in with the second factor' })
export class VerifySecondFactorInput {
  @Field({ description: 'login 返回的 secondFactorChallenge / The secondFactorChallenge login answered' })
  @MaxLength(2000)
  challenge: string;

  @Field(() => String, {
    nullable: true,
    description: '验证器显示的 6 位验证码 / The 6-digit code the authenticator app shows now',
  })
  @MaxLength(20)
  code?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '或一个未用过的恢复码 / Or one of your unused recovery codes, instead of a code',
  })
  @MaxLength(40)
  recoveryCode?: string | null;
}

const loginPayload = (result: SignInResult): LoginPayload => Object.assign(new LoginPayload(), result);

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
    return signIn(context, input.username, input.password).then(loginPayload);
  }

  @Mutation(() => LoginPayload, {
    description:
      '输入动态验证码完成登录 / Complete a sign-in that answered secondFactorRequired: a current code (each works once) or a recovery code, for the token',
  })
  verifySecondFactor(
    @Arg('input', () => VerifySecondFactorInput) input: VerifySecondFactorInput,
    @Ctx() context: RequestContext,
  ): Promise<LoginPayload> {
    return verifySecondFactor(context, input).then(loginPayload);
  }

  @Mutation(() => BeginTotpEnrolmentPayload, {
    description:
      '开始绑定动态验证码 / Begin enrolling a second factor: a new TOTP secret for your authenticator app, shown this once',
  })
  async beginTotpEnrolment(@Ctx() context: RequestContext): Promise<BeginTotpEnrolmentPayload> {
    const { result, userErrors } = await beginTotpEnrolment(context);
    return { secret: result?.secret ?? null, otpauthUri: result?.otpauthUri ?? null, userErrors };
  }

  @Mutation(() => ConfirmTotpEnrolmentPayload, {
    description:
      '确认绑定动态验证码 / Confirm the enrolment with a current code: the second factor is on, and this session has passed it; returns recovery codes, shown this once',
  })
  async confirmTotpEnrolment(
    @Arg('input', () => ConfirmTotpEnrolmentInput) input: ConfirmTotpEnrolmentInput,
    @Ctx() context: RequestContext,
  ): Promise<ConfirmTotpEnrolmentPayload> {
    const { result, userErrors } = await confirmTotpEnrolment(context, input);
    return { user: result?.user ?? null, recoveryCodes: result?.recoveryCodes ?? null, userErrors };
  }

  @Mutation(() => ResetSecondFactorPayload, {
    nullable: true,
    description:
      '重置某账号的动态验证码（如手机丢失） / Reset an account’s second factor (a lost phone): its sessions end, and it enrols anew at its next sign-in',
  })
  async resetSecondFactor(
    @Arg('input', () => ResetSecondFactorInput) input: ResetSecondFactorInput,
    @Ctx() context: RequestContext,
  ): Promise<ResetSecondFactorPayload> {
    const { result, userErrors } = await resetSecondFactor(context, input);
    return {
      user: result?.user ?? null,
      endedSessionCount: result?.endedSessionCount ?? null,
      userErrors,
    };
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

  @FieldResolver(() => Department, { description: '部门 / Department' })
  @Reads('departmentCode')
  async department(@Root() user: User, @Ctx() context: RequestContext) {
    return (await departmentsOf(context)).get(user.departmentCode) ?? null;
  }

  @FieldResolver(() => Jurisdiction, { description: '辖区 / Jurisdiction node' })
  @Reads('jurisdictionId')
  jurisdiction(@Root() user: User, @Ctx() context: RequestContext) {
    return context.loaders.organisation.jurisdictionById.load(user.jurisdictionId);
  }
}
