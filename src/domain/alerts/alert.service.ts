// Alerts: raised on a person (or by an injury report or a hazardous purchase), delivered to the
// recipients its routing names; a user sees and acknowledges only alerts addressed to them.
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import {
  decodeOrderedCursor,
  encodeOrderedCursor,
  keysetPage,
  pageSize,
  toCursorConnection,
  type Connection,
} from '../../database/paging';
import type { SortDirection } from '../../graphql/connection';
import { badUserInput, ErrorCode, notFound } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { gridInScope } from '../../permissions/scope';
import { requireGridInScope } from '../organisation/organisation.service';
import { usersInSeat } from '../organisation/seats';
import { integrationsOfSeats } from '../webhooks/alert-recipients';
import { requireVisiblePerson } from '../people/people.service';
import { Tier } from '../risk/risk.enums';
import { Alert, AlertKind, AlertRecipient, InjuryReport } from './alert.entity';
import {
  AlertSortField,
  ReceivedAlert,
  type AcknowledgeAlertInput,
  type InjuryReportFilter,
  type RaiseAlertInput,
  type ReportInjuryInput,
} from './alert.inputs';
import { ALERT_CHANNEL } from './alert-feed';
import { alertRecipients } from './rules';

export interface NewAlert {
  kind: AlertKind;
  personId: string | null;
  gridId: string;
  tier: Tier;
  description: string;
  raisedById: string | null;
  raisedAt: Date;
}

/** Inserts an alert and its recipients; returns the alert id and who receives it. */
export async function deliverAlert(
  tx: EntityManager,
  alert: NewAlert,
): Promise<{ id: string; recipients: string[] }> {
  const inserted = await tx.getRepository(Alert).insert({
    kind: alert.kind,
    personId: alert.personId,
    gridId: alert.gridId,
    tierAtRaise: alert.tier,
    description: alert.description,
    raisedById: alert.raisedById,
    raisedAt: alert.raisedAt,
  });
  const id = (inserted.identifiers[0] as { id: string }).id;
  const recipients = new Set<string>();
  for (const seat of alertRecipients(alert.kind, alert.tier)) {
    for (const userId of await usersInSeat(tx, alert.gridId, seat)) recipients.add(userId);
  }
  const seats = alertRecipients(alert.kind, alert.tier);
  for (const accountId of await integrationsOfSeats(tx, alert.gridId, seats)) recipients.add(accountId);
  if (recipients.size > 0) {
    await tx.getRepository(AlertRecipient).insert([...recipients].map((userId) => ({ alertId: id, userId })));
    // Delivered by PostgreSQL only if this transaction commits (see alert-feed.ts).
    await tx.query(`SELECT pg_notify($1, $2)`, [
      ALERT_CHANNEL,
      JSON.stringify({ alertId: id, recipients: [...recipients] }),
    ]);
  }
  return { id, recipients: [...recipients] };
}

export function raiseAlert(context: RequestContext, input: RaiseAlertInput): Promise<MutationResult<Alert>> {
  return runMutation(context, input, async (tx) => {
    let recipients = 0;
    const { id, replayed } = await createIdempotently(tx, context, 'raiseAlert', input, async () => {
      const person = await requireVisiblePerson(tx, context, input.personId, 'input.personId');
      const delivered = await deliverAlert(tx, {
        kind: AlertKind.ANOMALY,
        personId: person.id,
        gridId: person.gridId,
        tier: person.tier,
        description: input.description.trim(),
        raisedById: context.user.id,
        raisedAt: context.now(),
      });
      recipients = delivered.recipients.length;
      return delivered.id;
    });
    const alert = await tx.getRepository(Alert).findOneByOrFail({ id });
    return {
      result: alert,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'raiseAlert',
              recordType: 'Alert',
              recordIds: [id, input.personId],
              fields: ['description'],
              detail: { recipients, tier: alert.tierAtRaise },
            },
          ],
    };
  });
}

export function acknowledgeAlert(
  context: RequestContext,
  input: AcknowledgeAlertInput,
): Promise<MutationResult<Alert>> {
  return runMutation(context, input, async (tx) => {
    const updated = await tx
      .createQueryBuilder()
      .update(AlertRecipient)
      .set({ acknowledgedAt: context.now() })
      .where('alert_id = :alertId AND user_id = :me AND acknowledged_at IS NULL', {
        alertId: input.alertId,
        me: context.user.id,
      })
      .execute();
    if (updated.affected === 0) {
      const mine = await tx
        .getRepository(AlertRecipient)
        .findOneBy({ alertId: input.alertId, userId: context.user.id });
      if (!mine) throw notFound('Alert');
      throw problem(
        'input.alertId',
        { zh: '您已确认过此预警', en: 'You already acknowledged this alert' },
        ErrorCode.INVALID_STATE,
      );
    }
    return {
      result: await tx.getRepository(Alert).findOneByOrFail({ id: input.alertId }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'acknowledgeAlert',
          recordType: 'Alert',
          recordIds: [input.alertId],
          fields: ['acknowledgedAt'],
        },
      ],
    };
  });
}

/** Alerts addressed to the caller, newest first; only unacknowledged ones when asked. */
/**
 * The alerts addressed to the caller, a page at a time by the time raised (newest first unless
 * asked otherwise), ties broken by id. Only their own: the recipient row is the scope.
 */
