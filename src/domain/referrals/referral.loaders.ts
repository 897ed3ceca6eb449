// DataLoaders for referrals and psychological files of persons (the person is already in scope).
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import { groupBy, indexBy } from '../../graphql/loader-helpers';
import { PsychologicalFile, Referral } from './referral.entity';

export function createReferralLoaders(context: RequestContext) {
  return {
    referralsByPersonId: new DataLoader<string, Referral[]>(async (personIds) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(Referral)
          .createQueryBuilder('r')
          .where('r.person_id = ANY(:personIds)', { personIds })
          .orderBy('r.created_at', 'DESC')
          .addOrderBy('r.id', 'DESC'),
      );
      return groupBy(rows, (row) => row.personId, personIds);
    }),
    psychologicalFileByPersonId: new DataLoader<string, PsychologicalFile | null>(async (personIds) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(PsychologicalFile)
          .createQueryBuilder('f')
          .where('f.person_id = ANY(:personIds)', { personIds }),
      );
      return indexBy(rows, (row) => row.personId, personIds);
    }),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    referrals: ReturnType<typeof createReferralLoaders>;
  }
}
