// DataLoaders for risk: a person's assessments (newest first) and the indicators of an assessment.
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import { groupBy } from '../../graphql/loader-helpers';
import { Assessment, AssessmentIndicator } from './assessment.entity';

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
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    risk: ReturnType<typeof createRiskLoaders>;
  }
}
