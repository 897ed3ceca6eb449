// DataLoaders for the organisation area: jurisdiction nodes by id (reference data, not scoped).
import DataLoader from 'dataloader';
import type { RequestContext } from '../../context';
import { readEntities } from '../../database/entity-rows';
import { indexBy } from '../../graphql/loader-helpers';
import { Jurisdiction } from './jurisdiction.entity';

export function createOrganisationLoaders(context: RequestContext) {
  return {
    jurisdictionById: new DataLoader<string, Jurisdiction | null>(async (ids) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(Jurisdiction)
          .createQueryBuilder('j')
          .where('j.id = ANY(:ids)', { ids }),
        'jurisdictions by id',
      );
      return indexBy(rows, (row) => row.id, ids);
    }),
  };
}
