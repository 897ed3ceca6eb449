// Monthly figures per jurisdiction and month, computed in SQL from the records — counts and shares
// only, never a person — plus the police-entered counts and the month-over-month comparison. Each
// reader gets them in their view (SPEC §4, small cells): exact for the coordinating departments, small
// counts suppressed for everyone else, and no dispute figures for those who see no disputes.
import { Min, IsInt, IsUUID, Matches } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { Identity } from '../../auth/identity';
import { principalOf } from '../../auth/identity';
import type { RequestContext } from '../../request-scope';
import { badUserInput, notFound, UserError } from '../../graphql/errors';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { UUID_MESSAGE, isUuid } from '../../graphql/validation';
import { rowAccess } from '../../permissions/policy';
import { descendantsPattern, subtreeNodesSql, subtreeParams } from '../../permissions/scope';
import { FOLLOW_UP_CADENCE_DAYS } from '../assignments/rules';
import { latestAssessmentsBefore } from '../risk/latest-assessments';
import { AlertKind } from '../alerts/alert.entity';
import { DisputeCategory, DisputeLevel, DisputeStatus } from '../disputes/disputes.enums';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { Tier } from '../risk/risk.enums';
import { overrideReviewBySql } from '../risk/review-by';
import {
  FigureChange,
  FigureCount,
  FigureShare,
  KeyCount,
  MonthlyComparison,
  MonthlyFigures,
  PoliceCounts,
  PoliceFigures,
} from './monthly-figures.type';
import { EXACT_VIEW, parseMonth, shownCount, shownKeyCounts, shownShare, type FigureView } from './rules';

@InputType({ description: '录入公安月度数 / Enter the police counts of a month' })
export class RecordPoliceCountsInput {
  @Field(() => ID)
  @IsUUID('all', { message: `jurisdictionId ${UUID_MESSAGE}` })
  jurisdictionId: string;

