// DataLoaders for the organisation area: jurisdiction nodes by id (reference data, not scoped).
import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from '../../context';
import { indexBy } from '../../graphql/loader-helpers';
import { Jurisdiction } from './jurisdiction.entity';

export function createOrganisationLoaders(context: RequestContext) {
  return {
    jurisdictionById: new DataLoader<string, Jurisdiction | null>(async (ids) => {
      const rows = await context.dataSource.getRepository(Jurisdiction).findBy({ id: In([...ids]) });
      return indexBy(rows, (row) => row.id, ids);
    }),
  };
}
