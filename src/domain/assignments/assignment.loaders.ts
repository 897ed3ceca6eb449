// DataLoaders for responsibility: a person's current assignment and their latest follow-up.
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import { ColumnsLoader, indexBy } from '../../graphql/loader-helpers';
import { Assignment, FollowUp } from './assignment.entity';

export function createAssignmentLoaders(context: RequestContext) {
  return {
    /** Each person's current assignment; with only `columns` when given. */
    currentAssignmentOfPerson: new ColumnsLoader<string, Assignment | null>(async (personIds, columns) => {
      const query = context.dataSource.getRepository(Assignment).createQueryBuilder('a');
      if (columns) query.select(columns.map((column) => `a.${column}`));
      const rows = await readEntities(
        query.where('a.person_id = ANY(:personIds)', { personIds }).andWhere('a.active'),
      );
      return indexBy(rows, (row) => row.personId, personIds);
    }),
    /** Each person's latest follow-up; with only `columns` when given. */
    lastFollowUpOfPerson: new ColumnsLoader<string, FollowUp | null>(async (personIds, columns) => {
      const query = context.dataSource.getRepository(FollowUp).createQueryBuilder('f');
      if (columns) query.select(columns.map((column) => `f.${column}`));
      const rows = await readEntities(
        query
          .distinctOn(['f.person_id'])
          .where('f.person_id = ANY(:personIds)', { personIds })
          .orderBy('f.person_id')
          .addOrderBy('f.occurred_at', 'DESC')
          .addOrderBy('f.id', 'DESC'),
      );
      return indexBy(rows, (row) => row.personId, personIds);
    }),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    assignments: ReturnType<typeof createAssignmentLoaders>;
  }
}
