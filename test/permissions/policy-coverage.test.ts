// Deny by default, and a policy row for everything: a field or operation added without one fails here.
import { isNonNullType, isObjectType } from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import {
  allPrincipals,
  decideField,
  FIELD_POLICY,
  OPERATION_POLICY,
  STRUCTURAL_TYPES,
} from '../../src/permissions/policy';
import { maskAddress, maskNationalId, maskPhone } from '../../src/permissions/masking';
import { needsGuard, reachOf } from '../../src/permissions/reach';
import { ABSENT_VALUES, dataNulls, policyNulls } from '../../src/permissions/nullability';

test('every exposed Type.field and operation has exactly one kind of policy row', async () => {
  const schema = await buildBareSchema();
  const missing: string[] = [];
  const exposed = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) {
      const key = `${type.name}.${field}`;
      exposed.add(key);
      const rows = [OPERATION_POLICY[key], FIELD_POLICY[key], STRUCTURAL_TYPES[type.name]].filter(Boolean);
      if (rows.length !== 1) missing.push(`${key} (${rows.length} rows)`);
    }
  }
  expect(missing).toEqual([]);
  const stale = [...Object.keys(FIELD_POLICY), ...Object.keys(OPERATION_POLICY)].filter(
    (key) => !exposed.has(key),
  );
  expect(stale).toEqual([]);
});

test('masks keep only what a reader needs to recognise the record', () => {
  const today = new Date('2026-11-01T00:00:00Z');
  // The last 4 characters only; a minor's check digit stays hidden too (SPEC §4, inference.ts).
  expect(maskNationalId('330102198001011234', today)).toBe('**************1234');
  expect(maskNationalId('33010219800101123X', today)).toBe('**************123X');
  expect(maskNationalId('330102201006011234', today)).toBe('**************123*');
  expect(maskNationalId('330102200810311234', today)).toBe('**************1234');
  expect(maskPhone('13812345678')).toBe('138****5678');
  expect(maskAddress('东村')).toMatch(/^东村/);
  expect(maskAddress('东村')).not.toMatch(/\d/);
});

test('a field someone who reaches its type may be denied is nullable, so a denial never blanks its parent', async () => {
  const schema = await buildBareSchema();
  const offenders: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || !FIELD_POLICY[`${type.name}.id`]) continue;
    const reachers = allPrincipals().filter(
      ({ principal }) => decideField(FIELD_POLICY[`${type.name}.id`], principal) !== 'denied',
    );
    for (const field of Object.values(type.getFields())) {
      const denied = reachers.some(
        ({ principal }) => decideField(FIELD_POLICY[`${type.name}.${field.name}`], principal) === 'denied',
      );
      if (denied && isNonNullType(field.type)) offenders.push(`${type.name}.${field.name}`);
    }
  }
  expect(offenders).toEqual([]);
});

test('only fields someone who reaches them may not use keep a guard of their own', async () => {
  const schema = await buildBareSchema();
  const reach = reachOf(schema);
  expect(reach.get('Person')?.has('YOUTH_LEAGUE/WORKER')).toBe(true);
  expect(reach.get('Person')?.has('AUDITOR')).toBe(false);
  expect(reach.get('AuditEntry')).toEqual(new Set(['AUDITOR']));
  expect(needsGuard(reach, 'Person', 'idNumber')).toBe(true);
  expect(needsGuard(reach, 'Person', 'specialStatuses')).toBe(true);
  expect(needsGuard(reach, 'Query', 'persons')).toBe(true);
  expect(needsGuard(reach, 'Person', 'name')).toBe(false);
  expect(needsGuard(reach, 'Person', 'notAField')).toBe(true);
});

// Issue 22: nullability that means something, both ways, for every field of every object type. The
// reasons come from src/permissions/nullability.ts: the permission layer's nulls (derived from
// policy.ts by reach.ts, guards.ts and arguments.ts) and the data's (a nullable column, the record a
// payload returns, or a row of ABSENT_VALUES). To fix a failure: `nullable: true` on a field in
// mustBeNullable; in mustBeNonNull, drop `nullable: true`, or name why the value may be absent.
test('a field the policy or the data may answer null for is nullable, and every other field is non-null', async () => {
  const schema = await buildBareSchema();
  const byPolicy = policyNulls(schema);
  const byData = dataNulls(schema);
  const mustBeNullable: string[] = [];
  const mustBeNonNull: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const why = byPolicy.get(key) ?? byData.get(key);
      if (why && isNonNullType(field.type)) mustBeNullable.push(`${key} (${why})`);
      if (!why && !isNonNullType(field.type)) mustBeNonNull.push(key);
    }
  }
  expect({ mustBeNullable, mustBeNonNull }).toEqual({ mustBeNullable: [], mustBeNonNull: [] });
  // ABSENT_VALUES names only fields that exist and that neither a column nor a payload explains.
  const stale = Object.keys(ABSENT_VALUES).filter(
    (key) => !schema.getType(key.split('.')[0] ?? '') || byData.get(key) !== ABSENT_VALUES[key],
  );
  expect(stale).toEqual([]);
});

test('every root field an account may be denied is nullable, so one denial never costs the page', async () => {
  const schema = await buildBareSchema();
  const offenders: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      const key = `${root?.name}.${field.name}`;
      const audience = OPERATION_POLICY[key];
      const deniedToSome = allPrincipals().some(({ principal }) => !audience?.includes(principal));
      if (deniedToSome && isNonNullType(field.type)) offenders.push(key);
    }
  }
  expect(offenders).toEqual([]);
});

test('nullability follows the policy where a front-end notices it', async () => {
  const schema = await buildBareSchema();
  const nonNull = (typeName: string, field: string) => {
    const type = schema.getType(typeName);
    return isObjectType(type) && isNonNullType(type.getFields()[field]?.type);
  };
  // Everyone who reaches a person reads these (YOUTH_LEAGUE included).
  expect(['id', 'name', 'ageGroup', 'tier', 'grid'].map((f) => [f, nonNull('Person', f)])).toEqual([
    ['id', true],
    ['name', true],
    ['ageGroup', false], // absent without a birth date
    ['tier', true],
    ['grid', true],
  ]);
  expect(nonNull('Person', 'idNumber')).toBe(false);
  expect(nonNull('Dispute', 'parties')).toBe(true);
  // POLICE reach disputes but read no mediation records.
  expect(nonNull('Dispute', 'mediationSessions')).toBe(false);
  expect(nonNull('Query', 'me')).toBe(true);
  expect(nonNull('Query', 'viewer')).toBe(true);
  expect(nonNull('Query', 'persons')).toBe(false);
  expect(nonNull('Query', 'monthlyFigures')).toBe(false);
  expect(nonNull('Mutation', 'registerPerson')).toBe(false);
  // A foreign id reads null (references.ts), a list of them leaves it out.
  expect(nonNull('Assessment', 'personId')).toBe(false);
  expect(nonNull('TierExplanation', 'disputeIds')).toBe(true);
});
