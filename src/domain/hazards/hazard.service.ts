// The hazardous-goods registers: businesses and their real-name sales, recorded one by one or
// imported (CSV or JSON), idempotent per business and receipt number. A new sale whose buyer ID
// number is that of an ORANGE or RED person raises one alert to POLICE, in the same transaction; the
// importer's answer and the audit entry are the same whether or not a buyer matched (no oracle).
import { plainToInstance } from '../../graphql/instances';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import { keysetPage, pageSize, type Connection } from '../../database/paging';
import { isUuid } from '../../graphql/validation';
import { badUserInput, notFound, userError, UserInputProblem, type UserError } from '../../graphql/errors';
import {
  constraintMessageZh,
  createIdempotently,
  inputProblems,
  problem,
  runMutation,
  type MutationResult,
} from '../../graphql/mutation';
import { gridInScope } from '../../permissions/scope';
import { deliverAlert } from '../alerts/alert.service';
import { AlertKind } from '../alerts/alert.entity';
import { requireGridInScope } from '../organisation/organisation.service';
import { Tier } from '../risk/risk.enums';
import { HazardBusiness, HazardSale } from './hazard.entity';
import {
  HazardSaleInput,
  type ImportHazardSalesInput,
  type RecordHazardSalesInput,
  type RegisterHazardBusinessInput,
} from './hazard.inputs';
import { LICENSE_NUMBER_NOT_ACCEPTED, parseSalesDocument } from './rules';

export function registerHazardBusiness(
  context: RequestContext,
  input: RegisterHazardBusinessInput,
): Promise<MutationResult<HazardBusiness>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(
      tx,
      context,
      'registerHazardBusiness',
      input,
      async () => {
        await requireGridInScope(tx, context, input.gridId, 'input.gridId');
        if (await tx.getRepository(HazardBusiness).findOneBy({ licenseNumber: input.licenseNumber })) {
          // Word for word what the input rule says of a malformed number (isRegistrableLicenseNumber).
          throw problem('input.licenseNumber', {
            zh: constraintMessageZh('isRegistrableLicenseNumber'),
            en: LICENSE_NUMBER_NOT_ACCEPTED,
          });
        }
        const inserted = await tx.getRepository(HazardBusiness).insert({
          name: input.name.trim(),
          licenseNumber: input.licenseNumber,
          activities: [...new Set(input.activities)],
          goods: input.goods.trim(),
          address: input.address.trim(),
          gridId: input.gridId,
          createdById: context.user.id,
        });
        return (inserted.identifiers[0] as { id: string }).id;
      },
    );
    return {
      result: await tx.getRepository(HazardBusiness).findOneByOrFail({ id }),
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'registerHazardBusiness',
              recordType: 'HazardBusiness',
              recordIds: [id],
              fields: ['name', 'licenseNumber'],
            },
          ],
    };
  });
}

async function businessInScope(
  tx: EntityManager,
  context: RequestContext,
  businessId: string,
): Promise<HazardBusiness> {
  const scope = gridInScope(context.user, 'b.grid_id');
  const business = await tx
    .getRepository(HazardBusiness)
    .createQueryBuilder('b')
    .where('b.id = :businessId', { businessId })
    .andWhere(scope.sql, scope.params)
    .getOne();
  // The same answer for another jurisdiction's business as for a random id, naming neither.
  if (!business)
    throw problem('input.businessId', {
      zh: '您的辖区内没有此编号的危险物品经营单位',
      en: 'No hazardous-goods business with this id within your jurisdiction',
    });
  return business;
}

/**
 * What the importer learns: how many rows were added, and how many were skipped because their
 * receipt number is already on the business's register (which the importer reads) or repeats in
 * the document. Nothing here may depend on the persons register.
 */
export interface SalesOutcome {
  added: number;
  skipped: number;
}

