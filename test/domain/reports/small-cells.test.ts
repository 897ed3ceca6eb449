// Small cells (SPEC §4): a count below 5 reads <5 to every account whose row scope does not cover
// every record counted, exact to the coordinators; YOUTH_LEAGUE gets no dispute figures at all; and a
// hazardous-purchase alert moves no figure a hazardous-goods department can read.
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;
let villageB: string;

const OCTOBER = new Date('2026-10-15T10:00:00+08:00');

beforeAll(async () => {
  api = await startTestApi();
  villageB = await api.node('villageB');
  const gridC = await api.node('gridC');
  const [{ id: userId }] = await api.dataSource.query(`SELECT id FROM users WHERE username = 'gridc.worker'`);
  const q = (sql: string, params: unknown[]) => api.dataSource.query(sql, params);
  // One person assessed RED in October: a cell of 1 in persons by tier and in managed persons.
  const personId = randomUUID();
  await q(
    `INSERT INTO persons (id, name, gender, grid_id, residency) VALUES ($1, '小格', 'MALE', $2, 'REGISTERED')`,
    [personId, gridC],
  );
  await q(
    `INSERT INTO assessments (person_id, assessor_id, assessed_at, catalog_version, tier, review_by)
     VALUES ($1, $2, $3, 1, 'RED', $3::timestamptz + interval '30 days')`,
    [personId, userId, OCTOBER],
  );
  // Disputes reported in October: OTHER 1 (a small cell), NEIGHBOR 6.
  for (const category of ['OTHER', ...Array<string>(6).fill('NEIGHBOR')]) {
    await q(
      `INSERT INTO disputes (id, category, description, source, status, level, grid_id, reported_by_id, reported_at)
       VALUES ($1, $2, '小格', 'GRID_VISIT', 'REPORTED', 'GRID', $3, $4, $5)`,
      [randomUUID(), category, gridC, userId, OCTOBER],
    );
  }
  // Alerts in October: six anomalies and one hazardous purchase.
  for (const kind of [...Array<string>(6).fill('ANOMALY'), 'HAZARDOUS_PURCHASE']) {
    await q(
      `INSERT INTO alerts (kind, description, tier_at_raise, raised_at, grid_id, person_id)
       VALUES ($1, 'x', 'RED', $2, $3, $4)`,
      [kind, OCTOBER, gridC, personId],
    );
  }
  const police = await api.login('police.leader');
  const entered = await api.gql(
    `mutation($input: RecordPoliceCountsInput!) { recordPoliceCounts(input: $input) { userErrors { message } } }`,
    {
      input: {
        jurisdictionId: villageB,
        month: '2026-10',
        extremeViolenceIncidents: 1,
        resultingHomicides: 0,
        disputePoliceCalls: 12,
      },
    },
    police,
  );
  expect(entered.data?.recordPoliceCounts.userErrors).toEqual([]);
});
afterAll(() => api.close());

const COUNT = '{ count suppressed }';
const FIGURES = `query($j: ID!) { monthlyFigures(jurisdictionId: $j, month: "2026-10") {
  personsByTier { key count suppressed } managedPersons ${COUNT} followUpCompliance { share suppressed }
  disputesReported ${COUNT} disputesByCategory { key count suppressed } disputesByLevel { key count suppressed }
  disputesByStatus { key count suppressed } disputesClosed ${COUNT} disputesResolved ${COUNT}
  resolutionRate { share suppressed } escalations ${COUNT} overdueFollowUps ${COUNT} overdueReviews ${COUNT}
  alertsRaised ${COUNT}
  policeCounts { extremeViolenceIncidents ${COUNT} resultingHomicides ${COUNT} disputePoliceCalls ${COUNT} } } }`;
const COMPARISON = `query($j: ID!) { monthlyComparison(jurisdictionId: $j, month: "2026-10") {
  changes { figure current previous change suppressed } } }`;

const SMALL = { count: null, suppressed: true };
const exact = (count: number) => ({ count, suppressed: false });
const key = (figures: any, list: string, name: string) =>
  figures[list].find((item: { key: string }) => item.key === name);

