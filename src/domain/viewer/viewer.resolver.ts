// `viewer`: the caller's own account and permissions. Thin: the answer is the permission layer's
// (src/permissions/viewer-access.ts) for the schema being served and the caller's principal.
import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, Info, Query, Resolver } from 'type-graphql';
import { principalOf } from '../../auth/identity';
import type { RequestContext } from '../../request-scope';
import { viewerAccess } from '../../permissions/viewer-access';
import { User } from '../organisation/user.entity';
import { FieldAccess, OperationKind, Viewer } from './viewer.types';

const KIND_OF_ROOT: Readonly<Record<string, OperationKind>> = {
  Query: OperationKind.QUERY,
  Mutation: OperationKind.MUTATION,
  Subscription: OperationKind.SUBSCRIPTION,
};

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, {
    description:
      '当前用户及其权限 / Who you are, which fields of which types you read, read masked or may not read, and which operations you may run',
  })
  async viewer(@Ctx() context: RequestContext, @Info() info: GraphQLResolveInfo): Promise<Viewer> {
    const access = viewerAccess(info.schema, principalOf(context.user));
    const user = await context.dataSource.getRepository(User).findOneByOrFail({ id: context.user.id });
    return {
      user,
      types: access.types.map((type) => ({
        name: type.name,
        fields: type.fields.map((field) => ({ ...field, access: FieldAccess[field.access] })),
      })),
      operations: access.operations.map((operation) => {
        const dot = operation.name.indexOf('.');
        return {
          kind: KIND_OF_ROOT[operation.name.slice(0, dot)] ?? OperationKind.QUERY,
          name: operation.name.slice(dot + 1),
          allowed: operation.allowed,
          refusedArguments: operation.refusedArguments,
        };
      }),
    };
  }
}
