// `viewer` (issue 22): for every demo account (as test/permissions/field-matrix.test.ts enumerates
// them), what viewer says of each field of a fully filled person and what hangs from it equals what the
// server does when that account reads it, and every operation it calls allowed runs without FORBIDDEN
// while every other one answers FORBIDDEN. Viewer describes the caller's own permissions only: its
// answer does not move when records come and go.
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import { allPrincipals, type Principal } from '../../src/permissions/policy';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson, registerPersonWithEveryField } from '../support/fixtures';

type Access = 'READ' | 'MASKED' | 'DENIED' | 'CONDITIONAL';
interface ViewerAnswer {
  user: { username: string };
  types: { name: string; fields: { name: string; access: Access; refusedArguments: string[] }[] }[];
  operations: { kind: string; name: string; allowed: boolean; refusedArguments: string[] }[];
}

const VIEWER = `{ viewer {
  user { username }
  types { name fields { name access refusedArguments } }
  operations { kind name allowed refusedArguments } } }`;

let api: TestApi;
let schema: GraphQLSchema;
let personId: string;
let personQuery: string;

function usernameOf(principal: Principal): string {
  if (principal.capability === 'ADMIN') return 'admin';
  if (principal.capability === 'AUDITOR') return 'auditor';
  return `${principal.department.toLowerCase()}.${principal.position.toLowerCase()}`;
}

/** Every field of `type`; object fields one level down with their own fields, then only `__typename`. */
function selection(type: GraphQLObjectType, depth: number): string {
  return Object.values(type.getFields())
    .filter((field) => field.args.every((argument) => !isNonNullType(argument.type)))
    .map((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) return field.name;
      return depth > 0 ? `${field.name} { ${selection(named, depth - 1)} }` : `${field.name} { __typename }`;
    })
    .join(' ');
}

beforeAll(async () => {
  api = await startTestApi();
  schema = await buildBareSchema();
  personQuery = `query($id: ID!) { person(id: $id) { ${selection(schema.getType('Person') as GraphQLObjectType, 1)} } }`;
  personId = await registerPersonWithEveryField(api);
}, 180000);
afterAll(() => api.close());

async function viewerOf(token: string): Promise<ViewerAnswer> {
  const result = await api.gql<{ viewer: ViewerAnswer }>(VIEWER, {}, token);
  expect(result.errors).toBeUndefined();
  if (!result.data) throw new Error('no viewer');
  return result.data.viewer;
}

/** What a read of one value shows: the field's value and the error at its path, if any. */
function observed(value: unknown, code: string | undefined): Access | 'UNEXPECTED' | 'NULL_NO_ERROR' {
  if (code === 'FORBIDDEN' && value === null) return 'DENIED';
  if (code !== undefined) return 'UNEXPECTED';
  if (typeof value === 'string' && (value.includes('*') || value.includes('详细地址不可见'))) return 'MASKED';
  if (value === null) return 'NULL_NO_ERROR';
  return 'READ';
}

/** Whether what the server did agrees with what viewer said. */
function agrees(said: Access | undefined, seen: ReturnType<typeof observed>): boolean {
  if (said === 'CONDITIONAL') return seen === 'READ' || seen === 'NULL_NO_ERROR';
  if (said === 'READ') return seen === 'READ' || seen === 'NULL_NO_ERROR';
  return said === seen;
}

const principals = allPrincipals();

