// Explains an access decision for security reviewers (issue 24 item 5): may this account read
// Type.field — read, masked, denied, or (for a given record) out of scope — and why. Every part is
// asked of the code that enforces it: decideField and the policy row for the field, the row-scope
// clauses of scope.ts evaluated in SQL for the record, shield.ts's value filter, the sensitive flag
// the audit layer reads. There is no second copy of the rules here, only the questions.
import type { DataSource } from 'typeorm';
import type { Identity } from '../auth/identity';
import { principalOf } from '../auth/identity';
import {
  decideField,
  FIELD_POLICY,
  INDICATOR_CATEGORY_READERS,
  OPERATION_POLICY,
  rowAccess,
  SPECIAL_STATUS_OWNERS,
  STRUCTURAL_TYPES,
  type FieldPolicy,
  type Principal,
} from './policy';
import {
  breakGlassClause,
  disputeKindClauses,
  disputeScope,
  gridInScope,
  personKindClauses,
  personScope,
  type ScopeClause,
  type SqlPredicate,
} from './scope';
import { filterValues } from './shield';

export type AccessOutcome = 'READ' | 'MASKED' | 'DENIED' | 'OUT_OF_SCOPE';

/** The types whose records are row-scoped, and the lookup a reader reaches a record by. */
const ROW_SCOPED = {
  Person: {
    table: 'persons',
    operation: 'Query.person',
    // The department's own clauses, and a break-glass grant in force, which personScope adds to them.
    kindClauses: (identity: Identity, alias: string, today: Date): ScopeClause[] => {
      const breakGlass = breakGlassClause(identity, alias);
      return [...personKindClauses(identity, alias, today), ...(breakGlass ? [breakGlass] : [])];
    },
    scope: (identity: Identity, alias: string, today: Date) => personScope(identity, alias, today),
  },
  Dispute: {
    table: 'disputes',
    operation: 'Query.dispute',
    kindClauses: (identity: Identity, alias: string) => disputeKindClauses(identity, alias),
    scope: (identity: Identity, alias: string) => disputeScope(identity, alias),
  },
} as const;
type RowScopedType = keyof typeof ROW_SCOPED;

export function isRowScopedType(typeName: string): typeName is RowScopedType {
  return Object.hasOwn(ROW_SCOPED, typeName);
}

/** Which policy row governs the field, and which of its audiences the account is in. */
export interface PolicyRowExplanation {
  /** FIELD_POLICY, OPERATION_POLICY, STRUCTURAL_TYPES, or none (denied by default). */
  table: 'FIELD_POLICY' | 'OPERATION_POLICY' | 'STRUCTURAL_TYPES' | 'NONE';
  readers: string | null;
  maskedFor: string | null;
  maskKind: string | null;
  /** Which audience the account matched: READERS, MASKED, or NONE. */
  matched: 'READERS' | 'MASKED' | 'NONE';
  note: string | null;
}

export interface ValueFilterExplanation {
  kind: string;
  /** What the account's department sees of the list, by the policy. */
  rule: string;
  /** For a record: whether anything of its value passes the filter; null without a record. */
  matched: boolean | null;
}

export interface RecordScopeExplanation {
  recordType: RowScopedType;
  recordId: string;
  /** False for an id no record has: the API answers it exactly as an out-of-scope one (NOT_FOUND). */
  exists: boolean;
  /** The operation that reaches the record (Query.person, Query.dispute) and whether the account may run it. */
  operation: string;
  operationAllowed: boolean;
  withinSubtree: boolean;
  /** The department's clauses, any one of which brings a record of its subtree in. */
  clauses: { name: string; matched: boolean }[];
  inScope: boolean;
}

