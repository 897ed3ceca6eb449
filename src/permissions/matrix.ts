// Writes the permission matrix for reviewers — schema/permissions.md and schema/permissions.json —
// from policy.ts and the schema: per type, field × department/position → read / masked / denied,
// then the operations and each department's row scope. CI fails when the committed copy is stale.
import { isObjectType, type GraphQLSchema } from 'graphql';
import { reaches } from './arguments';
import { describeRowScope } from './explain';
import { inferenceOf, MIN_CANDIDATES, NOT_CARRIERS, PROTECTED_VALUES } from './inference';
import {
  allPrincipals,
  DEPARTMENTS,
  ARGUMENT_POLICY,
  decideField,
  mayUseArgument,
  DISPUTE_TRANSITION_POLICY,
  TIER_CHANGE_DECIDERS,
  FIELD_POLICY,
  INDICATOR_CATEGORY_READERS,
  OPERATION_POLICY,
  SPECIAL_STATUS_OWNERS,
  STRUCTURAL_TYPES,
  type FieldDecision,
} from './policy';

export interface PermissionMatrix {
  legend: Record<FieldDecision, string>;
  principals: string[];
  types: Record<string, Record<string, Record<string, FieldDecision>>>;
  structuralTypes: Record<string, string>;
  operations: Record<string, Record<string, 'allowed' | 'denied'>>;
  rowScope: Record<string, string>;
  disputeTransitions: Record<string, { who: string; ownGridOnly: boolean }>;
  tierChangeDeciders: Record<string, { who: string; level: string }>;
  valueFilters: { specialStatuses: Record<string, string[]>; indicatorCategories: Record<string, string[]> };
  inference: {
    countedOn: string;
    minimumCandidates: number;
    values: { field: string; rule: string; groups: InferenceGroup[] }[];
    notCarriers: Record<string, string>;
  };
  /** Filter arguments some accounts may not use, and who may not. */
  restrictedArguments: Record<string, { rule: string; refused: string[] }>;
}

/** Accounts that read the same of a protected value, and the candidates that leaves them. */
export interface InferenceGroup {
  accounts: string[];
  decision: FieldDecision;
  reads: string[];
  candidates: number | 'village at most';
}

/** The day the rendered candidate counts are computed for: fixed, so the file changes only with the policy. */
const COUNTED_ON = new Date('2026-01-01T00:00:00Z');

export function buildMatrix(schema: GraphQLSchema): PermissionMatrix {
  const principals = allPrincipals();
  const types: PermissionMatrix['types'] = {};
  const structuralTypes: Record<string, string> = {};
  const operations: PermissionMatrix['operations'] = {};
  const typeNames = Object.keys(schema.getTypeMap()).sort();
  for (const typeName of typeNames) {
    const type = schema.getType(typeName);
    if (!isObjectType(type) || typeName.startsWith('__')) continue;
    const structural = STRUCTURAL_TYPES[typeName];
    if (structural && typeName !== 'Query' && typeName !== 'Mutation') {
      structuralTypes[typeName] = structural.label;
      continue;
    }
    for (const field of Object.keys(type.getFields()).sort()) {
      const key = `${typeName}.${field}`;
      if (typeName === 'Query' || typeName === 'Mutation') {
        const audience = OPERATION_POLICY[key];
        operations[key] = Object.fromEntries(
          principals.map(({ label, principal }) => [
            label,
            audience?.includes(principal) ? 'allowed' : 'denied',
          ]),
        );
        continue;
      }
      types[typeName] ??= {};
      types[typeName][field] = Object.fromEntries(
        principals.map(({ label, principal }) => [label, decideField(FIELD_POLICY[key], principal)]),
      );
    }
  }
  const rowScope = Object.fromEntries(
    principals.map(({ label, principal }) => [label, describeRowScope(principal)]),
  );
  const disputeTransitions = Object.fromEntries(
    Object.entries(DISPUTE_TRANSITION_POLICY).map(([status, rule]) => [
      status,
      { who: rule.audience.label, ownGridOnly: rule.ownGridOnly },
    ]),
  );
  const tierChangeDeciders = Object.fromEntries(
    Object.entries(TIER_CHANGE_DECIDERS).map(([tier, decider]) => [
      tier,
      { who: decider.audience.label, level: decider.level },
    ]),
  );
  return {
    disputeTransitions,
    tierChangeDeciders,
    inference: describeInference(),
    restrictedArguments: describeRestrictedArguments(),
    legend: { read: 'reads the value', masked: 'reads a masked value', denied: 'null and a FORBIDDEN error' },
    principals: principals.map((p) => p.label),
    types,
    structuralTypes,
    operations,
    rowScope,
    valueFilters: {
      specialStatuses: { ...SPECIAL_STATUS_OWNERS },
      indicatorCategories: { ...INDICATOR_CATEGORY_READERS },
    },
  };
}