describe('what viewer says of each field is what the server does', () => {
  test.each(principals.map((p) => [p.label, p.principal] as const))('%s', async (label, principal) => {
    const token = await api.login(usernameOf(principal));
    const viewer = await viewerOf(token);
    expect(viewer.user.username).toBe(usernameOf(principal));
    const accessOf = new Map(
      viewer.types.flatMap((type) =>
        type.fields.map((field) => [`${type.name}.${field.name}`, field.access]),
      ),
    );
    const personOperation = viewer.operations.find((op) => op.kind === 'QUERY' && op.name === 'person');
    const result = await api.gql(personQuery, { id: personId }, token);
    const errors = new Map((result.errors ?? []).map((e) => [(e.path ?? []).join('.'), e.extensions?.code]));
    if (!personOperation?.allowed) {
      expect(errors.get('person')).toBe('FORBIDDEN');
      expect(viewer.types.map((type) => type.name)).not.toContain('Person');
      return;
    }
    const person = result.data?.person as Record<string, unknown> | null;
    if (!person) {
      // Outside the account's row scope (NOT_FOUND): nothing to compare field by field.
      expect(errors.get('person')).toBe('NOT_FOUND');
      return;
    }
    const mismatches: string[] = [];
    let compared = 0;
    const check = (typeName: string, field: string, value: unknown, path: string) => {
      if (field === '__typename') return;
      compared += 1;
      const said = accessOf.get(`${typeName}.${field}`);
      const seen = observed(value, errors.get(path));
      if (!agrees(said, seen))
        mismatches.push(`${typeName}.${field} at ${path}: viewer says ${said}, server did ${seen}`);
    };
    const personType = schema.getType('Person') as GraphQLObjectType;
    for (const [field, value] of Object.entries(person)) {
      check('Person', field, value, `person.${field}`);
      const fieldType = personType.getFields()[field]?.type;
      const named = fieldType ? getNamedType(fieldType) : undefined;
      if (!isObjectType(named) || value === null || typeof value !== 'object') continue;
      const items = Array.isArray(value) ? value : [value];
      items.forEach((item: Record<string, unknown> | null, index) => {
        if (!item) return;
        const prefix = Array.isArray(value) ? `person.${field}.${index}` : `person.${field}`;
        for (const [nested, nestedValue] of Object.entries(item)) {
          check(named.name, nested, nestedValue, `${prefix}.${nested}`);
        }
      });
    }
    expect({ label, mismatches }).toEqual({ label, mismatches: [] });
    expect(compared).toBeGreaterThan(Object.keys(person).length);
  });
});

// ---------------------------------------------------------------------------------------------
// Operations: each is called with arguments that pass validation but carry a NUL character in every
// text of a mutation's input, so input hygiene (inside the permission layer) refuses it before its
// resolver writes anything; queries only read.
// ---------------------------------------------------------------------------------------------

const NUL = 'x\u0000';

function valueFor(type: GraphQLInputType, mutation: boolean, depth = 0): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, mutation, depth);
  if (isListType(type)) return [valueFor(type.ofType, mutation, depth)];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter(
          (field) =>
            isNonNullType(field.type) ||
            (mutation && depth < 2 && isTextType(field.type as GraphQLInputType)),
        )
        .map((field) => [field.name, valueFor(field.type, mutation, depth + 1)]),
    );
  }
  if (isScalarType(type)) {
    if (type.name === 'ID') return mutation ? NUL : randomUUID();
    if (type.name === 'String') return mutation ? NUL : '2026-10';
    if (type.name === 'Int' || type.name === 'Float') return 1;
    if (type.name === 'Boolean') return false;
    if (type.name === 'DateTimeISO') return '2026-10-01T00:00:00.000Z';
  }
  return mutation ? NUL : 'x';
}

function isTextType(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  return isScalarType(named) && (named.name === 'String' || named.name === 'ID');
}

/** A document calling `Root.name` with its required arguments, and the variables to send. */
function call(
  kind: 'query' | 'mutation',
  name: string,
): { document: string; variables: Record<string, unknown> } {
  const root = (kind === 'query' ? schema.getQueryType() : schema.getMutationType()) as GraphQLObjectType;
  const field = root.getFields()[name];
  if (!field) throw new Error(`no ${kind} ${name}`);
  const used: GraphQLArgument[] = field.args.filter(
    (argument) =>
      isNonNullType(argument.type) || (kind === 'mutation' && isInputObjectType(getNamedType(argument.type))),
  );
  const declarations = used.map((argument) => `$${argument.name}: ${argument.type.toString()}`).join(', ');
  const passed = used.map((argument) => `${argument.name}: $${argument.name}`).join(', ');
  const named = getNamedType(field.type);
  const leaf = isObjectType(named) ? ' { __typename }' : '';
  const document = `${kind}${declarations ? `(${declarations})` : ''} { ${name}${passed ? `(${passed})` : ''}${leaf} }`;
  const variables = Object.fromEntries(
    used.map((argument) => [argument.name, valueFor(argument.type, kind === 'mutation')]),
  );
  return { document, variables };
}

