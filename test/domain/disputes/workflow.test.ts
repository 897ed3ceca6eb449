// A dispute walks its whole lifecycle through GraphQL as the right users; wrong users and illegal
// steps are refused and change nothing; escalation to a street venue routes it to that department.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let gridA: string;

beforeAll(async () => {
  api = await startTestApi();
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

const STATUS = `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) {
  dispute { status version closedAt } userErrors { message } } }`;
const ESCALATE = `mutation($input: EscalateDisputeInput!) { escalateDispute(input: $input) {
  dispute { level venue version } userErrors { field message } } }`;

async function snapshot(id: string) {
  const rows: { status: string; level: string; version: number }[] = await api.dataSource.query(
    `SELECT status, level, version FROM disputes WHERE id = $1`,
    [id],
  );
  return rows[0];
}

test('REPORTED → ACCEPTED (grid leader) → IN_MEDIATION → session → RESOLVED → return visits', async () => {
  let worker = await api.login('grid.worker');
  const a = await registerPerson(api, worker, { name: '申请人', gridId: gridA });
  const b = await registerPerson(api, worker, { name: '被申请人', gridId: gridA });
  const id = await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [a, b] });

  const byWorker = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'ACCEPTED', expectedVersion: 1 } },
    worker,
  );
  expect(errorCodes(byWorker)).toEqual({ changeDisputeStatus: 'FORBIDDEN' });
  const otherLeader = await api.login('gridb.leader');
  const byOtherGrid = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'ACCEPTED', expectedVersion: 1 } },
    otherLeader,
  );
  expect(errorCodes(byOtherGrid).changeDisputeStatus).toMatch(/FORBIDDEN|NOT_FOUND/);
  const villageLeader = await api.login('villagea.leader');
  const byVillage = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'ACCEPTED', expectedVersion: 1 } },
    villageLeader,
  );
  // A GRID leader of the village passes the policy but not its rule: own grid only.
  expect(byVillage.data?.changeDisputeStatus.userErrors).toEqual([
    { message: expect.stringMatching(/网格长初审/) },
  ]);
  expect(await snapshot(id)).toEqual({ status: 'REPORTED', level: 'GRID', version: 1 });

  const leader = await api.login('grid.leader');
  const accepted = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'ACCEPTED', expectedVersion: 1 } },
    leader,
  );
  expect(accepted.data?.changeDisputeStatus.dispute).toMatchObject({ status: 'ACCEPTED', version: 2 });

  const skip = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'REPORTED', expectedVersion: 2 } },
    leader,
  );
  expect(errorCodes(skip)).toEqual({ changeDisputeStatus: 'FORBIDDEN' });
  const justice = await api.login('justice.worker');
  const mediating = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'IN_MEDIATION', expectedVersion: 2 } },
    worker,
  );
  expect(mediating.data?.changeDisputeStatus.dispute.status).toBe('IN_MEDIATION');

  const session = await api.gql(
    `mutation($input: RecordMediationSessionInput!) { recordMediationSession(input: $input) {
       mediationSession { id outcome notes } userErrors { field message } } }`,
    {
      input: {
        disputeId: id,
        venue: '村调委会',
        mediatorName: '调解员老李',
        outcome: 'AGREEMENT',
        agreementText: '双方同意共用通道，各让一米',
        notes: '双方情绪平稳',
        judiciallyConfirmed: true,
        judicialConfirmationDate: '2026-11-01',
      },
    },
    justice,
  );
  expect(session.data?.recordMediationSession.userErrors).toEqual([]);
  const civil = await api.login('civil_affairs.worker');
  const notesAsOther = await api.gql(
    `query($id: ID!) { dispute(id: $id) { mediationSessions { notes } } }`,
    { id },
    civil,
  );
  expect(errorCodes(notesAsOther)).toEqual({ dispute: 'NOT_FOUND' });
  const auditedReads = async () =>
    (
      await api.dataSource.query(
        `SELECT 1 FROM audit_entries WHERE action = 'READ' AND record_type = 'MediationSession' AND 'notes' = ANY(fields)`,
      )
    ).length;
  const readsBefore = await auditedReads();
  const notesAsJustice = await api.gql(
    `query($id: ID!) { dispute(id: $id) { mediationSessions { notes agreementText } } }`,
    { id },
    justice,
  );
  expect(notesAsJustice.data?.dispute.mediationSessions[0].notes).toBe('双方情绪平稳');
  expect(await auditedReads()).toBe(readsBefore + 1);

  const resolved = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'RESOLVED', expectedVersion: 3 } },
    worker,
  );
  expect(resolved.data?.changeDisputeStatus.dispute.status).toBe('RESOLVED');
  const again = await api.gql(
    STATUS,
    { input: { disputeId: id, status: 'IN_MEDIATION', expectedVersion: 4 } },
    worker,
  );
  // An illegal lifecycle step is answered in the payload, which still arrives.
  expect(again.errors).toBeUndefined();
  expect(again.data?.changeDisputeStatus).toEqual({
    dispute: null,
    userErrors: [{ message: expect.stringMatching(/allowed: none/) }],
  });

  const DUE = `{ returnVisitsDue(withinDays: 0) { totalCount edges { node { sequence overdue dispute { id } } } } }`;
  const due = async () => {
    const page = (await api.gql(DUE, {}, worker)).data?.returnVisitsDue;
    expect(page.totalCount).toBe(page.edges.length);
    return page.edges.map((edge: any) => edge.node);
  };
  expect(await due()).toEqual([]);
  api.clock.advanceDays(31);
  worker = await api.login('grid.worker');
  expect(await due()).toEqual([{ sequence: 1, overdue: true, dispute: { id } }]);
  const visit = await api.gql(
    `mutation($input: RecordReturnVisitInput!) { recordReturnVisit(input: $input) { returnVisit { sequence } userErrors { message } } }`,
    { input: { disputeId: id, sequence: 1, method: 'VISIT', notes: '双方已和好' } },
    worker,
  );
  expect(visit.data?.recordReturnVisit.returnVisit).toEqual({ sequence: 1 });
  expect(await due()).toEqual([]);
  api.clock.advanceDays(60);
  worker = await api.login('grid.worker');
  expect(await due()).toEqual([{ sequence: 2, overdue: true, dispute: { id } }]);
  api.clock.advanceDays(-91);
});

