// Tier overrides: an ORANGE change requested by a grid worker is refused when a grid leader decides
// it and accepted when the street 综治办 leader does; the explanation shows it; the audit shows both.
import { startTestApi, type TestApi } from '../../support/api';
import { recordAssessment, registerPerson } from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

test('ORANGE override: refused for the grid leader, approved by the street leader, explained and audited', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '人工调级', gridId: await api.node('gridA') });
  await recordAssessment(api, worker, person, ['WITHDRAWN']);
  const requested = await api.gql(
    `mutation($input: RequestTierChangeInput!) { requestTierChange(input: $input) { request { id status fromTier toTier version } userErrors { message } } }`,
    { input: { personId: person, toTier: 'ORANGE', reason: '近期多次扬言，需提级管控' } },
    worker,
  );
  expect(requested.data?.requestTierChange.request).toMatchObject({
    status: 'PENDING',
    fromTier: 'YELLOW',
    toTier: 'ORANGE',
  });
  const requestId = requested.data?.requestTierChange.request.id;
  const DECIDE = `mutation($input: DecideTierChangeInput!) { decideTierChange(input: $input) { request { status decidedById } userErrors { message } } }`;

  const gridLeader = await api.login('grid.leader');
  const refused = await api.gql(
    DECIDE,
    { input: { requestId, decision: 'APPROVE', note: '同意', expectedVersion: 1 } },
    gridLeader,
  );
  expect(refused.data?.decideTierChange).toEqual({
    request: null,
    userErrors: [{ message: expect.stringMatching(/is decided by/) }],
  });
  const unchanged = await api.gql(`query($id: ID!) { person(id: $id) { tier } }`, { id: person }, worker);
  expect(unchanged.data?.person.tier).toBe('YELLOW');

  const streetLeader = await api.login('comprehensive_governance.leader');
  const approved = await api.gql(
    DECIDE,
    { input: { requestId, decision: 'APPROVE', note: '同意提级', expectedVersion: 1 } },
    streetLeader,
  );
  expect(approved.data?.decideTierChange.request.status).toBe('APPROVED');
  const streetLeaderId: string = (
    await api.dataSource.query(`SELECT id FROM users WHERE username = 'comprehensive_governance.leader'`)
  )[0].id;
  const explained = await api.gql(
    `query($id: ID!) { person(id: $id) { tier tierExplanation { tier computedTier summary override { tier decidedById reason } } } }`,
    { id: person },
    worker,
  );
  expect(explained.data?.person).toMatchObject({
    tier: 'ORANGE',
    tierExplanation: {
      tier: 'ORANGE',
      computedTier: 'YELLOW',
      override: { tier: 'ORANGE', decidedById: streetLeaderId, reason: '近期多次扬言，需提级管控' },
    },
  });
  const trail: { action: string; operation: string; actor_department: string }[] = await api.dataSource.query(
    `SELECT action, operation, actor_department FROM audit_entries WHERE $1 = ANY(record_ids) ORDER BY seq`,
    [requestId],
  );
  expect(trail.map((e) => e.operation)).toEqual(['requestTierChange', 'decideTierChange']);
  const history = await api.gql(
    `query($id: ID!) { tierChangeRequests(personId: $id) { edges { node { status } } } }`,
    { id: person },
    worker,
  );
  expect(history.data?.tierChangeRequests.edges.map((edge: any) => edge.node)).toEqual([
    { status: 'APPROVED' },
  ]);

  await recordAssessment(api, worker, person, ['WITHDRAWN']);
  const afterAssessment = await api.gql(
    `query($id: ID!) { person(id: $id) { tier } }`,
    { id: person },
    worker,
  );
  expect(afterAssessment.data?.person.tier).toBe('YELLOW');
});
