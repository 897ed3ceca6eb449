// Recomputes and stores persons' tiers from their latest assessment and open disputes — called in the
// same transaction as the write that changed either (assessment recorded, dispute opened or closed).
// Writes that change different inputs of one person run in different transactions; each recompute
// first locks the persons' rows, so the one that waits reads the other's committed inputs afterwards
// (every statement of a READ COMMITTED transaction reads what has committed when it starts).
// An approved override past its review-by date no longer counts (review-by.ts): the rule speaks again.
import type { EntityManager } from 'typeorm';
import { OPEN_STATUSES } from '../disputes/rules';
import { proposeDefaultTeams, type TierRise } from '../assignments/proposals';
import { Tier } from './risk.enums';
import { effectiveTier, TIER_RANK, type NamedIndicator } from './rules';
import { overrideReviewBySql } from './review-by';
import type { TierOverrideData } from './tier-explanation.type';

interface TierSourceRow {
  person_id: string;
  grid_id: string;
  previous_tier: Tier;
  override: TierOverrideData | null;
  assessment_id: string | null;
  catalog_version: number | null;
  /** Of the latest assessment: CHARACTER and BEHAVIOR indicators only (the EVENT category is disputes). */
  indicators: NamedIndicator[] | null;
  open_dispute_ids: string[] | null;
}

export async function recomputeTiers(manager: EntityManager, personIds: string[], now: Date): Promise<void> {
  if (personIds.length === 0) return;
  // In id order, so two recomputes of the same persons never wait on each other in a circle; NO KEY
  // UPDATE, so inserting a dispute party (a foreign-key share lock on the person) does not wait.
  await manager.query(`SELECT 1 FROM persons WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE`, [personIds]);
  const rows: TierSourceRow[] = await manager.query(
    `SELECT p.id AS person_id, p.grid_id, p.tier AS previous_tier, latest.id AS assessment_id, latest.catalog_version,
            (SELECT json_build_object('requestId', r.id, 'tier', r.to_tier, 'reason', r.reason,
                                      'requestedById', r.requested_by_id, 'decidedById', r.decided_by_id,
                                      'decidedAt', r.decided_at, 'reviewBy', ${overrideReviewBySql('r')})
               FROM tier_change_requests r WHERE r.person_id = p.id AND r.status = 'APPROVED'
                AND ${overrideReviewBySql('r')} > $3
              ORDER BY r.decided_at DESC LIMIT 1) AS override,
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
    [personIds, OPEN_STATUSES, now],
  );
  const ids: string[] = [];
  const tiers: string[] = [];
  const computedTiers: string[] = [];
  const explanations: string[] = [];
  const rises: TierRise[] = [];
  for (const row of rows) {
    const explanation = effectiveTier(
      {
        latestAssessmentIndicators: row.indicators ?? [],
        openDisputeIds: row.open_dispute_ids ?? [],
        assessmentId: row.assessment_id,
        catalogVersion: row.catalog_version,
      },
      row.override,
      now,
    );
    const effective = explanation.tier;
    ids.push(row.person_id);
    tiers.push(effective);
    computedTiers.push(explanation.computedTier);
    explanations.push(JSON.stringify(explanation));
    if (effective !== Tier.NONE && TIER_RANK[effective] > TIER_RANK[row.previous_tier]) {
      rises.push({ personId: row.person_id, gridId: row.grid_id, tier: effective });
    }
  }
  await manager.query(
    `UPDATE persons p SET tier = v.tier, computed_tier = v.computed_tier,
            tier_since = CASE WHEN p.tier = v.tier THEN p.tier_since ELSE $5 END,
            tier_explanation_data = v.explanation::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(id, tier, computed_tier, explanation)
      WHERE p.id = v.id`,
    [ids, tiers, computedTiers, explanations, now],
  );
  await proposeDefaultTeams(manager, rises);
}
