// DataLoaders for responsibility: a person's current assignment and their latest follow-up.
import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import { readEntities, type SelectionColumns } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import { columnsKey, indexBy, perColumns, selectionColumns } from '../../graphql/loader-helpers';
import { Assignment, FollowUp } from './assignment.entity';

/** The columns behind the fields of Assignment and of FollowUp (see `columnsFor`). */
const ASSIGNMENT_COLUMNS: SelectionColumns = {
  always: ['id', 'personId'],
  computed: { person: ['personId'] },
};
const FOLLOW_UP_COLUMNS: SelectionColumns = { always: ['id', 'personId'], computed: {} };

/** The columns of Assignment (or of FollowUp) that the fields asked for under `info` read. */
export function assignmentColumns(context: RequestContext, info: GraphQLResolveInfo) {
  return selectionColumns(context, Assignment, ASSIGNMENT_COLUMNS, info);
}
export function followUpColumns(context: RequestContext, info: GraphQLResolveInfo) {
  return selectionColumns(context, FollowUp, FOLLOW_UP_COLUMNS, info);
}

export function createAssignmentLoaders(context: RequestContext) {
  return {
    /** Each person's current assignment; with only `columns` when given. */
    currentAssignmentOfPersonWith: perColumns(
      (columns) =>
        new DataLoader<string, Assignment | null>(async (personIds) => {
          const query = context.dataSource.getRepository(Assignment).createQueryBuilder('a');
          if (columns) query.select(columns.map((column) => `a.${column}`));
          const rows = await readEntities(
            query.where('a.person_id = ANY(:personIds)', { personIds }).andWhere('a.active'),
            `current assignments|${columnsKey(columns)}`,
          );
          return indexBy(rows, (row) => row.personId, personIds);
        }),
    ),
    /** Each person's latest follow-up; with only `columns` when given. */
    lastFollowUpOfPersonWith: perColumns(
      (columns) =>
        new DataLoader<string, FollowUp | null>(async (personIds) => {
          const query = context.dataSource.getRepository(FollowUp).createQueryBuilder('f');
          if (columns) query.select(columns.map((column) => `f.${column}`));
          const rows = await readEntities(
            query
              .distinctOn(['f.person_id'])
              .where('f.person_id = ANY(:personIds)', { personIds })
              .orderBy('f.person_id')
              .addOrderBy('f.occurred_at', 'DESC')
              .addOrderBy('f.id', 'DESC'),
            `last follow-ups|${columnsKey(columns)}`,
          );
          return indexBy(rows, (row) => row.personId, personIds);
        }),
    ),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    assignments: ReturnType<typeof createAssignmentLoaders>;
  }
}
