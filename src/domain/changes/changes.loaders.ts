// DataLoaders for the change feed: records by id, within the caller's row scope, for the kinds whose
// own areas load them only through their person (assessments, follow-ups …) or their recipient
// (alerts). Persons, households and disputes come from their areas' loaders. A record outside scope
// loads as null, exactly as it would through its person.
import DataLoader from 'dataloader';
import { readEntities } from '../../database/entity-rows';
import { indexBy } from '../../graphql/loader-helpers';
import { disputeScope, personScope } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import { Alert, AlertRecipient } from '../alerts/alert.entity';
import { Assignment, FollowUp } from '../assignments/assignment.entity';
import { Dispute } from '../disputes/dispute.entity';
import { Person } from '../people/person.entity';
import { PoliceRecord } from '../police/police-record.entity';
import { Referral } from '../referrals/referral.entity';
import { Assessment } from '../risk/assessment.entity';
import { TierChangeRequest } from '../risk/tier-change.entity';

export function createChangeLoaders(context: RequestContext) {
  /** Records of one person each, visible exactly when that person is (as references.ts holds). */
  const ofVisiblePerson = <T extends { id: string }>(entity: new () => T) =>
    new DataLoader<string, T | null>(async (ids) => {
      const scope = personScope(context.user, 'p', context.now());
      const rows = await readEntities(
        context.dataSource
          .getRepository(entity)
          .createQueryBuilder('x')
          .innerJoin(Person, 'p', 'p.id = x.person_id')
          .where('x.id = ANY(:ids)', { ids })
          .andWhere(scope.sql, scope.params),
      );
      return indexBy(rows, (row) => row.id, ids);
    });
  return {
    assessmentById: ofVisiblePerson(Assessment),
    followUpById: ofVisiblePerson(FollowUp),
    referralById: ofVisiblePerson(Referral),
    tierChangeRequestById: ofVisiblePerson(TierChangeRequest),
    policeRecordById: ofVisiblePerson(PoliceRecord),
    /** Assignments of a visible person or of a visible dispute (as listAssignments reads them). */
    assignmentById: new DataLoader<string, Assignment | null>(async (ids) => {
      const persons = personScope(context.user, 'p', context.now());
      const disputes = disputeScope(context.user, 'd');
      const rows = await readEntities(
        context.dataSource
          .getRepository(Assignment)
          .createQueryBuilder('x')
          .leftJoin(Person, 'p', 'p.id = x.person_id')
          .leftJoin(Dispute, 'd', 'd.id = x.dispute_id')
          .where('x.id = ANY(:ids)', { ids })
          .andWhere(`(${persons.sql} OR ${disputes.sql})`, { ...persons.params, ...disputes.params }),
      );
      return indexBy(rows, (row) => row.id, ids);
    }),
    /** Alerts addressed to the caller (as myAlerts lists them). */
    alertById: new DataLoader<string, Alert | null>(async (ids) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(Alert)
          .createQueryBuilder('x')
          .innerJoin(AlertRecipient, 'r', 'r.alert_id = x.id AND r.user_id = :me', { me: context.user.id })
          .where('x.id = ANY(:ids)', { ids }),
      );
      return indexBy(rows, (row) => row.id, ids);
    }),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    changes: ReturnType<typeof createChangeLoaders>;
  }
}
