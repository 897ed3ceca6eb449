// GraphQL entry point of the staff directory (issue 22 item 6): thin — arguments in, service call,
// result out. Who may ask is in policy.ts; whom it lists is in staff.service.ts.
import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { listStaff } from './staff.service';
import { StaffFilter, StaffMember, StaffMemberConnection } from './staff.types';

@Resolver(() => StaffMember)
export class StaffResolver {
  @Query(() => StaffMemberConnection, {
    nullable: true,
    description:
      '工作人员名录 / Staff on your branch of the jurisdiction tree (your subtree and the nodes above it), to show and choose assignees; newest accounts first',
  })
  staff(
    @Ctx() context: RequestContext,
    @Arg('filter', () => StaffFilter, { nullable: true }) filter?: StaffFilter,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listStaff(context, filter, first, after);
  }
}
