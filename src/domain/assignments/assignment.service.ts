// The responsibility area: assign who answers for a person or an escalated dispute (三定责任制),
// record follow-ups, and list assignments within row scope.
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import {
  decodeCursor,
  orderedKeysetPage,
  pageSize,
  toConnection,
  type Connection,
  type PageOrder,
} from '../../database/paging';
import type { SortDirection } from '../../graphql/connection';
import { isUuid } from '../../graphql/validation';
import { badUserInput, ErrorCode, notFound, ruleRefusal, staleVersion } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { disputeScope, personScope } from '../../permissions/scope';
import { Dispute } from '../disputes/dispute.entity';
import { requireVisibleDispute } from '../disputes/dispute.service';
import { Department } from '../organisation/department.entity';
import { User } from '../organisation/user.entity';
import { Person } from '../people/person.entity';
import { requireVisiblePerson } from '../people/people.service';
import { Assignment, FollowUp } from './assignment.entity';
import {
  OverdueFollowUp,
  type AcknowledgeAssignmentInput,
  type AssignInput,
  type AssignmentFilter,
  type AssignmentSortField,
  type RecordFollowUpInput,
} from './assignment.inputs';
import { followUpDueSql } from './rules';
import { jurisdictionFilter } from '../organisation/organisation.service';

async function requireActiveUsers(tx: EntityManager, ids: string[], field: string): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx
    .getRepository(User)
    .createQueryBuilder('u')
    .select('u.id')
    .where('u.id = ANY(:ids) AND u.active', { ids })
    .getMany();
  const foundIds = new Set(found.map((user) => user.id));
  const missing = ids.find((id) => !foundIds.has(id));
  if (missing) throw problem(field, { zh: `没有在用的用户 ${missing}`, en: `No active user ${missing}` });
}

export async function assign(
  context: RequestContext,
  input: AssignInput,
): Promise<MutationResult<Assignment>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'assign', input, async () => {
      if (Boolean(input.personId) === Boolean(input.disputeId)) {
        throw problem('input.personId', {
          zh: 'personId 与 disputeId 须且只能填一个',
          en: 'name exactly one of personId and disputeId',
        });
      }
      if (input.personId) await requireVisiblePerson(tx, context, input.personId, 'input.personId');
      if (input.disputeId) await requireVisibleDispute(tx, context, input.disputeId, 'input.disputeId');
      const department = await tx
        .getRepository(Department)
        .findOneBy({ code: input.responsibleDepartmentCode });
      if (!department) {
        throw problem('input.responsibleDepartmentCode', {
          zh: `没有部门 ${input.responsibleDepartmentCode}`,
          en: `No department ${input.responsibleDepartmentCode}`,
        });
      }
      await requireActiveUsers(tx, [input.responsiblePersonId], 'input.responsiblePersonId');
      if (input.leadLeaderId) await requireActiveUsers(tx, [input.leadLeaderId], 'input.leadLeaderId');
      await requireActiveUsers(tx, [...new Set(input.teamMemberIds)], 'input.teamMemberIds');
      await tx
        .getRepository(Assignment)
        .createQueryBuilder()
        .update()
        .set({ active: false, version: () => 'version + 1' })
        .where(input.personId ? 'person_id = :target' : 'dispute_id = :target', {
          target: input.personId ?? input.disputeId,
        })
        .andWhere('active')
        .execute();
      const inserted = await tx.getRepository(Assignment).insert({
        personId: input.personId ?? null,
        disputeId: input.disputeId ?? null,
        leadLeaderId: input.leadLeaderId ?? null,
        responsibleDepartmentCode: input.responsibleDepartmentCode,
        responsiblePersonId: input.responsiblePersonId,
        teamMemberIds: [...new Set(input.teamMemberIds)],
        measures: input.measures.trim(),
        createdById: context.user.id,
      });
      return (inserted.identifiers[0] as { id: string }).id;
    });
    const assignment = await tx.getRepository(Assignment).findOneByOrFail({ id });
    return {
      result: assignment,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'assign',
              recordType: 'Assignment',
              recordIds: [id, assignment.personId ?? assignment.disputeId ?? ''],
              fields: ['responsibleDepartmentCode', 'responsiblePersonId', 'teamMemberIds', 'measures'],
            },
          ],
    };
  });
}

