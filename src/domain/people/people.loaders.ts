// DataLoaders for people: persons and households by id, household members — all within row scope.
import DataLoader from 'dataloader';
import { readEntities, type SelectionColumns } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import type { GraphQLResolveInfo } from 'graphql';
import { columnsKey, groupBy, indexBy, perColumns, selectionColumns } from '../../graphql/loader-helpers';
import { gridInScope, personScope } from '../../permissions/scope';
import { Household } from './household.entity';
import { Person } from './person.entity';

/** The columns behind the fields of Person (see `columnsFor`). */
export const PERSON_COLUMNS: SelectionColumns = {
  // gridId: the address mask names the village of the person's grid.
  always: ['id', 'gridId'],
  computed: {
    age: ['birthDate'],
    ageGroup: ['birthDate'],
    grid: ['gridId'],
    household: ['householdId'],
    tierExplanation: ['tierExplanationData', 'tier', 'updatedAt'],
    disputes: [],
    assessments: [],
    currentAssignment: [],
    referrals: [],
    psychologicalFile: [],
    lastFollowUp: [],
    policeRecords: [],
    hasPoliceRecord: [],
  },
};

/** The columns of Person that the fields asked for under `info` (`path` below it) read. */
export function personColumns(
  context: RequestContext,
  info: GraphQLResolveInfo,
  path: readonly string[] = [],
) {
  return selectionColumns(context, Person, PERSON_COLUMNS, info, path);
}

/**
 * A person mentioned by another record (a dispute's party, an alert's or an assignment's subject),
 * read with only the columns the query asks for: often just a name.
 */
export function loadPerson(context: RequestContext, id: string, info: GraphQLResolveInfo) {
  return context.loaders.people.personWith(personColumns(context, info)).load(id);
}

export function createPeopleLoaders(context: RequestContext) {
  const persons = () => context.dataSource.getRepository(Person).createQueryBuilder('p');
  /** The persons of `ids` the caller may see: every column, or only `columns`. */
  const visiblePersons = async (ids: readonly string[], columns?: readonly string[]) => {
    const scope = personScope(context.user, 'p', context.now());
    const query = persons();
    if (columns) query.select(columns.map((column) => `p.${column}`));
    const rows = await readEntities(
      query.where('p.id = ANY(:ids)', { ids }).andWhere(scope.sql, scope.params),
      `persons by id|${columnsKey(columns)}|${scope.sql}`,
    );
    return indexBy(rows, (row) => row.id, ids);
  };
  const personWith = perColumns(
    (columns) => new DataLoader<string, Person | null>((ids) => visiblePersons(ids, columns)),
  );
  return {
    personById: personWith(undefined),
    /** Persons with only `columns` (whole rows when undefined), for a selection that needs no more. */
    personWith,
    householdById: new DataLoader<string, Household | null>(async (ids) => {
      const scope = gridInScope(context.user, 'h.grid_id');
      const rows = await readEntities(
        context.dataSource
          .getRepository(Household)
          .createQueryBuilder('h')
          .where('h.id = ANY(:ids)', { ids })
          .andWhere(scope.sql, scope.params),
      );
      return indexBy(rows, (row) => row.id, ids);
    }),
    membersByHouseholdId: new DataLoader<string, Person[]>(async (ids) => {
      const scope = personScope(context.user, 'p', context.now());
      const rows = await readEntities(
        persons()
          .where('p.household_id = ANY(:ids)', { ids })
          .andWhere(scope.sql, scope.params)
          .orderBy('p.created_at', 'ASC')
          .addOrderBy('p.id', 'ASC'),
      );
      return groupBy(rows, (row) => row.householdId, ids);
    }),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    people: ReturnType<typeof createPeopleLoaders>;
  }
}
