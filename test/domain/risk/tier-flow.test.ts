// The tier is recomputed when an assessment is recorded and when a dispute opens or closes.
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;
let worker: string;
let gridA: string;

beforeAll(async () => {
  api = await startTestApi();
  worker = await api.login('grid.worker');
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

async function register(name: string): Promise<string> {
  const result = await api.gql(
    `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { person { id } userErrors { message } } }`,
    { input: { name, gridId: gridA } },
    worker,
  );
  return result.data?.registerPerson.person.id;
}

const PERSON = `query($id: ID!) { person(id: $id) {
  tier tierExplanation { tier categories indicators { code category } disputeIds catalogVersion summary } } }`;

test('one CHARACTER + one BEHAVIOR indicator + an open dispute is RED; resolving the dispute makes it ORANGE', async () => {
  const applicant = await register('甲');
  const respondent = await register('乙');
  const dispute = await api.gql(
    `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) {
       dispute { id status version parties { role person { id } } } userErrors { field message } } }`,
    {
      input: {
        category: 'NEIGHBOR',
        description: '宅基地通行纠纷',
        source: 'GRID_VISIT',
        gridId: gridA,
        parties: [
          { personId: applicant, role: 'APPLICANT' },
          { personId: respondent, role: 'RESPONDENT' },
        ],
      },
    },
    worker,
  );
  expect(dispute.data?.registerDispute.userErrors).toEqual([]);
  const disputeId = dispute.data?.registerDispute.dispute.id;
  expect(dispute.data?.registerDispute.dispute.parties).toHaveLength(2);

  const afterDispute = await api.gql(PERSON, { id: respondent }, worker);
  expect(afterDispute.data?.person.tier).toBe('YELLOW');

  const assessment = await api.gql(
    `mutation($input: RecordAssessmentInput!) { recordAssessment(input: $input) {
       assessment { tier reviewBy indicators { code category note } } userErrors { field message } } }`,
    {
      input: {
        personId: respondent,
        indicators: [
          { code: 'VOLATILE_TEMPER', note: '走访中情绪激动' },
          { code: 'THREATENED_HARM', note: '扬言报复' },
        ],
      },
    },
    worker,
  );
  expect(assessment.data?.recordAssessment.userErrors).toEqual([]);
  expect(assessment.data?.recordAssessment.assessment.tier).toBe('RED');
  expect(new Date(assessment.data?.recordAssessment.assessment.reviewBy).getTime()).toBe(
    api.clock.now.getTime() + 30 * 86400000,
  );

  const red = await api.gql(PERSON, { id: respondent }, worker);
  expect(red.data?.person.tier).toBe('RED');
  expect(red.data?.person.tierExplanation).toMatchObject({
    tier: 'RED',
    categories: ['CHARACTER', 'BEHAVIOR', 'EVENT'],
    indicators: [
      { code: 'THREATENED_HARM', category: 'BEHAVIOR' },
      { code: 'VOLATILE_TEMPER', category: 'CHARACTER' },
    ],
    disputeIds: [disputeId],
    catalogVersion: 1,
  });

  const STATUS = `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) {
    dispute { status version } userErrors { message } } }`;
  let version = 1;
  const leader = await api.login('grid.leader');
  for (const status of ['ACCEPTED', 'RESOLVED']) {
    const moved = await api.gql(STATUS, { input: { disputeId, status, expectedVersion: version } }, leader);
    expect(moved.errors).toBeUndefined();
    expect(moved.data?.changeDisputeStatus.dispute.status).toBe(status);
    version = moved.data?.changeDisputeStatus.dispute.version;
  }

  const orange = await api.gql(PERSON, { id: respondent }, worker);
  expect(orange.data?.person.tier).toBe('ORANGE');
  expect(orange.data?.person.tierExplanation.categories).toEqual(['CHARACTER', 'BEHAVIOR']);
  expect(orange.data?.person.tierExplanation.disputeIds).toEqual([]);
  const lists = await api.gql(
    `query($id: ID!) { person(id: $id) { all: disputes { id } open: disputes(open: true) { id } } }`,
    { id: respondent },
    worker,
  );
  expect(lists.data?.person).toEqual({ all: [{ id: disputeId }], open: [] });
  const applicantAfter = await api.gql(PERSON, { id: applicant }, worker);
  expect(applicantAfter.data?.person.tier).toBe('NONE');
});

test('an unknown indicator code is refused and nothing is recorded', async () => {
  const person = await register('丙');
  const result = await api.gql(
    `mutation($input: RecordAssessmentInput!) { recordAssessment(input: $input) { assessment { id } userErrors { field message } } }`,
    { input: { personId: person, indicators: [{ code: 'MADE_UP', note: '' }] } },
    worker,
  );
  expect(result.data?.recordAssessment.assessment).toBeNull();
  expect(result.data?.recordAssessment.userErrors[0].field).toBe('input.indicators.0.code');
  const rows: unknown[] = await api.dataSource.query(`SELECT 1 FROM assessments WHERE person_id = $1`, [
    person,
  ]);
  expect(rows).toHaveLength(0);
});

test('an illegal dispute step is refused, names the allowed steps and changes nothing', async () => {
  const person = await register('丁');
  const created = await api.gql(
    `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } } }`,
    {
      input: {
        category: 'CONTRACT',
        description: '合同纠纷',
        source: 'SELF_REPORT',
        gridId: gridA,
        parties: [{ personId: person, role: 'APPLICANT' }],
      },
    },
    worker,
  );
  const disputeId = created.data?.registerDispute.dispute.id;
  const result = await api.gql(
    `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) {
       dispute { status } userErrors { code message } } }`,
    { input: { disputeId, status: 'RESOLVED', expectedVersion: 1 } },
    worker,
  );
  // An expected outcome: the payload arrives, with the refusal as a userError (one error model).
  expect(result.errors).toBeUndefined();
  expect(result.data?.changeDisputeStatus.dispute).toBeNull();
  expect(result.data?.changeDisputeStatus.userErrors[0]?.code).toBe('INVALID_STATE');
  expect(result.data?.changeDisputeStatus.userErrors[0]?.message).toContain('ACCEPTED');
  const rows: { status: string }[] = await api.dataSource.query(`SELECT status FROM disputes WHERE id = $1`, [
    disputeId,
  ]);
  expect(rows[0]?.status).toBe('REPORTED');
});

test('a dispute with an unknown category is refused and writes nothing', async () => {
  const person = await register('戊');
  const result = await api.gql(
    `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } } }`,
    {
      input: {
        category: 'UNKNOWN_THING',
        description: 'x',
        source: 'SELF_REPORT',
        gridId: gridA,
        parties: [{ personId: person, role: 'APPLICANT' }],
      },
    },
    worker,
  );
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const rows: unknown[] = await api.dataSource.query(`SELECT 1 FROM dispute_parties WHERE person_id = $1`, [
    person,
  ]);
  expect(rows).toHaveLength(0);
});
