// Filters only over values the caller may read (SPEC §4), generated from ARGUMENT_POLICY: every
// argument of the schema is classified, and for every account and every query an argument the
// account may not narrow by is refused with FORBIDDEN — so a filter added later is held to the rule.
// Then the needs-(re)assessment list and the special statuses behave as SPEC §3 says.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLEnumType,
  type GraphQLInputType,
  type GraphQLObjectType,
} from 'graphql';
import { argumentPaths, filteredType } from '../../src/permissions/arguments';
import { buildBareSchema } from '../../src/graphql/schema';
import {
  allPrincipals,
  ARGUMENT_POLICY,
  FIELD_POLICY,
  mayUseArgumentValue,
  OPERATION_POLICY,
  STRUCTURAL_TYPES,
} from '../../src/permissions/policy';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

test('every argument of every query and field is classified, and names a field that exists', async () => {
  const schema = await buildBareSchema();
  const seen = new Set<string>();
  const unclassified: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!filteredType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      for (const { key } of argumentPaths(type.name, field)) {
        seen.add(key);
        if (!ARGUMENT_POLICY[key]) unclassified.push(key);
      }
    }
  }
  expect(unclassified).toEqual([]);
  expect(Object.keys(ARGUMENT_POLICY).filter((key) => !seen.has(key))).toEqual([]);
  const unknownFields = Object.values(ARGUMENT_POLICY).flatMap((rule) => {
    if (rule.kind !== 'narrows') return [];
    const [typeName = '', fieldName = ''] = rule.field.split('.');
    const type = schema.getType(typeName) as GraphQLObjectType | undefined;
    const exists = type && 'getFields' in type && fieldName in type.getFields();
    const governed = FIELD_POLICY[rule.field] ?? STRUCTURAL_TYPES[typeName];
    return exists && governed ? [] : [rule.field];
  });
  expect(unknownFields).toEqual([]);
});

test('a rule per value names every value of its enum (a sort field added later gets an audience)', async () => {
  const schema = await buildBareSchema();
  const unnamed: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!filteredType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      for (const { key, path } of argumentPaths(type.name, field)) {
        const rule = ARGUMENT_POLICY[key];
        if (rule?.kind !== 'perValue') continue;
        const argument = field.args.find((arg) => arg.name === path[0])!;
        const named = getNamedType(argument.type);
        const inner = isInputObjectType(named) ? named.getFields()[path[1] ?? '']! : argument;
        const values = (getNamedType(inner.type) as GraphQLEnumType)
          .getValues()
          .map(({ value }) => String(value));
        unnamed.push(...values.filter((value) => !rule.audiences[value]).map((value) => `${key}=${value}`));
        unnamed.push(
          ...Object.keys(rule.audiences)
            .filter((value) => !values.includes(value))
            .map((v) => `${key}≠${v}`),
        );
      }
    }
  }
  expect(unnamed).toEqual([]);
});

/** A value of `type` that narrows an answer: the first enum value, true, a plausible scalar. */
function narrowingValue(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return narrowingValue(type.ofType, name);
  if (isListType(type)) return [narrowingValue(type.ofType, name)];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isScalarType(type)) {
    if (type.name === 'Boolean') return true;
    if (type.name === 'Int' || type.name === 'Float') return 1;
    if (type.name === 'ID') return '00000000-0000-4000-8000-000000000000';
    if (type.name === 'DateTimeISO') return '2026-10-01T00:00:00.000Z';
    return name === 'month' ? '2026-10' : '张';
  }
  throw new Error(`no narrowing value for ${String(type)}`);
}

/** Every value of an enum argument, as the argument takes it (a list of one for a list). */
function everyValue(type: GraphQLInputType): unknown[] {
  const named = getNamedType(type);
  if (!isEnumType(named)) throw new Error(`a per-value rule over ${String(type)}, not an enum`);
  const list = isListType(isNonNullType(type) ? type.ofType : type);
  return named.getValues().map(({ value }) => (list ? [value] : value));
}

