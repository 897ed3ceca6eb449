// No reconstruction (SPEC §4): for every account and every value masked or denied to it, the fields it
// reads that carry part of the value must leave at least 1,000 candidates. Generated from the policy,
// so a new field or a widened audience is held to the rule without anyone writing a case; then the
// real API shows a masked reader what the rule promises, and no more.
import { isObjectType } from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import { inferenceOf, MIN_CANDIDATES, NOT_CARRIERS, PROTECTED_VALUES } from '../../src/permissions/inference';
import { allPrincipals, FIELD_POLICY } from '../../src/permissions/policy';
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';

test('every account reads too little of each masked or denied value to narrow it below 1,000 candidates', () => {
  const today = new Date();
  const failures: string[] = [];
  for (const value of PROTECTED_VALUES) {
    for (const { label, principal } of allPrincipals()) {
      const inference = inferenceOf(value, principal, today);
      if (inference.decision === 'read' || !inference.reachesRecord) continue;
      if (inference.candidates < MIN_CANDIDATES) {
        const reads = inference.reads.map((read) => `${read.field}:${read.parts.join('+')}`).join(', ');
        failures.push(
          `${label} → ${value.field} (${inference.decision}): ${inference.candidates} left by ${reads}`,
        );
      }
    }
  }
  expect(failures).toEqual([]);
});

test('every masked field is a protected value, and every field that may carry part of one is classified', async () => {
  const protectedFields = new Set(PROTECTED_VALUES.map((value) => value.field));
  const maskedButUncounted = Object.entries(FIELD_POLICY)
    .filter(([field, policy]) => policy.masked && !protectedFields.has(field))
    .map(([field]) => field);
  expect(maskedButUncounted).toEqual([]);

  const carriers = new Set(PROTECTED_VALUES.flatMap((value) => Object.keys(value.carriers)));
  const schema = await buildBareSchema();
  const unclassified: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || ['Query', 'Mutation'].includes(type.name))
      continue;
    for (const field of Object.keys(type.getFields())) {
      const key = `${type.name}.${field}`;
      if (!/birth|^age|idnumber|phone|address|contact|gender|grid$/i.test(field)) continue;
      if (!carriers.has(key) && !NOT_CARRIERS[key]) unclassified.push(key);
    }
  }
  expect(unclassified).toEqual([]);
});

describe('through the API', () => {
  let api: TestApi;
  let adultId: string;
  let minorId: string;
  const PERSON = `query($id: ID!) { person(id: $id) { idNumber birthDate age ageGroup } }`;

  beforeAll(async () => {
    api = await startTestApi();
    const worker = await api.login('grid.worker');
    const gridA = await api.node('gridA');
    adultId = await registerPerson(api, worker, {
      name: '成年人',
      gridId: gridA,
      gender: 'FEMALE',
      birthDate: '1979-12-01',
      idNumber: '330102197912015747',
    });
    minorId = await registerPerson(api, worker, {
      name: '未成年人',
      gridId: gridA,
      gender: 'MALE',
      birthDate: '2012-03-04',
      idNumber: '330102201203041239',
    });
    // A dispute the masked readers' departments handle puts both in their row scope.
    for (const category of ['FAMILY', 'LABOR_WAGES', 'MARRIAGE_RELATIONSHIP']) {
      await registerDispute(api, worker, { category, gridId: gridA, parties: [adultId, minorId] });
    }
  });
  afterAll(() => api.close());

  test.each([
    'comprehensive_governance.worker',
    'circuit_court.worker',
    'womens_federation.worker',
    'economic_development.leader',
  ])('%s reads the last 4 characters and an age group, never the birth date or the age', async (username) => {
    const token = await api.login(username);
    const adult = await api.gql(PERSON, { id: adultId }, token);
    expect(adult.data?.person).toEqual({
      idNumber: '**************5747',
      birthDate: null,
      age: null,
      ageGroup: 'ADULT',
    });
    expect(adult.errors?.map((error) => [error.path?.at(-1), error.extensions?.code]).sort()).toEqual([
      ['age', 'FORBIDDEN'],
      ['birthDate', 'FORBIDDEN'],
    ]);
    const minor = await api.gql(PERSON, { id: minorId }, token);
    // A minor's check digit stays hidden: with MINOR, 1 in 11 of 18 years of birth dates would remain.
    expect(minor.data?.person).toMatchObject({ idNumber: '**************123*', ageGroup: 'MINOR' });
  });

  test('those who read the number in full read the birth date and age as well', async () => {
    const token = await api.login('grid.worker');
    const adult = await api.gql(PERSON, { id: adultId }, token);
    expect(adult.errors).toBeUndefined();
    expect(adult.data?.person).toMatchObject({
      idNumber: '330102197912015747',
      birthDate: '1979-12-01',
      ageGroup: 'ADULT',
    });
  });

  test('YOUTH_LEAGUE reads the age of a minor but no ID number at all', async () => {
    const token = await api.login('youth_league.worker');
    const minor = await api.gql(
      `query($id: ID!) { person(id: $id) { idNumber age ageGroup } }`,
      { id: minorId },
      token,
    );
    expect(minor.data?.person).toEqual({ idNumber: null, age: 14, ageGroup: 'MINOR' });
    expect(minor.errors?.map((error) => error.path?.at(-1))).toEqual(['idNumber']);
  });
});
