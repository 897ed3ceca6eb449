// The GraphQL types of cursor connections (SPEC §5): edges, pageInfo, totalCount. The pages they
// carry are read by src/database/paging.ts.
import { ClassType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { bilingualEnum } from './enums';

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
bilingualEnum(SortDirection, 'SortDirection', '排序方向 / Sort direction', {
  ASC: '升序 / Ascending: oldest, lowest or A first',
  DESC: '降序 / Descending: newest, highest or Z first',
});

/**
 * The `orderBy` input of a list: `{ field, direction }` over an enum of the list's sortable fields.
 * Each list names only fields every reader of it may read (ARGUMENT_POLICY): a sort by a value the
 * caller may not read would reveal its order.
 */
export function OrderByInput<T extends Record<string, string>>(
  fieldEnum: T,
  name: string,
  description: string,
) {
  @InputType(`${name}Order`, { description })
  class OrderClass {
    @Field(() => fieldEnum, { description: '排序字段 / The field sorted by; ties are broken by id' })
    field: T[keyof T];

    @Field(() => SortDirection, { defaultValue: SortDirection.DESC })
    direction: SortDirection;
  }
  return OrderClass;
}

@ObjectType({ description: '分页信息 / Page information' })
export class PageInfo {
  @Field({ description: '是否有下一页 / Whether more items follow' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: '本页最后一项的游标 / Cursor of the last item' })
  endCursor: string | null;
}

export function ConnectionType<T extends object>(nodeType: ClassType<T>, name: string, description: string) {
  @ObjectType(`${name}Edge`, { description: `${description} — edge` })
  class EdgeClass {
    @Field({ description: '游标 / Cursor' })
    cursor: string;

    @Field(() => nodeType)
    node: T;
  }

  @ObjectType(`${name}Connection`, { description })
  class ConnectionClass {
    @Field(() => [EdgeClass])
    edges: EdgeClass[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, { description: '符合条件的总数（权限范围内） / Total matching, within your scope' })
    totalCount: number;
  }
  return ConnectionClass;
}
