// Pure tier rule (SPEC §3): the tier is the number of element categories that apply — CHARACTER and
// BEHAVIOR indicators of the latest assessment, EVENT while the person is party to an open dispute —
// unless an approved tier change overrides it; and how soon an assessment is reviewed, by its tier.
import { IndicatorCategory, Tier } from './risk.enums';
import type { TierExplanationData, TierOverrideData } from './tier-explanation.type';

export interface IndicatorApplied {
  code: string;
  category: IndicatorCategory.CHARACTER | IndicatorCategory.BEHAVIOR;
}

export interface TierInput {
  /** Indicators of the person's latest assessment (empty when never assessed). */
  latestAssessmentIndicators: readonly IndicatorApplied[];
  /** Ids of the disputes the person is party to that are still open. */
  openDisputeIds: readonly string[];
  assessmentId: string | null;
  catalogVersion: number | null;
}

export interface TierResult {
  tier: Tier;
  categories: IndicatorCategory[];
  indicators: IndicatorApplied[];
  disputeIds: string[];
  assessmentId: string | null;
  catalogVersion: number | null;
}

/** The tier by the number of element categories that apply (index 0: none applies). */
export const TIER_BY_CATEGORY_COUNT: readonly Tier[] = [Tier.NONE, Tier.YELLOW, Tier.ORANGE, Tier.RED];

export function computeTier(input: TierInput): TierResult {
  const categories: IndicatorCategory[] = [];
  if (input.latestAssessmentIndicators.some((i) => i.category === IndicatorCategory.CHARACTER)) {
    categories.push(IndicatorCategory.CHARACTER);
  }
  if (input.latestAssessmentIndicators.some((i) => i.category === IndicatorCategory.BEHAVIOR)) {
    categories.push(IndicatorCategory.BEHAVIOR);
  }
  if (input.openDisputeIds.length > 0) categories.push(IndicatorCategory.EVENT);
  return {
    tier: TIER_BY_CATEGORY_COUNT[categories.length] ?? Tier.RED,
    categories,
    indicators: [...input.latestAssessmentIndicators].sort((a, b) => a.code.localeCompare(b.code)),
    disputeIds: [...input.openDisputeIds].sort(),
    assessmentId: input.assessmentId,
    catalogVersion: input.catalogVersion,
  };
}

/** An indicator as the tier explanation shows it: with its names in the catalog version applied. */
export interface NamedIndicator extends IndicatorApplied {
  nameZh: string;
  nameEn: string;
}

export interface EffectiveTierInput extends TierInput {
  latestAssessmentIndicators: readonly NamedIndicator[];
}

/** A tier explanation as the rule writes it now (older stored ones may lack computedTier). */
export type CurrentTierExplanation = TierExplanationData & { computedTier: Tier };

/**
 * The tier in effect and why, as stored with the person: the rule's tier from the inputs, unless an
 * approved tier change overrides it (a new assessment supersedes the override, so the rule speaks
 * again). Indicators keep the order they are given in.
 */
export function effectiveTier(
  input: EffectiveTierInput,
  override: TierOverrideData | null,
  now: Date,
): CurrentTierExplanation {
  const computed = computeTier(input);
  return {
    tier: override?.tier ?? computed.tier,
    computedTier: computed.tier,
    override,
    categories: computed.categories,
    indicators: [...input.latestAssessmentIndicators],
    disputeIds: computed.disputeIds,
    assessmentId: computed.assessmentId,
    catalogVersion: computed.catalogVersion,
    computedAt: now.toISOString(),
  };
}

/** Days until an assessment must be reviewed, by the tier it produced (SPEC §4 Minimisation). */
export const REVIEW_DAYS_BY_TIER: Readonly<Record<Tier, number | null>> = {
  [Tier.NONE]: null,
  [Tier.YELLOW]: 90,
  [Tier.ORANGE]: 60,
  [Tier.RED]: 30,
};

export function reviewByDate(tier: Tier, assessedAt: Date): Date | null {
  const days = REVIEW_DAYS_BY_TIER[tier];
  if (days === null) return null;
  return new Date(assessedAt.getTime() + days * 24 * 3600 * 1000);
}

export const TIER_RANK: Readonly<Record<Tier, number>> = {
  [Tier.NONE]: 0,
  [Tier.YELLOW]: 1,
  [Tier.ORANGE]: 2,
  [Tier.RED]: 3,
};

/** The tier whose decider must approve a change between two tiers: the higher of the two. */
export function tierChangeLevel(from: Tier, to: Tier): Exclude<Tier, Tier.NONE> | null {
  const higher = TIER_RANK[from] >= TIER_RANK[to] ? from : to;
  return higher === Tier.NONE ? null : higher;
}
