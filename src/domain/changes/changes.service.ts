// The change feed (SPEC §5a, issue 21 item 1): what changed within the caller's row and field scope,
// in commit order, from a cursor, with no gap and no duplicate however many writers commit at once.
//
// Where the changes come from. Triggers (migration ChangeFeed) note every write to a record the feed
// carries, in the writer's own transaction: one row per transaction and record in record_changes,
// with the record's scope keys before and after. When such a transaction commits, a deferred trigger
// numbers it (record_change_commits.seq) while holding the row lock of record_change_head until the
// commit is complete.
//
// Why a reader never misses a change, and never reads one twice. Number N+1 is handed out only after
// the transaction holding N has finished: committed, or rolled back (and its number with it, so the
// next transaction gets N again). Its commit is complete, and visible to every later snapshot, before
// its lock is released. So a snapshot that sees N+1 sees every committed number below it, and numbers
// only grow: once a reader has read everything up to N, every change it has not read carries a
// number above N — including a transaction that took its transaction id long before others and
// commits last (ordering by transaction id would put it behind changes already read, or hold every
// reader back while it runs). One statement reads the page and the highest number in one snapshot,
// so "everything up to here" is exact. The cursor is (seq, record) — the order within a commit is by
// record — and a reader resumes after it: nothing at or before it is returned again.
//
// What a reader is told. A change is shown when the record was within the caller's row scope before
// or after it — judged by scope.ts's predicates on the keys the trigger kept (grid, birth date,
// special statuses, tier; a dispute's category, source, venue and status), with what those predicates
// read from other rows (parties, assignments) as it is now, and the links a change itself kept — and,
// for an update that did not move the record across the scope, only when a column or field the caller
// may read changed. A change to a record outside the caller's scope before and after is not shown at
// all (no existence signal). The record is then loaded through the ordinary row-scoped loaders and
// served through the ordinary fields, so masking, field denial and the sensitive-read audit apply as
// for any query. Loaded, it is CREATED or UPDATED; not loadable any more (moved out, rerouted, merged
// away) it is LEFT_SCOPE with its id only.
import type { GraphQLSchema } from 'graphql';
import { GraphQLError, isObjectType } from 'graphql';
import { principalOf, type Identity } from '../../auth/identity';
import { queryPrepared } from '../../database/prepared';
import { pageSize } from '../../database/paging';
import { badUserInput, ErrorCode } from '../../graphql/errors';
import { readsOf } from '../../graphql/selection';
import { decideField, FIELD_POLICY, rowAccess, type Principal } from '../../permissions/policy';
import { disputeScope, gridInScope, personScope, type SqlPredicate } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import { Alert } from '../alerts/alert.entity';
import { Assignment, FollowUp } from '../assignments/assignment.entity';
import { Dispute } from '../disputes/dispute.entity';
import { Household } from '../people/household.entity';
import { Person } from '../people/person.entity';
import { PoliceRecord } from '../police/police-record.entity';
import { Referral } from '../referrals/referral.entity';
import { Assessment } from '../risk/assessment.entity';
import { TierChangeRequest } from '../risk/tier-change.entity';
import { cursorKey, openPosition, sealPosition, START, type FeedPosition } from './cursor';
import {
  ChangedRecordType,
  ChangeOperation,
  RecordChange,
  type ChangeFeed,
  type RecordChangeEdge,
  type RecordField,
} from './changes.types';

/** How a kind of record is in a reader's scope, judged from the keys its change kept. */
type ScopeRule = 'person' | 'household' | 'dispute' | 'ofPerson' | 'assignment' | 'alert';

interface FeedKind {
  type: ChangedRecordType;
  /** The GraphQL type, which is also what the triggers write as record_type. */
  typeName: string;
  field: RecordField;
  entity: new () => object;
  scope: ScopeRule;
  load(context: RequestContext, id: string): Promise<object | null>;
}