export interface AccessExplanation {
  account: {
    username: string;
    department: string;
    position: string;
    capability: string | null;
    jurisdictionPath: string;
  };
  field: string;
  /** For the record when one is given; else what the account gets for a record within its scope. */
  outcome: AccessOutcome;
  policy: PolicyRowExplanation;
  /** Reading the real value writes an audit entry (SPEC §4). */
  sensitive: boolean;
  audited: boolean;
  valueFilter: ValueFilterExplanation | null;
  /** The account's row scope in words, from rowAccess. */
  rowScopeRule: string;
  record: RecordScopeExplanation | null;
  /** The explanation, one sentence per step, in the order the server applies them. */
  reasons: string[];
}

function policyRowOf(field: string, principal: Principal): PolicyRowExplanation {
  const [typeName = ''] = field.split('.');
  const operation = OPERATION_POLICY[field];
  if (operation) {
    return {
      table: 'OPERATION_POLICY',
      readers: operation.label,
      maskedFor: null,
      maskKind: null,
      matched: operation.includes(principal) ? 'READERS' : 'NONE',
      note: null,
    };
  }
  const policy: FieldPolicy | undefined = FIELD_POLICY[field];
  if (policy) {
    const decision = decideField(policy, principal);
    return {
      table: 'FIELD_POLICY',
      readers: policy.read.label,
      maskedFor: policy.masked?.audience.label ?? null,
      maskKind: policy.masked?.kind ?? null,
      matched: decision === 'read' ? 'READERS' : decision === 'masked' ? 'MASKED' : 'NONE',
      note: policy.note ?? null,
    };
  }
  const structural = STRUCTURAL_TYPES[typeName];
  if (structural) {
    return {
      table: 'STRUCTURAL_TYPES',
      readers: structural.label,
      maskedFor: null,
      maskKind: null,
      matched: structural.includes(principal) ? 'READERS' : 'NONE',
      note: null,
    };
  }
  return { table: 'NONE', readers: null, maskedFor: null, maskKind: null, matched: 'NONE', note: null };
}

/** The value filter's rule for the principal's department, from the owners tables the filter reads. */
function valueFilterRule(kind: NonNullable<FieldPolicy['valueFilter']>, principal: Principal): string {
  const table: Readonly<Record<string, readonly string[]>> =
    kind === 'SPECIAL_STATUS' ? SPECIAL_STATUS_OWNERS : INDICATOR_CATEGORY_READERS;
  const visible = Object.keys(table).filter((value) => table[value]?.includes(principal.department));
  const what = kind === 'SPECIAL_STATUS' ? 'special statuses' : 'indicator categories';
  return visible.length > 0
    ? `only the ${what} its department reads: ${visible.join(', ')}`
    : `none of the ${what}: its department reads none`;
}

/** The account's row scope in words (rowAccess). */
export function describeRowScope(principal: Principal): string {
  const access = rowAccess(principal);
  if (access.everything) return 'every person and dispute in its jurisdiction subtree';
  if (access.onlyUnderAge !== null) return `persons under ${access.onlyUnderAge} in its subtree; no disputes`;
  if (!access.routedDisputes) return 'no persons and no disputes';
  const parts = ['disputes routed to it by category, source or venue, or assigned to it, and their parties'];
  if (access.disputeStatuses.length)
    parts.push(`every dispute ${access.disputeStatuses.join('/')} and its parties`);
  if (access.specialStatuses.length) parts.push(`persons with status ${access.specialStatuses.join(', ')}`);
  if (access.tiers.length) parts.push(`persons at tier ${access.tiers.join(', ')}`);
  parts.push('persons assigned to it');
  return `${parts.join('; ')} — within its jurisdiction subtree`;
}

interface RecordFacts {
  scope: RecordScopeExplanation;
  /** The record's raw value of a filtered field, when the field has a value filter and the record one. */
  filteredValue: unknown;
}

/** A predicate as a boolean column of a one-row query over the record (`:name` placeholders as in scope.ts). */
function asColumn(predicate: SqlPredicate, name: string): { sql: string; params: Record<string, unknown> } {
  return { sql: `COALESCE((${predicate.sql}), FALSE) AS "${name}"`, params: predicate.params };
}

