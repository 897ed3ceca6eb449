// Review-by dates that act (SPEC §6 Time, §4 Minimisation): pure rules. An approved tier override
// lasts until its review-by date — its decision time plus the review days of the tier level that
// decided it (RED 30, ORANGE 60, YELLOW 90) — unless that level renews it; and a tier whose review-by
// date has passed is flagged as overdue.
import { Tier } from './risk.enums';
import { REVIEW_DAYS_BY_TIER, tierChangeLevel } from './rules';

const DAY_MS = 24 * 3600 * 1000;

/** When an override decided at `decidedAt`, from `fromTier` to `toTier`, ends unless renewed. */
export function overrideReviewBy(fromTier: Tier, toTier: Tier, decidedAt: Date): Date | null {
  const level = tierChangeLevel(fromTier, toTier);
  const days = level ? REVIEW_DAYS_BY_TIER[level] : null;
  return days === null ? null : new Date(decidedAt.getTime() + days * DAY_MS);
}

/** The approved override in effect for a person, as the review rules need it. */
export interface OverrideInEffect {
  fromTier: Tier;
  toTier: Tier;
  decidedAt: Date;
}

export interface ReviewState {
  /** The person's tier as stored. */
  tier: Tier;
  /** Review-by date of the person's latest assessment, if assessed. */
  assessmentReviewBy: Date | null;
  /** The approved override the tier comes from, if any. */
  override: OverrideInEffect | null;
}

/**
 * The review-by date of the tier a person has: the override's when the tier comes from one (it ends
 * then), else the latest assessment's. None for tier NONE: nothing is kept to be reviewed.
 */
export function tierReviewBy(state: ReviewState): Date | null {
  if (state.tier === Tier.NONE) return null;
  if (state.override) {
    return overrideReviewBy(state.override.fromTier, state.override.toTier, state.override.decidedAt);
  }
  return state.assessmentReviewBy;
}

/** Whether the review of the person's tier is overdue at `now` (the review-by date has come). */
export function reviewOverdue(state: ReviewState, now: Date): boolean {
  const reviewBy = tierReviewBy(state);
  return reviewBy !== null && reviewBy.getTime() <= now.getTime();
}

/**
 * SQL for an override's review-by date, for the sweep that ends lapsed overrides in the database:
 * the same rule as overrideReviewBy, over columns `from_tier`, `to_tier`, `decided_at` of `alias`.
 */
export function overrideReviewBySql(alias: string): string {
  const levels = [Tier.RED, Tier.ORANGE, Tier.YELLOW]
    .map(
      (tier) => `WHEN '${tier}' IN (${alias}.from_tier, ${alias}.to_tier) THEN ${REVIEW_DAYS_BY_TIER[tier]}`,
    )
    .join(' ');
  return `${alias}.decided_at + make_interval(days => CASE ${levels} END)`;
}

/**
 * SQL for the review-by date of the tier of person `alias` — the same rule as tierReviewBy: the latest
 * approved override's when there is one, else the latest assessment's; NULL at tier NONE.
 */
export function tierReviewBySql(alias: string): string {
  return `(CASE WHEN ${alias}.tier = '${Tier.NONE}' THEN NULL
     WHEN EXISTS (SELECT 1 FROM tier_change_requests ro WHERE ro.person_id = ${alias}.id AND ro.status = 'APPROVED')
     THEN (SELECT ${overrideReviewBySql('ro')} FROM tier_change_requests ro
            WHERE ro.person_id = ${alias}.id AND ro.status = 'APPROVED' ORDER BY ro.decided_at DESC LIMIT 1)
     ELSE (SELECT ra.review_by FROM assessments ra WHERE ra.person_id = ${alias}.id
            ORDER BY ra.assessed_at DESC, ra.id DESC LIMIT 1) END)`;
}
