// 一确保 and 一季一约谈: incidents with more than one death have a figure of their own, and the quarterly
// list names the villages below the thresholds — reference data, not code — with figures that match
// counts computed here independently.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, recordAssessment, registerPerson } from '../../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const RECORD = `mutation($input: RecordIncidentInput!) { recordIncident(input: $input) { incident { id } userErrors { field } } }`;

test('一确保: the monthly figures count incidents with more than one death separately', async () => {
  const police = await api.login('police.worker');
  const gridA = await api.node('gridA');
  for (const deaths of [2, 1, 0]) {
    const recorded = await api.gql(
      RECORD,
      {
        input: {
          gridId: gridA,
          occurredAt: new Date(api.clock.now.getTime() - 3600000).toISOString(),
          place: '东村',
          kind: deaths ? 'HOMICIDE' : 'ASSAULT',
          deaths,
          injuries: 1,
          summary: '纠纷引发伤亡',
        },
      },
      police,
    );
    expect(recorded.data?.recordIncident.incident.id).toBeTruthy();
  }
  const FIGURES = `query($j: ID!) { monthlyFigures(jurisdictionId: $j, month: "2026-11") { multiFatalityIncidents { count suppressed } } }`;
  const street = await api.node('street');
  const [independent]: { n: number }[] = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM incidents WHERE deaths > 1 AND occurred_at >= '2026-10-31T16:00:00Z' AND occurred_at < '2026-11-30T16:00:00Z'`,
  );
  const exact = await api.gql(FIGURES, { j: street }, await api.login('comprehensive_governance.worker'));
  expect(exact.data?.monthlyFigures.multiFatalityIncidents).toEqual({
    count: independent?.n,
    suppressed: false,
  });
  expect(independent?.n).toBe(1);
  // A department leader's row scope does not cover every record counted: a small cell reads <5.
  const small = await api.gql(FIGURES, { j: street }, await api.login('civil_affairs.leader'));
  expect(small.data?.monthlyFigures.multiFatalityIncidents).toEqual({ count: null, suppressed: true });
});

test('一季一约谈: the villages below a threshold, with figures matching an independent count; thresholds are data', async () => {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const person = await registerPerson(api, worker, { name: '未签收对象', gridId: gridA });
  await recordAssessment(api, worker, person, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  const raised = await api.gql(
    `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } } }`,
    { input: { personId: person, description: '扬言报复' } },
    worker,
  );
  expect(raised.data?.raiseAlert.alert.id).toBeTruthy();

  const QUARTERLY = `query($j: ID!) { quarterlyFollowUp(jurisdictionId: $j, quarter: "2026-Q4") {
    quarter units { unit { code } shortfalls { figure value threshold } unacknowledgedAlerts { count } trend { month } } } }`;
  const street = await api.node('street');
  const leader = await api.login('comprehensive_governance.leader');
  const listed = await api.gql(QUARTERLY, { j: street }, leader);
  expect(listed.errors).toBeUndefined();
  const independent: { code: string; n: number }[] = await api.dataSource.query(
    `SELECT v.code, count(DISTINCT a.id)::int AS n
       FROM jurisdictions v JOIN jurisdictions g ON g.path LIKE v.path || '.%'
       JOIN alerts a ON a.grid_id = g.id JOIN alert_recipients r ON r.alert_id = a.id
      WHERE v.level = 'VILLAGE' AND r.acknowledged_at IS NULL
        AND a.raised_at >= '2026-09-30T16:00:00Z' AND a.raised_at < '2026-12-31T16:00:00Z'
      GROUP BY v.code ORDER BY v.code`,
  );
  expect(independent.length).toBeGreaterThan(0);
  const units = listed.data?.quarterlyFollowUp.units as {
    unit: { code: string };
    shortfalls: { figure: string; value: number }[];
    unacknowledgedAlerts: { count: number };
    trend: { month: string }[];
  }[];
  for (const { code, n } of independent) {
    const unit = units.find((candidate) => candidate.unit.code === code);
    expect(unit?.unacknowledgedAlerts.count).toBe(n);
    expect(unit?.shortfalls).toEqual(
      expect.arrayContaining([{ figure: 'UNACKNOWLEDGED_ALERTS', value: n, threshold: 0 }]),
    );
    expect(unit?.trend.map((month) => month.month)).toEqual(['2026-10', '2026-11', '2026-12']);
  }

  // The thresholds are reference data: raised above the count, the village is no longer short on it.
  await api.dataSource.query(
    `UPDATE accountability_criteria SET threshold = 100 WHERE figure = 'UNACKNOWLEDGED_ALERTS'`,
  );
  const relaxed = await api.gql(QUARTERLY, { j: street }, leader);
  for (const unit of relaxed.data?.quarterlyFollowUp.units ?? [])
    expect(unit.shortfalls.map((s: { figure: string }) => s.figure)).not.toContain('UNACKNOWLEDGED_ALERTS');
  await api.dataSource.query(
    `UPDATE accountability_criteria SET threshold = 0 WHERE figure = 'UNACKNOWLEDGED_ALERTS'`,
  );

  expect(errorCodes(await api.gql(QUARTERLY, { j: street }, worker))).toEqual({
    quarterlyFollowUp: 'FORBIDDEN',
  });
  const bad = await api.gql(
    `query($j: ID!) { quarterlyFollowUp(jurisdictionId: $j, quarter: "2026-Q5") { quarter } }`,
    { j: street },
    leader,
  );
  expect(errorCodes(bad)).toEqual({ quarterlyFollowUp: 'BAD_USER_INPUT' });
});
