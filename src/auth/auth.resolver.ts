// Sign-in and "who am I": login exchanges a username and password for an access token.
import { MaxLength } from 'class-validator';
import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { writeAuditEntries } from '../audit/audit-log';
import type { RequestContext } from '../context';
import { Department } from '../domain/organisation/department.entity';
import { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { User } from '../domain/organisation/user.entity';
import { ErrorCode, UserError, userError } from '../graphql/errors';
import { LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';

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

  @Field(() => [UserError])
  userErrors: UserError[];
}

const throttle = new LoginThrottle();
const WRONG_CREDENTIALS = 'Unknown username or wrong password, or the account is disabled';

@Resolver(() => User)
export class AuthResolver {
  @Mutation(() => LoginPayload, { description: '登录 / Sign in with username and password' })
  async login(
    @Arg('input', () => LoginInput) input: LoginInput,
    @Ctx() context: RequestContext,
  ): Promise<LoginPayload> {
    const now = context.now();
    const db = context.dataSource.manager;
    const keys = [`user:${input.username.toLowerCase()}`, `client:${context.clientAddress}`];
    const failed = (message: string, code: ErrorCode): LoginPayload => ({
      token: null,
      expiresAt: null,
      user: null,
      userErrors: [userError(null, message, code)],
    });
    if (await throttle.isBlocked(db, keys, now)) {
      return failed('Too many failed sign-ins: wait 15 minutes and try again', ErrorCode.FORBIDDEN);
    }
    const user = await context.dataSource.getRepository(User).findOneBy({ username: input.username });
    const valid =
      user !== null &&
      user.kind === 'USER' &&
      user.active &&
      (await verifyPassword(user.passwordHash, input.password));
    await writeAuditEntries(context.dataSource.manager, context, [
      {
        action: valid ? 'LOGIN' : 'LOGIN_FAILED',
        operation: 'login',
        recordType: 'User',
        recordIds: user ? [user.id] : [],
        fields: [],
        detail: { username: input.username.slice(0, 100) },
      },
    ]);
    if (!valid || !user) {
      await throttle.recordFailure(db, keys, now);
      return failed(WRONG_CREDENTIALS, ErrorCode.UNAUTHENTICATED);
    }
    await throttle.recordSuccess(db, keys);
    const { token, expiresAt } = await context.app.tokens.issue(user.id);
    return { token, expiresAt, user, userErrors: [] };
  }

  @Query(() => User, { description: '当前用户 / The signed-in user' })
  async me(@Ctx() context: RequestContext): Promise<User> {
    return context.dataSource.getRepository(User).findOneByOrFail({ id: context.user.id });
  }

  @FieldResolver(() => Department, { nullable: true, description: '部门 / Department' })
  department(@Root() user: User, @Ctx() context: RequestContext) {
    return context.dataSource.getRepository(Department).findOneBy({ code: user.departmentCode });
  }

  @FieldResolver(() => Jurisdiction, { nullable: true, description: '辖区 / Jurisdiction node' })
  jurisdiction(@Root() user: User, @Ctx() context: RequestContext) {
    return context.loaders.organisation.jurisdictionById.load(user.jurisdictionId);
  }
}
