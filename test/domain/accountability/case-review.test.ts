// 一案一倒查: an incident POLICE record opens a review of what the system knew of its linked persons
// and disputes — the timeline and the gaps with their dates — holding only what its reader may read.
import { startTestApi, type TestApi } from '../../support/api';
import {
  errorCodes,
  recordAssessment,
  recordFollowUp,
  registerDispute,
  registerPerson,
} from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const RECORD = `mutation($input: RecordIncidentInput!) {
  recordIncident(input: $input) { incident { id deaths personIds disputeIds } userErrors { field code } } }`;
const REVIEW = `query($id: ID!) { caseReview(incidentId: $id) {
  id deaths personIds disputeIds
  entries { at kind personId disputeId actor summary }
  gaps { kind at closedAt personId summary } } }`;

interface Entry {
  at: string;
  kind: string;
  personId: string | null;
  disputeId: string | null;
  summary: string;
}

const keyOf = (entry: Entry) => `${entry.kind}|${entry.at}|${entry.personId}|${entry.disputeId}`;

test('the review names the overdue follow-up and the unacknowledged RED alert, with their dates, to each reader as they may read it', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const person = await registerPerson(api, worker, { name: '倒查对象', gridId: gridA });
  const other = await registerPerson(api, worker, { name: '邻居', gridId: gridA });
  const dispute = await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    source: 'POLICE_CALL',
    gridId: gridA,
    parties: [person, other],
  });
  // CHARACTER + BEHAVIOR + an open dispute: RED, followed up daily.
  await recordAssessment(api, worker, person, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  await recordFollowUp(api, worker, person);
  const followedAt = api.clock.now;
  const raised = await api.gql(
    `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id tierAtRaise raisedAt } } }`,
    { input: { personId: person, description: '扬言报复' } },
    worker,
  );
  expect(raised.data?.raiseAlert.alert.tierAtRaise).toBe('RED');
  const alertRaisedAt: string = raised.data?.raiseAlert.alert.raisedAt;

  const police = await api.login('police.worker');
  const added = await api.gql(
    `mutation($input: AddPoliceRecordInput!) { addPoliceRecord(input: $input) { policeRecord { id } } }`,
    {
      input: {
        personId: person,
        kind: 'POLICE_CALL',
        summary: '邻里纠纷报警，双方推搡',
        occurredOn: api.clock.now.toISOString().slice(0, 10),
      },
    },
    police,
  );
  expect(added.data?.addPoliceRecord.policeRecord.id).toBeTruthy();

  // The incident comes 40 days later — and after the wall clock, which stamps the read audit, so the
  // reads above fall inside the reviewed period.
  const target = Math.max(api.clock.now.getTime() + 40 * 86400000, Date.now() + 2 * 86400000);
  api.clock.advanceDays((target - api.clock.now.getTime()) / 86400000);
  const incidentAt = new Date(api.clock.now.getTime() - 3600000).toISOString();
  const policeNow = await api.login('police.worker');
  const recorded = await api.gql(
    RECORD,
    {
      input: {
        gridId: gridA,
        occurredAt: incidentAt,
        place: '东村三组路口',
        kind: 'HOMICIDE',
        deaths: 2,
        injuries: 1,
        summary: '邻里纠纷持刀伤人',
        personIds: [person],
        disputeIds: [dispute],
      },
    },
    policeNow,
  );
  expect(recorded.errors).toBeUndefined();
  expect(recorded.data?.recordIncident.userErrors).toEqual([]);
  const incident = recorded.data?.recordIncident.incident;
  expect(incident).toMatchObject({ deaths: 2, personIds: [person], disputeIds: [dispute] });

  const governance = await api.login('comprehensive_governance.worker');
  const asGovernance = await api.gql(REVIEW, { id: incident.id }, governance);
  expect(asGovernance.errors).toBeUndefined();
  const review = asGovernance.data?.caseReview;
  expect(review).toMatchObject({ id: incident.id, deaths: 2, personIds: [person], disputeIds: [dispute] });
  const dueAt = new Date(followedAt.getTime() + 86400000).toISOString();
  expect(review.gaps).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: 'OVERDUE_FOLLOW_UP', at: dueAt, closedAt: null, personId: person }),
      expect.objectContaining({ kind: 'UNACKNOWLEDGED_ALERT', at: alertRaisedAt, personId: person }),
    ]),
  );
  const overdue = review.gaps.find((gap: { kind: string }) => gap.kind === 'OVERDUE_FOLLOW_UP');
  expect(overdue.summary).toContain(dueAt.slice(0, 10));
  const kinds = review.entries.map((entry: Entry) => entry.kind);
  expect(kinds).toEqual(
    expect.arrayContaining([
      'PERSON_REGISTERED',
      'DISPUTE_REPORTED',
      'ASSESSED',
      'FOLLOW_UP',
      'ALERT_RAISED',
    ]),
  );
  expect(kinds).not.toContain('POLICE_RECORD');
  expect(JSON.stringify(review)).not.toContain('推搡');

  // POLICE read the same review plus the police records — the entry and the reads of it — and nothing less.
  const asPolice = (await api.gql(REVIEW, { id: incident.id }, policeNow)).data?.caseReview;
  const governanceKeys = new Set(review.entries.map(keyOf));
  const policeOnly = asPolice.entries.filter((entry: Entry) => !governanceKeys.has(keyOf(entry)));
  expect(asPolice.entries.length - policeOnly.length).toBe(review.entries.length);
  expect(policeOnly.map((entry: Entry) => entry.kind)).toContain('POLICE_RECORD');
  for (const entry of policeOnly as Entry[])
    expect(
      entry.kind === 'POLICE_RECORD' ||
        (entry.kind === 'RECORD_READ' && /police ?record/i.test(entry.summary)),
    ).toBe(true);
  expect(asPolice.gaps.map((gap: { kind: string; at: string }) => `${gap.kind}|${gap.at}`)).toEqual(
    review.gaps.map((gap: { kind: string; at: string }) => `${gap.kind}|${gap.at}`),
  );

  // Opening a review is audited; the grid does not open one; an unknown id is NOT_FOUND.
  const opened: unknown[] = await api.dataSource.query(
    `SELECT 1 FROM audit_entries WHERE action = 'READ' AND record_type = 'CaseReview' AND $1 = ANY(record_ids)`,
    [incident.id],
  );
  expect(opened.length).toBe(2);
  expect(errorCodes(await api.gql(REVIEW, { id: incident.id }, await api.login('grid.worker')))).toEqual({
    caseReview: 'FORBIDDEN',
  });
  expect(
    errorCodes(await api.gql(REVIEW, { id: '00000000-0000-4000-8000-000000000000' }, governance)),
  ).toEqual({
    caseReview: 'NOT_FOUND',
  });
});

test('an incident links only persons and disputes in the recorder’s scope; others answer as unknown ids', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const orange = await registerPerson(api, worker, { name: '不在派出所范围', gridId: gridA });
  const police = await api.login('police.worker');
  const input = {
    gridId: gridA,
    occurredAt: new Date(api.clock.now.getTime() - 60000).toISOString(),
    place: '东村',
    kind: 'ASSAULT',
    deaths: 0,
    injuries: 1,
    summary: '斗殴',
  };
  const outOfScope = await api.gql(RECORD, { input: { ...input, personIds: [orange] } }, police);
  const unknown = await api.gql(
    RECORD,
    { input: { ...input, personIds: ['00000000-0000-4000-8000-000000000000'] } },
    police,
  );
  expect(outOfScope.data?.recordIncident).toEqual({
    incident: null,
    userErrors: [{ field: 'input.personIds', code: 'NOT_FOUND' }],
  });
  expect(unknown.data).toEqual(outOfScope.data);
  const refused = await api.gql(RECORD, { input: { ...input, personIds: [] } }, worker);
  expect(errorCodes(refused)).toEqual({ recordIncident: 'FORBIDDEN' });
});