const KINDS: readonly FeedKind[] = [
  {
    type: ChangedRecordType.PERSON,
    typeName: 'Person',
    field: 'person',
    entity: Person,
    scope: 'person',
    load: (context, id) => context.loaders.people.person.load(id),
  },
  {
    type: ChangedRecordType.HOUSEHOLD,
    typeName: 'Household',
    field: 'household',
    entity: Household,
    scope: 'household',
    load: (context, id) => context.loaders.people.householdById.load(id),
  },
  {
    type: ChangedRecordType.DISPUTE,
    typeName: 'Dispute',
    field: 'dispute',
    entity: Dispute,
    scope: 'dispute',
    load: (context, id) => context.loaders.disputes.disputeById.load(id),
  },
  {
    type: ChangedRecordType.ASSESSMENT,
    typeName: 'Assessment',
    field: 'assessment',
    entity: Assessment,
    scope: 'ofPerson',
    load: (context, id) => context.loaders.changes.assessmentById.load(id),
  },
  {
    type: ChangedRecordType.ASSIGNMENT,
    typeName: 'Assignment',
    field: 'assignment',
    entity: Assignment,
    scope: 'assignment',
    load: (context, id) => context.loaders.changes.assignmentById.load(id),
  },
  {
    type: ChangedRecordType.FOLLOW_UP,
    typeName: 'FollowUp',
    field: 'followUp',
    entity: FollowUp,
    scope: 'ofPerson',
    load: (context, id) => context.loaders.changes.followUpById.load(id),
  },
  {
    type: ChangedRecordType.REFERRAL,
    typeName: 'Referral',
    field: 'referral',
    entity: Referral,
    scope: 'ofPerson',
    load: (context, id) => context.loaders.changes.referralById.load(id),
  },
  {
    type: ChangedRecordType.TIER_CHANGE_REQUEST,
    typeName: 'TierChangeRequest',
    field: 'tierChangeRequest',
    entity: TierChangeRequest,
    scope: 'ofPerson',
    load: (context, id) => context.loaders.changes.tierChangeRequestById.load(id),
  },
  {
    type: ChangedRecordType.POLICE_RECORD,
    typeName: 'PoliceRecord',
    field: 'policeRecord',
    entity: PoliceRecord,
    scope: 'ofPerson',
    load: (context, id) => context.loaders.changes.policeRecordById.load(id),
  },
  {
    type: ChangedRecordType.ALERT,
    typeName: 'Alert',
    field: 'alert',
    entity: Alert,
    scope: 'alert',
    load: (context, id) => context.loaders.changes.alertById.load(id),
  },
];

const KIND_BY_TYPE_NAME = new Map(KINDS.map((kind) => [kind.typeName, kind]));

/**
 * At most this many changes are looked at per call, whatever the caller may see of them: a reader
 * far behind, or one that sees little, pages through with hasNextPage and few or no edges, and no
 * call runs long.
 */
export const SCAN_LIMIT = 2000;

/** What a principal reads of each kind: the kinds it may read, and per kind the columns and fields. */
interface Readable {
  kinds: FeedKind[];
  /** Column names and field names whose change the principal would see, by GraphQL type. */
  names: Map<string, string[]>;
}

const readableBySchema = new WeakMap<GraphQLSchema, Map<string, Readable>>();

/**
 * The kinds `principal` may read (its RecordChange field for the kind), and for each the columns and
 * fields it may read of it — a field as itself, and the columns it is read from (`@Reads`, or the
 * column of the same name). Worked out once per schema and kind of principal.
 */
function readableFor(context: RequestContext, schema: GraphQLSchema, principal: Principal): Readable {
  let byPrincipal = readableBySchema.get(schema);
  if (!byPrincipal) {
    byPrincipal = new Map();
    readableBySchema.set(schema, byPrincipal);
  }
  const key = `${principal.department}|${principal.position}|${principal.capability ?? ''}`;
  const known = byPrincipal.get(key);
  if (known) return known;
  const kinds = KINDS.filter(
    (kind) => decideField(FIELD_POLICY[`RecordChange.${kind.field}`], principal) === 'read',
  );
  const names = new Map<string, string[]>();
  for (const kind of kinds) {
    const type = schema.getType(kind.typeName);
    if (!isObjectType(type)) throw new Error(`the change feed carries ${kind.typeName}, which is not a type`);
    const metadata = context.dataSource.getMetadata(kind.entity);
    const properties = new Set(metadata.columns.map((column) => column.propertyName));
    const seen = new Set<string>();
    for (const field of Object.keys(type.getFields())) {
      if (decideField(FIELD_POLICY[`${kind.typeName}.${field}`], principal) === 'denied') continue;
      seen.add(field);
      for (const property of readsOf(type, field, properties) ?? []) {
        const column = metadata.findColumnWithPropertyName(property);
        if (column) seen.add(column.databaseName);
      }
    }
    names.set(kind.typeName, [...seen].sort());
  }
  const readable = { kinds, names };
  byPrincipal.set(key, readable);
  return readable;
}

