// DataLoaders for people: persons and households by id, household members — all within row scope.
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../context';
import type { GraphQLResolveInfo } from 'graphql';
import { groupBy, indexBy, selectsOnly } from '../../graphql/loader-helpers';
import { gridInScope, personScope } from '../../permissions/scope';
import { Household } from './household.entity';
import { Person } from './person.entity';

/** Person fields that the summary loader reads, and the columns behind them. */
const PERSON_SUMMARY_FIELDS: ReadonlySet<string> = new Set(['__typename', 'id', 'name', 'tier']);
const PERSON_SUMMARY_COLUMNS = ['id', 'name', 'tier', 'gridId'] as const;

/** A person for a resolver: only the summary columns when the query asks for no more. */
export function loadPerson(context: RequestContext, id: string, info: GraphQLResolveInfo) {
  const loaders = context.loaders.people;
  return selectsOnly(info, PERSON_SUMMARY_FIELDS)
    ? loaders.personSummaryById.load(id)
    : loaders.personById.load(id);
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
    personById: new DataLoader<string, Person | null>((ids) => visiblePersons(ids)),
    /**
     * Only what a mention of a person needs (`PERSON_SUMMARY_FIELDS`): a dispute's parties or an
     * alert's subject, where whole rows would be read only to show a name.
     */
    personSummaryById: new DataLoader<string, Person | null>((ids) =>
      visiblePersons(ids, PERSON_SUMMARY_COLUMNS),
    ),
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
          .orderBy('p.created_at', 'ASC'),
      );
      return groupBy(rows, (row) => row.householdId, ids);
    }),
  };
}
