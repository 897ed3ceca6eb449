// GraphQL entry points of the organisation area: the jurisdiction tree and the departments.
import { Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { Department } from './department.entity';
import { Jurisdiction } from './jurisdiction.entity';
import { listDepartments, listJurisdictions } from './organisation.service';

@Resolver(() => Jurisdiction)
export class OrganisationResolver {
  @Query(() => [Jurisdiction], { description: '辖区 / Your jurisdiction subtree and its ancestors, by path' })
  jurisdictions(@Ctx() context: RequestContext) {
    return listJurisdictions(context);
  }

  @Query(() => [Department], { description: '部门 / Departments' })
  departments(@Ctx() context: RequestContext) {
    return listDepartments(context);
  }
}
