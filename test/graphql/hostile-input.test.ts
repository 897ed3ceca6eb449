// Hostile input (SPEC §5, issue 18) ends in BAD_USER_INPUT or a userError naming the field, never
// a 500, and writes nothing. The text and date cases are generated from the schema: every String and
// date argument or input field of every operation, reached with minimal arguments built from its
// types and sent by an account the operation's policy lets run it.
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { buildSchemaSync, type PubSub } from 'type-graphql';
import { DATE_FIELDS, DATE_TIME_SCALAR, looksLikeDateName, type DateKind } from '../../src/graphql/dates';
import { nationalIdNumberProblem, textProblem } from '../../src/graphql/input-hygiene';
import { resolvers } from '../../src/graphql/schema';
import { idNumberAgreesWithBirthDate } from '../../src/domain/people/rules';
import { allPrincipals, OPERATION_POLICY, PUBLIC, type Principal } from '../../src/permissions/policy';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';

// ---------------------------------------------------------------------------------------------------
// The table, from the schema

const NO_TOPICS = {} as PubSub;
const schema: GraphQLSchema = buildSchemaSync({
  resolvers: [...resolvers] as never,
  validate: false,
  emitSchemaFile: false,
  pubSub: NO_TOPICS,
});

type Operation = { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> };
const operations: Operation[] = [
  ...Object.values((schema.getQueryType() as GraphQLObjectType).getFields()).map((field) => ({
    kind: 'query' as const,
    field,
  })),
  ...Object.values((schema.getMutationType() as GraphQLObjectType).getFields()).map((field) => ({
    kind: 'mutation' as const,
    field,
  })),
];

/** An input reachable from an operation's arguments: its path (list elements as 0) and its type. */
interface Target {
  operation: Operation;
  path: (string | number)[];
  name: string;
  scalar: string;
}

function targetsOf(operation: Operation): Target[] {
  const found: Target[] = [];
  const walk = (type: GraphQLInputType, name: string, path: (string | number)[], depth: number) => {
    const nullable = getNullableType(type);
    if (isListType(nullable)) return walk(nullable.ofType as GraphQLInputType, name, [...path, 0], depth);
    if (isInputObjectType(nullable)) {
      if (depth > 4) return;
      for (const field of Object.values(nullable.getFields())) {
        walk(field.type, field.name, [...path, field.name], depth + 1);
      }
      return;
    }
    if (isScalarType(nullable)) found.push({ operation, path, name, scalar: nullable.name });
  };
  for (const arg of operation.field.args) walk(arg.type, arg.name, [arg.name], 0);
  return found;
}

const targets = operations.flatMap(targetsOf);
const label = (target: Target) => `${target.operation.field.name}(${target.path.join('.')})`;

const HOSTILE_TEXT: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['a lone surrogate', 'a\uD800b'],
  ['an RTL override', 'invoice\u202Efdp.exe'],
  ['zero-width spaces only', '\u200B\u200B\u200C'],
];

const HOSTILE_DATES: Record<DateKind, string[]> = {
  pastDay: ['2023-02-30', '0000-01-01', '9999-99-99', '2999-01-01', '1000-01-01', '1899-12-31'],
  pastMonth: ['0000-01', '9999-12', '2026-13', '1899-12'],
  pastInstant: ['9999-12-31T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '2026-11-01T09:00:00.000Z'],
  searchBound: ['0001-01-01T00:00:00.000Z', '1899-12-31T23:59:59.000Z'],
};

const textCases = targets
  .filter((target) => target.scalar === 'String')
  .flatMap((target) => HOSTILE_TEXT.map(([what, value]) => [label(target), what, target, value] as const));

const dateCases = targets.flatMap((target) => {
  const kind = DATE_FIELDS[target.name];
  return kind ? HOSTILE_DATES[kind].map((value) => [label(target), value, target, value] as const) : [];
});

// ---------------------------------------------------------------------------------------------------
// Minimal arguments, the account to send them, and what was written

let api: TestApi;
let personId: string;
let disputeId: string;
let gridId: string;
let countRows: () => Promise<Record<string, number>>;

function idFor(name: string): string {
  if (name === 'gridId' || name === 'jurisdictionId') return gridId;
  if (/personId$/i.test(name) || name === 'id') return personId;
  if (name === 'disputeId') return disputeId;
  return randomUUID();
}

function plainValue(scalar: string, name: string): unknown {
  const kind = DATE_FIELDS[name];
  if (scalar === 'ID') return idFor(name);
  if (scalar === 'Int' || scalar === 'Float') return 1;
  if (scalar === 'Boolean') return false;
  if (scalar === DATE_TIME_SCALAR) return '2026-10-20T00:00:00.000Z';
  if (kind === 'pastDay') return '2026-10-20';
  if (kind === 'pastMonth') return '2026-10';
  if (name === 'format') return 'CSV';
  return '测试';
}

/** The value of `type` with only what it requires, and `value` at `path` inside it. */
function build(type: GraphQLInputType, name: string, path: (string | number)[], value: unknown): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [build(nullable.ofType as GraphQLInputType, name, path.slice(1), value)];
  if (isInputObjectType(nullable)) {
    const object: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) {
      if (field.name === path[0]) object[field.name] = build(field.type, field.name, path.slice(1), value);
      else if (isNonNullType(field.type) && field.defaultValue === undefined) {
        object[field.name] = build(field.type, field.name, [], undefined);
      }
    }
    return object;
  }
  if (path.length === 0 && value !== undefined) return value;
  if (isEnumType(nullable)) return nullable.getValues()[0]?.name;
  return plainValue(isScalarType(nullable) ? nullable.name : 'String', name);
}

