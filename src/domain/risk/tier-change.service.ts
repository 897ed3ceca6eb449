// Tier overrides (变更预警级别): a request with a reason, decided by the level policy.ts names for the
// tiers involved; an approved override sets the effective tier until the next assessment. The
// overdue-review list: persons whose latest assessment is past its review-by date.
import type { RequestContext } from '../../request-scope';
import { decodeCursor, keysetPage, pageSize, toConnection, type Connection } from '../../database/paging';
import { isUuid } from '../../graphql/validation';
import { badUserInput, ErrorCode, notFound, staleVersion } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { requireTierDecider } from '../../permissions/decisions';
import { personScope } from '../../permissions/scope';
import { jurisdictionFilter } from '../organisation/organisation.service';
import { Person } from '../people/person.entity';
import { requireVisiblePerson } from '../people/people.service';
import { tierChangeLevel } from './rules';
import { TierChangeRequest, TierChangeStatus } from './tier-change.entity';
import {
  OverdueReview,
  TierDecision,
  type DecideTierChangeInput,
  type RequestTierChangeInput,
} from './tier-change.inputs';
import { recomputeTiers } from './tier.service';

export function requestTierChange(
  context: RequestContext,
  input: RequestTierChangeInput,
): Promise<MutationResult<TierChangeRequest>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'requestTierChange', input, async () => {
      const person = await requireVisiblePerson(tx, context, input.personId, 'input.personId');
      if (person.tier === input.toTier) {
        throw problem(
          'input.toTier',
          { zh: `此人已是 ${person.tier}`, en: `The person is already ${person.tier}` },
          ErrorCode.INVALID_STATE,
        );
      }
      const inserted = await tx.getRepository(TierChangeRequest).insert({
        personId: person.id,
        fromTier: person.tier,
        toTier: input.toTier,
        reason: input.reason.trim(),
        requestedById: context.user.id,
        requestedAt: context.now(),
      });
      return (inserted.identifiers[0] as { id: string }).id;
    });
    const request = await tx.getRepository(TierChangeRequest).findOneByOrFail({ id });
    return {
      result: request,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'requestTierChange',
              recordType: 'TierChangeRequest',
              recordIds: [id, request.personId],
              fields: ['toTier', 'reason'],
              detail: { from: request.fromTier, to: request.toTier },
            },
          ],
    };
  });
}

export function decideTierChange(
  context: RequestContext,
  input: DecideTierChangeInput,
): Promise<MutationResult<TierChangeRequest>> {
  return runMutation(context, input, async (tx) => {
    // Through the person's row scope, before any rule: out of scope answers like a made-up id.
    const scope = personScope(context.user, 'p', context.now());
    const request = await tx
      .getRepository(TierChangeRequest)
      .createQueryBuilder('r')
      .innerJoin(Person, 'p', 'p.id = r.person_id')
      .where('r.id = :id', { id: input.requestId })
      .andWhere(scope.sql, scope.params)
      .setLock('pessimistic_write', undefined, ['r'])
      .getOne();
    if (!request) throw notFound('TierChangeRequest');
    if (request.version !== input.expectedVersion) {
      throw staleVersion({ zh: '等级变更申请', en: 'request' }, request.version, input.expectedVersion);
    }
    if (request.status !== TierChangeStatus.PENDING) {
      throw problem(
        'input.requestId',
        { zh: `此申请已是 ${request.status}`, en: `This request was already ${request.status}` },
        ErrorCode.INVALID_STATE,
      );
    }
    const level = tierChangeLevel(request.fromTier, request.toTier);
    if (level) requireTierDecider(context.user, level);
    const now = context.now();
    const approved = input.decision === TierDecision.APPROVE;
    if (approved) {
      await tx
        .getRepository(TierChangeRequest)
        .createQueryBuilder()
        .update()
        .set({ status: TierChangeStatus.SUPERSEDED, version: () => 'version + 1' })
        .where(`person_id = :personId AND status = 'APPROVED'`, { personId: request.personId })
        .execute();
    }
    await tx
      .getRepository(TierChangeRequest)
      .createQueryBuilder()
      .update()
      .set({
        status: approved ? TierChangeStatus.APPROVED : TierChangeStatus.REJECTED,
        decidedById: context.user.id,
        decidedAt: now,
        decisionNote: input.note.trim() || null,
        version: () => 'version + 1',
      })
      .where('id = :id', { id: request.id })
      .execute();
    if (approved) await recomputeTiers(tx, [request.personId], now);
    return {
      result: await tx.getRepository(TierChangeRequest).findOneByOrFail({ id: request.id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'decideTierChange',
          recordType: 'TierChangeRequest',
          recordIds: [request.id, request.personId],
          fields: ['status'],
          detail: { decision: input.decision, from: request.fromTier, to: request.toTier },
        },
      ],
    };
  });
}