/** A row of scope keys, as the record's own columns are named, read from the jsonb `keys`. */
function keysRow(keys: string): string {
  return `SELECT s.record_id AS id,
           (${keys}->>'grid_id')::uuid AS grid_id,
           (${keys}->>'birth_date')::date AS birth_date,
           CASE WHEN jsonb_typeof(${keys}->'special_statuses') = 'array'
                THEN ARRAY(SELECT jsonb_array_elements_text(${keys}->'special_statuses'))
                ELSE '{}'::text[] END AS special_statuses,
           ${keys}->>'tier' AS tier,
           ${keys}->>'category' AS category,
           ${keys}->>'source' AS source,
           ${keys}->>'venue' AS venue,
           ${keys}->>'status' AS status,
           (${keys}->>'person_id')::uuid AS person_id,
           (${keys}->>'dispute_id')::uuid AS dispute_id`;
}

/**
 * Whether the record of a change was within `identity`'s row scope, judged from one side of the
 * change: `row` is the keysRow of `keys`. The record's own keys go through the predicates of
 * scope.ts; what scope.ts reads from other rows (parties, assignments) is read as it is now, and,
 * for departments that see disputes routed or assigned to them, also from the links the change kept:
 * a person in their subtree is theirs while party to a dispute they see, or assigned to them, and a
 * dispute in their subtree while assigned to them — scope.ts's rule, written here for those keys.
 */
function insideSql(identity: Identity, now: Date, row: string, keys: string): SqlPredicate {
  const access = rowAccess(principalOf(identity));
  const person = personScope(identity, row, now);
  const dispute = disputeScope(identity, row);
  const household = gridInScope(identity, `${row}.grid_id`);
  const owner = personScope(identity, `${row}_p`, now);
  const ownerDispute = disputeScope(identity, `${row}_d`);
  const linked = disputeScope(identity, `${row}_ld`);
  const assignedToMe = `coalesce((${keys} ->> :feedAssignedKey)::boolean, false)`;
  const personLinks = access.routedDisputes
    ? ` OR ((${household.sql}) AND (${assignedToMe} OR EXISTS (
          SELECT 1 FROM jsonb_each(${keys}) ${row}_link
           CROSS JOIN LATERAL (
             SELECT CASE WHEN ${row}_link.key LIKE 'dispute:%' THEN substr(${row}_link.key, 9)::uuid END AS id,
                    (${row}_link.value->>'grid_id')::uuid AS grid_id,
                    ${row}_link.value->>'category' AS category,
                    ${row}_link.value->>'source' AS source,
                    ${row}_link.value->>'venue' AS venue,
                    ${row}_link.value->>'status' AS status) ${row}_ld
          WHERE ${row}_link.key LIKE 'dispute:%' AND jsonb_typeof(${row}_link.value) = 'object'
            AND (${linked.sql}))))`
    : '';
  const disputeLinks = access.routedDisputes ? ` OR ((${household.sql}) AND ${assignedToMe})` : '';
  const ofPerson = `EXISTS (SELECT 1 FROM persons ${row}_p WHERE ${row}_p.id = ${row}.person_id AND (${owner.sql}))`;
  return {
    sql: `CASE s.record_type
        WHEN 'Person' THEN (${person.sql})${personLinks}
        WHEN 'Household' THEN (${household.sql})
        WHEN 'Dispute' THEN (${dispute.sql})${disputeLinks}
        WHEN 'Assignment' THEN ${ofPerson}
          OR EXISTS (SELECT 1 FROM disputes ${row}_d WHERE ${row}_d.id = ${row}.dispute_id AND (${ownerDispute.sql}))
        WHEN 'Alert' THEN EXISTS (SELECT 1 FROM alert_recipients ${row}_r
                                   WHERE ${row}_r.alert_id = ${row}.id AND ${row}_r.user_id = :feedReader)
        ELSE ${ofPerson} END`,
    params: {
      ...person.params,
      ...dispute.params,
      ...household.params,
      ...owner.params,
      ...ownerDispute.params,
      ...linked.params,
      feedAssignedKey: `assigned:${identity.departmentCode}`,
      feedReader: identity.id,
    },
  };
}