function request(operation: Operation, path: (string | number)[], value: unknown) {
  const field = operation.field;
  const variables: Record<string, unknown> = {};
  for (const arg of field.args) {
    if (arg.name === path[0]) variables[arg.name] = build(arg.type, arg.name, path.slice(1), value);
    else if (isNonNullType(arg.type) && arg.defaultValue === undefined) {
      variables[arg.name] = build(arg.type, arg.name, [], undefined);
    }
  }
  const given = field.args.filter((arg) => arg.name in variables);
  const definitions = given.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = given.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const returned = getNamedType(field.type);
  const selection = !isObjectType(returned)
    ? ''
    : 'userErrors' in returned.getFields()
      ? '{ __typename userErrors { field message code } }'
      : '{ __typename }';
  const query = `${operation.kind} Hostile${definitions ? `(${definitions})` : ''} {
    ${field.name}${args ? `(${args})` : ''} ${selection} }`;
  return { query, variables };
}

function usernameOf(principal: Principal): string {
  if (principal.capability) return principal.capability.toLowerCase();
  return `${principal.department.toLowerCase()}.${principal.position.toLowerCase()}`;
}

/** A token of the first test account (grid staff first) the operation's policy admits; none if public. */
async function tokenFor(operation: Operation): Promise<string | undefined> {
  const audience =
    OPERATION_POLICY[`${operation.kind === 'query' ? 'Query' : 'Mutation'}.${operation.field.name}`];
  if (!audience) throw new Error(`${operation.field.name} has no row in OPERATION_POLICY`);
  if (audience === PUBLIC) return undefined;
  const principals = allPrincipals()
    .map((row) => row.principal)
    .sort((a, b) => Number(b.department === 'GRID') - Number(a.department === 'GRID'));
  const principal = principals.find((candidate) => audience.includes(candidate));
  if (!principal) throw new Error(`nobody may run ${operation.field.name}`);
  return api.login(usernameOf(principal));
}

type Reply = GraphQLResponse<
  Record<string, { userErrors?: { field: string | null; code: string }[] } | null>
>;

/** Whether the reply refuses the input at `field`: a BAD_USER_INPUT error or a userError naming it. */
function refusedAt(reply: Reply, operation: string, field: string): boolean {
  const error = (reply.errors ?? []).some(
    (e) => e.extensions?.code === 'BAD_USER_INPUT' && (e.extensions as { field?: string }).field === field,
  );
  const userError = (reply.data?.[operation]?.userErrors ?? []).some((e) => e.field === field);
  return error || userError;
}

async function expectRefused(target: Target, value: unknown): Promise<void> {
  const token = await tokenFor(target.operation);
  const { query, variables } = request(target.operation, target.path, value);
  const before = await countRows();
  const reply = (await api.gql(query, variables, token)) as Reply;
  const field = target.path.join('.');
  const outcome = { field, status: reply.status, errors: reply.errors, data: reply.data };
  expect(reply.status).toBeLessThan(500);
  expect((reply.errors ?? []).map((e) => e.extensions?.code)).not.toContain('INTERNAL_SERVER_ERROR');
  // On failure this prints what came back instead.
  expect(refusedAt(reply, target.operation.field.name, field) ? 'refused' : outcome).toBe('refused');
  expect(await countRows()).toEqual(before);
}

