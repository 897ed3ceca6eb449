// Sign-in and "who am I": login exchanges a username and password for an access token (auth.service.ts).
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
import type { RequestContext } from '../request-scope';
import { Reads } from '../graphql/reads';
import { Department } from '../domain/organisation/department.entity';
import { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { User } from '../domain/organisation/user.entity';
import { UserError } from '../graphql/errors';
import { signIn } from './auth.service';

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

  @FieldResolver(() => Department, { nullable: true, description: '部门 / Department' })
  @Reads('departmentCode')
  department(@Root() user: User, @Ctx() context: RequestContext) {
    return context.dataSource.getRepository(Department).findOneBy({ code: user.departmentCode });
  }

  @FieldResolver(() => Jurisdiction, { nullable: true, description: '辖区 / Jurisdiction node' })
  @Reads('jurisdictionId')
  jurisdiction(@Root() user: User, @Ctx() context: RequestContext) {
    return context.loaders.organisation.jurisdictionById.load(user.jurisdictionId);
  }
}
