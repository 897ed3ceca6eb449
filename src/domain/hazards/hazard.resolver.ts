// GraphQL entry points of the hazardous-goods area: thin — arguments in, service call, result out.
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../request-scope';
import { HazardBusiness } from './hazard.entity';
import {
  HazardBusinessConnection,
  HazardSaleConnection,
  HazardBusinessPayload,
  HazardSalesPayload,
  ImportHazardSalesInput,
  RecordHazardSalesInput,
  RegisterHazardBusinessInput,
} from './hazard.inputs';
import {
  importHazardSales,
  listHazardBusinesses,
  listHazardSales,
  recordHazardSales,
  registerHazardBusiness,
} from './hazard.service';

const NOTHING = { added: 0, skipped: 0 };

@Resolver(() => HazardBusiness)
export class HazardResolver {
  @Query(() => HazardBusinessConnection, {
    nullable: true,
    description: '危险物品经营单位（新到旧） / Hazardous-goods businesses in your jurisdiction, newest first',
  })
  hazardBusinesses(
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listHazardBusinesses(context, first, after);
  }

  @Query(() => HazardSaleConnection, {
    nullable: true,
    description: '实名销售记录（新到旧） / Real-name sales of a business, newest first',
  })
  hazardSales(
    @Arg('businessId', () => ID) businessId: string,
    @Ctx() context: RequestContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    return listHazardSales(context, businessId, first, after);
  }

  @Mutation(() => HazardBusinessPayload, {
    nullable: true,
    description: '登记经营单位 / Register a hazardous-goods business',
  })
  async registerHazardBusiness(
    @Arg('input', () => RegisterHazardBusinessInput) input: RegisterHazardBusinessInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await registerHazardBusiness(context, input);
    return { business: result, userErrors };
  }

  @Mutation(() => HazardSalesPayload, {
    nullable: true,
    description: '录入实名销售 / Record sales (idempotent per receipt number)',
  })
  async recordHazardSales(
    @Arg('input', () => RecordHazardSalesInput) input: RecordHazardSalesInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await recordHazardSales(context, input);
    return { ...(result ?? NOTHING), userErrors };
  }

  @Mutation(() => HazardSalesPayload, {
    nullable: true,
    description: '导入实名销售（CSV/JSON，可重复导入） / Import sales; re-importing adds nothing',
  })
  async importHazardSales(
    @Arg('input', () => ImportHazardSalesInput) input: ImportHazardSalesInput,
    @Ctx() context: RequestContext,
  ) {
    const { result, userErrors } = await importHazardSales(context, input);
    return { ...(result ?? NOTHING), userErrors };
  }
}
