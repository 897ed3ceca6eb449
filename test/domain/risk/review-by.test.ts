// Review-by dates act (SPEC §6 Time, issue 23 item 6): a tier past its review-by date is flagged on
// the lists that show it; an approved override ends at its review-by date — the tier falls back to
// the computed one, the history says EXPIRED, the change feed carries it — unless the decider of its
// level renews it. Time moves with the test clock, through the real server.
import { lapseDueOverrides } from '../../../src/domain/risk/review-by.service';
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const REQUEST = `mutation($input: RequestTierChangeInput!) { requestTierChange(input: $input) {
  request { id version } userErrors { message } } }`;
const DECIDE = `mutation($input: DecideTierChangeInput!) { decideTierChange(input: $input) {
  request { id status version } userErrors { message } } }`;
const RENEW = `mutation($input: RenewTierOverrideInput!) { renewTierOverride(input: $input) {
  request { id status toTier decidedAt version } userErrors { field message code } } }`;
const PERSON = `query($id: ID!) { person(id: $id) { tier reviewOverdue
  tierExplanation { tier computedTier override { tier reviewBy } } } }`;

/** A person with no indicators and no dispute (computed tier NONE), overridden to ORANGE by the street leader. */
async function orangeOverride(name: string): Promise<{ personId: string; requestId: string }> {
  const worker = await api.login('grid.worker');
  const personId = await registerPerson(api, worker, { name, gridId: await api.node('gridA') });
  const requested = await api.gql(
    REQUEST,
    { input: { personId, toTier: 'ORANGE', reason: '扬言报复，需提级管控' } },
    worker,
  );
  const requestId: string = requested.data?.requestTierChange.request.id;
  const approved = await api.gql(
    DECIDE,
    { input: { requestId, decision: 'APPROVE', note: '同意', expectedVersion: 1 } },
    await api.login('comprehensive_governance.leader'),
  );
  expect(approved.data?.decideTierChange.request.status).toBe('APPROVED');
  return { personId, requestId };
}

async function sweep(): Promise<string[]> {
  // What the running API does every minute (src/main.ts), at the server's clock.
  return lapseDueOverrides(api.runtimeDataSource, api.clock.now);
}

