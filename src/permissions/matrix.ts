// Writes the permission matrix for reviewers — schema/permissions.md and schema/permissions.json —
// from policy.ts and the schema: per type, field × department/position → read / masked / denied,
// then the operations and each department's row scope. CI fails when the committed copy is stale.
import { isObjectType, type GraphQLSchema } from 'graphql';
import { reaches } from './arguments';
import { inferenceOf, MIN_CANDIDATES, NOT_CARRIERS, PROTECTED_VALUES } from './inference';
import {
  allPrincipals,
  ARGUMENT_POLICY,
  decideField,
  mayUseArgument,
  DISPUTE_TRANSITION_POLICY,
  TIER_CHANGE_DECIDERS,
  FIELD_POLICY,
  INDICATOR_CATEGORY_READERS,
  OPERATION_POLICY,
  rowAccess,
  SPECIAL_STATUS_OWNERS,
  STRUCTURAL_TYPES,
  type FieldDecision,
} from './policy';

const SYMBOL: Record<FieldDecision, string> = { read: 'R', masked: 'M', denied: '·' };

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
    principals.map(({ label, principal }) => [label, describeRows(principal)]),
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
          : rule.kind;
    restricted[key] = { rule: text, refused };
  }
  return restricted;
}

function describeRows(principal: Parameters<typeof rowAccess>[0]): string {
  const access = rowAccess(principal);
  if (access.everything) return 'every person and dispute in its jurisdiction subtree';
  if (access.onlyUnderAge !== null) return `persons under ${access.onlyUnderAge} in its subtree; no disputes`;
  if (!access.routedDisputes) return 'no persons and no disputes';
  const parts = ['disputes routed to it by category or source, or assigned to it, and their parties'];
  if (access.disputeStatuses.length)
    parts.push(`every dispute ${access.disputeStatuses.join('/')} and its parties`);
  if (access.specialStatuses.length) parts.push(`persons with status ${access.specialStatuses.join(', ')}`);
  if (access.tiers.length) parts.push(`persons at tier ${access.tiers.join(', ')}`);
  parts.push('persons assigned to it');
  return `${parts.join('; ')} — within its jurisdiction subtree`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Short column heads: department code and W(orker) / L(eader). */
function shortLabel(label: string): string {
  return label.replace('/WORKER', ' W').replace('/LEADER', ' L');
}

export function renderMarkdown(matrix: PermissionMatrix): string {
  const heads = matrix.principals.map(shortLabel);
  const out: string[] = [
    '# Concord permission matrix',
    '',
    'Generated by `npm run policy:matrix` from `src/permissions/policy.ts`; do not edit by hand.',
    'CI fails when this file and the policy disagree, so every change to who sees what is a reviewable diff.',
    '',
    `Legend: **R** ${matrix.legend.read}; **M** ${matrix.legend.masked} (ID number \`**************1234\`,`,
    `phone \`138****5678\`, address to village level); **·** ${matrix.legend.denied}.`,
    'Columns are department and position (W worker, L leader), then the ADMIN and AUDITOR accounts.',
    'Reading a field marked sensitive in the policy writes an audit entry.',
    '',
    '## Row scope',
    '',
    table(
      ['account', 'sees'],
      Object.entries(matrix.rowScope).map(([label, text]) => [label, text]),
    ),
    '',
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
          group.accounts.map(shortLabel).join(', '),
          SYMBOL[group.decision],
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
        refused.map(shortLabel).join(', '),
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
      ['operation', ...heads],
      Object.entries(matrix.operations).map(([operation, decisions]) => [
        `\`${operation}\``,
        ...matrix.principals.map((p) => (decisions[p] === 'allowed' ? 'R' : '·')),
      ]),
    ),
  ];
  for (const [typeName, fields] of Object.entries(matrix.types)) {
    out.push('', `## ${typeName}`, '');
    out.push(
      table(
        ['field', ...heads],
        Object.entries(fields).map(([field, decisions]) => [
          `\`${field}\``,
          ...matrix.principals.map((p) => SYMBOL[decisions[p] ?? 'denied']),
        ]),
      ),
    );
  }
  out.push('', '## Structure', '', 'Every field of these types is readable by the audience named:', '');
  out.push(table(['type', 'audience'], Object.entries(matrix.structuralTypes)));
  return `${out.join('\n')}\n`;
}