function describeInference(): PermissionMatrix['inference'] {
  const principals = allPrincipals();
  const values = PROTECTED_VALUES.map((value) => {
    const groups = new Map<string, InferenceGroup>();
    for (const { label, principal } of principals) {
      const inference = inferenceOf(value, principal, COUNTED_ON);
      if (!inference.reachesRecord) continue;
      const reads = inference.reads.map((read) => `${read.field} (${read.parts.join(', ')})`);
      const key = `${inference.decision}|${reads.join(';')}`;
      const group = groups.get(key) ?? {
        accounts: [],
        decision: inference.decision,
        reads,
        candidates: Number.isFinite(inference.candidates) ? inference.candidates : 'village at most',
      };
      group.accounts.push(label);
      groups.set(key, group);
    }
    return { field: value.field, rule: value.rule, groups: [...groups.values()] };
  });
  return {
    countedOn: COUNTED_ON.toISOString().slice(0, 10),
    minimumCandidates: MIN_CANDIDATES,
    values,
    notCarriers: { ...NOT_CARRIERS },
  };
}

function describeRestrictedArguments(): PermissionMatrix['restrictedArguments'] {
  const restricted: PermissionMatrix['restrictedArguments'] = {};
  for (const [key, rule] of Object.entries(ARGUMENT_POLICY)) {
    const [typeName = '', fieldName = ''] = key.split(/[.(]/);
    const refused = allPrincipals()
      .filter(({ principal }) => reaches(typeName, fieldName, principal) && !mayUseArgument(key, principal))
      .map(({ label }) => label);
    if (refused.length === 0) continue;
    const text =
      rule.kind === 'narrows'
        ? `narrows by \`${rule.field}\``
        : rule.kind === 'audience'
          ? `${rule.audience.label}: ${rule.note}`
          : rule.kind === 'perValue'
            ? `per value (${Object.entries(rule.audiences)
                .map(([value, allowed]) => `${value}: ${allowed.label}`)
                .join('; ')}): ${rule.note}`
            : rule.kind;
    restricted[key] = { rule: text, refused };
  }
  return restricted;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Columns a reviewer can read: accounts that decide alike share one column.
// ---------------------------------------------------------------------------------------------

/** One letter per decision, for the compact forms (the release snapshot, the HTML page's data). */
export const DECISION_LETTER: Record<FieldDecision, string> = { read: 'R', masked: 'M', denied: '-' };

/**
 * Accounts by name, shortest first: a department whose worker and leader are both named is named alone
 * (W=L); otherwise `POLICE W` or `POLICE L`. `parseAccounts` reads it back.
 */
export function accountsLabel(labels: readonly string[]): string {
  const chosen = new Set(labels);
  const names: string[] = [];
  for (const department of DEPARTMENTS) {
    const worker = chosen.has(`${department}/WORKER`);
    const leader = chosen.has(`${department}/LEADER`);
    if (worker && leader) names.push(department);
    else if (worker) names.push(`${department} W`);
    else if (leader) names.push(`${department} L`);
  }
  for (const label of ['ADMIN', 'AUDITOR']) if (chosen.has(label)) names.push(label);
  return names.join(', ');
}

/** The principal labels an `accountsLabel` names (`all others`: every principal no other column names). */
export function parseAccounts(label: string): string[] {
  return label.split(', ').flatMap((name) => {
    const [department = '', position] = name.split(' ');
    if (name === 'ADMIN' || name === 'AUDITOR') return [name];
    if (position === 'W') return [`${department}/WORKER`];
    if (position === 'L') return [`${department}/LEADER`];
    return [`${department}/WORKER`, `${department}/LEADER`];
  });
}

export const ALL_OTHERS = 'all others';

/**
 * Who, among all principals, in the fewest words: `every account`, `all staff` (every department and
 * position, not ADMIN or AUDITOR), `all staff but …`, or the accounts by name. `parseWho` reads it back.
 */
export function whoLabel(labels: readonly string[], principals: readonly string[]): string {
  const chosen = new Set(labels);
  if (principals.every((p) => chosen.has(p))) return 'every account';
  const staff = principals.filter((p) => p.includes('/'));
  const others = principals.filter((p) => !p.includes('/') && chosen.has(p));
  const missing = staff.filter((p) => !chosen.has(p));
  if (missing.length === 0) return ['all staff', ...others].join(', ');
  if (missing.length * 3 < staff.length)
    return [`all staff but ${accountsLabel(missing)}`, ...others].join('; ');
  return accountsLabel(labels) || 'nobody';
}

export function parseWho(label: string, principals: readonly string[]): string[] {
  const staff = principals.filter((p) => p.includes('/'));
  if (label === 'every account') return [...principals];
  if (label === 'nobody') return [];
  if (label.startsWith('all staff')) {
    const [head = '', tail = ''] = label.startsWith('all staff but ')
      ? label.split('; ')
      : ['all staff', label.slice('all staff, '.length)];
    const missing = head.startsWith('all staff but ')
      ? parseAccounts(head.slice('all staff but '.length))
      : [];
    return [...staff.filter((p) => !missing.includes(p)), ...(tail ? parseAccounts(tail) : [])];
  }
  return parseAccounts(label);
}

export interface ColumnGroup {
  /** Principal labels, in the matrix's order. */
  principals: string[];
  heading: string;
}

/**
 * Groups principals whose column is the same over `rows`, in order of first appearance; the largest
 * group, when it has at least 6 accounts, is headed `all others` and comes last.
 */
export function columnGroups(
  principals: readonly string[],
  rows: readonly string[],
  letterOf: (principal: string, row: string) => string,
): ColumnGroup[] {
  const bySignature = new Map<string, string[]>();
  for (const principal of principals) {
    const signature = rows.map((row) => letterOf(principal, row)).join('');
    const group = bySignature.get(signature) ?? [];
    group.push(principal);
    bySignature.set(signature, group);
  }
  const groups = [...bySignature.values()].map((members) => ({
    principals: members,
    heading: accountsLabel(members),
  }));
  const largest = groups.reduce<ColumnGroup | null>(
    (best, group) => (!best || group.principals.length > best.principals.length ? group : best),
    null,
  );
  if (!largest || groups.length < 2 || largest.principals.length < 6) return groups;
  return [...groups.filter((group) => group !== largest), { ...largest, heading: ALL_OTHERS }];
}

// ---------------------------------------------------------------------------------------------
// The last release: a snapshot of the decisions, committed as schema/permissions.previous.json and
// refreshed by the release process (`npm run policy:matrix -- --release <name>`). The page and the
// Markdown mark every decision that differs from it.
// ---------------------------------------------------------------------------------------------
export interface ReleaseSnapshot {
  release: string;
  principals: string[];
  /** `Type.field` → one DECISION_LETTER per principal. */
  fields: Record<string, string>;
  /** `Query.x` / `Mutation.x` → `R` (may run) or `-` per principal. */
  operations: Record<string, string>;
}

export function snapshotOf(matrix: PermissionMatrix, release: string): ReleaseSnapshot {
  const fields: Record<string, string> = {};
  for (const [typeName, typeFields] of Object.entries(matrix.types)) {
    for (const [field, decisions] of Object.entries(typeFields)) {
      fields[`${typeName}.${field}`] = matrix.principals
        .map((p) => DECISION_LETTER[decisions[p] ?? 'denied'])
        .join('');
    }
  }
  const operations = Object.fromEntries(
    Object.entries(matrix.operations).map(([key, decisions]) => [
      key,
      matrix.principals.map((p) => (decisions[p] === 'allowed' ? 'R' : '-')).join(''),
    ]),
  );
  return { release, principals: [...matrix.principals], fields, operations };
}

export interface MatrixChange {
  key: string;
  kind: 'added' | 'removed' | 'changed';
  /** For `changed`: each account whose decision moved, `before → after` in DECISION_LETTERs. */
  accounts: { principal: string; before: string; after: string }[];
}

/** What differs between the last release and now, key by key (fields, then operations). */
export function changesSince(previous: ReleaseSnapshot, current: ReleaseSnapshot): MatrixChange[] {
  const changes: MatrixChange[] = [];
  for (const part of ['fields', 'operations'] as const) {
    const before = previous[part];
    const after = current[part];
    for (const [key, letters] of Object.entries(after)) {
      const old = before[key];
      if (old === undefined) {
        changes.push({ key, kind: 'added', accounts: [] });
        continue;
      }
      const accounts = current.principals.flatMap((principal, index) => {
        const was = old[previous.principals.indexOf(principal)] ?? '-';
        const now = letters[index] ?? '-';
        return was === now ? [] : [{ principal, before: was, after: now }];
      });
      if (accounts.length > 0) changes.push({ key, kind: 'changed', accounts });
    }
    for (const key of Object.keys(before)) {
      if (!(key in after)) changes.push({ key, kind: 'removed', accounts: [] });
    }
  }
  return changes;
}

// ---------------------------------------------------------------------------------------------
// schema/permissions.md
// ---------------------------------------------------------------------------------------------
const MD_SYMBOL: Record<string, string> = { R: 'R', M: 'M', '-': '·' };

function groupedTable(
  head: string,
  rows: readonly string[],
  principals: readonly string[],
  letterOf: (principal: string, row: string) => string,
): string {
  const groups = columnGroups(principals, rows, letterOf);
  return table(
    [head, ...groups.map((group) => group.heading)],
    rows.map((row) => [
      `\`${row}\``,
      ...groups.map((group) => MD_SYMBOL[letterOf(group.principals[0] ?? '', row)] ?? '·'),
    ]),
  );
}

/** A list of field names, or a word for all of them / none. */
function fieldList(names: string[], total: number): string {
  if (names.length === 0) return '—';
  if (names.length === total) return 'all';
  return names.join(', ');
}

/** The body of a department's section (its title aside): departments with the same body share a section. */
function departmentSection(
  matrix: PermissionMatrix,
  department: string,
  snapshot: ReleaseSnapshot,
  everyStaffRuns: ReadonlySet<string>,
): string[] {
  const worker = `${department}/WORKER`;
  const leader = `${department}/LEADER`;
  const index = (principal: string) => matrix.principals.indexOf(principal);
  const letter = (principal: string, key: string) => snapshot.fields[key]?.[index(principal)] ?? '-';
  const out: string[] = [];
  const scopeW = matrix.rowScope[worker] ?? '';
  const scopeL = matrix.rowScope[leader] ?? '';
  out.push(
    scopeW === scopeL
      ? `**Row scope** (W=L): ${scopeW}.`
      : `**Row scope**: worker — ${scopeW}; leader — ${scopeL}.`,
    '',
  );
  const rows: string[][] = [];
  const everything: string[] = [];
  const nothing: string[] = [];
  for (const [typeName, fields] of Object.entries(matrix.types)) {
    const names = Object.keys(fields);
    const by = (code: string) => names.filter((field) => letter(worker, `${typeName}.${field}`) === code);
    const [reads, masked, denied] = [by('R'), by('M'), by('-')];
    if (denied.length === names.length) nothing.push(typeName);
    else if (reads.length === names.length) everything.push(typeName);
    else
      rows.push([
        typeName,
        masked.length + denied.length > 0 && reads.length > masked.length + denied.length
          ? 'the rest'
          : fieldList(reads, names.length),
        fieldList(masked, names.length),
        fieldList(denied, names.length),
      ]);
  }
  const fieldDifferences = Object.keys(snapshot.fields).filter(
    (key) => letter(worker, key) !== letter(leader, key),
  );
  out.push(
    `What it reads${fieldDifferences.length === 0 ? ' (W=L)' : ' (the worker; the leader below)'}:`,
    '',
  );
  if (everything.length > 0) out.push(`- every field of ${everything.join(', ')};`);
  if (nothing.length > 0) out.push(`- nothing of ${nothing.join(', ')}.`);
  out.push('');
  if (rows.length > 0) out.push(table(['type', 'reads', 'masked', 'may not read'], rows), '');
  if (fieldDifferences.length > 0) {
    out.push(
      `The leader differs on: ${fieldDifferences
        .map((key) => `\`${key}\` ${MD_SYMBOL[letter(leader, key)]} (W ${MD_SYMBOL[letter(worker, key)]})`)
        .join(', ')}.`,
      '',
    );
  }
  const runs = (principal: string) =>
    Object.keys(snapshot.operations).filter(
      (key) => snapshot.operations[key]?.[index(principal)] === 'R' && !everyStaffRuns.has(key),
    );
  const workerRuns = runs(worker);
  const leaderOnly = runs(leader).filter((key) => !workerRuns.includes(key));
  out.push(`Operations beyond every account's: ${operationNames(workerRuns)}.`);
  if (leaderOnly.length > 0) out.push(`The leader also: ${operationNames(leaderOnly)}.`);
  out.push('');
  return out;
}

/** Operation names without their root type, e.g. `person`, `registerDispute`. */
function operationNames(keys: readonly string[]): string {
  return keys.map((key) => `\`${key.replace(/^(Query|Mutation|Subscription)\./, '')}\``).join(', ') || 'none';
}

export interface DepartmentName {
  code: string;
  nameZh: string;
  nameEn: string;
}

export function renderMarkdown(
  matrix: PermissionMatrix,
  previous: ReleaseSnapshot,
  departmentNames: readonly DepartmentName[],
): string {
  const snapshot = snapshotOf(matrix, 'current');
  const changes = changesSince(previous, snapshot);
  const index = (principal: string) => matrix.principals.indexOf(principal);
  const fieldLetter = (principal: string, key: string) => snapshot.fields[key]?.[index(principal)] ?? '-';
  const operationLetter = (principal: string, key: string) =>
    snapshot.operations[key]?.[index(principal)] ?? '-';
  const staff = matrix.principals.filter((label) => label.includes('/'));
  const everyStaffRuns = new Set(
    Object.keys(snapshot.operations).filter((key) =>
      staff.every((label) => operationLetter(label, key) === 'R'),
    ),
  );
  const scopeGroups = new Map<string, string[]>();
  for (const [label, text] of Object.entries(matrix.rowScope)) {
    scopeGroups.set(text, [...(scopeGroups.get(text) ?? []), label]);
  }
  const out: string[] = [
    '# Concord permission matrix',
    '',
    'Generated by `npm run policy:matrix` from `src/permissions/policy.ts`, with `schema/permissions.html`',
    '(the same matrix with a department/position picker and field search) and `schema/permissions.json`;',
    'do not edit by hand. CI fails when these files and the policy disagree, so every change to who sees',
    'what is a reviewable diff. Why one account gets one field: `npm run policy:explain`.',
    '',
    `Legend: **R** ${matrix.legend.read}; **M** ${matrix.legend.masked} (ID number \`**************1234\`,`,
    `phone \`138****5678\`, address to village level); **·** ${matrix.legend.denied}.`,
    'Accounts that decide alike share a column: a department named alone means its worker and leader',
    '(W=L); `POLICE W` / `POLICE L` when they differ; `all others` is every account no other column names.',
    'Reading a field marked sensitive in the policy writes an audit entry.',
    '',
    `## Changes since the last release (${previous.release})`,
    '',
    changes.length === 0
      ? 'None: every decision is as it was.'
      : table(
          ['field or operation', 'change'],
          changes.map((change) => [
            `\`${change.key}\``,
            change.kind === 'changed'
              ? [...groupBy(change.accounts, (a) => `${MD_SYMBOL[a.before]} → ${MD_SYMBOL[a.after]}`)]
                  .map(([move, accounts]) => `${accountsLabel(accounts.map((a) => a.principal))}: ${move}`)
                  .join('; ')
              : change.kind,
          ]),
        ),
    '',
    '## Row scope',
    '',
    table(
      ['accounts', 'see'],
      [...scopeGroups.entries()].map(([text, labels]) => [accountsLabel(labels), text]),
    ),
    '',
    '## Each department',
    '',
    'What each department reads, reads masked and may not read, by type (`the rest`: every field not',
    'listed as masked or not readable), its row scope, and the operations it may run beyond those every',
    `staff account may run: ${operationNames([...everyStaffRuns])}.`,
    '',
    ...[
      ...groupBy(DEPARTMENTS, (code) =>
        departmentSection(matrix, code, snapshot, everyStaffRuns).join('\n'),
      ).entries(),
    ].flatMap(([body, codes]) => [
      `### ${codes
        .map((code) => {
          const name = departmentNames.find((d) => d.code === code);
          return name ? `${code} ${name.nameZh} / ${name.nameEn}` : code;
        })
        .join(' · ')}`,
      '',
      body,
    ]),
    ...['ADMIN', 'AUDITOR'].flatMap((label) => {
      const reads = Object.keys(snapshot.fields).filter((key) => fieldLetter(label, key) !== '-');
      const runs = Object.keys(snapshot.operations).filter((key) => operationLetter(label, key) === 'R');
      return [
        `### ${label}`,
        '',
        `**Row scope**: ${matrix.rowScope[label]}. Reads ${reads.length ? reads.map((k) => `\`${k}\``).join(', ') : 'no field of the record types'}.`,
        `Operations: ${operationNames(runs)}.`,
        '',
      ];
    }),
    '## Values filtered per department',
    '',
    table(
      ['special status', 'read only by'],
      Object.entries(matrix.valueFilters.specialStatuses).map(([status, owners]) => [
        status,
        owners.join(', '),
      ]),
    ),
    '',
    table(
      ['indicator category', 'read only by'],
      Object.entries(matrix.valueFilters.indicatorCategories).map(([category, readers]) => [
        category,
        readers.join(', '),
      ]),
    ),
    '',
    '## Masks and what each account can combine (inference control, SPEC §4)',
    '',
    'A masked national ID number shows its last 4 characters only (`**************123X`); a minor’s',
    'check digit is hidden too (`**************123*`), because with the age group MINOR a known check digit',
    'would leave ~600 birth dates. Whoever reads the ID number masked reads an age group (MINOR <18,',
    'ADULT 18–59, SENIOR 60+), never the birth date or the age. A phone shows `138****5678`; an address',
    'the village. No answer confirms a guess: importing hazardous-goods sales answers counts of rows only.',
    '',
    `For every value masked or denied to an account that reaches its record, the fields it reads that carry`,
    `part of the value, and how many candidates they leave (counted on ${matrix.inference.countedOn}; the`,
    `test counts on the day it runs). The rule: at least ${matrix.inference.minimumCandidates.toLocaleString('en')}.`,
    'ID numbers: region (digits 1–6) counted as known to anyone who reads a grid or an address; the check',
    'digit, when shown, lets 1 in 11 candidates through; the worst age group is counted.',
    '',
    ...matrix.inference.values.flatMap((value) => [
      `### \`${value.field}\` — ${value.rule}`,
      '',
      table(
        ['accounts', 'value', 'also reads (parts)', 'candidates left'],
        value.groups.map((group) => [
          accountsLabel(group.accounts),
          MD_SYMBOL[DECISION_LETTER[group.decision]] ?? '·',
          group.reads.join('; ') || '—',
          typeof group.candidates === 'number' ? group.candidates.toLocaleString('en') : group.candidates,
        ]),
      ),
      '',
    ]),
    'Fields that look as if they might carry part of a protected value, and why they do not:',
    '',
    table(
      ['field', 'why not'],
      Object.entries(matrix.inference.notCarriers).map(([field, reason]) => [`\`${field}\``, reason]),
    ),
    '',
    '## Filters over values the caller may not read are refused',
    '',
    'A filter narrows by a value; an account that may not read the value may not filter by it (FORBIDDEN),',
    'or the list would answer whether a record has it. Listed: the accounts that may run the query but not',
    'use the argument. Arguments not listed are open to every account that may run the query.',
    '',
    table(
      ['argument', 'rule', 'refused to'],
      Object.entries(matrix.restrictedArguments).map(([key, { rule, refused }]) => [
        `\`${key}\``,
        rule,
        accountsLabel(refused),
      ]),
    ),
    '',
    '## Small cells',
    '',
    'In monthly figures, a count below 5 is shown as `<5` (null and a flag) to any account whose row scope',
    'does not cover every record counted — every department but the coordinators (GRID,',
    'COMPREHENSIVE_GOVERNANCE, CITY_CENTER), whose scope is their whole subtree. YOUTH_LEAGUE gets no',
    'dispute figures at all.',
    '',
    '## Dispute status changes',
    '',
    table(
      ['to status', 'who may', 'only in their own grid'],
      Object.entries(matrix.disputeTransitions).map(([status, rule]) => [
        status,
        rule.who,
        rule.ownGridOnly ? 'yes (网格长初审)' : 'no',
      ]),
    ),
    '',
    '## Tier change decisions (the higher of the two tiers decides)',
    '',
    table(
      ['tier', 'decided by', 'at level'],
      Object.entries(matrix.tierChangeDeciders).map(([tier, decider]) => [tier, decider.who, decider.level]),
    ),
    '',
    '## Operations',
    '',
    table(
      ['operation', 'who may run it'],
      Object.keys(snapshot.operations).map((key) => [
        `\`${key}\``,
        whoLabel(
          matrix.principals.filter((p) => operationLetter(p, key) === 'R'),
          matrix.principals,
        ),
      ]),
    ),
  ];
  for (const [typeName, fields] of Object.entries(matrix.types)) {
    out.push('', `## ${typeName}`, '');
    out.push(
      groupedTable(
        'field',
        Object.keys(fields).map((field) => `${typeName}.${field}`),
        matrix.principals,
        fieldLetter,
      ),
    );
  }
  out.push('', '## Structure', '', 'Every field of these types is readable by the audience named:', '');
  const byAudience = groupBy(
    Object.keys(matrix.structuralTypes),
    (type) => matrix.structuralTypes[type] ?? '',
  );
  out.push(
    table(
      ['audience', 'types'],
      [...byAudience].map(([label, types]) => [label, types.join(', ')]),
    ),
  );
  return `${out.join('\n')}\n`;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}
