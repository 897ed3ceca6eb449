// GraphQL entry point of the change feed: thin — arguments in, service call, result out.
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { readChanges } from './changes.service';
import { ChangeFeed } from './changes.types';

@Resolver()
export class ChangeFeedResolver {
  @Query(() => ChangeFeed, {
    nullable: true,
    description:
      '变更流（按提交顺序） / What changed within your row and field scope, in commit order: created, updated, left your scope. Continue from pageInfo.endCursor; no change is skipped or repeated.',
  })
  changes(
    @Ctx() context: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('after', () => String, {
      nullable: true,
      description:
        '上次读到的 pageInfo.endCursor；不填则从头开始 / The pageInfo.endCursor you last read; from the beginning when omitted',
    })
    after?: string,
    @Arg('first', () => Int, {
      nullable: true,
      description: '最多条数（最多100） / At most this many, up to 100',
    })
    first?: number,
  ): Promise<ChangeFeed> {
    return readChanges(context, info.schema, after, first);
  }
}
