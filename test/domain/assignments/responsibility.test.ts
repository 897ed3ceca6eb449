// Responsibility (三定责任制): a rise in tier proposes the default team of the new tier to its lead;
// the responsible person acknowledges (签字背书); unacknowledged assignments are listed.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let gridA: string;

beforeAll(async () => {
  api = await startTestApi();
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

const userId = async (username: string): Promise<string> =>
  (await api.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]))[0].id;

test('rising to ORANGE proposes the street contact leader’s team; adopting and acknowledging it', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '升级', gridId: gridA });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [person] });
  await recordAssessment(api, worker, person, ['VOLATILE_TEMPER']);

  const streetLeader = await api.login('comprehensive_governance.leader');
  const PROPOSED = `query($lead: ID!) { assignments(first: 10, filter: { proposed: true, leadLeaderId: $lead }) {
    edges { node { person { id } proposedForTier responsibleDepartmentCode teamMemberIds } } } }`;
  const proposals = await api.gql(
    PROPOSED,
    { lead: await userId('comprehensive_governance.leader') },
    streetLeader,
  );
  const orange = proposals.data?.assignments.edges.find((e: any) => e.node.proposedForTier === 'ORANGE');
  expect(orange?.node).toMatchObject({
    person: { id: person },
    responsibleDepartmentCode: 'COMPREHENSIVE_GOVERNANCE',
  });
  expect(orange?.node.teamMemberIds).toEqual(
    expect.arrayContaining([await userId('villagea.leader'), await userId('grid.worker')]),
  );
  const gridLeader = await api.login('grid.leader');
  const yellow = await api.gql(PROPOSED, { lead: await userId('grid.leader') }, gridLeader);
  expect(yellow.data?.assignments.edges.map((e: any) => e.node.proposedForTier)).toEqual(['YELLOW']);

  const responsible = await userId('grid.worker');
  const adopted = await api.gql(
    `mutation($input: AssignInput!) { assign(input: $input) { assignment { id version acknowledgedAt } userErrors { message } } }`,
    {
      input: {
        personId: person,
        leadLeaderId: await userId('comprehensive_governance.leader'),
        responsibleDepartmentCode: 'GRID',
        responsiblePersonId: responsible,
        teamMemberIds: orange?.node.teamMemberIds,
        measures: '每周走访，化解邻里纠纷',
      },
    },
    streetLeader,
  );
  const assignment = adopted.data?.assign.assignment;
  expect(assignment.acknowledgedAt).toBeNull();
  const stillProposed = await api.gql(
    PROPOSED,
    { lead: await userId('comprehensive_governance.leader') },
    streetLeader,
  );
  expect(stillProposed.data?.assignments.edges).toEqual([]);

  const UNACK = `query($me: ID!) { assignments(first: 10, filter: { responsiblePersonId: $me, unacknowledged: true }) { totalCount } }`;
  expect((await api.gql(UNACK, { me: responsible }, worker)).data?.assignments.totalCount).toBe(1);
  const ACK = `mutation($input: AcknowledgeAssignmentInput!) { acknowledgeAssignment(input: $input) {
    assignment { acknowledgedAt version } userErrors { message code } } }`;
  const notMine = await api.gql(
    ACK,
    { input: { assignmentId: assignment.id, expectedVersion: 1 } },
    gridLeader,
  );
  expect(notMine.data?.acknowledgeAssignment.userErrors).toMatchObject([{ code: 'NOT_ALLOWED' }]);
  const ack = await api.gql(ACK, { input: { assignmentId: assignment.id, expectedVersion: 1 } }, worker);
  expect(ack.data?.acknowledgeAssignment.assignment.acknowledgedAt).toBe(api.clock.now.toISOString());
  expect((await api.gql(UNACK, { me: responsible }, worker)).data?.assignments.totalCount).toBe(0);
});

test('a 团委 member made responsible acknowledges, and is not shown the assignment itself', async () => {
  const streetLeader = await api.login('comprehensive_governance.leader');
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '青年', gridId: gridA });
  const assigned = await api.gql(
    `mutation($input: AssignInput!) { assign(input: $input) { assignment { id } userErrors { message } } }`,
    {
      input: {
        personId: person,
        leadLeaderId: await userId('comprehensive_governance.leader'),
        responsibleDepartmentCode: 'YOUTH_LEAGUE',
        responsiblePersonId: await userId('youth_league.worker'),
        teamMemberIds: [],
        measures: '青少年帮教',
      },
    },
    streetLeader,
  );
  expect(assigned.data?.assign.userErrors).toEqual([]);
  const assignmentId: string = assigned.data?.assign.assignment.id;
  const youth = await api.login('youth_league.worker');
  const ack = await api.gql(
    `mutation($input: AcknowledgeAssignmentInput!) { acknowledgeAssignment(input: $input) {
      userErrors { message } assignment { id measures } } }`,
    { input: { assignmentId, expectedVersion: 1 } },
    youth,
  );
  expect(ack.data?.acknowledgeAssignment).toEqual({ userErrors: [], assignment: null });
  expect(errorCodes(ack)).toEqual({ 'acknowledgeAssignment.assignment': 'FORBIDDEN' });
  const stored = await api.dataSource.query(`SELECT acknowledged_at FROM assignments WHERE id = $1`, [
    assignmentId,
  ]);
  expect(stored[0].acknowledged_at).toEqual(api.clock.now);
});
