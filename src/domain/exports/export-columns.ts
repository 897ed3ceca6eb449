// What an export file holds (SPEC §5a, issue 21 item 4): for each kind of record, the columns an
// export can carry, the list query that reads them, and which of them a caller gets. Which columns a
// caller gets is asked of the policy table (decideField), never decided here; what each cell holds is
// what that same list query answers the caller over GraphQL, masking and value filters included.
import { decideField, FIELD_POLICY, type FieldDecision, type Principal } from '../../permissions/policy';

export const EXPORT_KINDS = ['households', 'persons', 'disputes'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A cell as it leaves: a scalar, a list of scalars (joined with `;` in CSV), or null. */
export type CellValue = string | number | boolean | null | (string | null)[];

export interface ExportColumn {
  /** Column header (CSV) and key (NDJSON). */
  name: string;
  /**
   * The policy rows a caller must pass to get the column: the field itself, and the fields of a
   * nested object it reaches into. Structural types (Jurisdiction) have no rows: every reader of the
   * field reads them.
   */
  policies: readonly string[];
  /** The GraphQL selection, inside `node { … }`. */
  selection: string;
  /** The cell, from the node as GraphQL answered it. */
  cell(node: Record<string, unknown>): CellValue;
}

export interface ExportDefinition {
  kind: ExportKind;
  /** The GraphQL type exported, as the audit entry names it. */
  recordType: string;
  /** The list query (a connection) whose pages make the file. */
  listField: string;
  filterType: string;
  columns: readonly ExportColumn[];
}

const scalar = (typeName: string, field: string): ExportColumn => ({
  name: field,
  policies: [`${typeName}.${field}`],
  selection: field,
  cell: (node) => asCell(node[field]),
});

const list = (typeName: string, field: string): ExportColumn => ({
  ...scalar(typeName, field),
  cell: (node) => (Array.isArray(node[field]) ? (node[field] as unknown[]).map(String) : null),
});

function asCell(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/** The field `inner` of the object field `outer` (null when the object is). */
function nested(node: Record<string, unknown>, outer: string, inner: string): CellValue {
  const object = node[outer];
  return object && typeof object === 'object' ? asCell((object as Record<string, unknown>)[inner]) : null;
}

const PERSON_COLUMNS: readonly ExportColumn[] = [
  scalar('Person', 'id'),
  scalar('Person', 'name'),
  scalar('Person', 'gender'),
  scalar('Person', 'birthDate'),
  scalar('Person', 'age'),
  scalar('Person', 'ageGroup'),
  scalar('Person', 'idNumber'),
  scalar('Person', 'phone'),
  scalar('Person', 'address'),
  scalar('Person', 'residency'),
  scalar('Person', 'occupation'),
  scalar('Person', 'employerName'),
  scalar('Person', 'employerContact'),
  scalar('Person', 'landlordName'),
  scalar('Person', 'landlordContact'),
  list('Person', 'specialStatuses'),
  scalar('Person', 'hasPoliceRecord'),
  scalar('Person', 'tier'),
  {
    name: 'gridCode',
    policies: ['Person.grid'],
    selection: 'grid { code }',
    cell: (node) => nested(node, 'grid', 'code'),
  },
  {
    name: 'householdId',
    policies: ['Person.household', 'Household.id'],
    selection: 'household { id }',
    cell: (node) => nested(node, 'household', 'id'),
  },
  scalar('Person', 'version'),
  scalar('Person', 'createdAt'),
  scalar('Person', 'updatedAt'),
];

const DISPUTE_COLUMNS: readonly ExportColumn[] = [
  scalar('Dispute', 'id'),
  scalar('Dispute', 'category'),
  scalar('Dispute', 'source'),
  scalar('Dispute', 'status'),
  scalar('Dispute', 'level'),
  scalar('Dispute', 'venue'),
  {
    name: 'gridCode',
    policies: ['Dispute.grid'],
    selection: 'grid { code }',
    cell: (node) => nested(node, 'grid', 'code'),
  },
  scalar('Dispute', 'description'),
  {
    // `ROLE:personId`; a party outside the reader's row scope keeps its role and shows no id, as
    // `parties { personId }` answers over GraphQL (no foreign ids).
    name: 'parties',
    policies: ['Dispute.parties', 'DisputeParty.role', 'DisputeParty.personId'],
    selection: 'parties { role personId }',
    cell: (node) =>
      Array.isArray(node.parties)
        ? (node.parties as { role: string; personId: string | null }[]).map(
            (party) => `${party.role}:${party.personId ?? ''}`,
          )
        : null,
  },
  scalar('Dispute', 'reportedById'),
  scalar('Dispute', 'reportedAt'),
  scalar('Dispute', 'closedAt'),
  scalar('Dispute', 'version'),
  scalar('Dispute', 'updatedAt'),
];

const HOUSEHOLD_COLUMNS: readonly ExportColumn[] = [
  scalar('Household', 'id'),
  scalar('Household', 'address'),
  {
    name: 'gridCode',
    policies: ['Household.grid'],
    selection: 'grid { code }',
    cell: (node) => nested(node, 'grid', 'code'),
  },
  {
    // Only the members within the reader's row scope, as `members` answers over GraphQL.
    name: 'memberIds',
    policies: ['Household.members', 'Person.id'],
    selection: 'members { id }',
    cell: (node) =>
      Array.isArray(node.members) ? (node.members as { id: string }[]).map((member) => member.id) : null,
  },
  scalar('Household', 'version'),
  scalar('Household', 'updatedAt'),
];

export const EXPORTS: Readonly<Record<ExportKind, ExportDefinition>> = {
  households: {
    kind: 'households',
    recordType: 'Household',
    listField: 'households',
    filterType: 'HouseholdFilter',
    columns: HOUSEHOLD_COLUMNS,
  },
  persons: {
    kind: 'persons',
    recordType: 'Person',
    listField: 'persons',
    filterType: 'PersonFilter',
    columns: PERSON_COLUMNS,
  },
  disputes: {
    kind: 'disputes',
    recordType: 'Dispute',
    listField: 'disputes',
    filterType: 'DisputeFilter',
    columns: DISPUTE_COLUMNS,
  },
};

/** The list query's page size: its maximum (SPEC §5). */
export const EXPORT_PAGE_SIZE = 100;

export interface ChosenColumn extends ExportColumn {
  /** 'read' or 'masked' (a masked column holds the mask, exactly as GraphQL shows it). */
  decision: Exclude<FieldDecision, 'denied'>;
  /** Reading it in full is audited (policy row `sensitive`). */
  sensitive: boolean;
}

/**
 * The columns `principal` gets: those whose every policy row it reads or reads masked. A denied
 * column is left out of the file altogether — no header, no empty cells — as it is left out of the
 * query: the file shows what the account may read and nothing of what it may not.
 */
export function columnsFor(definition: ExportDefinition, principal: Principal): ChosenColumn[] {
  const chosen: ChosenColumn[] = [];
  for (const column of definition.columns) {
    const decisions = column.policies.map((key) => decideField(FIELD_POLICY[key], principal));
    if (decisions.includes('denied')) continue;
    const own = FIELD_POLICY[column.policies[0] as string];
    chosen.push({
      ...column,
      decision: decisions.includes('masked') ? 'masked' : 'read',
      sensitive: own?.sensitive === true,
    });
  }
  return chosen;
}

/**
 * The list query of one page. `counting` asks for the total (first page only: the progress bar's
 * estimate), `filter` is the list's own filter, governed by its own argument policy.
 */
export function pageQuery(definition: ExportDefinition, columns: readonly ExportColumn[]): string {
  // No column at all (an account that may not read the list): the list query still runs, and the
  // permission layer answers it as it answers any such query.
  const selection = columns.map((column) => column.selection).join(' ') || '__typename';
  return `query Export($after: String, $counting: Boolean!, $filter: ${definition.filterType}) {
  ${definition.listField}(first: ${EXPORT_PAGE_SIZE}, after: $after, filter: $filter) {
    totalCount @include(if: $counting)
    pageInfo { hasNextPage endCursor }
    edges { node { ${selection} } }
  }
}`;
}

/** `persons.csv` → kind and format; null for anything else. */
export function parseExportName(name: string): { kind: ExportKind; format: ExportFormat } | null {
  const match = /^([a-z]+)\.([a-z]+)$/.exec(name);
  if (!match) return null;
  const kind = EXPORT_KINDS.find((each) => each === match[1]);
  const format = EXPORT_FORMATS.find((each) => each === match[2]);
  return kind && format ? { kind, format } : null;
}