describe('through the API', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  test('every account is refused exactly the filters over values it may not read', async () => {
    const schema = await buildBareSchema();
    const query = schema.getQueryType()!;
    const mismatches: string[] = [];
    let refusals = 0;
    for (const { label, principal } of allPrincipals()) {
      const username =
        label === 'ADMIN' ? 'admin' : label === 'AUDITOR' ? 'auditor' : label.replace('/', '.').toLowerCase();
      const token = await api.login(username);
      for (const field of Object.values(query.getFields())) {
        if (!OPERATION_POLICY[`Query.${field.name}`]?.includes(principal)) continue;
        for (const { key, path } of argumentPaths('Query', field)) {
          const rule = ARGUMENT_POLICY[key];
          if (!rule || rule.kind === 'page' || rule.kind === 'lookup') continue;
          // The argument under test narrows; every other required argument gets a plausible value.
          const argument = field.args.find((arg) => arg.name === path[0])!;
          const named = getNamedType(argument.type);
          const inner = isInputObjectType(named) ? named.getFields()[path[1] ?? '']! : argument;
          // A rule per value is tried with every value of its enum (a sort field, a special status).
          const values =
            rule.kind === 'perValue' ? everyValue(inner.type) : [narrowingValue(inner.type, inner.name)];
          for (const value of values) {
            const allowed = mayUseArgumentValue(key, principal, value);
            const variables: Record<string, unknown> = {};
            for (const arg of field.args) {
              if (arg.name === path[0]) {
                // An input's other required fields (orderBy's field under a test of its direction) too.
                const others = isInputObjectType(named)
                  ? Object.values(named.getFields()).filter(
                      (other) =>
                        other.name !== path[1] &&
                        isNonNullType(other.type) &&
                        other.defaultValue === undefined,
                    )
                  : [];
                variables[arg.name] =
                  path.length === 2
                    ? {
                        ...Object.fromEntries(
                          others.map((other) => [other.name, narrowingValue(other.type, other.name)]),
                        ),
                        [path[1]]: value,
                      }
                    : value;
              } else if (isNonNullType(arg.type) && arg.defaultValue === undefined) {
                variables[arg.name] = narrowingValue(arg.type, arg.name);
              }
            }
            const declared = field.args.filter((arg) => arg.name in variables);
            const selection = isObjectType(getNamedType(field.type)) ? '{ __typename }' : '';
            const result = await api.gql(
              `query(${declared.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ')}) {
                 ${field.name}(${declared.map((arg) => `${arg.name}: $${arg.name}`).join(', ')}) ${selection} }`,
              variables,
              token,
            );
            const forbidden = (result.errors ?? []).some(
              (error) => error.extensions?.code === 'FORBIDDEN' && /(filter|sort) by/.test(error.message),
            );
            if (forbidden === allowed)
              mismatches.push(`${label} ${key}=${String(value)}: ${allowed ? 'refused' : 'answered'}`);
            if (!allowed) refusals += 1;
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    // The rule has teeth: some accounts may not narrow by some values (YOUTH_LEAGUE by residency, …).
    expect(refusals).toBeGreaterThan(0);
  }, 300_000);

  test('the needs-assessment list: the grid team of the person’s own grid and the status’s department only', async () => {
    const gridA = await api.node('gridA');
    const gridB = await api.node('gridB');
    const drugs = await registerPerson(api, await api.login('grid.worker'), {
      name: '待评估甲',
      gridId: gridA,
      specialStatuses: ['DRUG_INVOLVED'],
    });
    const veteran = await registerPerson(api, await api.login('gridb.worker'), {
      name: '待评估乙',
      gridId: gridB,
      specialStatuses: ['VETERAN'],
    });
    const LIST = `{ persons(first: 100, filter: { needsAssessment: true }) { edges { node { id } } } }`;
    const listed = async (username: string) => {
      const result = await api.gql(LIST, {}, await api.login(username));
      if (result.errors) return result.errors.map((error) => error.extensions?.code);
      const ids: string[] = result.data?.persons.edges.map((edge: { node: { id: string } }) => edge.node.id);
      return [drugs, veteran]
        .filter((id) => ids.includes(id))
        .map((id) => (id === drugs ? 'drugs' : 'veteran'));
    };
    expect(await listed('grid.worker')).toEqual(['drugs']);
    expect(await listed('gridb.worker')).toEqual(['veteran']);
    expect(await listed('villagea.leader')).toEqual([]);
    expect(await listed('police.worker')).toEqual(['drugs']);
    expect(await listed('veterans.worker')).toEqual(['veteran']);
    expect(await listed('comprehensive_governance.leader')).toEqual(['FORBIDDEN']);
    expect(await listed('civil_affairs.worker')).toEqual([]);
  });

  test('only the owning department reads a status, and an update by anyone else cannot erase it', async () => {
    const gridA = await api.node('gridA');
    const grid = await api.login('grid.worker');
    const id = await registerPerson(api, grid, { name: '身份', gridId: gridA, specialStatuses: ['VETERAN'] });
    const STATUSES = `query($id: ID!) { person(id: $id) { version specialStatuses } }`;
    for (const username of ['grid.leader', 'villagea.leader', 'comprehensive_governance.leader']) {
      const seen = await api.gql(STATUSES, { id }, await api.login(username));
      expect([username, seen.data?.person.specialStatuses, seen.errors?.[0]?.extensions?.code]).toEqual([
        username,
        null,
        'FORBIDDEN',
      ]);
    }
    const veterans = await api.login('veterans.worker');
    const before = await api.gql(STATUSES, { id }, veterans);
    expect(before.data?.person.specialStatuses).toEqual(['VETERAN']);
    const update = await api.gql(
      `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { userErrors { message } } }`,
      { input: { id, expectedVersion: before.data?.person.version, specialStatuses: ['DISABILITY'] } },
      grid,
    );
    expect(update.data?.updatePerson.userErrors).toEqual([]);
    expect((await api.gql(STATUSES, { id }, veterans)).data?.person.specialStatuses).toEqual(['VETERAN']);
    const disabled = await api.gql(STATUSES, { id }, await api.login('disabled_federation.worker'));
    expect(disabled.data?.person.specialStatuses).toEqual(['DISABILITY']);
  });
});
