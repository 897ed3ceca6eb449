// ADMIN manages users and reference data and sees no personal data (SPEC §2, issue 20). Generated from
// the schema: every query field there is — including those added later — is run as ADMIN, selecting
// everything it returns a few levels deep with plausible arguments (the ids of real records), over a
// database holding a person, a household, a dispute, an assessment, an assignment and a follow-up
// whose every text is a marker. Each answer is FORBIDDEN, or holds no object of a type the field
// policy governs (personal data) and none of the markers.
// test/permissions/field-matrix.test.ts covers ADMIN for `person` field by field; this covers the rest.
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import { FIELD_POLICY, OPERATION_POLICY, allPrincipals } from '../../src/permissions/policy';
import { startTestApi, type TestApi } from '../support/api';
import {
  assignToGridLeader,
  recordAssessment,
  recordFollowUp,
  registerDispute,
  registerHousehold,
  registerPerson,
} from '../support/fixtures';

let api: TestApi;
const ids: Record<string, string> = {};

/** Texts of the records that only department staff may read: none may reach ADMIN. */
const MARKERS = [
  '隐私甲某',
  '33010219800101123X',
  '13812345678',
  '隐私路9号',
  '隐私纠纷描述',
  '隐私雇主',
  '隐私跟踪记录',
];

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  ids.jurisdiction = gridA;
  ids.household = await registerHousehold(api, worker, gridA, '隐私路9号');
  ids.person = await registerPerson(api, worker, {
    name: '隐私甲某',
    gridId: gridA,
    gender: 'MALE',
    birthDate: '1980-01-01',
    idNumber: '33010219800101123X',
    phone: '13812345678',
    address: '隐私路9号',
    householdId: ids.household,
    residency: 'MIGRANT',
    employerName: '隐私雇主',
    employerContact: '13900001111',
  });
  const other = await registerPerson(api, worker, { name: '隐私乙某', gridId: gridA });
  ids.dispute = await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    gridId: gridA,
    parties: [ids.person, other],
    description: '隐私纠纷描述',
  });
  await recordAssessment(api, worker, ids.person, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  await assignToGridLeader(api, ids.person);
  const result = await api.gql(
    `mutation($input: RecordFollowUpInput!) { recordFollowUp(input: $input) { followUp { id } } }`,
    { input: { personId: ids.person, method: 'VISIT', notes: '隐私跟踪记录', observedChange: '好转' } },
    worker,
  );
  expect(result.data?.recordFollowUp.followUp).toBeTruthy();
  await recordFollowUp(api, worker, ids.person);
}, 120_000);
afterAll(() => api.close());

/** A value for an argument: the id of a real record where the name says which, else something plausible. */
function valueFor(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return valueFor(type.ofType, name);
  if (isListType(type)) return [valueFor(type.ofType, name)];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => [field.name, valueFor(field.type, field.name)]),
    );
  }
  if (isScalarType(type)) {
    if (type.name === 'Boolean') return false;
    if (type.name === 'Int' || type.name === 'Float') return 5;
    if (type.name === 'DateTimeISO') return '2026-10-01T00:00:00.000Z';
    if (type.name === 'ID') {
      const kind = Object.keys(ids).find((key) => name.toLowerCase().includes(key.toLowerCase()));
      if (kind) return ids[kind];
      return /grid/i.test(name) ? ids.jurisdiction : ids.person;
    }
    return name === 'month' ? '2026-11' : name === 'version' ? 1 : '隐私';
  }
  throw new Error(`no value for ${String(type)}`);
}

/** The arguments a field needs (required ones, and `first` to keep pages small), as variables. */
function argumentsOf(
  field: GraphQLField<unknown, unknown>,
  prefix: string,
  variables: Record<string, unknown>,
) {
  const used = field.args.filter(
    (arg) => (isNonNullType(arg.type) && arg.defaultValue === undefined) || arg.name === 'first',
  );
  if (used.length === 0) return { text: '', declarations: [] as string[] };
  const declarations = used.map((arg) => {
    const variable = `${prefix}_${arg.name}`;
    variables[variable] = valueFor(arg.type, arg.name);
    return `$${variable}: ${String(arg.type)}`;
  });
  return { text: `(${used.map((arg) => `${arg.name}: $${prefix}_${arg.name}`).join(', ')})`, declarations };
}