export async function recordFollowUp(
  context: RequestContext,
  input: RecordFollowUpInput,
): Promise<MutationResult<FollowUp>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'recordFollowUp', input, async () => {
      await requireVisiblePerson(tx, context, input.personId, 'input.personId');
      const now = context.now();
      if (input.occurredAt && input.occurredAt.getTime() > now.getTime()) {
        throw problem('input.occurredAt', {
          zh: '不能登记未来时间的回访',
          en: 'a follow-up cannot be recorded in the future',
        });
      }
      const inserted = await tx.getRepository(FollowUp).insert({
        personId: input.personId,
        byId: context.user.id,
        occurredAt: input.occurredAt ?? now,
        method: input.method,
        notes: input.notes.trim(),
        observedChange: input.observedChange.trim(),
      });
      return (inserted.identifiers[0] as { id: string }).id;
    });
    const followUp = await tx.getRepository(FollowUp).findOneByOrFail({ id });
    return {
      result: followUp,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'recordFollowUp',
              recordType: 'FollowUp',
              recordIds: [id, input.personId],
              fields: ['method', 'notes', 'observedChange'],
            },
          ],
    };
  });
}

/** The orders an assignments list may be sorted in; who may use each is ARGUMENT_POLICY's. */
const ASSIGNMENT_ORDERS: Readonly<
  Record<AssignmentSortField, Omit<PageOrder<Assignment>, 'name' | 'direction'>>
> = {
  CREATED_AT: { column: 'created_at', key: (assignment) => assignment.createdAt },
  UPDATED_AT: { column: 'updated_at', key: (assignment) => assignment.updatedAt },
};

export async function listAssignments(
  context: RequestContext,
  filter: AssignmentFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  orderBy?: { field: AssignmentSortField; direction: SortDirection } | null,
): Promise<Connection<Assignment>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  for (const value of [filter?.personId, filter?.responsiblePersonId, filter?.leadLeaderId]) {
    if (value && !isUuid(value)) throw badUserInput(`${value} is not an ID this API issued`, 'filter');
  }
  const personsVisible = personScope(context.user, 'p', context.now());
  const disputesVisible = disputeScope(context.user, 'd');
  const query = context.dataSource
    .getRepository(Assignment)
    .createQueryBuilder('a')
    .leftJoin(Person, 'p', 'p.id = a.person_id')
    .leftJoin(Dispute, 'd', 'd.id = a.dispute_id')
    .where(`(${personsVisible.sql} OR ${disputesVisible.sql})`, {
      ...personsVisible.params,
      ...disputesVisible.params,
    });
  if (filter?.proposed) {
    query.andWhere('a.proposed_for_tier IS NOT NULL AND NOT a.active').andWhere(
      `NOT EXISTS (SELECT 1 FROM assignments adopted WHERE adopted.person_id = a.person_id AND adopted.active
                   AND adopted.created_at >= a.created_at)`,
    );
  } else {
    query.andWhere('a.active');
  }
  if (filter?.leadLeaderId) query.andWhere('a.lead_leader_id = :lead', { lead: filter.leadLeaderId });
  if (filter?.personId) query.andWhere('a.person_id = :personId', { personId: filter.personId });
  if (filter?.responsiblePersonId) {
    query.andWhere('a.responsible_person_id = :responsible', { responsible: filter.responsiblePersonId });
  }
  if (filter?.unacknowledged) query.andWhere('a.acknowledged_at IS NULL');
  const order = orderBy ? { ...ASSIGNMENT_ORDERS[orderBy.field], ...orderBy, name: orderBy.field } : null;
  return orderedKeysetPage(
    query,
    'a',
    order,
    { column: 'created_at', key: (row) => row.createdAt },
    size,
    after,
  );
}