test('an ORANGE override ends at its review-by date: flagged, then the computed tier, EXPIRED in the history, in the change feed', async () => {
  const { personId, requestId } = await orangeOverride('到期调级');
  const decidedAt = api.clock.now.getTime();
  const worker = await api.login('grid.worker');
  const before = await api.gql(PERSON, { id: personId }, worker);
  expect(before.data?.person).toMatchObject({
    tier: 'ORANGE',
    reviewOverdue: false,
    tierExplanation: { tier: 'ORANGE', computedTier: 'NONE', override: { tier: 'ORANGE' } },
  });
  // ORANGE is reviewed within 60 days.
  expect(new Date(before.data?.person.tierExplanation.override.reviewBy).getTime()).toBe(
    decidedAt + 60 * 86400000,
  );
  expect(await sweep()).toEqual([]);

  api.clock.advanceDays(59);
  const stillDue = await api.gql(PERSON, { id: personId }, await api.login('grid.worker'));
  expect(stillDue.data?.person).toMatchObject({ tier: 'ORANGE', reviewOverdue: false });
  expect(await sweep()).toEqual([]);

  api.clock.advanceDays(2);
  const reader = await api.login('grid.worker');
  // Past the date and before the sweep: the lists flag the tier at once.
  const flagged = await api.gql(
    `query($grid: ID!) { persons(filter: { jurisdictionId: $grid, tiers: [ORANGE] }) { edges { node { id tier reviewOverdue } } } }`,
    { grid: await api.node('gridA') },
    reader,
  );
  expect(flagged.data?.persons.edges.map((edge: { node: unknown }) => edge.node)).toContainEqual({
    id: personId,
    tier: 'ORANGE',
    reviewOverdue: true,
  });

  const [cursor] = (await api.dataSource.query(
    `SELECT coalesce(max(seq), 0)::bigint AS seq FROM record_change_commits`,
  )) as {
    seq: string;
  }[];
  expect(await sweep()).toEqual([requestId]);
  const after = await api.gql(PERSON, { id: personId }, reader);
  expect(after.data?.person).toMatchObject({
    tier: 'NONE',
    reviewOverdue: false,
    tierExplanation: { tier: 'NONE', computedTier: 'NONE', override: null },
  });
  const history = await api.gql(
    `query($id: ID!) { tierChangeRequests(personId: $id) { edges { node { id status } } } }`,
    { id: personId },
    reader,
  );
  expect(history.data?.tierChangeRequests.edges.map((edge: any) => edge.node)).toEqual([
    { id: requestId, status: 'EXPIRED' },
  ]);
  // The feed carries both: the person's tier and the request's status changed, in one commit.
  const changed = (await api.dataSource.query(
    `SELECT c.record_type, c.changed FROM record_changes c JOIN record_change_commits k ON k.xid = c.xid
      WHERE k.seq > $1 AND c.record_id = ANY($2) ORDER BY c.record_type`,
    [cursor?.seq, [personId, requestId]],
  )) as { record_type: string; changed: string[] }[];
  expect(changed.map((row) => row.record_type)).toEqual(['Person', 'TierChangeRequest']);
  expect(changed[0]?.changed).toContain('tier');
  expect(changed[1]?.changed).toContain('status');
  const audit = (await api.dataSource.query(
    `SELECT operation FROM audit_entries WHERE $1 = ANY(record_ids) ORDER BY seq`,
    [requestId],
  )) as { operation: string }[];
  expect(audit.map((entry) => entry.operation)).toEqual([
    'requestTierChange',
    'decideTierChange',
    'lapseTierOverrides',
  ]);
  // Nothing left to end.
  expect(await sweep()).toEqual([]);

  // The month's figures count it, with the small-cell rule for those who do not see every record.
  const month = new Date(decidedAt + 60 * 86400000).toISOString().slice(0, 7);
  const FIGURES = `query($j: ID!, $m: String!) { monthlyFigures(jurisdictionId: $j, month: $m) {
    overridesEnded { count suppressed } } }`;
  const street = await api.node('street');
  const exact = await api.gql(
    FIGURES,
    { j: street, m: month },
    await api.login('comprehensive_governance.leader'),
  );
  expect(exact.data?.monthlyFigures.overridesEnded).toEqual({ count: 1, suppressed: false });
  const small = await api.gql(FIGURES, { j: street, m: month }, await api.login('civil_affairs.leader'));
  expect(small.data?.monthlyFigures.overridesEnded).toEqual({ count: null, suppressed: true });
});

test('after the date, any recompute falls back to the computed tier without waiting for the sweep', async () => {
  const { personId, requestId } = await orangeOverride('到期重算');
  api.clock.advanceDays(61);
  const worker = await api.login('grid.worker');
  // A dispute opens: EVENT applies, the rule recomputes, and the lapsed override no longer counts.
  const other = await registerPerson(api, worker, { name: '纠纷对方', gridId: await api.node('gridA') });
  await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    gridId: await api.node('gridA'),
    parties: [personId, other],
  });
  const after = await api.gql(PERSON, { id: personId }, worker);
  expect(after.data?.person).toMatchObject({
    tier: 'YELLOW',
    tierExplanation: { computedTier: 'YELLOW', override: null },
  });
  // The sweep then only writes the history: the request ended, the tier stays the computed one.
  expect(await sweep()).toEqual([requestId]);
  const swept = await api.gql(PERSON, { id: personId }, worker);
  expect(swept.data?.person).toMatchObject({ tier: 'YELLOW' });
});