/** Evaluates the record against the same SQL predicates the API scopes its queries with. */
async function recordFacts(
  dataSource: DataSource,
  identity: Identity,
  typeName: RowScopedType,
  recordId: string,
  filteredColumn: string | null,
  today: Date,
): Promise<RecordFacts> {
  const scoped = ROW_SCOPED[typeName];
  const principal = principalOf(identity);
  const operationAllowed = OPERATION_POLICY[scoped.operation]?.includes(principal) ?? false;
  const clauses: ScopeClause[] = scoped.kindClauses(identity, 'x', today);
  const columns = [
    asColumn(gridInScope(identity, 'x.grid_id'), 'withinSubtree'),
    asColumn(scoped.scope(identity, 'x', today), 'inScope'),
    ...clauses.map((clause, index) => asColumn(clause.predicate, `clause${index}`)),
  ];
  const builder = dataSource
    .createQueryBuilder()
    .select('x.id', 'id')
    .from(scoped.table, 'x')
    .where('x.id = CAST(:explainedRecord AS uuid)', { explainedRecord: recordId });
  for (const column of columns) builder.addSelect(column.sql).setParameters(column.params);
  if (filteredColumn) builder.addSelect(`x.${filteredColumn}`, 'filtered');
  const row = (await builder.getRawOne<Record<string, unknown>>()) ?? null;
  const scope: RecordScopeExplanation = {
    recordType: typeName,
    recordId,
    exists: row !== null,
    operation: scoped.operation,
    operationAllowed,
    withinSubtree: row?.withinSubtree === true,
    clauses: clauses.map((clause, index) => ({
      name: clause.name,
      matched: row?.[`clause${index}`] === true,
    })),
    inScope: row?.inScope === true,
  };
  return { scope, filteredValue: row?.filtered ?? null };
}

/** The record columns a value filter reads, for the fields a record explanation supports. */
const FILTERED_COLUMNS: Readonly<Record<string, string>> = { 'Person.specialStatuses': 'special_statuses' };

export interface ExplainRequest {
  identity: Identity;
  /** `Type.field`. */
  field: string;
  recordId?: string | null;
  today: Date;
}

/**
 * The explanation. With a record, `dataSource` must see every row (the reviewer's tool, not a caller's
 * request): the record's facts are computed with the account's own scope predicates.
 */
