// DataLoaders for responsibility: a person's current assignment and their latest follow-up.
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../context';
import { indexBy } from '../../graphql/loader-helpers';
import { Assignment, FollowUp } from './assignment.entity';

export function createAssignmentLoaders(context: RequestContext) {
  return {
    currentAssignmentByPersonId: new DataLoader<string, Assignment | null>(async (personIds) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(Assignment)
          .createQueryBuilder('a')
          .where('a.person_id = ANY(:personIds)', { personIds })
          .andWhere('a.active'),
      );
      return indexBy(rows, (row) => row.personId, personIds);
    }),
    lastFollowUpByPersonId: new DataLoader<string, FollowUp | null>(async (personIds) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(FollowUp)
          .createQueryBuilder('f')
          .distinctOn(['f.person_id'])
          .where('f.person_id = ANY(:personIds)', { personIds })
          .orderBy('f.person_id')
          .addOrderBy('f.occurred_at', 'DESC'),
      );
      return indexBy(rows, (row) => row.personId, personIds);
    }),
  };
}