beforeAll(async () => {
  api = await startTestApi();
  gridId = await api.node('gridA');
  const worker = await api.login('grid.worker');
  personId = await registerPerson(api, worker, { name: '当事人甲', gridId });
  const other = await registerPerson(api, worker, { name: '当事人乙', gridId });
  disputeId = await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    gridId,
    parties: [personId, other],
  });
  const tables: { tablename: string }[] = await api.dataSource.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY tablename`,
  );
  const sql = tables
    .map(({ tablename }) => `SELECT '${tablename}' AS name, count(*)::int AS rows FROM "${tablename}"`)
    .join(' UNION ALL ');
  // Every account the cases use signs in first: no case can make a later sign-in fail.
  for (const operation of operations) await tokenFor(operation);
  countRows = async () => {
    const rows: { name: string; rows: number }[] = await api.dataSource.query(sql);
    return Object.fromEntries(rows.map((row) => [row.name, row.rows]));
  };
});
afterAll(() => api.close());

// ---------------------------------------------------------------------------------------------------
// Generated cases

test('the schema has text and date inputs to try (the generator found them)', () => {
  expect(textCases.length).toBeGreaterThan(100);
  expect(dateCases.length).toBeGreaterThan(20);
  expect(targets.map(label)).toEqual(
    expect.arrayContaining([
      'registerPerson(input.name)',
      'registerPerson(input.address)',
      'registerDispute(input.description)',
      'persons(filter.nameContains)',
      'registerPerson(input.birthDate)',
      'registerDispute(input.reportedAt)',
      'monthlyFigures(month)',
    ]),
  );
});

test('every date-typed input is classified in DATE_FIELDS, and DATE_FIELDS names no input that is gone', () => {
  const dateLike = targets.filter(
    (target) =>
      target.scalar === DATE_TIME_SCALAR || (target.scalar === 'String' && looksLikeDateName(target.name)),
  );
  expect(dateLike.filter((target) => !DATE_FIELDS[target.name]).map(label)).toEqual([]);
  const names = new Set(targets.map((target) => target.name));
  expect(Object.keys(DATE_FIELDS).filter((name) => !names.has(name))).toEqual([]);
});

test.each(textCases)('%s with %s is refused and writes nothing', async (_label, _what, target, value) => {
  await expectRefused(target, value);
});

test.each(dateCases)('%s = %s is refused and writes nothing', async (_label, _value, target, value) => {
  await expectRefused(target, value);
});

// ---------------------------------------------------------------------------------------------------
// National ID numbers, cursors, normalisation, idempotency

const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { person { id name } userErrors { field message code } } }`;
const UPDATE = `mutation($input: UpdatePersonInput!) {
  updatePerson(input: $input) { person { id version } userErrors { field message code } } }`;

/** 19800101 with its right check character X, and the same number with a wrong one. */
const GOOD_ID = '33010219800101123X';
const WRONG_CHECK = '330102198001011234';

test.each([
  ['a wrong GB 11643 check character', { idNumber: WRONG_CHECK }],
  ['a birth date that is not a day (19800230)', { idNumber: '330102198002301235' }],
  ['an ID number that disagrees with birthDate', { idNumber: GOOD_ID, birthDate: '1980-02-03' }],
])('registerPerson with %s is a userError on input.idNumber and writes nothing', async (_label, change) => {
  const worker = await api.login('grid.worker');
  const before = await countRows();
  const reply = await api.gql(REGISTER, { input: { name: '身份证', gridId, ...change } }, worker);
  expect(reply.data?.registerPerson.person).toBeNull();
  expect(reply.data?.registerPerson.userErrors.map((e: { field: string }) => e.field)).toContain(
    'input.idNumber',
  );
  expect(await countRows()).toEqual(before);
});

test('registerPerson takes an ID number that passes the check and agrees with the birth date', async () => {
  const worker = await api.login('grid.worker');
  const reply = await api.gql(
    REGISTER,
    { input: { name: '身份证乙', gridId, idNumber: GOOD_ID, birthDate: '1980-01-01' } },
    worker,
  );
  expect(reply.data?.registerPerson.userErrors).toEqual([]);
});

test.each([
  ['a wrong GB 11643 check character', { idNumber: WRONG_CHECK }],
  ['an ID number that disagrees with birthDate', { idNumber: GOOD_ID, birthDate: '1981-01-01' }],
])('updatePerson with %s is a userError on input.idNumber and changes nothing', async (_label, change) => {
  const worker = await api.login('grid.worker');
  const id = await registerPerson(api, worker, { name: '改身份证', gridId });
  const before = await countRows();
  const reply = await api.gql(UPDATE, { input: { id, expectedVersion: 1, ...change } }, worker);
  expect(reply.data?.updatePerson.person).toBeNull();
  expect(reply.data?.updatePerson.userErrors.map((e: { field: string }) => e.field)).toContain(
    'input.idNumber',
  );
  expect(await countRows()).toEqual(before);
  const [row] = await api.dataSource.query(`SELECT version, id_number FROM persons WHERE id = $1`, [id]);
  expect(row).toEqual({ version: 1, id_number: null });
});

const cursorOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const SOME_ID = '00000000-0000-4000-8000-000000000000';

