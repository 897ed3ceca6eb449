// Break-glass (紧急调阅, issue 24 item 2): an account that must reach a person outside its row scope in
// an emergency opens that one person for at most BREAK_GLASS_HOURS, at once, with its reason. The grant
// widens the row scope only (scope.ts, breakGlassClause), every audit entry written while it is in
// force names it (audit-log.ts), and it is queued for the 综治办 leader of the person's street, who
// confirms or flags it; the AUDITOR lists the flagged ones.
//
// Existence: for an account that may break the glass, a grant on an id outside its scope succeeds where
// a made-up id is NOT_FOUND, so the answer confirms that the person exists. That is the point of
// breaking the glass, and it is accepted only because the grant and every read under it are audited
// and a named leader reviews each one. Everyone else is refused before any lookup (FORBIDDEN), and a
// reason too short is refused before the lookup too, so neither answer depends on the id.
import type { RequestContext } from '../../request-scope';
import { keysetPage, pageSize, type Connection } from '../../database/paging';
import { ErrorCode, forbidden, notFound, ruleRefusal, staleVersion } from '../../graphql/errors';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { BREAK_GLASS_ACCOUNT_KINDS } from '../../permissions/policy';
import { personScope } from '../../permissions/scope';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { Person } from '../people/person.entity';
import { BreakGlassGrant, BreakGlassReviewStatus } from './break-glass.entity';
import {
  BREAK_GLASS_REASON_MIN,
  type BreakGlassInput,
  type ReviewBreakGlassInput,
} from './break-glass.inputs';

const HOUR_MS = 3600_000;

export function breakGlass(
  context: RequestContext,
  input: BreakGlassInput,
): Promise<MutationResult<BreakGlassGrant>> {
  if (!BREAK_GLASS_ACCOUNT_KINDS.includes(context.user.kind)) {
    throw forbidden('Break-glass is for a person signed in as themselves, not an integration');
  }
  return runMutation(context, input, async (tx) => {
    const reason = input.reason.trim();
    if (reason.length < BREAK_GLASS_REASON_MIN) {
      throw problem('input.reason', {
        zh: `请至少用 ${BREAK_GLASS_REASON_MIN} 个字说明理由：审核人据此判断`,
        en: `Say why in at least ${BREAK_GLASS_REASON_MIN} characters: the reviewer weighs the reason`,
      });
    }
    const now = context.now();
    // The caller's own scope, without the grants it holds: a person already in it needs no glass broken.
    const own = personScope({ ...context.user, breakGlass: [] }, 'p', now);
    const found: { id: string; street_id: string; in_scope: boolean } | undefined = await tx
      .getRepository(Person)
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .addSelect('s.id', 'street_id')
      .addSelect(`(${own.sql})`, 'in_scope')
      .innerJoin(Jurisdiction, 'g', 'g.id = p.grid_id')
      .innerJoin(Jurisdiction, 's', `s.level = 'STREET' AND starts_with(g.path, s.path || '.')`)
      .where('p.id = :personId', { personId: input.personId })
      .setParameters(own.params)
      .getRawOne();
    if (!found) {
      throw problem(
        'input.personId',
        { zh: '没有此编号的人员', en: 'No person with this id' },
        ErrorCode.NOT_FOUND,
      );
    }
    if (found.in_scope) {
      throw problem(
        'input.personId',
        {
          zh: '此人已在您的权限范围内，无需紧急授权',
          en: 'This person is within your scope already: no break-glass is needed',
        },
        ErrorCode.INVALID_STATE,
      );
    }
    const inserted = await tx.getRepository(BreakGlassGrant).insert({
      accountId: context.user.id,
      accountDepartment: context.user.departmentCode,
      personId: found.id,
      streetId: found.street_id,
      reason,
      grantedAt: now,
      expiresAt: new Date(now.getTime() + context.app.config.breakGlassHours * HOUR_MS),
    });
    const id = (inserted.identifiers[0] as { id: string }).id;
    const grant = await tx.getRepository(BreakGlassGrant).findOneByOrFail({ id });
    return {
      result: grant,
      audit: [
        {
          action: 'MUTATION',
          operation: 'breakGlass',
          recordType: 'BreakGlassGrant',
          recordIds: [id, grant.personId],
          fields: ['reason'],
          detail: { breakGlassGrantId: id, expiresAt: grant.expiresAt.toISOString() },
        },
      ],
    };
  });
}

/**
 * The grants of the caller's street, newest first: its 综治办 leader's review queue. A leader whose node
 * is not a street has none (the street is the node the grant names).
 */
export function listBreakGlassReviews(
  context: RequestContext,
  status: BreakGlassReviewStatus | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<BreakGlassGrant>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const query = context.dataSource
    .getRepository(BreakGlassGrant)
    .createQueryBuilder('g')
    .where('g.street_id = :street', { street: context.user.jurisdictionId });
  if (status) query.andWhere('g.review_status = :status', { status });
  return keysetPage(query, 'g', 'granted_at', size, after, (row) => row.grantedAt);
}

/** Every flagged grant, newest first: the AUDITOR's list. */
export function listFlaggedBreakGlass(
  context: RequestContext,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<BreakGlassGrant>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const query = context.dataSource
    .getRepository(BreakGlassGrant)
    .createQueryBuilder('g')
    .where('g.review_status = :status', { status: BreakGlassReviewStatus.FLAGGED });
  return keysetPage(query, 'g', 'granted_at', size, after, (row) => row.grantedAt);
}

export function reviewBreakGlass(
  context: RequestContext,
  input: ReviewBreakGlassInput,
): Promise<MutationResult<BreakGlassGrant>> {
  return runMutation(context, input, async (tx) => {
    // Another street's grant answers as a made-up id.
    const grant = await tx
      .getRepository(BreakGlassGrant)
      .createQueryBuilder('g')
      .where('g.id = :id', { id: input.grantId })
      .andWhere('g.street_id = :street', { street: context.user.jurisdictionId })
      .setLock('pessimistic_write')
      .getOne();
    if (!grant) throw notFound('BreakGlassGrant');
    if (grant.version !== input.expectedVersion) {
      throw staleVersion({ zh: '紧急授权', en: 'grant' }, grant.version, input.expectedVersion);
    }
    if (grant.reviewStatus !== BreakGlassReviewStatus.PENDING) {
      throw problem(
        'input.grantId',
        {
          zh: `此次使用已审核：${grant.reviewStatus}`,
          en: `This use was already reviewed: ${grant.reviewStatus}`,
        },
        ErrorCode.INVALID_STATE,
      );
    }
    if (grant.accountId === context.user.id) {
      throw ruleRefusal('input.grantId', {
        zh: '紧急授权的使用须由他人审核，不能自审',
        en: 'A use of break-glass is reviewed by someone other than who made it',
      });
    }
    await tx
      .getRepository(BreakGlassGrant)
      .createQueryBuilder()
      .update()
      .set({
        reviewStatus: input.decision as unknown as BreakGlassReviewStatus,
        reviewedById: context.user.id,
        reviewedAt: context.now(),
        reviewNote: input.note.trim() || null,
        version: () => 'version + 1',
      })
      .where('id = :id', { id: grant.id })
      .execute();
    return {
      result: await tx.getRepository(BreakGlassGrant).findOneByOrFail({ id: grant.id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'reviewBreakGlass',
          recordType: 'BreakGlassGrant',
          recordIds: [grant.id, grant.personId],
          fields: ['reviewStatus', 'reviewNote'],
          detail: { decision: input.decision },
        },
      ],
    };
  });
}