/** Ends the session: called last for each account, after every other operation. */
const LAST = new Set(['logout']);

describe('an operation viewer allows runs, and one it does not answers FORBIDDEN', () => {
  test.each(principals.map((p) => [p.label, p.principal] as const))('%s', async (label, principal) => {
    const token = await api.login(usernameOf(principal));
    const viewer = await viewerOf(token);
    const operations = viewer.operations
      .filter((op) => op.kind !== 'SUBSCRIPTION')
      .sort((a, b) => Number(LAST.has(a.name)) - Number(LAST.has(b.name)));
    expect(operations.length).toBeGreaterThan(50);
    const mismatches: string[] = [];
    for (const operation of operations) {
      const { document, variables } = call(operation.kind === 'QUERY' ? 'query' : 'mutation', operation.name);
      const result = await api.gql(document, variables, token);
      const forbidden = (result.errors ?? []).some((error) => error.extensions?.code === 'FORBIDDEN');
      if (forbidden === operation.allowed) {
        mismatches.push(
          `${operation.kind} ${operation.name}: viewer says allowed=${operation.allowed}, server: ${JSON.stringify(result.errors ?? result.data)}`,
        );
      }
      // logout ended this session: TestApi forgets its tokens, so later tests sign in afresh.
      if (operation.name === 'logout' && operation.allowed) api.clock.advanceDays(0);
    }
    expect({ label, mismatches }).toEqual({ label, mismatches: [] });
  });
});

test('a filter viewer refuses is refused by the server, and one it allows is not', async () => {
  const token = await api.login('petitions.worker');
  const viewer = await viewerOf(token);
  const persons = viewer.operations.find((op) => op.kind === 'QUERY' && op.name === 'persons');
  expect(persons?.refusedArguments).toContain('filter.needsAssessment');
  const refused = await api.gql(`{ persons(filter: { needsAssessment: true }) { totalCount } }`, {}, token);
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const grid = await viewerOf(await api.login('grid.worker'));
  expect(grid.operations.find((op) => op.name === 'persons')?.refusedArguments).not.toContain(
    'filter.needsAssessment',
  );
});

test('viewer names the masked, conditional and denied fields a UI must treat differently', async () => {
  const accessIn = (viewer: ViewerAnswer, typeName: string, field: string) =>
    viewer.types.find((type) => type.name === typeName)?.fields.find((entry) => entry.name === field)?.access;
  const petitions = await viewerOf(await api.login('petitions.worker'));
  expect(accessIn(petitions, 'Person', 'idNumber')).toBe('MASKED');
  expect(accessIn(petitions, 'Person', 'specialStatuses')).toBe('DENIED');
  const justice = await viewerOf(await api.login('justice.worker'));
  expect(accessIn(justice, 'Person', 'idNumber')).toBe('READ');
  expect(accessIn(justice, 'Person', 'specialStatuses')).toBe('CONDITIONAL');
  const youth = await viewerOf(await api.login('youth_league.worker'));
  expect(accessIn(youth, 'Person', 'name')).toBe('READ');
  expect(accessIn(youth, 'Person', 'idNumber')).toBe('DENIED');
  expect(youth.types.map((type) => type.name)).not.toContain('Dispute');
  const auditor = await viewerOf(await api.login('auditor'));
  expect(auditor.types.map((type) => type.name)).not.toContain('Person');
  expect(auditor.operations.find((op) => op.name === 'auditTrail')?.allowed).toBe(true);
  expect(auditor.operations.find((op) => op.name === 'persons')?.allowed).toBe(false);
});

test('viewer describes the account, never the records: its answer does not move when records do', async () => {
  const token = await api.login('civil_affairs.worker');
  const before = await viewerOf(token);
  const worker = await api.login('grid.worker');
  await registerPerson(api, worker, {
    name: '新登记',
    gridId: await api.node('gridA'),
    specialStatuses: ['NO_LIVELIHOOD'],
  });
  expect(await viewerOf(token)).toEqual(before);
  const signedOut = await api.gql(VIEWER);
  expect(signedOut.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});