export async function listMyAlerts(
  context: RequestContext,
  unacknowledgedOnly: boolean,
  first: number | null | undefined,
  after: string | null | undefined,
  orderBy?: { field: AlertSortField; direction: SortDirection } | null,
): Promise<Connection<ReceivedAlert>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const order = {
    name: orderBy?.field ?? AlertSortField.RAISED_AT,
    direction: (orderBy?.direction ?? 'DESC') as 'ASC' | 'DESC',
  };
  const position = after ? decodeOrderedCursor(order, after) : null;
  const mine = context.dataSource
    .getRepository(Alert)
    .createQueryBuilder('a')
    .innerJoin(AlertRecipient, 'r', 'r.alert_id = a.id AND r.user_id = :me', { me: context.user.id })
    .where(unacknowledgedOnly ? 'r.acknowledged_at IS NULL' : 'true');
  const totalCount = await mine.clone().getCount();
  // Compared at the cursor's precision (milliseconds), whoever wrote the time raised.
  const raised = `date_trunc('milliseconds', a.raised_at)`;
  const page = mine.clone().addSelect('r.acknowledged_at', 'recipient_acknowledged_at');
  if (position) {
    page.andWhere(`(${raised}, a.id) ${order.direction === 'DESC' ? '<' : '>'} (:afterAt, :afterId)`, {
      afterAt: position.key,
      afterId: position.id,
    });
  }
  const rows = await page
    .orderBy(raised, order.direction)
    .addOrderBy('a.id', order.direction)
    .limit(size + 1)
    .getRawAndEntities();
  const acknowledged = new Map(
    (rows.raw as { a_id: string; recipient_acknowledged_at: Date | null }[]).map((raw) => [
      raw.a_id,
      raw.recipient_acknowledged_at,
    ]),
  );
  const received = rows.entities.map((alert) =>
    Object.assign(new ReceivedAlert(), { alert, acknowledgedAt: acknowledged.get(alert.id) ?? null }),
  );
  return toCursorConnection(received, size, totalCount, ({ alert }) =>
    encodeOrderedCursor(order, alert.raisedAt, alert.id),
  );
}

export function reportInjury(
  context: RequestContext,
  input: ReportInjuryInput,
): Promise<MutationResult<InjuryReport>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'reportInjury', input, () =>
      fileInjuryReport(tx, context, input),
    );
    const report = await tx.getRepository(InjuryReport).findOneByOrFail({ id });
    return {
      result: report,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'reportInjury',
              recordType: 'InjuryReport',
              recordIds: report.alertId ? [id, report.alertId] : [id],
              fields: ['cause', 'description', 'injuredPersonId', 'suspectPersonId'],
            },
          ],
    };
  });
}

/** Files the report and raises its alert to POLICE; returns the report's id. */
async function fileInjuryReport(
  tx: EntityManager,
  context: RequestContext,
  input: ReportInjuryInput,
): Promise<string> {
  await requireGridInScope(tx, context, input.gridId, 'input.gridId');
  const linked = [
    ['injuredPersonId', input.injuredPersonId],
    ['suspectPersonId', input.suspectPersonId],
  ] as const;
  let tier = Tier.NONE;
  for (const [field, personId] of linked) {
    if (!personId) continue;
    const person = await requireVisiblePerson(tx, context, personId, `input.${field}`);
    if (field === 'suspectPersonId') tier = person.tier;
  }
  const now = context.now();
  const alert = await deliverAlert(tx, {
    kind: AlertKind.INJURY_REPORT,
    personId: input.suspectPersonId ?? input.injuredPersonId ?? null,
    gridId: input.gridId,
    tier,
    description: `${input.facility}：${input.cause} — ${input.description.trim()}`,
    raisedById: context.user.id,
    raisedAt: now,
  });
  const inserted = await tx.getRepository(InjuryReport).insert({
    facility: input.facility.trim(),
    cause: input.cause,
    description: input.description.trim(),
    injuredPersonId: input.injuredPersonId ?? null,
    suspectPersonId: input.suspectPersonId ?? null,
    gridId: input.gridId,
    reportedAt: now,
    reportedById: context.user.id,
    alertId: alert.id,
  });
  return (inserted.identifiers[0] as { id: string }).id;
}

/**
 * Injury reports filed in the caller's jurisdiction subtree, newest first. The report is a record of
 * the kind its readers handle (SOCIAL_AFFAIRS files it, POLICE act on it), so its grid decides the
 * row scope, as for every record of a department's own kind (SPEC §4); a linked person is optional
 * and does not hide the report. A linked person outside the caller's person scope is shown as null,
 * exactly as when no person is linked (policy.ts `references`: no foreign ids).
 */
export async function listInjuryReports(
  context: RequestContext,
  filter: InjuryReportFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<InjuryReport>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const scope = gridInScope(context.user, 'r.grid_id');
  const query = context.dataSource
    .getRepository(InjuryReport)
    .createQueryBuilder('r')
    .where(scope.sql, scope.params);
  if (filter?.causes?.length) query.andWhere('r.cause = ANY(:causes)', { causes: filter.causes });
  for (const [field, bound] of [
    ['reportedFrom', filter?.reportedFrom],
    ['reportedBefore', filter?.reportedBefore],
  ] as const) {
    if (bound && Number.isNaN(bound.getTime()))
      throw badUserInput(`${field} is not a date`, `filter.${field}`);
  }
  if (filter?.reportedFrom)
    query.andWhere('r.reported_at >= :reportedFrom', { reportedFrom: filter.reportedFrom });
  if (filter?.reportedBefore)
    query.andWhere('r.reported_at < :reportedBefore', { reportedBefore: filter.reportedBefore });
  return keysetPage(query, 'r', 'reported_at', size, after, (row) => row.reportedAt);
}