export function acknowledgeAssignment(
  context: RequestContext,
  input: AcknowledgeAssignmentInput,
): Promise<MutationResult<Assignment>> {
  return runMutation(context, input, async (tx) => {
    // Found through row scope (or as its responsible person) before any rule is checked: an assignment
    // out of scope answers like a made-up id, not "only the responsible person…".
    const personsVisible = personScope(context.user, 'p', context.now());
    const disputesVisible = disputeScope(context.user, 'd');
    const current = await tx
      .getRepository(Assignment)
      .createQueryBuilder('a')
      .leftJoin(Person, 'p', 'p.id = a.person_id')
      .leftJoin(Dispute, 'd', 'd.id = a.dispute_id')
      .where('a.id = :id AND a.active', { id: input.assignmentId })
      .andWhere(`(a.responsible_person_id = :me OR ${personsVisible.sql} OR ${disputesVisible.sql})`, {
        me: context.user.id,
        ...personsVisible.params,
        ...disputesVisible.params,
      })
      .setLock('pessimistic_write', undefined, ['a'])
      .getOne();
    if (!current) throw notFound('Assignment');
    if (current.responsiblePersonId !== context.user.id) {
      throw ruleRefusal('input.assignmentId', {
        zh: '只有责任人可以签收交办（签字背书）',
        en: 'Only the responsible person acknowledges an assignment (签字背书)',
      });
    }
    if (current.version !== input.expectedVersion) {
      throw staleVersion({ zh: '交办', en: 'assignment' }, current.version, input.expectedVersion);
    }
    if (current.acknowledgedAt) {
      throw problem(
        'input.assignmentId',
        { zh: '此交办已签收', en: 'This assignment is already acknowledged' },
        ErrorCode.INVALID_STATE,
      );
    }
    await tx
      .getRepository(Assignment)
      .createQueryBuilder()
      .update()
      .set({ acknowledgedAt: context.now(), version: () => 'version + 1' })
      .where('id = :id AND version = :version', { id: current.id, version: current.version })
      .execute();
    return {
      result: await tx.getRepository(Assignment).findOneByOrFail({ id: current.id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'acknowledgeAssignment',
          recordType: 'Assignment',
          recordIds: [current.id],
          fields: ['acknowledgedAt'],
        },
      ],
    };
  });
}

interface OverdueRow {
  total_count: number;
  person_id: string | null;
  last_at: Date | null;
  due_at: Date | null;
}

/** Persons at YELLOW, ORANGE or RED whose cadence has passed since their last follow-up (or tier start). */
export async function listOverdueFollowUps(
  context: RequestContext,
  jurisdictionId: string | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  /** The columns of each person the selection reads (`selectedColumns`); whole rows when undefined. */
  personColumns?: readonly string[],
): Promise<Connection<OverdueFollowUp>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const now = context.now();
  // The scope's own subtree condition stays even under a filter within it (no `within`): here it is
  // what lets PostgreSQL walk the grids' index instead of every tiered person of the city
  // (docs/performance.md#subtree-filters).
  const subtree = jurisdictionId ? await jurisdictionFilter(context, jurisdictionId, 'p.grid_id') : null;
  const scope = personScope(context.user, 'p', now);
  const position = after ? decodeCursor(after) : null;
  // One statement: each tiered person's due date is on their row, indexed by grid (persons.follow_up_due_at,
  // kept by the database: migrations LastFollowUpOfPerson and FollowUpDueDate), so only the overdue
  // entries of the scope's grids are read; they are kept once, and both the total and the page are
  // read from them. The total comes even with an empty page, so paging past the end still says how
  // many there are.
  const [sql, parameters] = context.dataSource.driver.escapeQueryWithParameters(
    `WITH overdue AS MATERIALIZED (
       SELECT p.id AS person_id, p.last_follow_up_at AS last_at, ${followUpDueSql('p')} AS due_at
         FROM persons p
        WHERE ${followUpDueSql('p')} < :now AND (${scope.sql})${subtree ? ` AND (${subtree.sql})` : ''})
     SELECT c.total_count, o.person_id, o.last_at, o.due_at
       FROM (SELECT count(*)::int AS total_count FROM overdue) c
       LEFT JOIN LATERAL (
         SELECT * FROM overdue
          ${position ? 'WHERE (due_at, person_id) > (:afterAt, :afterId)' : ''}
          ORDER BY due_at, person_id LIMIT :limit) o ON true
      ORDER BY o.due_at, o.person_id`,
    {
      ...scope.params,
      ...subtree?.params,
      now,
      limit: size + 1,
      ...(position ? { afterAt: position.at, afterId: position.id } : {}),
    },
  );
  const raw: OverdueRow[] = await context.dataSource.query(sql, parameters);
  const totalCount = raw[0]?.total_count ?? 0;
  const rows = raw.filter((row): row is OverdueRow & { person_id: string; due_at: Date } =>
    Boolean(row.person_id),
  );
  const persons = await context.loaders.people.person.loadMany(
    rows.map((row) => row.person_id),
    personColumns,
  );
  const items = rows.map((row, index) => {
    const due = new Date(row.due_at);
    return Object.assign(new OverdueFollowUp(), {
      person: persons[index] as Person,
      lastFollowUpAt: row.last_at ? new Date(row.last_at) : null,
      dueAt: due,
      daysOverdue: Math.floor((now.getTime() - due.getTime()) / 86400000),
    });
  });
  return toConnection(items, size, totalCount, (item) => ({ at: item.dueAt, id: item.person.id }));
}
