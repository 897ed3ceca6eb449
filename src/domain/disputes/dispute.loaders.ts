// DataLoaders for disputes: by id, parties of a dispute, disputes of a person — all within row scope.
import DataLoader from 'dataloader';
import { joinedEntities, readEntities, readRawAndEntities } from '../../database/entity-rows';
import type { RequestContext } from '../../request-scope';
import { ColumnsLoader, groupBy, indexBy } from '../../graphql/loader-helpers';
import { primeVisibility } from '../../permissions/references';
import { disputeScope, personScope } from '../../permissions/scope';
import { Person } from '../people/person.entity';
import { Dispute, DisputeEscalation, DisputeParty, MediationSession, ReturnVisit } from './dispute.entity';
import { LEVEL_ORDER, OPEN_STATUSES } from './rules';

/** The rung an escalation reached, for ordering (the levels are enum values, never user input). */
const ESCALATION_RUNG = `array_position(ARRAY[${LEVEL_ORDER.map((level) => `'${level}'`).join(', ')}]::text[], x.to_level)`;

export function createDisputeLoaders(context: RequestContext) {
  const disputes = () => context.dataSource.getRepository(Dispute).createQueryBuilder('d');
  /** The rows of each dispute in `order` (ascending), which must leave no ties. */
  const byDispute = <T extends { disputeId: string }>(entity: new () => T, order: readonly string[]) =>
    new DataLoader<string, T[]>(async (ids) => {
      const query = context.dataSource
        .getRepository(entity)
        .createQueryBuilder('x')
        .where('x.dispute_id = ANY(:ids)', { ids });
      for (const expression of order) query.addOrderBy(expression, 'ASC');
      const rows = await readEntities(query);
      return groupBy(rows, (row) => row.disputeId, ids);
    });
  /**
   * The disputes each person is party to, within row scope; only the open ones when asked; with only
   * `columns` of each dispute when given.
   */
  const disputesOfPersons = (openOnly: boolean) =>
    new ColumnsLoader<string, Dispute[]>(async (personIds, columns) => {
      const scope = disputeScope(context.user, 'd');
      const query = disputes();
      if (columns) query.select(columns.map((column) => `d.${column}`));
      query
        .innerJoin(DisputeParty, 'dp', 'dp.dispute_id = d.id')
        .addSelect('dp.person_id', 'party_person_id')
        .where('dp.person_id = ANY(:personIds)', { personIds })
        .andWhere(scope.sql, scope.params);
      if (openOnly) query.andWhere('d.status = ANY(:openStatuses)', { openStatuses: OPEN_STATUSES });
      const { raw, entities } = await readRawAndEntities<Dispute, { party_person_id: string }>(
        query.orderBy('d.reported_at', 'DESC').addOrderBy('d.id', 'DESC'),
      );
      const pairs = entities.map((dispute, index) => ({ personId: raw[index]?.party_person_id, dispute }));
      return groupBy(pairs, (pair) => pair.personId, personIds).map((group) =>
        group.map((pair) => pair.dispute),
      );
    });
  return {
    // Escalations climb one rung at a time: at the same moment, the lower rung came first.
    escalationsByDisputeId: byDispute(DisputeEscalation, ['x.occurred_at', ESCALATION_RUNG, 'x.id']),
    mediationSessionsByDisputeId: byDispute(MediationSession, ['x.held_at', 'x.id']),
    returnVisitsByDisputeId: byDispute(ReturnVisit, ['x.sequence', 'x.id']),
    disputeById: new DataLoader<string, Dispute | null>(async (ids) => {
      const scope = disputeScope(context.user, 'd');
      const rows = await readEntities(
        disputes().where('d.id = ANY(:ids)', { ids }).andWhere(scope.sql, scope.params),
      );
      return indexBy(rows, (row) => row.id, ids);
    }),
    partiesByDisputeId: new DataLoader<string, DisputeParty[]>(async (ids) => {
      const rows = await readEntities(
        context.dataSource
          .getRepository(DisputeParty)
          .createQueryBuilder('dp')
          .where('dp.dispute_id = ANY(:ids)', { ids })
          .orderBy('dp.role', 'ASC')
          .addOrderBy('dp.person_id', 'ASC'),
      );
      return groupBy(rows, (row) => row.disputeId, ids);
    }),
    /**
     * The parties of each dispute together with each party's person (only the columns the selection reads,
     * and only within the caller's row scope, else null), which primes the person loader the
     * parties' `person` field reads: a list's parties and their names in one statement, not two.
     */
    partiesWithPersonsByDisputeId: new ColumnsLoader<string, DisputeParty[]>(async (ids, personColumns) => {
      const scope = personScope(context.user, 'p', context.now());
      const query = context.dataSource
        .getRepository(DisputeParty)
        .createQueryBuilder('dp')
        .leftJoin(Person, 'p', `p.id = dp.person_id AND ${scope.sql}`, scope.params)
        .addSelect(personColumns ? personColumns.map((column) => `p.${column}`) : ['p'])
        .where('dp.dispute_id = ANY(:ids)', { ids })
        .orderBy('dp.role', 'ASC')
        .addOrderBy('dp.person_id', 'ASC');
      const { raw, entities } = await readRawAndEntities(query);
      const persons = joinedEntities(query, Person, 'p', raw);
      entities.forEach((party, index) => {
        context.loaders.people.person.prime(party.personId, persons[index] ?? null, personColumns);
        primeVisibility(context, 'Person', party.personId, Boolean(persons[index]));
      });
      return groupBy(entities, (row) => row.disputeId, ids);
    }),
    disputesOfPerson: disputesOfPersons(false),
    openDisputesOfPerson: disputesOfPersons(true),
  };
}

// This area's group in `context.loaders` (see LoaderRegistry); src/loaders.ts builds it per request.
declare module '../../request-scope' {
  interface LoaderRegistry {
    disputes: ReturnType<typeof createDisputeLoaders>;
  }
}
