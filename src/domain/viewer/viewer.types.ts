// The `viewer` answer (issue 22): who the caller is, and what the permission layer lets them read and
// run — so a UI hides what it may not show instead of collecting one FORBIDDEN per row.
import { Field, ObjectType } from 'type-graphql';
import { bilingualEnum } from '../../graphql/enums';
import { User } from '../organisation/user.entity';

export enum FieldAccess {
  READ = 'READ',
  MASKED = 'MASKED',
  DENIED = 'DENIED',
  CONDITIONAL = 'CONDITIONAL',
}
bilingualEnum(FieldAccess, 'FieldAccess', '字段权限 / How you read a field', {
  READ: '可读 / You read the value',
  MASKED: '脱敏 / You read a masked value (e.g. **************123X, 138****5678, village only)',
  DENIED: '不可读 / You may not read it: asking gives null and a FORBIDDEN error',
  CONDITIONAL:
    '视记录而定 / You read it, and what you see depends on the record: only your department’s share of a list (special statuses, indicators by category), or no id (null, or left out of a list) for a record outside your scope',
});

export enum OperationKind {
  QUERY = 'QUERY',
  MUTATION = 'MUTATION',
  SUBSCRIPTION = 'SUBSCRIPTION',
}
bilingualEnum(OperationKind, 'OperationKind', '操作类型 / Kind of operation', {
  QUERY: '查询 / Query',
  MUTATION: '变更 / Mutation',
  SUBSCRIPTION: '订阅 / Subscription',
});

@ObjectType({ description: '字段权限 / How you read one field' })
export class ViewerField {
  @Field({ description: '字段名 / Field name' })
  name: string;

  @Field(() => FieldAccess, { description: '权限 / Access' })
  access: FieldAccess;

  @Field(() => [String], {
    description:
      '不可使用的筛选参数 / Arguments you may not narrow this field by (e.g. `open`): using one gives FORBIDDEN',
  })
  refusedArguments: string[];
}

@ObjectType({ description: '类型权限 / How you read the fields of one type' })
export class ViewerType {
  @Field({ description: '类型名 / Type name, as in the schema' })
  name: string;

  @Field(() => [ViewerField], { description: '各字段 / Every field of the type' })
  fields: ViewerField[];
}

@ObjectType({ description: '操作权限 / Whether you may run one operation' })
export class ViewerOperation {
  @Field(() => OperationKind, { description: '类型 / Query, mutation or subscription' })
  kind: OperationKind;

  @Field({ description: '操作名 / Root field name, e.g. persons' })
  name: string;

  @Field({
    description:
      '可否执行 / true: you may run it (row scope, and rules on the record such as “own grid only”, still apply); false: it answers FORBIDDEN',
  })
  allowed: boolean;

  @Field(() => [String], {
    description:
      '不可使用的筛选参数 / Arguments you may not narrow it by (e.g. filter.needsAssessment), or values of one (orderBy.field=CREATED_AT): using one gives FORBIDDEN',
  })
  refusedArguments: string[];
}

@ObjectType({
  description:
    '当前用户及其权限 / Who you are and what you may read and run, generated from the permission policy. It describes your own account only, never a record.',
})
export class Viewer {
  @Field(() => User, { description: '当前用户 / The signed-in account (as `me`)' })
  user: User;

  @Field(() => [ViewerType], {
    description: '可到达的类型及字段权限 / Every type you can reach, with how you read each field',
  })
  types: ViewerType[];

  @Field(() => [ViewerOperation], {
    description: '操作权限 / Every query, mutation and subscription, and whether you may run it',
  })
  operations: ViewerOperation[];
}