  @Field({ description: 'YYYY-MM' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month: string;

  @Field(() => Int)
  @IsInt()
  @Min(0)
  extremeViolenceIncidents: number;

  @Field(() => Int)
  @IsInt()
  @Min(0)
  resultingHomicides: number;

  @Field(() => Int)
  @IsInt()
  @Min(0)
  disputePoliceCalls: number;
}

@ObjectType()
export class PoliceCountsPayload {
  @Field(() => PoliceCounts, { nullable: true })
  policeCounts: PoliceCounts | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export async function nodeInScope(context: RequestContext, jurisdictionId: string): Promise<Jurisdiction> {
  if (!isUuid(jurisdictionId))
    throw badUserInput(`${jurisdictionId} is not an ID this API issued`, 'jurisdictionId');
  const { path, descendants } = subtreeParams(context.user);
  const node = await context.dataSource
    .getRepository(Jurisdiction)
    .createQueryBuilder('j')
    .where('j.id = :id', { id: jurisdictionId })
    .andWhere(`j.id IN (${subtreeNodesSql(':path', ':descendants')})`, { path, descendants })
    .getOne();
  if (!node) throw notFound('Jurisdiction');
  return node;
}

interface Counted {
  key: string;
  count: number;
}

interface FiguresRow {
  persons_by_tier: Counted[] | null;
  managed: number;
  followed: number;
  overdue_follow_ups: number;
  overdue_reviews: number;
  overrides_ended: number;
  disputes_reported: number;
  by_category: Counted[] | null;
  by_level: Counted[] | null;
  by_status: Counted[] | null;
  disputes_closed: number;
  disputes_resolved: number;
  escalations: number;
  alerts_raised: number;
  hazardous_purchase_alerts: number;
  multi_fatality_incidents: number;
  police: PoliceCounts | null;
}

/**
 * The identity's view of the figures, from its row access in policy.ts: exact when its row scope
 * covers every person and dispute of its subtree (the coordinators), without disputes when it sees
 * none (YOUTH_LEAGUE).
 */
export function figureViewOf(identity: Identity): FigureView {
  const access = rowAccess(principalOf(identity));
  return { exact: access.everything, disputes: access.everything || access.routedDisputes };
}

const count = (value: number, view: FigureView) => Object.assign(new FigureCount(), shownCount(value, view));
const share = (part: number, whole: number, view: FigureView) =>
  Object.assign(new FigureShare(), shownShare(part, whole, view));
const keyCounts = (counted: Counted[] | null, keys: readonly string[], view: FigureView) =>
  shownKeyCounts(counted ?? [], keys, view).map((shown) => Object.assign(new KeyCount(), shown));

const byKey = (source: string, key: string) =>
  `(SELECT json_agg(json_build_object('key', k, 'count', n) ORDER BY k)
      FROM (SELECT ${key} AS k, count(*)::int AS n FROM ${source} GROUP BY ${key}) grouped)`;

/**
 * The figures of `node` for `month`, in `view` (exact unless told); callers check that the node is
 * theirs to see.
 */
export async function computeMonthlyFigures(
  dataSource: DataSource,
  node: Jurisdiction,
  month: string,
  view: FigureView = EXACT_VIEW,
): Promise<MonthlyFigures> {
  const bounds = parseMonth(month);
  if (!bounds) throw badUserInput('month must be YYYY-MM', 'month');
  const cadence = Object.entries(FOLLOW_UP_CADENCE_DAYS)
    .map(([tier, days]) => `WHEN '${tier}' THEN ${Number(days)}`)
    .join(' ');
  const descendants = descendantsPattern(node.path);
  const [row] = (await dataSource.query(
    `WITH grids AS MATERIALIZED (
       SELECT array_agg(id) AS ids FROM jurisdictions WHERE path = $1 OR path LIKE $2),
     latest AS (${latestAssessmentsBefore('(SELECT ids FROM grids)::uuid[]', '$4')}),
     managed AS (SELECT * FROM latest WHERE tier <> 'NONE'),
     last_follow AS (
       SELECT m.person_id,
              (SELECT max(f.occurred_at) FROM follow_ups f WHERE f.person_id = m.person_id AND f.occurred_at < $4) AS at
         FROM managed m),
     reported AS (
       SELECT d.* FROM disputes d, grids
        WHERE d.grid_id = ANY(grids.ids) AND d.reported_at >= $3 AND d.reported_at < $4),
     closed AS (
       SELECT d.status FROM disputes d, grids
        WHERE d.grid_id = ANY(grids.ids) AND d.closed_at >= $3 AND d.closed_at < $4)
     SELECT
       ${byKey('latest', 'tier')} AS persons_by_tier,
       (SELECT count(*)::int FROM managed) AS managed,
       -- followed up in the month: the latest follow-up before its end falls within it
       (SELECT count(*)::int FROM last_follow l WHERE l.at >= $3) AS followed,
       (SELECT count(*)::int FROM managed m LEFT JOIN last_follow l ON l.person_id = m.person_id
         WHERE coalesce(l.at, m.assessed_at) + (CASE m.tier ${cadence} END) * interval '1 day' < $4) AS overdue_follow_ups,
       (SELECT count(*)::int FROM managed m WHERE m.review_by < $4) AS overdue_reviews,
       (SELECT count(*)::int FROM tier_change_requests r JOIN persons pe ON pe.id = r.person_id, grids
         WHERE pe.grid_id = ANY(grids.ids) AND r.status = 'EXPIRED' AND ${overrideReviewBySql('r')} >= $3
           AND ${overrideReviewBySql('r')} < $4) AS overrides_ended,
       (SELECT count(*)::int FROM reported) AS disputes_reported,
       ${byKey('reported', 'category')} AS by_category,
       ${byKey('reported', 'level')} AS by_level,
       ${byKey('reported', 'status')} AS by_status,
       (SELECT count(*)::int FROM closed) AS disputes_closed,
       (SELECT count(*)::int FROM closed WHERE status = 'RESOLVED') AS disputes_resolved,
       (SELECT count(*)::int FROM dispute_escalations e JOIN disputes d ON d.id = e.dispute_id, grids
         WHERE d.grid_id = ANY(grids.ids) AND e.occurred_at >= $3 AND e.occurred_at < $4) AS escalations,
       (SELECT count(*)::int FROM alerts a, grids WHERE a.grid_id = ANY(grids.ids)
          AND a.raised_at >= $3 AND a.raised_at < $4) AS alerts_raised,
       (SELECT count(*)::int FROM alerts a, grids WHERE a.grid_id = ANY(grids.ids)
          AND a.raised_at >= $3 AND a.raised_at < $4 AND a.kind = $7) AS hazardous_purchase_alerts,
       (SELECT count(*)::int FROM incidents i, grids WHERE i.grid_id = ANY(grids.ids)
          AND i.occurred_at >= $3 AND i.occurred_at < $4 AND i.deaths > 1) AS multi_fatality_incidents,
       (SELECT json_build_object('extremeViolenceIncidents', c.extreme_violence_incidents,
                                 'resultingHomicides', c.resulting_homicides,
                                 'disputePoliceCalls', c.dispute_police_calls)
          FROM police_monthly_counts c WHERE c.jurisdiction_id = $5 AND c.month = $6::date) AS police`,
    [node.path, descendants, bounds.start, bounds.end, node.id, `${month}-01`, AlertKind.HAZARDOUS_PURCHASE],
  )) as FiguresRow[];
  if (!row) throw new Error('monthly figures query returned no row');
  const disputes = <T>(figure: () => T): T | null => (view.disputes ? figure() : null);
  const police = row.police;
  return Object.assign(new MonthlyFigures(), {
    jurisdiction: node,
    month,
    personsByTier: keyCounts(row.persons_by_tier, Object.values(Tier), view),
    managedPersons: count(row.managed, view),
    followUpCompliance: share(row.followed, row.managed, view),
    disputesReported: disputes(() => count(row.disputes_reported, view)),
    disputesByCategory: disputes(() => keyCounts(row.by_category, Object.values(DisputeCategory), view)),
    disputesByLevel: disputes(() => keyCounts(row.by_level, Object.values(DisputeLevel), view)),
    disputesByStatus: disputes(() => keyCounts(row.by_status, Object.values(DisputeStatus), view)),
    disputesClosed: disputes(() => count(row.disputes_closed, view)),
    disputesResolved: disputes(() => count(row.disputes_resolved, view)),
    resolutionRate: disputes(() => share(row.disputes_resolved, row.disputes_closed, view)),
    escalations: disputes(() => count(row.escalations, view)),
    overdueFollowUps: count(row.overdue_follow_ups, view),
    overdueReviews: count(row.overdue_reviews, view),
    overridesEnded: count(row.overrides_ended, view),
    // A hazardous-goods department records sales and reads this figure: were a matched sale's alert
    // counted, the difference would tell it whether a buyer is a managed person.
    alertsRaised: count(
      view.exact ? row.alerts_raised : row.alerts_raised - row.hazardous_purchase_alerts,
      view,
    ),
    multiFatalityIncidents: disputes(() => count(row.multi_fatality_incidents, view)),
    policeCounts:
      police && view.disputes
        ? Object.assign(new PoliceFigures(), {
            extremeViolenceIncidents: count(police.extremeViolenceIncidents, view),
            resultingHomicides: count(police.resultingHomicides, view),
            disputePoliceCalls: count(police.disputePoliceCalls, view),
          })
        : null,
  });
}

export async function monthlyFigures(
  context: RequestContext,
  jurisdictionId: string,
  month: string,
): Promise<MonthlyFigures> {
  const node = await nodeInScope(context, jurisdictionId);
  return computeMonthlyFigures(context.dataSource, node, month, figureViewOf(context.user));
}

/** The figures compared month over month; `dispute`: withheld from readers who see no disputes. */
const COMPARED: {
  figure: string;
  dispute: boolean;
  of: (figures: MonthlyFigures) => FigureCount | FigureShare | null;
}[] = [
  { figure: 'managedPersons', dispute: false, of: (f) => f.managedPersons },
  { figure: 'followUpCompliance', dispute: false, of: (f) => f.followUpCompliance },
  { figure: 'disputesReported', dispute: true, of: (f) => f.disputesReported },
  { figure: 'disputesClosed', dispute: true, of: (f) => f.disputesClosed },
  { figure: 'disputesResolved', dispute: true, of: (f) => f.disputesResolved },
  { figure: 'resolutionRate', dispute: true, of: (f) => f.resolutionRate },
  { figure: 'escalations', dispute: true, of: (f) => f.escalations },
  { figure: 'overdueFollowUps', dispute: false, of: (f) => f.overdueFollowUps },
  { figure: 'overdueReviews', dispute: false, of: (f) => f.overdueReviews },
  { figure: 'alertsRaised', dispute: false, of: (f) => f.alertsRaised },
  { figure: 'multiFatalityIncidents', dispute: true, of: (f) => f.multiFatalityIncidents },
  ...(['extremeViolenceIncidents', 'resultingHomicides', 'disputePoliceCalls'] as const).map((key) => ({
    figure: key,
    dispute: true,
    of: (f: MonthlyFigures) => f.policeCounts?.[key] ?? null,
  })),
];

const valueOf = (shown: FigureCount | FigureShare | null): number | null =>
  shown === null ? null : 'share' in shown ? shown.share : shown.count;

export async function monthlyComparison(
  context: RequestContext,
  jurisdictionId: string,
  month: string,
): Promise<MonthlyComparison> {
  const node = await nodeInScope(context, jurisdictionId);
  const bounds = parseMonth(month);
  if (!bounds) throw badUserInput('month must be YYYY-MM', 'month');
  const view = figureViewOf(context.user);
  const current = await computeMonthlyFigures(context.dataSource, node, month, view);
  const previous = await computeMonthlyFigures(context.dataSource, node, bounds.previous, view);
  return Object.assign(new MonthlyComparison(), {
    current,
    previous,
    changes: COMPARED.filter(({ dispute }) => view.disputes || !dispute).map(({ figure, of }) => {
      const now = valueOf(of(current));
      const before = valueOf(of(previous));
      return Object.assign(new FigureChange(), {
        figure,
        current: now,
        previous: before,
        change: now === null || before === null ? null : Math.round((now - before) * 10000) / 10000,
        suppressed: Boolean(of(current)?.suppressed || of(previous)?.suppressed),
      });
    }),
  });
}

export function recordPoliceCounts(
  context: RequestContext,
  input: RecordPoliceCountsInput,
): Promise<MutationResult<PoliceCounts>> {
  return runMutation(context, input, async (tx) => {
    const node = await nodeInScope(context, input.jurisdictionId).catch(() => null);
    if (!node) {
      throw problem('input.jurisdictionId', {
        zh: '您的范围内没有此编号的辖区',
        en: 'No jurisdiction with this id within your scope',
      });
    }
    await tx.query(
      `INSERT INTO police_monthly_counts (jurisdiction_id, month, extreme_violence_incidents, resulting_homicides,
                                          dispute_police_calls, entered_by_id, entered_at)
       VALUES ($1, $2::date, $3, $4, $5, $6, $7)
       ON CONFLICT (jurisdiction_id, month) DO UPDATE SET extreme_violence_incidents = $3, resulting_homicides = $4,
         dispute_police_calls = $5, entered_by_id = $6, entered_at = $7`,
      [
        node.id,
        `${input.month}-01`,
        input.extremeViolenceIncidents,
        input.resultingHomicides,
        input.disputePoliceCalls,
        context.user.id,
        context.now(),
      ],
    );
    return {
      result: Object.assign(new PoliceCounts(), {
        extremeViolenceIncidents: input.extremeViolenceIncidents,
        resultingHomicides: input.resultingHomicides,
        disputePoliceCalls: input.disputePoliceCalls,
      }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'recordPoliceCounts',
          recordType: 'PoliceMonthlyCounts',
          recordIds: [node.id],
          fields: ['extremeViolenceIncidents', 'resultingHomicides', 'disputePoliceCalls'],
          detail: { month: input.month },
        },
      ],
    };
  });
}
