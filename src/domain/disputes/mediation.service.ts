// Mediation sessions of disputes in mediation, and the return visits that fall due 30 and 90 days
// after a dispute is resolved (回访).
import type { RequestContext } from '../../request-scope';
import { ErrorCode } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../database/paging';
import { disputeScope } from '../../permissions/scope';
import { Dispute, MediationSession, ReturnVisit } from './dispute.entity';
import { requireVisibleDispute } from './dispute.service';
import {
  ReturnVisitDue as ReturnVisitDueType,
  type RecordMediationSessionInput,
  type RecordReturnVisitInput,
  type ReturnVisitDue,
} from './dispute.inputs';
import { DisputeStatus } from './disputes.enums';
import { RETURN_VISIT_DAYS } from './rules';

export function recordMediationSession(
  context: RequestContext,
  input: RecordMediationSessionInput,
): Promise<MutationResult<MediationSession>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(
      tx,
      context,
      'recordMediationSession',
      input,
      async () => {
        const dispute = await requireVisibleDispute(tx, context, input.disputeId, 'input.disputeId');
        if (dispute.status !== DisputeStatus.IN_MEDIATION) {
          throw problem(
            'input.disputeId',
            {
              zh: `调解记录只登记在调解中（IN_MEDIATION）的纠纷上；此纠纷为 ${dispute.status}`,
              en: `Sessions are recorded for disputes IN_MEDIATION; this one is ${dispute.status}`,
            },
            ErrorCode.INVALID_STATE,
          );
        }
        if (input.judiciallyConfirmed && !input.judicialConfirmationDate) {
          throw problem('input.judicialConfirmationDate', {
            zh: '司法确认须填写日期',
            en: 'a judicial confirmation names its date',
          });
        }
        const inserted = await tx.getRepository(MediationSession).insert({
          disputeId: dispute.id,
          heldAt: input.heldAt ?? context.now(),
          venue: input.venue.trim(),
          mediatorName: input.mediatorName.trim(),
          outcome: input.outcome,
          agreementText: input.agreementText.trim(),
          notes: input.notes.trim(),
          judiciallyConfirmed: input.judiciallyConfirmed,
          judicialConfirmationDate: input.judicialConfirmationDate ?? null,
          recordedById: context.user.id,
        });
        return (inserted.identifiers[0] as { id: string }).id;
      },
    );
    const session = await tx.getRepository(MediationSession).findOneByOrFail({ id });
    return {
      result: session,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'recordMediationSession',
              recordType: 'MediationSession',
              recordIds: [id, input.disputeId],
              fields: ['outcome', 'agreementText', 'notes', 'judiciallyConfirmed'],
            },
          ],
    };
  });
}

export function recordReturnVisit(
  context: RequestContext,
  input: RecordReturnVisitInput,
): Promise<MutationResult<ReturnVisit>> {
  return runMutation(context, input, async (tx) => {
    const dispute = await requireVisibleDispute(tx, context, input.disputeId, 'input.disputeId');
    if (dispute.status !== DisputeStatus.RESOLVED) {
      throw problem(
        'input.disputeId',
        {
          zh: `回访只针对已化解（RESOLVED）的纠纷；此纠纷为 ${dispute.status}`,
          en: `Return visits follow a RESOLVED dispute; this one is ${dispute.status}`,
        },
        ErrorCode.INVALID_STATE,
      );
    }
    if (input.sequence > RETURN_VISIT_DAYS.length) {
      throw problem('input.sequence', {
        zh: '回访序号为 1（30 天）或 2（90 天）',
        en: 'sequence is 1 (30 days) or 2 (90 days)',
      });
    }
    const done = await tx
      .getRepository(ReturnVisit)
      .findOneBy({ disputeId: dispute.id, sequence: input.sequence });
    if (done) {
      throw problem(
        'input.sequence',
        {
          zh: `第 ${input.sequence} 次回访已登记`,
          en: `Return visit ${input.sequence} was already recorded`,
        },
        ErrorCode.INVALID_STATE,
      );
    }
    const inserted = await tx.getRepository(ReturnVisit).insert({
      disputeId: dispute.id,
      sequence: input.sequence,
      occurredAt: context.now(),
      byId: context.user.id,
      method: input.method,
      notes: input.notes.trim(),
    });
    const id = (inserted.identifiers[0] as { id: string }).id;
    return {
      result: await tx.getRepository(ReturnVisit).findOneByOrFail({ id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'recordReturnVisit',
          recordType: 'ReturnVisit',
          recordIds: [id, dispute.id],
          fields: ['sequence', 'notes'],
        },
      ],
    };
  });
}

/** Return visits not yet made whose due date is within `horizonDays` from now, oldest due first. */
export async function listReturnVisitsDue(
  context: RequestContext,
  first: number | null | undefined,
  after: string | null | undefined,
  horizonDays: number,
): Promise<Connection<ReturnVisitDue>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const position = after ? decodeCursor(after) : null;
  const scope = disputeScope(context.user, 'd');
  const now = context.now();
  const dueAt = `d.closed_at + visit.days * interval '1 day'`;
  const query = context.dataSource
    .getRepository(Dispute)
    .createQueryBuilder('d')
    .innerJoin(
      `(SELECT unnest(:sequences::int[]) AS sequence, unnest(:days::int[]) AS days)`,
      'visit',
      'true',
    )
    .select('d.id', 'dispute_id')
    .addSelect('visit.sequence', 'sequence')
    .addSelect(dueAt, 'due_at')
    .where(`d.status = 'RESOLVED'`)
    .andWhere(scope.sql, scope.params)
    .andWhere(`${dueAt} <= :horizon`, { horizon: new Date(now.getTime() + horizonDays * 86400000) })
    .andWhere(
      `NOT EXISTS (SELECT 1 FROM return_visits rv WHERE rv.dispute_id = d.id AND rv.sequence = visit.sequence)`,
    )
    .setParameters({ sequences: RETURN_VISIT_DAYS.map((_, i) => i + 1), days: [...RETURN_VISIT_DAYS] });
  // A dispute's visits fall due on different days, so (due date, dispute) names one visit.
  const [countSql, countParameters] = query.getQueryAndParameters();
  const [counted]: { count: string }[] = await context.dataSource.query(
    `SELECT COUNT(*) AS count FROM (${countSql}) due`,
    countParameters,
  );
  if (position) {
    query.andWhere(`(${dueAt}, d.id) > (:afterAt, :afterId)`, { afterAt: position.at, afterId: position.id });
  }
  const rows: { dispute_id: string; sequence: number; due_at: Date }[] = await query
    .orderBy('due_at', 'ASC')
    .addOrderBy('d.id', 'ASC')
    .limit(size + 1)
    .getRawMany();
  const disputes = await context.loaders.disputes.disputeById.loadMany(rows.map((row) => row.dispute_id));
  const items = rows.flatMap((row, index) => {
    const dispute = disputes[index];
    if (!dispute || dispute instanceof Error) return [];
    const due = new Date(row.due_at);
    return [
      Object.assign(new ReturnVisitDueType(), {
        dispute,
        sequence: row.sequence,
        dueAt: due,
        overdue: due < now,
      }),
    ];
  });
  return toConnection(items, size, Number(counted?.count ?? 0), (item) => ({
    at: item.dueAt,
    id: item.dispute.id,
  }));
}
