// The GraphQL types of cursor connections (SPEC §5): edges, pageInfo, totalCount. The pages they
// carry are read by src/database/paging.ts.
import { ClassType, Field, Int, ObjectType } from 'type-graphql';

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