test('YOUTH_LEAGUE gets no dispute figures at all, and small counts as <5', async () => {
  const youth = await api.login('youth_league.leader');
  const result = await api.gql(FIGURES, { j: villageB }, youth);
  expect(result.errors).toBeUndefined();
  const figures = result.data?.monthlyFigures;
  for (const dispute of [
    'disputesReported',
    'disputesByCategory',
    'disputesByLevel',
    'disputesByStatus',
    'disputesClosed',
    'disputesResolved',
    'resolutionRate',
    'escalations',
    'policeCounts',
  ]) {
    expect([dispute, figures[dispute]]).toEqual([dispute, null]);
  }
  expect(figures.managedPersons).toEqual(SMALL);
  const comparison = await api.gql(COMPARISON, { j: villageB }, youth);
  const compared = comparison.data?.monthlyComparison.changes.map((c: { figure: string }) => c.figure);
  expect(compared).toEqual([
    'managedPersons',
    'followUpCompliance',
    'overdueFollowUps',
    'overdueReviews',
    'alertsRaised',
  ]);
});

test('a department leader sees <5 for a cell of 1 and the real number for a cell of 6', async () => {
  const leader = await api.login('civil_affairs.leader');
  const result = await api.gql(FIGURES, { j: villageB }, leader);
  expect(result.errors).toBeUndefined();
  const figures = result.data?.monthlyFigures;
  expect(key(figures, 'disputesByCategory', 'OTHER')).toEqual({ key: 'OTHER', ...SMALL });
  expect(key(figures, 'disputesByCategory', 'NEIGHBOR')).toEqual({ key: 'NEIGHBOR', ...exact(6) });
  // Every category is listed, so a category with no dispute reads exactly as one with a single dispute.
  expect(key(figures, 'disputesByCategory', 'MEDICAL')).toEqual({ key: 'MEDICAL', ...SMALL });
  expect(figures.disputesReported).toEqual(exact(7));
  expect(key(figures, 'personsByTier', 'RED')).toEqual({ key: 'RED', ...SMALL });
  expect(key(figures, 'personsByTier', 'ORANGE')).toEqual({ key: 'ORANGE', ...SMALL });
  expect(figures.managedPersons).toEqual(SMALL);
  expect(figures.followUpCompliance).toEqual({ share: null, suppressed: true });
  expect(figures.resolutionRate).toEqual({ share: null, suppressed: true });
  // The hazardous-purchase alert is not counted for a department that records sales.
  expect(figures.alertsRaised).toEqual(exact(6));
  expect(figures.policeCounts).toEqual({
    extremeViolenceIncidents: SMALL,
    resultingHomicides: SMALL,
    disputePoliceCalls: exact(12),
  });
  const comparison = await api.gql(COMPARISON, { j: villageB }, leader);
  const reported = comparison.data?.monthlyComparison.changes.find(
    (c: { figure: string }) => c.figure === 'disputesReported',
  );
  expect(reported).toEqual({
    figure: 'disputesReported',
    current: 7,
    previous: null,
    change: null,
    suppressed: true,
  });
});

test('a hazardous-goods leader reads the same alert figure whether or not a purchase alert was raised', async () => {
  const market = await api.login('market_supervision.leader');
  const before = await api.gql(FIGURES, { j: villageB }, market);
  await api.dataSource.query(
    `INSERT INTO alerts (kind, description, tier_at_raise, raised_at, grid_id)
     SELECT 'HAZARDOUS_PURCHASE', 'x', 'RED', $1, id FROM jurisdictions WHERE code = 'C01.S01.V02.G01'`,
    [OCTOBER],
  );
  const after = await api.gql(FIGURES, { j: villageB }, market);
  expect(after.data?.monthlyFigures.alertsRaised).toEqual(before.data?.monthlyFigures.alertsRaised);
});

test('a coordinator sees exact small numbers', async () => {
  const coordinator = await api.login('comprehensive_governance.leader');
  const result = await api.gql(FIGURES, { j: villageB }, coordinator);
  expect(result.errors).toBeUndefined();
  const figures = result.data?.monthlyFigures;
  expect(figures.disputesByCategory).toEqual([
    { key: 'NEIGHBOR', ...exact(6) },
    { key: 'OTHER', ...exact(1) },
  ]);
  expect(figures.personsByTier).toEqual([{ key: 'RED', ...exact(1) }]);
  expect(figures.managedPersons).toEqual(exact(1));
  expect(figures.alertsRaised.count).toBeGreaterThanOrEqual(7);
  expect(figures.policeCounts.extremeViolenceIncidents).toEqual(exact(1));
  expect(figures.policeCounts.resultingHomicides).toEqual(exact(0));
});
