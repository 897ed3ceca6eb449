// Review-by dates that act (SPEC §6 Time): overrides past their review-by date end, and the decider of
// the override's tier level renews one that should stay.
//
// How an override ends: the tier rule itself ignores an approved override past its review-by date
// (tier.service.ts), so any recompute after the date falls back to the computed tier; the sweep here
// makes that happen at the date without waiting for another write — it marks the request EXPIRED
// and recomputes the person in one transaction, so the tier-change history shows the expiry, the
// change feed carries the person's new tier and the request's new status, and row scope, tier filters
// and figures (which read the stored tier) follow. Between the date and the next sweep the stored tier
// is the overridden one, and `Person.reviewOverdue` already says the review is due.
import type { DataSource } from 'typeorm';
import { writeAuditEntries } from '../../audit/audit-log';
import { ErrorCode, notFound, staleVersion } from '../../graphql/errors';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { requireTierDecider } from '../../permissions/decisions';
import { personScope } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import { Person } from '../people/person.entity';
import { overrideReviewBy, overrideReviewBySql } from './review-by';
import type { RenewTierOverrideInput } from './review-by.inputs';
import { tierChangeLevel } from './rules';
import { TierChangeRequest, TierChangeStatus } from './tier-change.entity';
import { recomputeTiers } from './tier.service';

/**
 * Ends every approved override whose review-by date is at or before `now`: EXPIRED, and the person's
 * tier recomputed without it; with one audit entry naming them. Returns the requests ended.
 */
export async function lapseDueOverrides(dataSource: DataSource, now: Date): Promise<string[]> {
  return dataSource.transaction(async (tx) => {
    const lapsed = (await tx.query(
      `UPDATE tier_change_requests r SET status = 'EXPIRED', version = r.version + 1
        WHERE r.status = 'APPROVED' AND ${overrideReviewBySql('r')} <= $1
       RETURNING r.id, r.person_id`,
      [now],
    )) as unknown;
    // TypeORM answers an UPDATE … RETURNING as [rows, count].
    const rows = (Array.isArray(lapsed) && Array.isArray(lapsed[0]) ? lapsed[0] : lapsed) as {
      id: string;
      person_id: string;
    }[];
    if (rows.length === 0) return [];
    const personIds = [...new Set(rows.map((row) => row.person_id))].sort();
    await recomputeTiers(tx, personIds, now);
    await writeAuditEntries(tx, { requestId: `review-by:${now.toISOString()}`, identity: null }, [
      {
        action: 'MUTATION',
        operation: 'lapseTierOverrides',
        recordType: 'TierChangeRequest',
        recordIds: [...rows.map((row) => row.id), ...personIds],
        fields: ['status'],
        detail: { to: TierChangeStatus.EXPIRED, reason: 'review-by date passed without renewal' },
      },
    ]);
    return rows.map((row) => row.id);
  });
}

/** How often the running API looks for overrides past their review-by date. */
export const OVERRIDE_LAPSE_INTERVAL_SECONDS = 60;

export interface OverrideLapseTimer {
  stop(): Promise<void>;
}

/**
 * Runs the sweep every `intervalSeconds` while the API runs (none when 0). A failed sweep is reported
 * and tried again at the next interval; the tier rule ignores a lapsed override meanwhile anyway.
 */
export function startOverrideLapses(options: {
  dataSource: DataSource;
  clock: () => Date;
  intervalSeconds: number;
  onLapsed: (requestIds: string[]) => void;
  onError: (error: unknown) => void;
}): OverrideLapseTimer {
  let running: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    running = running
      .then(() => lapseDueOverrides(options.dataSource, options.clock()))
      .then((ids) => {
        if (ids.length > 0) options.onLapsed(ids);
      })
      .catch((error: unknown) => options.onError(error));
    return running;
  };
  void sweep();
  const timer =
    options.intervalSeconds > 0 ? setInterval(() => void sweep(), options.intervalSeconds * 1000) : null;
  timer?.unref();
  return {
    stop: async () => {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

/**
 * Renews an approved override in effect for another review period: by the decider of its tier level
 * only (TIER_CHANGE_DECIDERS), before its review-by date. The renewal is a new approved request (the
 * history keeps who renewed and why); the one it renews is SUPERSEDED.
 */
export function renewTierOverride(
  context: RequestContext,
  input: RenewTierOverrideInput,
): Promise<MutationResult<TierChangeRequest>> {
  return runMutation(context, input, async (tx) => {
    const now = context.now();
    // Through the person's row scope, before any rule: out of scope answers like a made-up id.
    const scope = personScope(context.user, 'p', now);
    const request = await tx
      .getRepository(TierChangeRequest)
      .createQueryBuilder('r')
      .innerJoin(Person, 'p', 'p.id = r.person_id')
      .where('r.id = :id', { id: input.requestId })
      .andWhere(scope.sql, scope.params)
      .setLock('pessimistic_write', undefined, ['r'])
      .getOne();
    if (!request) throw notFound('TierChangeRequest');
    const level = tierChangeLevel(request.fromTier, request.toTier);
    if (level) requireTierDecider(context.user, level);
    if (request.version !== input.expectedVersion) {
      throw staleVersion({ zh: '等级变更申请', en: 'request' }, request.version, input.expectedVersion);
    }
    const reviewBy = request.decidedAt
      ? overrideReviewBy(request.fromTier, request.toTier, request.decidedAt)
      : null;
    if (request.status !== TierChangeStatus.APPROVED || !reviewBy || reviewBy.getTime() <= now.getTime()) {
      throw problem(
        'input.requestId',
        request.status === TierChangeStatus.APPROVED || request.status === TierChangeStatus.EXPIRED
          ? {
              zh: '此人工定级已到复核日期并结束：请重新申请等级变更（requestTierChange）',
              en: 'This override has reached its review-by date and ended: request a new tier change (requestTierChange)',
            }
          : {
              zh: `只有生效中的已批准人工定级可以续期；此申请为 ${request.status}`,
              en: `Only an approved override in effect can be renewed; this request is ${request.status}`,
            },
        ErrorCode.INVALID_STATE,
      );
    }
    await tx
      .getRepository(TierChangeRequest)
      .createQueryBuilder()
      .update()
      .set({ status: TierChangeStatus.SUPERSEDED, version: () => 'version + 1' })
      .where('id = :id', { id: request.id })
      .execute();
    const inserted = await tx.getRepository(TierChangeRequest).insert({
      personId: request.personId,
      fromTier: request.fromTier,
      toTier: request.toTier,
      reason: input.reason.trim(),
      requestedById: context.user.id,
      requestedAt: now,
      status: TierChangeStatus.APPROVED,
      decidedById: context.user.id,
      decidedAt: now,
      decisionNote: '续期 / Renewed for another review period',
    });
    const renewalId = (inserted.identifiers[0] as { id: string }).id;
    await recomputeTiers(tx, [request.personId], now);
    return {
      result: await tx.getRepository(TierChangeRequest).findOneByOrFail({ id: renewalId }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'renewTierOverride',
          recordType: 'TierChangeRequest',
          recordIds: [renewalId, request.id, request.personId],
          fields: ['status', 'reason'],
          detail: { tier: request.toTier, renews: request.id },
        },
      ],
    };
  });
}
