// DataLoaders for people: persons and households by id, household members — all within row scope.
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../context';
import { groupBy, indexBy } from '../../graphql/loader-helpers';
import { gridInScope, personScope } from '../../permissions/scope';
import { Household } from './household.entity';
import { Person } from './person.entity';

export function createPeopleLoaders(context: RequestContext) {
  const persons = () => context.dataSource.getRepository(Person).createQueryBuilder('p');
  return {
    personById: new DataLoader<string, Person | null>(async (ids) => {
      const scope = personScope(context.user, 'p', context.now());
      const rows = await readEntities(
        persons().where('p.id = ANY(:ids)', { ids }).andWhere(scope.sql, scope.params),
      );
      return indexBy(rows, (row) => row.id, ids);
    }),
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