interface FeedRow {
  frontier: string;
  /** The highest commit number pruned (prune.ts): a cursor at or before it is expired. */
  pruned: string;
  scanned: string;
  last_seq: string | null;
  last_type: string | null;
  last_id: string | null;
  seq: string | null;
  committed_at: Date | null;
  record_type: string | null;
  record_id: string | null;
  operation: 'INSERT' | 'UPDATE' | 'DELETE' | null;
}

/**
 * One statement, one snapshot: the highest commit number, how far the scan got, and the changes of
 * the scanned stretch that the caller is told of, in commit order.
 */
function feedStatement(
  context: RequestContext,
  readable: Readable,
  position: FeedPosition,
  pageLimit: number,
): { sql: string; params: Record<string, unknown> } {
  const identity = context.user;
  const before = insideSql(identity, context.now(), 'kb', 's.scope_before');
  const after = insideSql(identity, context.now(), 'ka', 's.scope_after');
  const namesParams = Object.fromEntries(
    KINDS.map((kind) => [`feedNames${kind.typeName}`, readable.names.get(kind.typeName) ?? []]),
  );
  const sql = `
    WITH scanned AS MATERIALIZED (
      SELECT k.seq, k.committed_at, c.record_type, c.record_id, c.operation, c.scope_before, c.scope_after, c.changed
        FROM record_change_commits k
        JOIN record_changes c ON c.xid = k.xid
       WHERE k.seq >= :feedAfterSeq
         AND (k.seq > :feedAfterSeq OR (c.record_type, c.record_id) > (:feedAfterType, :feedAfterId))
       ORDER BY k.seq, c.record_type, c.record_id
       LIMIT ${SCAN_LIMIT}),
    judged AS (
      SELECT s.seq, s.committed_at, s.record_type, s.record_id, s.operation, s.changed, v.inside_before, v.inside_after
        FROM scanned s
        CROSS JOIN LATERAL (${keysRow('s.scope_before')}) kb
        CROSS JOIN LATERAL (${keysRow('s.scope_after')}) ka
        CROSS JOIN LATERAL (
          SELECT CASE WHEN s.scope_before IS NULL THEN false ELSE coalesce(${before.sql}, false) END AS inside_before,
                 CASE WHEN s.scope_after IS NULL THEN false ELSE coalesce(${after.sql}, false) END AS inside_after) v
       WHERE s.record_type = ANY(:feedTypes))
    SELECT f.frontier, f.pruned, t.scanned, l.seq AS last_seq, l.record_type AS last_type, l.record_id AS last_id,
           p.seq, p.committed_at, p.record_type, p.record_id, p.operation
      FROM (SELECT greatest(coalesce((SELECT max(seq) FROM record_change_commits), 0), h.pruned_seq) AS frontier,
                   h.pruned_seq AS pruned
              FROM record_change_head h) f
     CROSS JOIN (SELECT count(*) AS scanned FROM scanned) t
      LEFT JOIN LATERAL (
        SELECT seq, record_type, record_id FROM scanned
         ORDER BY seq DESC, record_type DESC, record_id DESC LIMIT 1) l ON true
      LEFT JOIN LATERAL (
        SELECT j.seq, j.committed_at, j.record_type, j.record_id, j.operation FROM judged j
         WHERE CASE j.operation
                 WHEN 'INSERT' THEN j.inside_after
                 WHEN 'DELETE' THEN j.inside_before
                 ELSE (j.inside_before OR j.inside_after)
                      AND (j.inside_before <> j.inside_after
                           OR j.changed && (CASE j.record_type
                                ${KINDS.map((kind) => `WHEN '${kind.typeName}' THEN :feedNames${kind.typeName}::text[]`).join('\n                                ')}
                                ELSE '{}'::text[] END))
               END
         ORDER BY j.seq, j.record_type, j.record_id
         LIMIT :feedPageLimit) p ON true
     ORDER BY p.seq, p.record_type, p.record_id`;
  return {
    sql,
    params: {
      ...before.params,
      ...after.params,
      ...namesParams,
      feedTypes: readable.kinds.map((kind) => kind.typeName),
      feedPageLimit: pageLimit,
      feedAfterSeq: position.seq,
      // A whole commit read: every record of it sorts before '~' (record types are letters, collated "C").
      feedAfterType: position.after?.recordType ?? '~',
      feedAfterId: position.after?.recordId ?? '00000000-0000-0000-0000-000000000000',
    },
  };
}

