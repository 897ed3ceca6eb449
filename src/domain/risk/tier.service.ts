// Recomputes and stores persons' tiers from their latest assessment and open disputes — called in the
// same transaction as the write that changed either (assessment recorded, dispute opened or closed).
import type { EntityManager } from 'typeorm';
import { OPEN_STATUSES } from '../disputes/rules';
import { IndicatorCategory } from './risk.enums';
import { computeTier, type IndicatorApplied } from './rules';
import type { TierExplanationData } from './tier-explanation.type';

interface TierSourceRow {
  person_id: string;
  assessment_id: string | null;
  catalog_version: number | null;
  indicators: { code: string; category: IndicatorCategory; nameZh: string; nameEn: string }[] | null;
  open_dispute_ids: string[] | null;
}

export async function recomputeTiers(manager: EntityManager, personIds: string[], now: Date): Promise<void> {
  if (personIds.length === 0) return;
  const rows: TierSourceRow[] = await manager.query(
    `SELECT p.id AS person_id, latest.id AS assessment_id, latest.catalog_version,
            (SELECT json_agg(json_build_object('code', ai.indicator_code, 'category', ai.category,
                                               'nameZh', i.name_zh, 'nameEn', i.name_en) ORDER BY ai.indicator_code)
               FROM assessment_indicators ai
               JOIN indicators i ON i.catalog_version = latest.catalog_version AND i.code = ai.indicator_code
              WHERE ai.assessment_id = latest.id) AS indicators,
            (SELECT array_agg(dp.dispute_id ORDER BY dp.dispute_id)
               FROM dispute_parties dp JOIN disputes d ON d.id = dp.dispute_id
              WHERE dp.person_id = p.id AND d.status = ANY($2)) AS open_dispute_ids
       FROM persons p
       LEFT JOIN LATERAL (
         SELECT a.id, a.catalog_version FROM assessments a
          WHERE a.person_id = p.id ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1
       ) latest ON true
      WHERE p.id = ANY($1)`,
    [personIds, OPEN_STATUSES],
  );
  const ids: string[] = [];
  const tiers: string[] = [];
  const explanations: string[] = [];
  for (const row of rows) {
    const indicators = row.indicators ?? [];
    const result = computeTier({
      latestAssessmentIndicators: indicators.map((i): IndicatorApplied => ({
        code: i.code,
        category: i.category as IndicatorCategory.CHARACTER | IndicatorCategory.BEHAVIOR,
      })),
      openDisputeIds: row.open_dispute_ids ?? [],
      assessmentId: row.assessment_id,
      catalogVersion: row.catalog_version,
    });
    const explanation: TierExplanationData = {
      tier: result.tier,
      categories: result.categories,
      indicators,
      disputeIds: result.disputeIds,
      assessmentId: result.assessmentId,
      catalogVersion: result.catalogVersion,
      computedAt: now.toISOString(),
    };
    ids.push(row.person_id);
    tiers.push(result.tier);
    explanations.push(JSON.stringify(explanation));
  }
  await manager.query(
    `UPDATE persons p SET tier = v.tier, tier_explanation_data = v.explanation::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, tier, explanation)
      WHERE p.id = v.id`,
    [ids, tiers, explanations],
  );
}
