// Small builders that create records through the real API, as the user a test names.
import disputeRoutes from '../../src/database/reference-data/dispute-routes.json';
import type { TestApi } from './api';

export async function registerPerson(
  api: TestApi,
  token: string,
  input: Record<string, unknown>,
): Promise<string> {
  const result = await api.gql(
    `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { person { id } userErrors { field message } } }`,
    { input },
    token,
  );
  const id = result.data?.registerPerson?.person?.id;
  if (!id) throw new Error(`registerPerson failed: ${JSON.stringify(result)}`);
  return id;
}

export async function registerDispute(
  api: TestApi,
  token: string,
  input: { category: string; gridId: string; parties: string[]; source?: string; description?: string },
): Promise<string> {
  const result = await api.gql(
    `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } userErrors { field message } } }`,
    {
      input: {
        category: input.category,
        gridId: input.gridId,
        source: input.source ?? 'GRID_VISIT',
        description: input.description ?? `${input.category} 纠纷`,
        parties: input.parties.map((personId, index) => ({
          personId,
          role: index === 0 ? 'APPLICANT' : 'RESPONDENT',
        })),
      },
    },
    token,
  );
  const id = result.data?.registerDispute?.dispute?.id;
  if (!id) throw new Error(`registerDispute failed: ${JSON.stringify(result)}`);
  return id;
}

export async function recordAssessment(
  api: TestApi,
  token: string,
  personId: string,
  codes: string[],
): Promise<string> {
  const result = await api.gql(
    `mutation($input: RecordAssessmentInput!) { recordAssessment(input: $input) { assessment { id } userErrors { field message } } }`,
    { input: { personId, indicators: codes.map((code) => ({ code, note: `${code} 观察记录` })) } },
    token,
  );
  const id = result.data?.recordAssessment?.assessment?.id;
  if (!id) throw new Error(`recordAssessment failed: ${JSON.stringify(result)}`);
  return id;
}

/** The codes of the errors of a response, by path joined with dots. */
export function errorCodes(result: {
  errors?: { path?: (string | number)[]; extensions?: { code?: string } }[];
}) {
  return Object.fromEntries((result.errors ?? []).map((e) => [(e.path ?? []).join('.'), e.extensions?.code]));
}

/** Makes grid.leader the person's lead and responsible person (GRID), as grid.leader. */
export async function assignToGridLeader(api: TestApi, personId: string): Promise<void> {
  const leader = await api.login('grid.leader');
  const [{ id: leaderId }] = await api.dataSource.query(
    `SELECT id FROM users WHERE username = 'grid.leader'`,
  );
  const assigned = await api.gql(
    `mutation($input: AssignInput!) { assign(input: $input) { assignment { id } userErrors { message } } }`,
    {
      input: {
        personId,
        leadLeaderId: leaderId,
        responsibleDepartmentCode: 'GRID',
        responsiblePersonId: leaderId,
        teamMemberIds: [leaderId],
        measures: '每日走访',
      },
    },
    leader,
  );
  if (assigned.data?.assign.userErrors.length !== 0)
    throw new Error(`assign failed: ${JSON.stringify(assigned)}`);
}

/** Records a visit to the person, as `token`. */
export async function recordFollowUp(api: TestApi, token: string, personId: string): Promise<void> {
  const result = await api.gql(
    `mutation($input: RecordFollowUpInput!) { recordFollowUp(input: $input) { followUp { id } } }`,
    { input: { personId, method: 'VISIT', notes: '情绪平稳', observedChange: '好转' } },
    token,
  );
  if (!result.data?.recordFollowUp.followUp)
    throw new Error(`recordFollowUp failed: ${JSON.stringify(result)}`);
}

/** Registers a household at `address` in the grid and returns its id. */
export async function registerHousehold(
  api: TestApi,
  token: string,
  gridId: string,
  address: string,
): Promise<string> {
  const result = await api.gql(
    `mutation($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { household { id } } }`,
    { input: { address, gridId } },
    token,
  );
  const id = result.data?.registerHousehold.household?.id;
  if (!id) throw new Error(`registerHousehold failed: ${JSON.stringify(result)}`);
  return id;
}

/**
 * A grid-A person with every field filled, every special status, a party to a dispute of every routed
 * category and source, assessed, assigned to the grid leader and followed up: a record on which every
 * field of Person has a value, for the tests that compare what each account reads of it.
 */
export async function registerPersonWithEveryField(api: TestApi): Promise<string> {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const householdId = await registerHousehold(api, worker, gridA, '东村3组12号');
  const personId = await registerPerson(api, worker, {
    name: '全字段',
    gridId: gridA,
    gender: 'FEMALE',
    birthDate: '2010-06-01',
    idNumber: '330003201006011234',
    phone: '13812345678',
    address: '东村3组12号',
    householdId,
    residency: 'MIGRANT',
    employerName: '某某厂',
    employerContact: '0571-88888888',
    landlordName: '房东甲',
    landlordContact: '13900001111',
    occupation: '学生',
    specialStatuses: [
      'COMMUNITY_CORRECTIONS',
      'RELEASED_PRISONER',
      'DRUG_INVOLVED',
      'SEVERE_MENTAL_DISORDER_WITH_INCIDENT',
      'NO_LIVELIHOOD',
      'VETERAN',
      'DISABILITY',
    ],
  });
  const other = await registerPerson(api, worker, { name: '对方', gridId: gridA });
  for (const category of Object.keys(disputeRoutes.byCategory)) {
    await registerDispute(api, worker, { category, gridId: gridA, parties: [personId, other] });
  }
  for (const source of Object.keys(disputeRoutes.bySource)) {
    await registerDispute(api, worker, {
      category: 'OTHER',
      source,
      gridId: gridA,
      parties: [personId, other],
    });
  }
  await recordAssessment(api, worker, personId, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  await assignToGridLeader(api, personId);
  await recordFollowUp(api, worker, personId);
  return personId;
}
