// Generated from the policy table: for every department × position (and ADMIN, AUDITOR) a real token
// runs one query selecting every field of Person, Dispute, Assessment, Assignment and FollowUp, and
// each field comes back exactly read, masked or denied as policy.ts says.
import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import disputeRoutes from '../../src/database/reference-data/dispute-routes.json';
import { buildBareSchema } from '../../src/graphql/schema';
import {
  allPrincipals,
  decideField,
  FIELD_POLICY,
  OPERATION_POLICY,
  rowAccess,
  type FieldDecision,
  type Principal,
} from '../../src/permissions/policy';
import { startTestApi, type TestApi } from '../support/api';
import { registerPersonWithEveryField } from '../support/fixtures';

let api: TestApi;
let personId: string;
let query: string;
const NESTED: Record<string, string> = {
  disputes: 'Dispute',
  assessments: 'Assessment',
  currentAssignment: 'Assignment',
  lastFollowUp: 'FollowUp',
};

function selection(type: GraphQLObjectType, nested: boolean): string {
  return Object.values(type.getFields())
    .map((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) return field.name;
      if (nested && NESTED[field.name]) return `${field.name} { ${selection(named, false)} }`;
      return `${field.name} { __typename }`;
    })
    .join(' ');
}

beforeAll(async () => {
  api = await startTestApi();
  const schema = await buildBareSchema();
  query = `query($id: ID!) { person(id: $id) { ${selection(schema.getType('Person') as GraphQLObjectType, true)} } }`;
  personId = await registerPersonWithEveryField(api);
}, 120000);
afterAll(() => api.close());

function seesPerson(principal: Principal): boolean {
  const access = rowAccess(principal);
  if (access.everything || access.onlyUnderAge !== null || access.specialStatuses.length > 0) return true;
  if (!access.routedDisputes) return false;
  const routes = [...Object.values(disputeRoutes.byCategory), ...Object.values(disputeRoutes.bySource)];
  return routes.some((departments) => departments.includes(principal.department));
}

const principals = allPrincipals();

test.each(principals.map((p) => [p.label, p.principal] as const))('%s', async (label, principal) => {
  const username =
    principal.capability === 'ADMIN'
      ? 'admin'
      : principal.capability === 'AUDITOR'
        ? 'auditor'
        : `${principal.department.toLowerCase()}.${principal.position.toLowerCase()}`;
  const token = await api.login(username);
  const result = await api.gql(query, { id: personId }, token);
  const errors = new Map((result.errors ?? []).map((e) => [(e.path ?? []).join('.'), e.extensions?.code]));

  if (!OPERATION_POLICY['Query.person']?.includes(principal)) {
    expect(errors.get('person')).toBe('FORBIDDEN');
    return;
  }
  if (!seesPerson(principal)) {
    expect(errors.get('person')).toBe('NOT_FOUND');
    return;
  }
  const person = result.data?.person;
  expect(person).toBeTruthy();
  const mismatches: string[] = [];
  const check = (typeName: string, field: string, value: unknown, path: string) => {
    const expected: FieldDecision = decideField(FIELD_POLICY[`${typeName}.${field}`], principal);
    const code = errors.get(path);
    let actual: FieldDecision | 'unexpected';
    if (code === 'FORBIDDEN' && value === null) actual = 'denied';
    else if (code !== undefined) actual = 'unexpected';
    else if (typeof value === 'string' && value.includes('*')) actual = 'masked';
    else if (typeof value === 'string' && value.includes('详细地址不可见')) actual = 'masked';
    else actual = 'read';
    if (actual !== expected)
      mismatches.push(`${path}: expected ${expected}, got ${actual} (${JSON.stringify(value)})`);
  };
  for (const [field, value] of Object.entries(person)) {
    check('Person', field, value, `person.${field}`);
    const nestedType = NESTED[field];
    if (!nestedType || value === null) continue;
    const items = Array.isArray(value) ? value : [value];
    items.forEach((item: Record<string, unknown>, index: number) => {
      const prefix = Array.isArray(value) ? `person.${field}.${index}` : `person.${field}`;
      for (const [nestedField, nestedValue] of Object.entries(item)) {
        check(nestedType, nestedField, nestedValue, `${prefix}.${nestedField}`);
      }
    });
  }
  expect({ label, mismatches }).toEqual({ label, mismatches: [] });
  const routed = Object.values(disputeRoutes.byCategory).some((d) =>
    (d as string[]).includes(principal.department),
  );
  if (rowAccess(principal).everything || routed) expect(person.disputes.length).toBeGreaterThan(0);
});
