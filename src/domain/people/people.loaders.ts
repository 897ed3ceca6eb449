// DataLoaders for people: persons and households by id, household members — all within row scope.
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import type { GraphQLResolveInfo } from 'graphql';
import { ColumnsLoader, groupBy, indexBy } from '../../graphql/loader-helpers';
import { selectedColumns } from '../../graphql/selection';
import { gridInScope, personScope } from '../../permissions/scope';
import { Household } from './household.entity';
import { Person } from './person.entity';
import { createCorrectionLoader } from './person-corrections';

/**
 * A person mentioned by another record (a dispute's party, an alert's or an assignment's subject),
 * read with only the columns the query asks for: often just a name.
 */
export function loadPerson(context: RequestContext, id: string, info: GraphQLResolveInfo) {
  return context.loaders.people.person.load(id, selectedColumns(context, Person, info));
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
    );
    return indexBy(rows, (row) => row.id, ids);
  };
  return {
    /** Corrections of a person, newest first (person-corrections.ts). */
    correctionsByPersonId: createCorrectionLoader(context),
    /** Persons by id: whole rows, or only the columns a selection reads (`selectedColumns`). */
    person: new ColumnsLoader<string, Person | null>(visiblePersons),
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
