// GraphQL entry points of the organisation area: the jurisdiction tree, the departments and the dispute
// routing between them — read by every account, administered by ADMIN (policy.ts).
import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { Department } from './department.entity';
import { disputeRouting, setDisputeRoute } from './dispute-routing.service';
import { Jurisdiction } from './jurisdiction.entity';
import {
  AddJurisdictionInput,
  AddJurisdictionPayload,
  DisputeRouting,
  ReorganiseMergeGridsInput,
  ReorganiseMoveGridInput,
  ReorganisationPayload,
  SetDisputeRouteInput,
  SetDisputeRoutePayload,
} from './organisation.inputs';
import { listDepartments, listJurisdictions } from './organisation.service';
import { addJurisdiction, reorganiseMergeGrids, reorganiseMoveGrid } from './tree.service';

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

  @Query(() => DisputeRouting, {
    description: '纠纷分流 / Which departments each dispute category, source and venue routes a dispute to',
  })
  disputeRouting(@Ctx() context: RequestContext) {
    return disputeRouting(context);
  }

  @Mutation(() => AddJurisdictionPayload, {
    nullable: true,
    description: '新增村/社区或网格 / Add a village under a street, or a grid under a village',
  })
  async addJurisdiction(
    @Arg('input', () => AddJurisdictionInput) input: AddJurisdictionInput,
    @Ctx() context: RequestContext,
  ): Promise<AddJurisdictionPayload> {
    const { result, userErrors } = await addJurisdiction(context, input);
    return { jurisdiction: result, userErrors };
  }

  @Mutation(() => ReorganisationPayload, {
    nullable: true,
    description:
      '网格划转 / Move a grid to another village: a new grid under that village takes every record of the old one, which is retired (dryRun: only count)',
  })
  async reorganiseMoveGrid(
    @Arg('input', () => ReorganiseMoveGridInput) input: ReorganiseMoveGridInput,
    @Ctx() context: RequestContext,
  ): Promise<ReorganisationPayload> {
    const { result, userErrors } = await reorganiseMoveGrid(context, input);
    return { reorganisation: result, userErrors };
  }

  @Mutation(() => ReorganisationPayload, {
    nullable: true,
    description:
      '网格合并 / Merge a grid into another: every record moves, the merged grid is retired (dryRun: only count)',
  })
  async reorganiseMergeGrids(
    @Arg('input', () => ReorganiseMergeGridsInput) input: ReorganiseMergeGridsInput,
    @Ctx() context: RequestContext,
  ): Promise<ReorganisationPayload> {
    const { result, userErrors } = await reorganiseMergeGrids(context, input);
    return { reorganisation: result, userErrors };
  }

  @Mutation(() => SetDisputeRoutePayload, {
    nullable: true,
    description:
      '修改纠纷分流 / Set which departments one category, source or venue routes a dispute to; every replica applies it from its next request',
  })
  async setDisputeRoute(
    @Arg('input', () => SetDisputeRouteInput) input: SetDisputeRouteInput,
    @Ctx() context: RequestContext,
  ): Promise<SetDisputeRoutePayload> {
    const { result, userErrors } = await setDisputeRoute(context, input);
    return { routing: result, userErrors };
  }
}