async function storeSales(
  tx: EntityManager,
  context: RequestContext,
  business: HazardBusiness,
  sales: readonly HazardSaleInput[],
  operation: string,
): Promise<MutationResultParts> {
  const column = <K extends keyof HazardSaleInput>(key: K) => sales.map((sale) => sale[key]);
  const rows = (await tx.query(
    `INSERT INTO hazard_sales (business_id, receipt_number, buyer_name, buyer_id_number, item, quantity, unit, sold_at, recorded_by_id)
     SELECT $1, r.receipt_number, r.buyer_name, r.buyer_id_number, r.item, r.quantity, r.unit, r.sold_at, $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::text[], $9::timestamptz[])
         AS r(receipt_number, buyer_name, buyer_id_number, item, quantity, unit, sold_at)
     ON CONFLICT (business_id, receipt_number) DO NOTHING
     RETURNING id, buyer_id_number, item, quantity, unit`,
    [
      business.id,
      context.user.id,
      column('receiptNumber'),
      column('buyerName').map((name) => name.trim()),
      column('buyerIdNumber'),
      column('item').map((item) => item.trim()),
      column('quantity'),
      column('unit'),
      column('soldAt'),
    ],
  )) as { id: string; buyer_id_number: string; item: string; quantity: string; unit: string }[];
  const matches: { id: string; grid_id: string; tier: Tier; id_number: string }[] = rows.length
    ? await tx.query(
        `SELECT id, grid_id, tier, id_number FROM persons WHERE id_number = ANY($1) AND tier IN ('ORANGE', 'RED')`,
        [[...new Set(rows.map((row) => row.buyer_id_number))]],
      )
    : [];
  // The alerts are POLICE's record of a match; nothing below counts them or tells the importer.
  for (const row of rows) {
    for (const person of matches.filter((match) => match.id_number === row.buyer_id_number)) {
      await deliverAlert(tx, {
        kind: AlertKind.HAZARDOUS_PURCHASE,
        personId: person.id,
        gridId: person.grid_id,
        tier: person.tier,
        description: `${person.tier} 级人员在「${business.name}」购买 ${row.item} ${Number(row.quantity)}${row.unit} / a ${person.tier} person bought hazardous goods`,
        raisedById: null,
        raisedAt: context.now(),
      });
    }
  }
  const outcome: SalesOutcome = { added: rows.length, skipped: sales.length - rows.length };
  return {
    outcome,
    audit: [
      {
        action: 'MUTATION',
        operation,
        recordType: 'HazardSale',
        recordIds: [business.id, ...rows.map((row) => row.id)],
        fields: ['buyerName', 'buyerIdNumber', 'item', 'quantity'],
        detail: { ...outcome },
      },
    ],
  };
}

interface MutationResultParts {
  outcome: SalesOutcome;
  audit: import('../../audit/audit-log').AuditRecord[];
}

export function recordHazardSales(
  context: RequestContext,
  input: RecordHazardSalesInput,
): Promise<MutationResult<SalesOutcome>> {
  return runMutation(context, input, async (tx) => {
    const business = await businessInScope(tx, context, input.businessId);
    const { outcome, audit } = await storeSales(tx, context, business, input.sales, 'recordHazardSales');
    return { result: outcome, audit };
  });
}

export function importHazardSales(
  context: RequestContext,
  input: ImportHazardSalesInput,
): Promise<MutationResult<SalesOutcome>> {
  return runMutation(context, input, async (tx) => {
    const business = await businessInScope(tx, context, input.businessId);
    const parsed = parseSalesDocument(input.format, input.content);
    if ('error' in parsed) throw problem('input.content', { zh: '销售文件无法读取', en: parsed.error });
    const sales = parsed.records.map((record) => plainToInstance(HazardSaleInput, record));
    const problems: UserError[] = [];
    for (const [index, sale] of sales.entries()) {
      problems.push(...(await inputProblems(sale, `input.content.${index + 1}`)));
    }
    if (problems.length > 0) throw new UserInputProblem(problems.slice(0, 50));
    if (sales.length === 0)
      throw new UserInputProblem([
        userError('input.content', { zh: '文件中没有销售记录', en: 'The document holds no sales' }),
      ]);
    const { outcome, audit } = await storeSales(tx, context, business, sales, 'importHazardSales');
    return { result: outcome, audit };
  });
}

export async function listHazardBusinesses(
  context: RequestContext,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<HazardBusiness>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const scope = gridInScope(context.user, 'b.grid_id');
  const query = context.dataSource
    .getRepository(HazardBusiness)
    .createQueryBuilder('b')
    .where(scope.sql, scope.params);
  return keysetPage(query, 'b', 'created_at', size, after, (business) => business.createdAt);
}

/** A business's sales, newest first; another jurisdiction's business is answered as a random id is. */
export async function listHazardSales(
  context: RequestContext,
  businessId: string,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<HazardSale>> {
  if (!isUuid(businessId)) throw badUserInput(`${businessId} is not an ID this API issued`, 'businessId');
  const business = await businessInScope(context.dataSource.manager, context, businessId).catch(() => null);
  if (!business) throw notFound('HazardBusiness');
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const query = context.dataSource
    .getRepository(HazardSale)
    .createQueryBuilder('s')
    .where('s.business_id = :businessId', { businessId: business.id });
  return keysetPage(query, 's', 'sold_at', size, after, (sale) => sale.soldAt);
}
