// DataLoaders for police records: the records about a person, newest first (the person is already
// in scope; the policy table decides who reads them).
import DataLoader from 'dataloader';
import { groupBy } from '../../graphql/loader-helpers';
import type { RequestContext } from '../../request-scope';
import { PoliceRecord } from './police-record.entity';

export function createPoliceRecordLoaders(context: RequestContext) {
  return {
    recordsByPersonId: new DataLoader<string, PoliceRecord[]>(async (personIds) => {
      const rows = await context.dataSource
        .getRepository(PoliceRecord)
        .createQueryBuilder('r')
        .where('r.person_id = ANY(:personIds)', { personIds })
        .orderBy('r.occurred_on', 'DESC')
        .getMany();
      return groupBy(rows, (row) => row.personId, personIds);
    }),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    police: ReturnType<typeof createPoliceRecordLoaders>;
  }
}