/** Every field of `type`, objects `depth` levels down, with __typename on every object. */
function selection(
  type: GraphQLOutputType,
  depth: number,
  prefix: string,
  variables: Record<string, unknown>,
  declarations: string[],
): string {
  const named = getNamedType(type);
  if (isUnionType(named) || isInterfaceType(named)) return '{ __typename }';
  if (!isObjectType(named)) return '';
  if (depth === 0) return '{ __typename }';
  const parts = ['__typename'];
  for (const field of Object.values((named as GraphQLObjectType).getFields())) {
    const fieldPrefix = `${prefix}_${field.name}`;
    const args = argumentsOf(field, fieldPrefix, variables);
    declarations.push(...args.declarations);
    const inner = selection(field.type, depth - 1, fieldPrefix, variables, declarations);
    const target = getNamedType(field.type);
    if ((isObjectType(target) || isUnionType(target) || isInterfaceType(target)) && inner === '') continue;
    parts.push(`${field.name}${args.text} ${inner}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** Types whose fields the field policy governs: the records of persons and disputes. */
const PERSONAL_TYPES = new Set(Object.keys(FIELD_POLICY).map((key) => key.split('.')[0] as string));

function personalTypesIn(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => personalTypesIn(item, found));
  else if (value !== null && typeof value === 'object') {
    const typename = (value as { __typename?: string }).__typename;
    if (typename && PERSONAL_TYPES.has(typename)) found.add(typename);
    Object.values(value).forEach((item) => personalTypesIn(item, found));
  }
  return found;
}

test('every query, run as ADMIN, is FORBIDDEN or answers without personal data', async () => {
  const schema = await buildBareSchema();
  const admin = await api.login('admin');
  const adminPrincipal = allPrincipals().find((row) => row.label === 'ADMIN')!.principal;
  const problems: string[] = [];
  const answered: string[] = [];
  const forbidden: string[] = [];
  const fields = Object.values(schema.getQueryType()!.getFields());
  for (const field of fields) {
    const result = await runWalk(field, admin);
    const rootError = result.errors?.find((error) => error.path?.length === 1)?.extensions?.code;
    const text = JSON.stringify(result);
    const personal = [...personalTypesIn(result.data, new Set())];
    const leaked = MARKERS.filter((marker) => text.includes(marker));
    if (personal.length > 0 || leaked.length > 0) {
      problems.push(`${field.name}: ${[...personal, ...leaked].join(', ')}`);
    }
    const codes = (result.errors ?? []).map((error) => error.extensions?.code);
    if (codes.some((value) => value === 'INTERNAL_SERVER_ERROR' || value === undefined)) {
      problems.push(`${field.name}: ${JSON.stringify(result.errors)}`);
    }
    const allowed = OPERATION_POLICY[`Query.${field.name}`]?.includes(adminPrincipal) ?? false;
    if (rootError === 'FORBIDDEN') forbidden.push(field.name);
    else if (result.data?.[field.name] !== undefined && result.data?.[field.name] !== null)
      answered.push(field.name);
    if (!allowed && rootError !== 'FORBIDDEN')
      problems.push(`${field.name}: not FORBIDDEN though the policy denies ADMIN`);
  }
  expect(problems).toEqual([]);
  // Not vacuous: ADMIN's own queries answered, and the records' queries were refused.
  expect(answered).toEqual(
    expect.arrayContaining(['me', 'users', 'mySessions', 'jurisdictions', 'departments']),
  );
  expect(forbidden).toEqual(expect.arrayContaining(['person', 'persons', 'disputes', 'assessments']));
  // The detector has teeth: the same walk as the grid worker finds the person and the markers.
  const seenByStaff = await runWalk(
    fields.find((field) => field.name === 'person')!,
    await api.login('grid.worker'),
  );
  expect([...personalTypesIn(seenByStaff.data, new Set())]).toEqual(
    expect.arrayContaining(['Person', 'Dispute']),
  );
  expect(MARKERS.filter((marker) => JSON.stringify(seenByStaff).includes(marker)).length).toBeGreaterThan(3);
}, 300_000);

/** Runs `field` selecting everything it returns, three levels deep, as `token`. */
function runWalk(field: GraphQLField<unknown, unknown>, token: string) {
  const variables: Record<string, unknown> = {};
  const declarations: string[] = [];
  const args = argumentsOf(field, 'q', variables);
  declarations.push(...args.declarations);
  const inner = selection(getNullableType(field.type), 3, `q_${field.name}`, variables, declarations);
  const query = `query${declarations.length ? `(${declarations.join(', ')})` : ''} { ${field.name}${args.text} ${inner} }`;
  return api.gql(query, variables, token);
}
