// The disputes area: register disputes with their parties, move them through their lifecycle and
// list them within row scope. Opening or closing a dispute recomputes its parties' tiers.
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import { orderedKeysetPage, pageSize, type Connection, type PageOrder } from '../../database/paging';
import type { SortDirection } from '../../graphql/connection';
import { isUuid } from '../../graphql/validation';
import { badUserInput, ErrorCode, notFound, staleVersion } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { disputeScope, personScope } from '../../permissions/scope';
import { jurisdictionFilter, requireGridInScope } from '../organisation/organisation.service';
import { Person } from '../people/person.entity';
import { recomputeTiers } from '../risk/tier.service';
import { Dispute, DisputeEscalation, DisputeParty } from './dispute.entity';
import { DisputeLevel } from './disputes.enums';
import type {
  DisputeSortField,
  ChangeDisputeStatusInput,
  DisputeFilter,
  EscalateDisputeInput,
  RegisterDisputeInput,
} from './dispute.inputs';
import { checkTransition, isOpen, nextLevel } from './rules';
import { requireTransitionAllowed } from '../../permissions/decisions';

/** The dispute, when the caller may see it; otherwise a userError on `field` (nothing is revealed). */
export async function requireVisibleDispute(
  tx: EntityManager,
  context: RequestContext,
  disputeId: string,
  field: string,
): Promise<Dispute> {
  const scope = disputeScope(context.user, 'd');
  const dispute = await tx
    .getRepository(Dispute)
    .createQueryBuilder('d')
    .where('d.id = :disputeId', { disputeId })
    .andWhere(scope.sql, scope.params)
    .getOne();
  if (!dispute)
    throw problem(field, {
      zh: '您的范围内没有此编号的纠纷',
      en: 'No dispute with this id within your scope',
    });
  return dispute;
}

/** Locks a visible dispute for an update at `expectedVersion`: NOT_FOUND outside scope, a CONFLICT userError when stale. */
async function lockVisibleDispute(
  tx: EntityManager,
  context: RequestContext,
  disputeId: string,
  expectedVersion: number,
): Promise<Dispute> {
  const scope = disputeScope(context.user, 'd');
  const current = await tx
    .getRepository(Dispute)
    .createQueryBuilder('d')
    .where('d.id = :id', { id: disputeId })
    .andWhere(scope.sql, scope.params)
    .setLock('pessimistic_write')
    .getOne();
  if (!current) throw notFound('Dispute');
  if (current.version !== expectedVersion) {
    throw staleVersion({ zh: '纠纷', en: 'dispute' }, current.version, expectedVersion);
  }
  return current;
}

export async function registerDispute(
  context: RequestContext,
  input: RegisterDisputeInput,
): Promise<MutationResult<Dispute>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'registerDispute', input, async () => {
      await requireGridInScope(tx, context, input.gridId, 'input.gridId');
      const personIds = input.parties.map((party) => party.personId);
      if (new Set(personIds).size !== personIds.length) {
        throw problem('input.parties', {
          zh: '同一人只能作为一方当事人出现一次',
          en: 'a person can be a party only once',
        });
      }
      const scope = personScope(context.user, 'p', context.now());
      const found = await tx
        .getRepository(Person)
        .createQueryBuilder('p')
        .select('p.id')
        .where('p.id = ANY(:personIds)', { personIds })
        .andWhere(scope.sql, scope.params)
        .getMany();
      const foundIds = new Set(found.map((person) => person.id));
      const missing = input.parties.findIndex((party) => !foundIds.has(party.personId));
      if (missing >= 0) {
        throw problem(`input.parties.${missing}.personId`, {
          zh: '您的范围内没有此编号的人员',
          en: 'No person with this id within your scope',
        });
      }
      const now = context.now();
      const inserted = await tx.getRepository(Dispute).insert({
        category: input.category,
        description: input.description.trim(),
        source: input.source,
        gridId: input.gridId,
        reportedById: context.user.id,
        reportedAt: input.reportedAt ?? now,
      });
      const disputeId = (inserted.identifiers[0] as { id: string }).id;
      await tx
        .getRepository(DisputeParty)
        .insert(input.parties.map((party) => ({ disputeId, personId: party.personId, role: party.role })));
      await recomputeTiers(tx, personIds, now);
      return disputeId;
    });
    const dispute = await tx.getRepository(Dispute).findOneByOrFail({ id });
    return {
      result: dispute,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'registerDispute',
              recordType: 'Dispute',
              recordIds: [id, ...input.parties.map((party) => party.personId)],
              fields: ['category', 'description', 'source', 'gridId', 'parties'],
            },
          ],
    };
  });
}