test.each([
  ['a date of year −271821', cursorOf(`-271821-04-20T00:00:00.000Z|${SOME_ID}`)],
  ['a date of year +275760', cursorOf(`+275760-09-13T00:00:00.000Z|${SOME_ID}`)],
  ['NaN', cursorOf(`NaN|${SOME_ID}`)],
  ['a 30 February', cursorOf(`2026-02-30T00:00:00.000Z|${SOME_ID}`)],
  ['year 0', cursorOf(`0000-01-01T00:00:00.000Z|${SOME_ID}`)],
  ['garbage base64', '!!!not-base64@@@'],
  ['a cursor with a third part', cursorOf(`2026-10-01T00:00:00.000Z|${SOME_ID}|x`)],
])('a cursor holding %s is BAD_USER_INPUT on persons and disputes', async (_label, after) => {
  const worker = await api.login('grid.worker');
  for (const list of ['persons', 'disputes']) {
    const reply = await api.gql(
      `query($after: String) { ${list}(first: 5, after: $after) { totalCount } }`,
      {
        after,
      },
      worker,
    );
    expect(reply.status).toBeLessThan(500);
    expect(reply.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  }
});

test('a cursor the API issued still pages', async () => {
  const worker = await api.login('grid.worker');
  const first = await api.gql(`{ persons(first: 1) { pageInfo { endCursor } } }`, {}, worker);
  const after = first.data?.persons.pageInfo.endCursor as string;
  const next = await api.gql(
    `query($after: String) { persons(first: 1, after: $after) { totalCount } }`,
    {
      after,
    },
    worker,
  );
  expect(next.errors).toBeUndefined();
});

test('text is stored NFC-normalised, and a search in decomposed form finds it', async () => {
  const worker = await api.login('grid.worker');
  const decomposed = 'Rene\u0301 Lefe\u0300vre';
  const reply = await api.gql(REGISTER, { input: { name: decomposed, gridId } }, worker);
  const id = reply.data?.registerPerson.person.id;
  const [row] = await api.dataSource.query(`SELECT name FROM persons WHERE id = $1`, [id]);
  expect(row.name).toBe('René Lefèvre');
  expect(row.name).toBe(decomposed.normalize('NFC'));
  const found = await api.gql(
    `query($text: String) { persons(first: 5, filter: { nameContains: $text }) { edges { node { id } } } }`,
    { text: 'Rene\u0301' },
    worker,
  );
  expect(found.data?.persons.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);
});

test('an idempotencyKey reused with a different input is a CONFLICT and writes nothing', async () => {
  const worker = await api.login('grid.worker');
  const key = `hostile-${randomUUID()}`;
  const first = await api.gql(REGISTER, { input: { name: 'Zoë 幂等', gridId, idempotencyKey: key } }, worker);
  const id = first.data?.registerPerson.person.id;
  expect(id).toBeDefined();
  const before = await countRows();
  const reused = await api.gql(
    REGISTER,
    { input: { name: 'Zoë 另一人', gridId, idempotencyKey: key } },
    worker,
  );
  expect(reused.status).toBeLessThan(500);
  expect(reused.data?.registerPerson.userErrors[0]?.code).toBe('CONFLICT');
  expect(reused.data?.registerPerson.person).toBeNull();
  expect(await countRows()).toEqual(before);
  // The same input again, even spelt in another Unicode form, is a retry: the first record.
  const retried = await api.gql(
    REGISTER,
    { input: { name: 'Zoe\u0308 幂等', gridId, idempotencyKey: key } },
    worker,
  );
  expect(retried.data?.registerPerson.person.id).toBe(id);
});

// ---------------------------------------------------------------------------------------------------
// The pure rules

test('text rules: printable text passes; NUL, lone surrogates, bidi controls, invisible-only do not', () => {
  for (const fine of ['', '张三', 'O’Brien', 'line one\nline two', 'ﬁ ligature', '👨‍👩‍👧 family', 'a\u200Bb']) {
    expect(textProblem(fine)).toBeNull();
  }
  for (const bad of [
    '\u0000',
    'a\uDC00',
    '\uD83D',
    '\u2066x\u2069',
    '\u202Ax',
    '   ',
    '\u3000',
    '\uFEFF',
    '\u2060\u00AD',
  ]) {
    expect(textProblem(bad)).not.toBeNull();
  }
});

test('GB 11643-1999: the check character and the birth date inside the number', () => {
  expect(nationalIdNumberProblem(GOOD_ID)).toBeNull();
  expect(nationalIdNumberProblem('11010519491231002X')).toBeNull();
  expect(nationalIdNumberProblem(WRONG_CHECK)).toMatch(/check character/);
  expect(nationalIdNumberProblem('110105194902300021')).toMatch(/birth date/);
  expect(nationalIdNumberProblem('12345')).toMatch(/18-character/);
  expect(idNumberAgreesWithBirthDate(GOOD_ID, '1980-01-01')).toBe(true);
  expect(idNumberAgreesWithBirthDate(GOOD_ID, '1980-01-02')).toBe(false);
});