export async function explainAccess(
  dataSource: DataSource,
  request: ExplainRequest,
): Promise<AccessExplanation> {
  const { identity, field, today } = request;
  const principal = principalOf(identity);
  const [typeName = ''] = field.split('.');
  const policy = policyRowOf(field, principal);
  const decision = decideField(FIELD_POLICY[field], principal);
  const fieldPolicy = FIELD_POLICY[field];
  const fieldOutcome: AccessOutcome =
    policy.table === 'FIELD_POLICY'
      ? decision === 'read'
        ? 'READ'
        : decision === 'masked'
          ? 'MASKED'
          : 'DENIED'
      : policy.matched === 'READERS'
        ? 'READ'
        : 'DENIED';
  const reasons: string[] = [];
  reasons.push(
    policy.table === 'NONE'
      ? `${field} has no policy row: denied by default`
      : policy.matched === 'READERS'
        ? `${policy.table} ${field}: the account is among its readers (${policy.readers})`
        : policy.matched === 'MASKED'
          ? `${policy.table} ${field}: the account is not among its readers (${policy.readers}) but among those who get it masked (${policy.maskedFor}), as ${policy.maskKind}`
          : `${policy.table} ${field}: the account is neither among its readers (${policy.readers})${policy.maskedFor ? ` nor among those who get it masked (${policy.maskedFor})` : ''}: null and FORBIDDEN`,
  );

  let record: RecordFacts | null = null;
  if (request.recordId) {
    if (!isRowScopedType(typeName))
      throw new Error(
        `a record can be explained for fields of ${Object.keys(ROW_SCOPED).join(' and ')} only`,
      );
    record = await recordFacts(
      dataSource,
      identity,
      typeName,
      request.recordId,
      FILTERED_COLUMNS[field] ?? null,
      today,
    );
  }

  const filterKind = fieldPolicy?.valueFilter;
  let valueFilter: ValueFilterExplanation | null = null;
  if (filterKind && fieldOutcome === 'READ') {
    let matched: boolean | null = null;
    if (record?.scope.inScope && FILTERED_COLUMNS[field]) {
      const visible = filterValues(filterKind, record.filteredValue ?? [], principal);
      matched = Array.isArray(visible) && visible.length > 0;
    }
    valueFilter = { kind: filterKind, rule: valueFilterRule(filterKind, principal), matched };
    reasons.push(
      `value filter ${filterKind}: ${valueFilter.rule}${matched === null ? '' : matched ? ' — the record holds some of them' : ' — value filter did not match: the account reads an empty list'}`,
    );
  }

  let outcome: AccessOutcome = fieldOutcome;
  if (record) {
    const scope = record.scope;
    if (!scope.operationAllowed) {
      outcome = 'DENIED';
      reasons.unshift(`${scope.operation} is not for this account: FORBIDDEN before any field is read`);
    } else if (!scope.inScope) {
      outcome = 'OUT_OF_SCOPE';
      reasons.push(
        !scope.exists
          ? `no ${typeName} has id ${scope.recordId}: NOT_FOUND, as for any record out of scope`
          : !scope.withinSubtree
            ? `the record lies outside the account's jurisdiction subtree (${identity.jurisdictionPath}): NOT_FOUND`
            : `within the subtree, but no clause of the row scope matched (${scope.clauses.map((c) => c.name).join('; ') || 'the department sees none'}): NOT_FOUND`,
      );
    } else {
      const matched = scope.clauses.filter((clause) => clause.matched).map((clause) => clause.name);
      reasons.push(`in row scope: within the subtree, and ${matched.join('; ')}`);
    }
  }

  const sensitive = fieldPolicy?.sensitive === true;
  const audited = sensitive && outcome === 'READ' && (valueFilter === null || valueFilter.matched !== false);
  if (sensitive) {
    reasons.push(
      outcome === 'READ'
        ? audited
          ? 'sensitive: reading the value writes an audit entry'
          : 'sensitive, but nothing of the value is shown: no audit entry'
        : 'sensitive: only a read of the real value is audited, and this is none',
    );
  }
  return {
    account: {
      username: identity.username,
      department: identity.departmentCode,
      position: identity.position,
      capability: principal.capability,
      jurisdictionPath: identity.jurisdictionPath,
    },
    field,
    outcome,
    policy,
    sensitive,
    audited,
    valueFilter,
    rowScopeRule: describeRowScope(principal),
    record: record?.scope ?? null,
    reasons,
  };
}

/** Renders an explanation for a terminal. */
export function renderExplanation(explanation: AccessExplanation): string {
  const { account } = explanation;
  const who = `${account.username} (${account.capability ?? `${account.department}/${account.position}`}, ${account.jurisdictionPath})`;
  const lines = [`${who} → ${explanation.field}: ${explanation.outcome}`, ''];
  for (const reason of explanation.reasons) lines.push(`- ${reason}`);
  lines.push(`- row scope of the account: ${explanation.rowScopeRule}`);
  if (explanation.record) {
    const record = explanation.record;
    lines.push(
      `- record ${record.recordType} ${record.recordId}: ${record.inScope ? 'in scope' : 'out of scope'}`,
    );
    lines.push(`  - within the jurisdiction subtree: ${record.withinSubtree ? 'yes' : 'no'}`);
    for (const clause of record.clauses)
      lines.push(`  - ${clause.name}: ${clause.matched ? 'matched' : 'no'}`);
  }
  return `${lines.join('\n')}\n`;
}