test('the decider of the override’s level renews it before the date; nobody else, and not after it ended', async () => {
  const { personId, requestId } = await orangeOverride('续期调级');
  api.clock.advanceDays(50);
  const renewal = {
    requestId,
    reason: '仍在持续扬言，继续管控',
    expectedVersion: 2,
  };

  // The grid leader decides YELLOW changes, not ORANGE ones.
  const byGridLeader = await api.gql(RENEW, { input: renewal }, await api.login('grid.leader'));
  expect(byGridLeader.data?.renewTierOverride.userErrors).toMatchObject([
    { field: 'input.requestId', code: 'NOT_ALLOWED' },
  ]);
  // Outside the caller's row scope the request answers exactly as a made-up id.
  const outside = await api.gql(RENEW, { input: renewal }, await api.login('gridb.leader'));
  const madeUp = await api.gql(
    RENEW,
    { input: { ...renewal, requestId: '00000000-0000-4000-8000-000000000000' } },
    await api.login('gridb.leader'),
  );
  expect(errorCodes(outside)).toEqual({ renewTierOverride: 'NOT_FOUND' });
  expect(outside.errors?.[0]?.message).toBe(madeUp.errors?.[0]?.message);

  const streetLeader = await api.login('comprehensive_governance.leader');
  const stale = await api.gql(RENEW, { input: { ...renewal, expectedVersion: 1 } }, streetLeader);
  expect(stale.data?.renewTierOverride).toMatchObject({
    request: null,
    userErrors: [{ field: 'input.expectedVersion', code: 'CONFLICT' }],
  });

  const renewed = await api.gql(RENEW, { input: renewal }, streetLeader);
  expect(renewed.data?.renewTierOverride).toMatchObject({
    request: { status: 'APPROVED', toTier: 'ORANGE' },
    userErrors: [],
  });
  const renewalId: string = renewed.data?.renewTierOverride.request.id;
  const renewedAt = api.clock.now.getTime();
  const history = await api.gql(
    `query($id: ID!) { tierChangeRequests(personId: $id) { edges { node { id status } } } }`,
    { id: personId },
    streetLeader,
  );
  expect(history.data?.tierChangeRequests.edges.map((edge: any) => edge.node)).toEqual(
    expect.arrayContaining([
      { id: renewalId, status: 'APPROVED' },
      { id: requestId, status: 'SUPERSEDED' },
    ]),
  );
  // A retry of the same renewal renews nothing more.
  const retried = await api.gql(RENEW, { input: renewal }, streetLeader);
  expect(retried.data?.renewTierOverride.userErrors).toMatchObject([{ code: 'CONFLICT' }]);

  // Past the first review-by date (day 60): still ORANGE, not overdue; it now ends on day 50 + 60.
  api.clock.advanceDays(20);
  expect(await sweep()).toEqual([]);
  const kept = await api.gql(PERSON, { id: personId }, await api.login('grid.worker'));
  expect(kept.data?.person).toMatchObject({ tier: 'ORANGE', reviewOverdue: false });
  expect(new Date(kept.data?.person.tierExplanation.override.reviewBy).getTime()).toBe(
    renewedAt + 60 * 86400000,
  );

  api.clock.advanceDays(41);
  expect(await sweep()).toEqual([renewalId]);
  const ended = await api.gql(PERSON, { id: personId }, await api.login('grid.worker'));
  expect(ended.data?.person).toMatchObject({ tier: 'NONE', reviewOverdue: false });
  const late = await api.gql(
    RENEW,
    { input: { requestId: renewalId, reason: '补办续期', expectedVersion: 2 } },
    await api.login('comprehensive_governance.leader'),
  );
  expect(late.data?.renewTierOverride).toMatchObject({
    request: null,
    userErrors: [{ field: 'input.requestId', code: 'INVALID_STATE' }],
  });
});

test('a tier past its latest assessment’s review-by date is flagged until assessed again', async () => {
  const worker = await api.login('grid.worker');
  const personId = await registerPerson(api, worker, { name: '逾期复核', gridId: await api.node('gridA') });
  await recordAssessment(api, worker, personId, ['WITHDRAWN']);
  const fresh = await api.gql(PERSON, { id: personId }, worker);
  expect(fresh.data?.person).toMatchObject({ tier: 'YELLOW', reviewOverdue: false });

  // YELLOW is reviewed within 90 days; the overdue-review list and the flag agree.
  api.clock.advanceDays(91);
  const reader = await api.login('grid.worker');
  const overdue = await api.gql(
    `{ overdueReviews(first: 100) { edges { node { person { id tier reviewOverdue } } } } }`,
    {},
    reader,
  );
  expect(
    overdue.data?.overdueReviews.edges.map((edge: { node: { person: unknown } }) => edge.node.person),
  ).toContainEqual({ id: personId, tier: 'YELLOW', reviewOverdue: true });

  await recordAssessment(api, reader, personId, ['WITHDRAWN']);
  const reviewed = await api.gql(PERSON, { id: personId }, reader);
  expect(reviewed.data?.person).toMatchObject({ tier: 'YELLOW', reviewOverdue: false });
});