export async function changeDisputeStatus(
  context: RequestContext,
  input: ChangeDisputeStatusInput,
): Promise<MutationResult<Dispute>> {
  return runMutation(context, input, async (tx) => {
    const current = await lockVisibleDispute(tx, context, input.disputeId, input.expectedVersion);
    requireTransitionAllowed(context.user, input.status, current.gridId);
    const check = checkTransition(current.status, input.status);
    if (!check.allowed) {
      throw problem(
        'input.status',
        {
          zh: `${current.status} 状态的纠纷不能改为 ${input.status}；可改为：${check.allowedNext.join('、') || '无（已结束）'}`,
          en: `A ${current.status} dispute cannot become ${input.status}; allowed: ${check.allowedNext.join(', ') || 'none (it is closed)'}`,
        },
        ErrorCode.INVALID_STATE,
      );
    }
    const now = context.now();
    const closes = isOpen(current.status) && !isOpen(input.status);
    await tx
      .getRepository(Dispute)
      .createQueryBuilder()
      .update()
      .set({ status: input.status, version: () => 'version + 1', ...(closes ? { closedAt: now } : {}) })
      .where('id = :id AND version = :version', { id: current.id, version: current.version })
      .execute();
    if (isOpen(current.status) !== isOpen(input.status)) {
      const parties = await tx.getRepository(DisputeParty).findBy({ disputeId: current.id });
      await recomputeTiers(
        tx,
        parties.map((party) => party.personId),
        now,
      );
    }
    // The note may name someone, so it is kept where retention can erase it, not in the audit chain.
    const changes: { id: string }[] = await tx.query(
      `INSERT INTO dispute_status_changes (dispute_id, from_status, to_status, note, changed_at, changed_by_id)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [current.id, current.status, input.status, input.note ?? null, now, context.user.id],
    );
    const dispute = await tx.getRepository(Dispute).findOneByOrFail({ id: current.id });
    return {
      result: dispute,
      audit: [
        {
          action: 'MUTATION',
          operation: 'changeDisputeStatus',
          recordType: 'Dispute',
          recordIds: [current.id],
          fields: ['status'],
          detail: {
            from: current.status,
            to: input.status,
            statusChangeId: (changes[0] as { id: string }).id,
          },
        },
      ],
    };
  });
}

export async function findDispute(context: RequestContext, id: string): Promise<Dispute> {
  if (!isUuid(id)) throw badUserInput(`${id} is not an ID this API issued`, 'id');
  const dispute = await context.loaders.disputes.disputeById.load(id);
  if (!dispute) throw notFound('Dispute');
  return dispute;
}

/** The orders a disputes list may be sorted in; who may use each is ARGUMENT_POLICY's. */
const DISPUTE_ORDERS: Readonly<Record<DisputeSortField, Omit<PageOrder<Dispute>, 'name' | 'direction'>>> = {
  REPORTED_AT: { column: 'reported_at', key: (dispute) => dispute.reportedAt },
  UPDATED_AT: { column: 'updated_at', key: (dispute) => dispute.updatedAt },
};

/** The longest text a disputes list is searched for: a search, not a document. */
const SEARCH_TEXT_MAX = 100;

export async function listDisputes(
  context: RequestContext,
  filter: DisputeFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  orderBy?: { field: DisputeSortField; direction: SortDirection } | null,
): Promise<Connection<Dispute>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const text = filter?.text?.trim();
  if (text && text.length > SEARCH_TEXT_MAX) {
    throw badUserInput(`text must be at most ${SEARCH_TEXT_MAX} characters`, 'filter.text');
  }
  if (filter?.reportedFrom && filter.reportedBefore && filter.reportedFrom >= filter.reportedBefore) {
    throw badUserInput('reportedFrom must be before reportedBefore', 'filter.reportedFrom');
  }
  const scope = disputeScope(context.user, 'd');
  const query = context.dataSource
    .getRepository(Dispute)
    .createQueryBuilder('d')
    .where(scope.sql, scope.params);
  if (filter?.categories?.length)
    query.andWhere('d.category IN (:...categories)', { categories: filter.categories });
  if (filter?.statuses?.length) query.andWhere('d.status IN (:...statuses)', { statuses: filter.statuses });
  if (filter?.jurisdictionId) {
    const subtree = await jurisdictionFilter(context, filter.jurisdictionId, 'd.grid_id');
    query.andWhere(subtree.sql, subtree.params);
  }
  if (filter?.levels?.length) query.andWhere('d.level IN (:...levels)', { levels: filter.levels });
  if (filter?.sources?.length) query.andWhere('d.source IN (:...sources)', { sources: filter.sources });
  if (filter?.reportedFrom)
    query.andWhere('d.reported_at >= :reportedFrom', { reportedFrom: filter.reportedFrom });
  if (filter?.reportedBefore) {
    query.andWhere('d.reported_at < :reportedBefore', { reportedBefore: filter.reportedBefore });
  }
  if (text) {
    // The text is matched as typed: LIKE's own wildcards in it are escaped.
    query.andWhere(`d.description LIKE :descriptionText ESCAPE '\\'`, {
      descriptionText: `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    });
  }
  const order = orderBy ? { ...DISPUTE_ORDERS[orderBy.field], ...orderBy, name: orderBy.field } : null;
  return orderedKeysetPage(
    query,
    'd',
    order,
    { column: 'reported_at', key: (row) => row.reportedAt },
    size,
    after,
  );
}

