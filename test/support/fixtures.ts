// Small builders that create records through the real API, as the user a test names.
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
