// DataLoaders for risk: a person's assessments (newest first), the indicators of an assessment, and
// what a person's review-by date depends on.
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import { groupBy } from '../../graphql/loader-helpers';
import { Assessment, AssessmentIndicator } from './assessment.entity';
import type { ReviewState } from './review-by';
import type { Tier } from './risk.enums';

export function createRiskLoaders(context: RequestContext) {
  return {
    assessmentsByPersonId: new DataLoader<string, Assessment[]>(async (personIds) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(Assessment)
          .createQueryBuilder('a')
          .where('a.person_id = ANY(:personIds)', { personIds })
          .orderBy('a.assessed_at', 'DESC')
          .addOrderBy('a.id', 'DESC'),
      );
      return groupBy(rows, (row) => row.personId, personIds);
    }),
    indicatorsByAssessmentId: new DataLoader<string, AssessmentIndicator[]>(async (assessmentIds) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(AssessmentIndicator)
          .createQueryBuilder('ai')
          .where('ai.assessment_id = ANY(:assessmentIds)', { assessmentIds })
          .orderBy('ai.category', 'ASC')
          .addOrderBy('ai.indicator_code', 'ASC'),
      );
      return groupBy(rows, (row) => row.assessmentId, assessmentIds);
    }),
    reviewStateByPersonId: new DataLoader<string, Omit<ReviewState, 'tier'>>(async (personIds) => {
      const rows = (await context.dataSource.query(
        `SELECT p.id,
                (SELECT a.review_by FROM assessments a WHERE a.person_id = p.id
                  ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1) AS assessment_review_by,
                r.from_tier, r.to_tier, r.decided_at
           FROM unnest($1::uuid[]) AS p(id)
           LEFT JOIN LATERAL (
             SELECT r.from_tier, r.to_tier, r.decided_at FROM tier_change_requests r
              WHERE r.person_id = p.id AND r.status = 'APPROVED' ORDER BY r.decided_at DESC LIMIT 1
           ) r ON true`,
        [personIds],
      )) as {
        id: string;
        assessment_review_by: Date | null;
        from_tier: Tier | null;
        to_tier: Tier | null;
        decided_at: Date | null;
      }[];
      const byId = new Map(rows.map((row) => [row.id, row]));
      return personIds.map((id) => {
        const row = byId.get(id);
        return {
          assessmentReviewBy: row?.assessment_review_by ?? null,
          override:
            row?.from_tier && row.to_tier && row.decided_at
              ? { fromTier: row.from_tier, toTier: row.to_tier, decidedAt: row.decided_at }
              : null,
        };
      });
    }),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    risk: ReturnType<typeof createRiskLoaders>;
  }
}