export async function escalateDispute(
  context: RequestContext,
  input: EscalateDisputeInput,
): Promise<MutationResult<Dispute>> {
  return runMutation(context, input, async (tx) => {
    const current = await lockVisibleDispute(tx, context, input.disputeId, input.expectedVersion);
    if (!isOpen(current.status)) {
      throw problem(
        'input.disputeId',
        {
          zh: `${current.status} 状态的纠纷不能上交`,
          en: `A ${current.status} dispute cannot be escalated`,
        },
        ErrorCode.INVALID_STATE,
      );
    }
    const to = nextLevel(current.level);
    if (!to) {
      throw problem(
        'input.disputeId',
        { zh: '纠纷已在市级：矛盾不上交', en: 'The dispute is already at CITY level: 矛盾不上交' },
        ErrorCode.INVALID_STATE,
      );
    }
    if (to === DisputeLevel.STREET && !input.venue) {
      throw problem('input.venue', {
        zh: '上交到街道须写明接手的街道级场所',
        en: 'Escalating to STREET names the street-level venue that takes the dispute',
      });
    }
    if (to !== DisputeLevel.STREET && input.venue) {
      throw problem('input.venue', {
        zh: `只有上交到街道时才写场所，不是 ${to}`,
        en: `A venue is named only when escalating to STREET, not ${to}`,
      });
    }
    const now = context.now();
    await tx
      .getRepository(Dispute)
      .createQueryBuilder()
      .update()
      .set({ level: to, venue: input.venue ?? current.venue, version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id: current.id, version: current.version })
      .execute();
    await tx.getRepository(DisputeEscalation).insert({
      disputeId: current.id,
      fromLevel: current.level,
      toLevel: to,
      venue: input.venue ?? null,
      reason: input.reason.trim(),
      byId: context.user.id,
      occurredAt: now,
    });
    const dispute = await tx.getRepository(Dispute).findOneByOrFail({ id: current.id });
    return {
      result: dispute,
      audit: [
        {
          action: 'MUTATION',
          operation: 'escalateDispute',
          recordType: 'Dispute',
          recordIds: [current.id],
          fields: ['level', 'venue'],
          detail: { from: current.level, to, venue: input.venue ?? null },
        },
      ],
    };
  });
}