/** An edge whose cursor is sealed only when a query asks for it. */
class FeedEdge implements RecordChangeEdge {
  constructor(
    readonly node: RecordChange,
    private readonly key: Buffer,
    private readonly position: FeedPosition,
  ) {}

  get cursor(): string {
    return sealPosition(this.key, this.position);
  }
}

function compareSeq(a: string, b: string): number {
  return a.length === b.length ? (a < b ? -1 : a > b ? 1 : 0) : a.length - b.length;
}

/** The caller's changes after the cursor `after` (from the feed's beginning when null), at most `first`. */
export async function readChanges(
  context: RequestContext,
  schema: GraphQLSchema,
  after: string | null | undefined,
  first: number | null | undefined,
): Promise<ChangeFeed> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const key = await cursorKey(context.dataSource);
  const position = after ? openPosition(key, after) : START;
  const readable = readableFor(context, schema, principalOf(context.user));
  if (readable.kinds.length === 0) {
    return { edges: [], pageInfo: { hasNextPage: false, endCursor: after ?? sealPosition(key, START) } };
  }
  const { sql, params } = feedStatement(context, readable, position, size + 1);
  const [text, parameters] = context.dataSource.driver.escapeQueryWithParameters(sql, params);
  const rows = await queryPrepared<FeedRow>(context.dataSource, text, parameters);
  const summary = rows[0];
  if (!summary) throw new Error('the change feed statement returned no row');
  if (compareSeq(summary.frontier, position.seq) < 0) {
    // A read replica that has not replayed as far as the cursor's read (the primary, or a fresher
    // replica): nothing new yet, as far as it knows; the reader keeps its cursor and asks again.
    if (context.dataSource !== context.app.dataSource) {
      return { edges: [], pageInfo: { hasNextPage: false, endCursor: after ?? sealPosition(key, START) } };
    }
    throw badUserInput('The cursor is ahead of this feed (was the database restored?): start again', 'after');
  }
  const prunedPast = compareSeq(position.seq, summary.pruned);
  if (after && (prunedPast < 0 || (prunedPast === 0 && position.after !== null))) {
    throw new GraphQLError(
      'The cursor points before the oldest change kept (CHANGE_FEED_DAYS): read the records afresh, then follow the feed without a cursor',
      { extensions: { code: ErrorCode.CURSOR_EXPIRED, field: 'after' } },
    );
  }
  const shown = rows.filter((row) => row.record_id !== null);
  const page = shown.slice(0, size);
  let end: FeedPosition;
  let hasNextPage: boolean;
  const last = page.at(-1);
  if (shown.length > size && last) {
    end = positionOf(last);
    hasNextPage = true;
  } else if (Number(summary.scanned) >= SCAN_LIMIT && summary.last_seq) {
    end = {
      seq: summary.last_seq,
      after: { recordType: summary.last_type as string, recordId: summary.last_id as string },
    };
    hasNextPage = true;
  } else {
    end = { seq: summary.frontier, after: null };
    hasNextPage = false;
  }
  const edges = await Promise.all(
    page.map(async (row) => new FeedEdge(await changeOf(context, row), key, positionOf(row))),
  );
  return { edges, pageInfo: { hasNextPage, endCursor: sealPosition(key, end) } };
}

function positionOf(row: FeedRow): FeedPosition {
  return {
    seq: row.seq as string,
    after: { recordType: row.record_type as string, recordId: row.record_id as string },
  };
}

/** The change as the caller is told of it: the record as it may read it now, or that it left. */
async function changeOf(context: RequestContext, row: FeedRow): Promise<RecordChange> {
  const kind = KIND_BY_TYPE_NAME.get(row.record_type as string);
  if (!kind) throw new Error(`the change feed does not carry ${row.record_type}`);
  const record = await kind.load(context, row.record_id as string);
  const change = Object.assign(new RecordChange(), {
    recordType: kind.type,
    recordId: row.record_id as string,
    changedAt: row.committed_at as Date,
    operation: !record
      ? ChangeOperation.LEFT_SCOPE
      : row.operation === 'INSERT'
        ? ChangeOperation.CREATED
        : ChangeOperation.UPDATED,
    person: null,
    household: null,
    dispute: null,
    assessment: null,
    assignment: null,
    followUp: null,
    referral: null,
    tierChangeRequest: null,
    policeRecord: null,
    alert: null,
  });
  return Object.assign(change, { [kind.field]: record });
}
