// Pure rules of accountability (一案一倒查): the period a case review covers and the gaps it finds in
// a person's history — follow-ups that came late or never, assessments past their review-by date.
import { FOLLOW_UP_CADENCE_DAYS } from '../assignments/rules';
import { Tier } from '../risk/risk.enums';

const DAY_MS = 86400000;

/** A case review looks back 12 months from the incident. */
export function reviewWindowStart(incidentAt: Date): Date {
  const start = new Date(incidentAt);
  start.setUTCFullYear(start.getUTCFullYear() - 1);
  return start;
}

const TIER_RANK: Readonly<Record<string, number>> = { NONE: 0, YELLOW: 1, ORANGE: 2, RED: 3 };

/** A request to move a person to a higher tier (a refusal of it is an escalation refused). */
export const raisesTier = (fromTier: string, toTier: string): boolean =>
  (TIER_RANK[toTier] ?? 0) > (TIER_RANK[fromTier] ?? 0);

export interface AssessedAt {
  at: Date;
  tier: Tier;
  reviewBy: Date | null;
}

export interface DatedGap {
  /** When it began: the due date or review-by date. */
  at: Date;
  /** When it was made good (the late follow-up, the next assessment); null if not before the end. */
  closedAt: Date | null;
  tier: Tier;
}

const cadenceDays = (tier: Tier): number | null => (tier === Tier.NONE ? null : FOLLOW_UP_CADENCE_DAYS[tier]);

/**
 * The follow-ups of a managed person that were due before `end` and came late or never, as the
 * overdue list counts them (SPEC §3): due when the cadence of the tier held at the last follow-up
 * (or since the person became managed) has passed. Only gaps whose due date is on or after `from`.
 */
export function overdueFollowUps(
  assessments: readonly AssessedAt[],
  followUps: readonly Date[],
  from: Date,
  end: Date,
): DatedGap[] {
  const events = [
    ...assessments.map((a) => ({ at: a.at, tier: a.tier as Tier | null })),
    ...followUps.map((at) => ({ at, tier: null as Tier | null })),
  ]
    .filter((event) => event.at < end)
    .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.tier === null ? 1 : -1));
  const gaps: DatedGap[] = [];
  let tier: Tier = Tier.NONE;
  let anchor: Date | null = null;
  const dueOf = (): Date | null => {
    const days = cadenceDays(tier);
    return days === null || anchor === null ? null : new Date(anchor.getTime() + days * DAY_MS);
  };
  for (const event of events) {
    const due = dueOf();
    if (event.tier === null) {
      if (due && due < event.at) gaps.push({ at: due, closedAt: event.at, tier });
      anchor = event.at;
      continue;
    }
    if (tier === Tier.NONE && event.tier !== Tier.NONE) anchor = event.at;
    tier = event.tier;
  }
  const due = dueOf();
  if (due && due < end) gaps.push({ at: due, closedAt: null, tier });
  return gaps.filter((gap) => gap.at >= from);
}

/** Assessments whose review-by date passed before the next assessment (or before `end`). */
export function reviewsOverdue(assessments: readonly AssessedAt[], from: Date, end: Date): DatedGap[] {
  const sorted = [...assessments].filter((a) => a.at < end).sort((a, b) => a.at.getTime() - b.at.getTime());
  return sorted.flatMap((assessment, index) => {
    const next = sorted[index + 1]?.at ?? null;
    const until = next ?? end;
    if (!assessment.reviewBy || assessment.tier === Tier.NONE || assessment.reviewBy >= until) return [];
    if (assessment.reviewBy < from) return [];
    return [{ at: assessment.reviewBy, closedAt: next, tier: assessment.tier }];
  });
}

/** The three months of a quarter 'YYYY-Qn', or null when it is not one. */
export function quarterMonths(quarter: string): string[] | null {
  const match = /^(\d{4})-Q([1-4])$/.exec(quarter);
  if (!match) return null;
  const first = (Number(match[2]) - 1) * 3 + 1;
  return [0, 1, 2].map((offset) => `${match[1]}-${String(first + offset).padStart(2, '0')}`);
}

/** Exact figures over some months: the values the thresholds and weights apply to. */
export interface Figures {
  followUpCompliance: number | null;
  overdueReviews: number;
  unacknowledgedAlerts: number;
  resolved: number;
  closed: number;
  resolutionRate: number | null;
  valueOf: Record<string, number | null>;
}

/** A threshold of the scorecards (reference data: accountability_criteria). */
export interface Criterion {
  figure: string;
  direction: 'AT_LEAST' | 'AT_MOST';
  threshold: number;
  weight: number;
}

/** Whether `value` falls short of the criterion; a figure with nothing to measure (null) does not. */
export function fallsShort(criterion: Criterion, value: number | null): boolean {
  if (value === null) return false;
  return criterion.direction === 'AT_LEAST' ? value < criterion.threshold : value > criterion.threshold;
}

/**
 * How far a unit met one criterion, from 0 to 1: an AT_LEAST figure by its share of the threshold, an
 * AT_MOST figure as 1 / (1 + the excess over it); a figure with nothing to measure (null) meets it.
 */
export function achievement(criterion: Criterion, value: number | null): number {
  if (value === null) return 1;
  if (criterion.direction === 'AT_LEAST') {
    return criterion.threshold <= 0 ? 1 : Math.min(1, value / criterion.threshold);
  }
  return 1 / (1 + Math.max(0, value - criterion.threshold));
}

/** The yearly score (一年一考核) from 0 to 100: the criteria's achievements weighted by their weights. */
export function yearlyScore(criteria: readonly Criterion[], valueOf: Record<string, number | null>): number {
  const total = criteria.reduce((sum, criterion) => sum + criterion.weight, 0);
  if (total <= 0) return 100;
  const earned = criteria.reduce(
    (sum, criterion) => sum + criterion.weight * achievement(criterion, valueOf[criterion.figure] ?? null),
    0,
  );
  return Math.round((earned / total) * 1000) / 10;
}

/** Ranks by score, highest first; equal scores share a rank (1, 2, 2, 4). */
export function ranksOf(scores: readonly number[]): number[] {
  return scores.map((score) => 1 + scores.filter((other) => other > score).length);
}