export async function listTierChangeRequests(
  context: RequestContext,
  personId: string | null | undefined,
  status: TierChangeStatus | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<TierChangeRequest>> {
  if (personId && !isUuid(personId))
    throw badUserInput(`${personId} is not an ID this API issued`, 'personId');
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const scope = personScope(context.user, 'p', context.now());
  const query = context.dataSource
    .getRepository(TierChangeRequest)
    .createQueryBuilder('r')
    .innerJoin(Person, 'p', 'p.id = r.person_id')
    .where(scope.sql, scope.params);
  if (personId) query.andWhere('r.person_id = :personId', { personId });
  if (status) query.andWhere('r.status = :status', { status });
  return keysetPage(query, 'r', 'requested_at', size, after, (request) => request.requestedAt);
}

export async function listOverdueReviews(
  context: RequestContext,
  jurisdictionId: string | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  /** The columns of each person the selection reads (`selectedColumns`); whole rows when undefined. */
  personColumns?: readonly string[],
): Promise<Connection<OverdueReview>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const now = context.now();
  const scope = personScope(context.user, 'p', now);
  const latest = (column: string) =>
    `(SELECT a.${column} FROM assessments a WHERE a.person_id = p.id ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1)`;
  const query = context.dataSource
    .getRepository(Person)
    .createQueryBuilder('p')
    .select('p.id', 'person_id')
    .addSelect(latest('id'), 'assessment_id')
    .addSelect(latest('review_by'), 'review_by')
    .where(`p.tier <> 'NONE'`)
    .andWhere(scope.sql, scope.params)
    .andWhere(`${latest('review_by')} < :now`, { now });
  if (jurisdictionId) {
    const subtree = await jurisdictionFilter(context, jurisdictionId, 'p.grid_id');
    query.andWhere(subtree.sql, subtree.params);
  }
  const totalCount = await query.clone().getCount();
  if (after) {
    const position = decodeCursor(after);
    query.andWhere(`(${latest('review_by')}, p.id) > (:afterAt, :afterId)`, {
      afterAt: position.at,
      afterId: position.id,
    });
  }
  const rows: { person_id: string; assessment_id: string; review_by: Date }[] = await query
    .orderBy('review_by', 'ASC')
    .addOrderBy('p.id', 'ASC')
    .limit(size + 1)
    .getRawMany();
  const persons = await context.loaders.people.person.loadMany(
    rows.map((row) => row.person_id),
    personColumns,
  );
  const items = rows.map((row, index) => {
    const reviewBy = new Date(row.review_by);
    return Object.assign(new OverdueReview(), {
      person: persons[index] as Person,
      assessmentId: row.assessment_id,
      reviewBy,
      daysOverdue: Math.floor((now.getTime() - reviewBy.getTime()) / 86400000),
    });
  });
  return toConnection(items, size, totalCount, (item) => ({ at: item.reviewBy, id: item.person.id }));
}
