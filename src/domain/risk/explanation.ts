// Turns the stored tier explanation into the GraphQL TierExplanation with a readable sentence.
import { IndicatorCategory, Tier } from './risk.enums';
import { TierExplanation, TierOverride, type TierExplanationData } from './tier-explanation.type';

const CATEGORY_ZH: Record<IndicatorCategory, string> = {
  [IndicatorCategory.CHARACTER]: '性格',
  [IndicatorCategory.BEHAVIOR]: '行为',
  [IndicatorCategory.EVENT]: '事件',
};

export function describeTier(
  data: TierExplanationData | null,
  fallbackTier: Tier,
  computedAt: Date,
): TierExplanation {
  const source: TierExplanationData = data ?? {
    tier: fallbackTier,
    categories: [],
    indicators: [],
    disputeIds: [],
    assessmentId: null,
    catalogVersion: null,
    computedAt: computedAt.toISOString(),
  };
  // The sentence names categories only: which indicators a reader may see is decided field by field.
  const parts = source.categories.map((category) =>
    category === IndicatorCategory.EVENT
      ? `${CATEGORY_ZH[category]}/${category} (${source.disputeIds.length} open dispute(s))`
      : `${CATEGORY_ZH[category]}/${category}`,
  );
  const summary =
    source.categories.length === 0
      ? 'NONE: 无适用要素 / no element category applies'
      : `${source.computedTier ?? source.tier}: ${source.categories.length} 类要素适用 / element categories apply — ${parts.join(', ')}` +
        (source.catalogVersion ? ` (catalog v${source.catalogVersion})` : '');
  const overridden = source.override
    ? ` — 人工变更为 ${source.override.tier}，已批准 / overridden to ${source.override.tier}, approved`
    : '';
  const override = source.override
    ? Object.assign(new TierOverride(), {
        ...source.override,
        decidedAt: new Date(source.override.decidedAt),
      })
    : null;
  return Object.assign(new TierExplanation(), {
    tier: source.tier,
    computedTier: source.computedTier ?? source.tier,
    override,
    categories: source.categories,
    indicators: source.indicators,
    disputeIds: source.disputeIds,
    otherDisputeCount: 0,
    assessmentId: source.assessmentId,
    catalogVersion: source.catalogVersion,
    computedAt: new Date(source.computedAt),
    summary: `${summary}${overridden}`,
  });
}

/**
 * The explanation as a reader sees it (SPEC §4, no foreign ids): only the disputes within their row
 * scope by id, and how many others count toward the tier.
 */
export function withVisibleDisputes(
  explanation: TierExplanation,
  visibleIds: readonly string[],
): TierExplanation {
  const visible = new Set(visibleIds);
  const disputeIds = explanation.disputeIds.filter((id) => visible.has(id));
  return Object.assign(new TierExplanation(), explanation, {
    disputeIds,
    otherDisputeCount: explanation.disputeIds.length - disputeIds.length,
  });
}