test('escalating to STREET with venue COURT_MEDIATION_ROOM makes CIRCUIT_COURT see it; before, not', async () => {
  const worker = await api.login('grid.worker');
  const p = await registerPerson(api, worker, { name: '工人', gridId: gridA });
  const id = await registerDispute(api, worker, { category: 'LABOR_WAGES', gridId: gridA, parties: [p] });
  const court = await api.login('circuit_court.worker');
  const READ = `query($id: ID!) { dispute(id: $id) { level venue escalations { fromLevel toLevel reason } } }`;
  expect(errorCodes(await api.gql(READ, { id }, court))).toEqual({ dispute: 'NOT_FOUND' });

  const leader = await api.login('grid.leader');
  const toVillage = await api.gql(
    ESCALATE,
    { input: { disputeId: id, expectedVersion: 1, reason: '网格内调解未果' } },
    leader,
  );
  expect(toVillage.data?.escalateDispute.dispute).toMatchObject({ level: 'VILLAGE', version: 2 });
  const villageLeader = await api.login('villagea.leader');
  const noVenue = await api.gql(
    ESCALATE,
    { input: { disputeId: id, expectedVersion: 2, reason: '村内未果' } },
    villageLeader,
  );
  expect(noVenue.data?.escalateDispute.userErrors[0].field).toBe('input.venue');
  expect(await snapshot(id)).toMatchObject({ level: 'VILLAGE', version: 2 });
  expect(errorCodes(await api.gql(READ, { id }, court))).toEqual({ dispute: 'NOT_FOUND' });

  const toStreet = await api.gql(
    ESCALATE,
    { input: { disputeId: id, expectedVersion: 2, reason: '村内未果', venue: 'COURT_MEDIATION_ROOM' } },
    villageLeader,
  );
  expect(toStreet.data?.escalateDispute.dispute).toMatchObject({
    level: 'STREET',
    venue: 'COURT_MEDIATION_ROOM',
  });
  const seen = await api.gql(READ, { id }, court);
  expect(seen.data?.dispute).toMatchObject({
    level: 'STREET',
    venue: 'COURT_MEDIATION_ROOM',
    escalations: [
      { fromLevel: 'GRID', toLevel: 'VILLAGE', reason: '网格内调解未果' },
      { fromLevel: 'VILLAGE', toLevel: 'STREET', reason: '村内未果' },
    ],
  });
  const workerEscalates = await api.gql(
    ESCALATE,
    { input: { disputeId: id, expectedVersion: 3, reason: 'x' } },
    worker,
  );
  expect(errorCodes(workerEscalates)).toEqual({ escalateDispute: 'FORBIDDEN' });
});
