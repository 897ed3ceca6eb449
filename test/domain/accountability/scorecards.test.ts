// 一确保 and 一季一约谈: incidents with more than one death have a figure of their own, and the quarterly
// list names the villages below the thresholds — reference data, not code — with figures that match
// counts computed here independently.
import { startTestApi, type TestApi } from '../../support/api';
import { assignToGridLeader, errorCodes, recordAssessment, registerPerson } from '../../support/fixtures';

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

  // The thresholds are reference data an ADMIN sets: raised above the count, the village is no longer
  // short on it. The edit is audited with the value it replaced; a share above 1, a fractional count
  // or a non-admin changes nothing.
  const SET = `mutation($input: SetAccountabilityThresholdInput!) { setAccountabilityThreshold(input: $input) {
    criteria { figure threshold } userErrors { field code } } }`;
  const admin = await api.login('admin');
  const setTo = (figure: string, threshold: number, token = admin) =>
    api.gql(SET, { input: { figure, threshold, reason: '本季度调整' } }, token);
  expect((await setTo('RESOLUTION_RATE', 1.5)).data?.setAccountabilityThreshold.userErrors).toEqual([
    { field: 'input.threshold', code: 'BAD_USER_INPUT' },
  ]);
  expect((await setTo('UNACKNOWLEDGED_ALERTS', 2.5)).data?.setAccountabilityThreshold.userErrors).toEqual([
    { field: 'input.threshold', code: 'BAD_USER_INPUT' },
  ]);
  expect(errorCodes(await setTo('UNACKNOWLEDGED_ALERTS', 100, leader))).toEqual({
    setAccountabilityThreshold: 'FORBIDDEN',
  });
  const raisedThreshold = await setTo('UNACKNOWLEDGED_ALERTS', 100);
  expect(raisedThreshold.data?.setAccountabilityThreshold.userErrors).toEqual([]);
  expect(raisedThreshold.data?.setAccountabilityThreshold.criteria).toContainEqual({
    figure: 'UNACKNOWLEDGED_ALERTS',
    threshold: 100,
  });
  const audited: { record_ids: string[]; detail: Record<string, unknown> }[] = await api.dataSource.query(
    `SELECT record_ids, detail FROM audit_entries WHERE operation = 'setAccountabilityThreshold' ORDER BY seq`,
  );
  expect(audited).toEqual([
    {
      record_ids: ['UNACKNOWLEDGED_ALERTS'],
      detail: expect.objectContaining({ threshold: 100, previousThreshold: 0, reason: '本季度调整' }),
    },
  ]);
  const relaxed = await api.gql(QUARTERLY, { j: street }, leader);
  for (const unit of relaxed.data?.quarterlyFollowUp.units ?? [])
    expect(unit.shortfalls.map((s: { figure: string }) => s.figure)).not.toContain('UNACKNOWLEDGED_ALERTS');
  expect((await setTo('UNACKNOWLEDGED_ALERTS', 0)).data?.setAccountabilityThreshold.userErrors).toEqual([]);

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

test('一年一考核: every village scored by the weights and ranked, matching scores computed here from an independent count', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '年度考核对象', gridId: await api.node('gridA') });
  await recordAssessment(api, worker, person, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  await api.gql(
    `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } } }`,
    { input: { personId: person, description: '扬言报复' } },
    worker,
  );
  // The weights are reference data an ADMIN sets. Only the unacknowledged alerts weigh: then a
  // village's score is 100 / (1 + its count) exactly.
  const admin = await api.login('admin');
  const SET_WEIGHT = `mutation($input: SetAccountabilityWeightInput!) { setAccountabilityWeight(input: $input) {
    criteria { figure weight } userErrors { field code } } }`;
  const weigh = (figure: string, weight: number, token = admin) =>
    api.gql(SET_WEIGHT, { input: { figure, weight, reason: '年度考核只看预警签收' } }, token);
  try {
    expect(errorCodes(await weigh('UNACKNOWLEDGED_ALERTS', 1, worker))).toEqual({
      setAccountabilityWeight: 'FORBIDDEN',
    });
    expect((await weigh('UNACKNOWLEDGED_ALERTS', 1)).data?.setAccountabilityWeight.userErrors).toEqual([]);
    for (const figure of ['FOLLOW_UP_COMPLIANCE', 'OVERDUE_REVIEWS', 'RESOLUTION_RATE'])
      expect((await weigh(figure, 0)).data?.setAccountabilityWeight.userErrors).toEqual([]);
    // The last figure that weighs cannot be set to 0, and a weight it already has is refused: nothing changes.
    const weightsBefore = await api.dataSource.query(`SELECT figure, weight FROM accountability_criteria`);
    expect((await weigh('UNACKNOWLEDGED_ALERTS', 0)).data?.setAccountabilityWeight).toEqual({
      criteria: null,
      userErrors: [{ field: 'input.weight', code: 'BAD_USER_INPUT' }],
    });
    expect((await weigh('RESOLUTION_RATE', 0)).data?.setAccountabilityWeight.userErrors).toEqual([
      { field: 'input.weight', code: 'BAD_USER_INPUT' },
    ]);
    expect(await api.dataSource.query(`SELECT figure, weight FROM accountability_criteria`)).toEqual(
      weightsBefore,
    );
    const weightAudit: { record_ids: string[]; detail: Record<string, unknown> }[] =
      await api.dataSource.query(
        `SELECT record_ids, detail FROM audit_entries WHERE operation = 'setAccountabilityWeight' ORDER BY seq`,
      );
    expect(weightAudit[0]).toEqual({
      record_ids: ['UNACKNOWLEDGED_ALERTS'],
      detail: expect.objectContaining({ weight: 1, previousWeight: 0.2, reason: '年度考核只看预警签收' }),
    });
    expect(weightAudit).toHaveLength(4);
    const YEARLY = `query($j: ID!) { yearlyAssessment(jurisdictionId: $j, year: 2026) {
      year multiFatalityIncidents { count }
      units { unit { code } score rank unacknowledgedAlerts { count } multiFatalityIncidents { count } } } }`;
    const street = await api.node('street');
    const leader = await api.login('comprehensive_governance.leader');
    const answer = await api.gql(YEARLY, { j: street }, leader);
    expect(answer.errors).toBeUndefined();
    const units = answer.data?.yearlyAssessment.units as {
      unit: { code: string };
      score: number;
      rank: number;
      unacknowledgedAlerts: { count: number };
    }[];
    const counted: { code: string; n: number }[] = await api.dataSource.query(
      `SELECT v.code, count(DISTINCT a.id) FILTER (WHERE r.acknowledged_at IS NULL)::int AS n
         FROM jurisdictions v JOIN jurisdictions s ON s.id = v.parent_id
         LEFT JOIN jurisdictions g ON g.path LIKE v.path || '.%'
         LEFT JOIN alerts a ON a.grid_id = g.id
              AND a.raised_at >= '2025-12-31T16:00:00Z' AND a.raised_at < '2026-12-31T16:00:00Z'
         LEFT JOIN alert_recipients r ON r.alert_id = a.id
        WHERE s.id = $1 GROUP BY v.code ORDER BY v.code`,
      [street],
    );
    expect(units.map((u) => u.unit.code).sort()).toEqual(counted.map((c) => c.code));
    expect(counted.some((c) => c.n > 0)).toBe(true);
    const expectedScore = (n: number) => Math.round((100 / (1 + n)) * 10) / 10;
    for (const { code, n } of counted) {
      const unit = units.find((candidate) => candidate.unit.code === code);
      expect(unit?.unacknowledgedAlerts.count).toBe(n);
      expect(unit?.score).toBe(expectedScore(n));
      expect(unit?.rank).toBe(
        1 + counted.filter((other) => expectedScore(other.n) > expectedScore(n)).length,
      );
    }
    // Listed by rank, best first.
    expect(units.map((u) => u.rank)).toEqual([...units.map((u) => u.rank)].sort((a, b) => a - b));
  } finally {
    await api.dataSource.query(`
      UPDATE accountability_criteria SET weight = CASE figure WHEN 'FOLLOW_UP_COMPLIANCE' THEN 0.35
        WHEN 'OVERDUE_REVIEWS' THEN 0.2 WHEN 'UNACKNOWLEDGED_ALERTS' THEN 0.2 ELSE 0.25 END`);
  }
  const street = await api.node('street');
  expect(
    errorCodes(
      await api.gql(
        `query($j: ID!) { yearlyAssessment(jurisdictionId: $j, year: 2026) { year } }`,
        { j: street },
        worker,
      ),
    ),
  ).toEqual({ yearlyAssessment: 'FORBIDDEN' });
  expect(
    errorCodes(
      await api.gql(
        `query($j: ID!) { yearlyAssessment(jurisdictionId: $j, year: 1900) { year } }`,
        { j: street },
        await api.login('comprehensive_governance.leader'),
      ),
    ),
  ).toEqual({ yearlyAssessment: 'BAD_USER_INPUT' });
});

/** The end of a month (China Standard Time, as the figures count), as an instant. */
function monthEnd(year: number, month: number): Date {
  const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return new Date(`${next}-01T00:00:00+08:00`);
}

/**
 * Each department's figures under `street` in `year`, computed here from the rows themselves: the
 * responsible department of a managed person is that of their latest assignment made before a month's
 * end; a dispute is a department's when routed to it or assigned to it.
 */
async function departmentsCountedHere(street: string, year: number) {
  const months = Array.from({ length: 12 }, (_, index) => index + 1);
  const start = new Date(`${year}-01-01T00:00:00+08:00`);
  const end = monthEnd(year, 12);
  const under = `(SELECT g.id FROM jurisdictions g, jurisdictions s
                   WHERE s.id = $1 AND (g.path = s.path OR g.path LIKE s.path || '.%'))`;
  const q = (sql: string, parameters: unknown[] = [street]) => api.dataSource.query(sql, parameters);
  const assessments: {
    person_id: string;
    id: string;
    tier: string;
    assessed_at: Date;
    review_by: Date | null;
  }[] = await q(`SELECT a.person_id, a.id, a.tier, a.assessed_at, a.review_by FROM assessments a
               JOIN persons p ON p.id = a.person_id WHERE p.grid_id IN ${under}`);
  const assignments: { person_id: string; id: string; department: string; created_at: Date }[] = await q(
    `SELECT person_id, id, responsible_department_code AS department, created_at FROM assignments WHERE person_id IS NOT NULL`,
    [],
  );
  const followUps: { person_id: string; occurred_at: Date }[] = await q(
    `SELECT person_id, occurred_at FROM follow_ups`,
    [],
  );
  const latest = <T extends { id: string }>(rows: T[], at: (row: T) => Date, before: Date) =>
    rows
      .filter((row) => at(row) < before)
      .sort((a, b) => at(b).getTime() - at(a).getTime() || (b.id > a.id ? 1 : -1))[0];
  const persons = [...new Set(assessments.map((a) => a.person_id))];
  const monthly = months.map((month) => {
    const from = month === 1 ? start : monthEnd(year, month - 1);
    const to = monthEnd(year, month);
    const byDepartment = new Map<string, { managed: number; followed: number; overdue: number }>();
    for (const person of persons) {
      const assessment = latest(
        assessments.filter((a) => a.person_id === person),
        (a) => a.assessed_at,
        to,
      );
      if (!assessment || assessment.tier === 'NONE') continue;
      const assignment = latest(
        assignments.filter((a) => a.person_id === person),
        (a) => a.created_at,
        to,
      );
      if (!assignment) continue;
      const counts = byDepartment.get(assignment.department) ?? { managed: 0, followed: 0, overdue: 0 };
      counts.managed += 1;
      if (followUps.some((f) => f.person_id === person && f.occurred_at >= from && f.occurred_at < to))
        counts.followed += 1;
      if (assessment.review_by && assessment.review_by < to) counts.overdue += 1;
      byDepartment.set(assignment.department, counts);
    }
    return byDepartment;
  });
  const alerts: { department: string; n: number }[] = await q(
    `SELECT u.department_code AS department,
            count(DISTINCT a.id) FILTER (WHERE r.acknowledged_at IS NULL OR r.acknowledged_at >= $3)::int AS n
       FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id JOIN users u ON u.id = r.user_id
      WHERE a.grid_id IN ${under} AND a.raised_at >= $2 AND a.raised_at < $3 GROUP BY u.department_code`,
    [street, start, end],
  );
  const closed: { id: string; status: string; category: string; source: string; venue: string | null }[] =
    await q(
      `SELECT id, status, category, source, venue FROM disputes
      WHERE grid_id IN ${under} AND closed_at >= $2 AND closed_at < $3`,
      [street, start, end],
    );
  const routes: { match_kind: string; match_value: string; department_code: string }[] = await q(
    `SELECT match_kind, match_value, department_code FROM dispute_routes`,
    [],
  );
  const disputeAssignments: { dispute_id: string; department: string }[] = await q(
    `SELECT dispute_id, responsible_department_code AS department FROM assignments WHERE dispute_id IS NOT NULL`,
    [],
  );
  const departmentsOf = (d: (typeof closed)[number]) =>
    new Set([
      ...routes
        .filter(
          (r) =>
            (r.match_kind === 'CATEGORY' && r.match_value === d.category) ||
            (r.match_kind === 'SOURCE' && r.match_value === d.source) ||
            (r.match_kind === 'VENUE' && r.match_value === d.venue),
        )
        .map((r) => r.department_code),
      ...disputeAssignments.filter((a) => a.dispute_id === d.id).map((a) => a.department),
    ]);
  const codes = new Set([
    ...monthly.flatMap((m) => [...m.keys()]),
    ...alerts.map((a) => a.department),
    ...closed.flatMap((d) => [...departmentsOf(d)]),
  ]);
  return new Map(
    [...codes].map((code) => {
      const shares = monthly
        .map((m) => m.get(code))
        .filter((c): c is { managed: number; followed: number; overdue: number } =>
          Boolean(c && c.managed > 0),
        )
        .map((c) => c.followed / c.managed);
      const mine = closed.filter((d) => departmentsOf(d).has(code));
      return [
        code,
        {
          followUpCompliance: shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : null,
          overdueReviews: monthly[11]?.get(code)?.overdue ?? 0,
          unacknowledgedAlerts: alerts.find((a) => a.department === code)?.n ?? 0,
          resolutionRate: mine.length
            ? mine.filter((d) => d.status === 'RESOLVED').length / mine.length
            : null,
          /** Follow-up compliance month by month (January first), null where nobody was managed. */
          monthlyCompliance: monthly.map((m) => {
            const counts = m.get(code);
            return counts && counts.managed > 0 ? counts.followed / counts.managed : null;
          }),
        },
      ];
    }),
  );
}

test('一年一考核 and 一季一约谈 judge departments as villages: figures match a count made here, ranked among departments; the year’s incidents open their reviews', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '部门考核对象', gridId: await api.node('gridA') });
  await recordAssessment(api, worker, person, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  await assignToGridLeader(api, person);
  const street = await api.node('street');
  const leader = await api.login('comprehensive_governance.leader');
  const YEARLY = `query($j: ID!) { yearlyAssessment(jurisdictionId: $j, year: 2026) {
    departments { unit { code } department { code } score rank followUpCompliance { share } overdueReviews { count }
                  unacknowledgedAlerts { count } resolutionRate { share } }
    incidents { incidentId kind deaths unit { code } } } }`;
  const answer = await api.gql(YEARLY, { j: street }, leader);
  expect(answer.errors).toBeUndefined();
  const rows = answer.data?.yearlyAssessment.departments as {
    unit: null;
    department: { code: string };
    score: number;
    rank: number;
    followUpCompliance: { share: number | null };
    overdueReviews: { count: number };
    unacknowledgedAlerts: { count: number };
    resolutionRate: { share: number | null };
  }[];
  const counted = await departmentsCountedHere(street, 2026);
  expect(rows.map((row) => row.department.code).sort()).toEqual([...counted.keys()].sort());
  expect(counted.has('GRID')).toBe(true);
  for (const row of rows) {
    const expected = counted.get(row.department.code);
    expect(row.unit).toBeNull();
    for (const [shown, here] of [
      [row.followUpCompliance.share, expected?.followUpCompliance],
      [row.resolutionRate.share, expected?.resolutionRate],
    ]) {
      if (shown === null || here === null || here === undefined) expect(shown).toBe(here ?? null);
      else expect(shown).toBeCloseTo(here, 3);
    }
    expect([row.department.code, row.overdueReviews.count, row.unacknowledgedAlerts.count]).toEqual([
      row.department.code,
      expected?.overdueReviews,
      expected?.unacknowledgedAlerts,
    ]);
    expect(row.rank).toBe(1 + rows.filter((other) => other.score > row.score).length);
  }

  // The quarterly list names exactly the departments whose quarter falls short of a threshold.
  const QUARTERLY = `query($j: ID!) { quarterlyFollowUp(jurisdictionId: $j, quarter: "2026-Q4") {
    departments { department { code } unit { code } shortfalls { figure } trend { month }
                  months { month followUpCompliance { share } } } } }`;
  const quarterly = await api.gql(QUARTERLY, { j: street }, leader);
  expect(quarterly.errors).toBeUndefined();
  const listed = quarterly.data?.quarterlyFollowUp.departments as {
    department: { code: string };
    unit: null;
    shortfalls: { figure: string }[];
    trend: unknown[];
    months: { month: string; followUpCompliance: { share: number | null } }[];
  }[];
  expect(listed.length).toBeGreaterThan(0);
  for (const row of listed) {
    expect([row.unit, row.trend, row.shortfalls.length > 0]).toEqual([null, [], true]);
    // Month by month, as counted here (October to December are months 10–12 of the year).
    expect(row.months.map((month) => month.month)).toEqual(['2026-10', '2026-11', '2026-12']);
    const here = counted.get(row.department.code)?.monthlyCompliance.slice(9) ?? [];
    row.months.forEach((month, index) => {
      const expected = here[index] ?? null;
      if (expected === null) expect(month.followUpCompliance.share).toBeNull();
      else expect(month.followUpCompliance.share).toBeCloseTo(expected, 3);
    });
  }
  const grid = listed.find((row) => row.department.code === 'GRID');
  // The person assigned to GRID this month has had no follow-up: GRID's compliance is below 0.9.
  expect(grid?.shortfalls.map((s) => s.figure)).toContain('FOLLOW_UP_COMPLIANCE');

  // The year's incidents under the street, each opening its case review for the leader.
  const incidents = answer.data?.yearlyAssessment.incidents as { incidentId: string; deaths: number }[];
  const recorded: { id: string }[] = await api.dataSource.query(
    `SELECT i.id FROM incidents i JOIN jurisdictions g ON g.id = i.grid_id, jurisdictions s
      WHERE s.id = $1 AND g.path LIKE s.path || '.%'
        AND i.occurred_at >= '2025-12-31T16:00:00Z' AND i.occurred_at < '2026-12-31T16:00:00Z'
      ORDER BY i.occurred_at, i.id`,
    [street],
  );
  expect(incidents.map((incident) => incident.incidentId)).toEqual(recorded.map((row) => row.id));
  expect(incidents.length).toBeGreaterThan(0);
  const review = await api.gql(
    `query($id: ID!) { caseReview(incidentId: $id) { id deaths } }`,
    { id: incidents[0]?.incidentId },
    leader,
  );
  expect(review.data?.caseReview).toEqual({ id: incidents[0]?.incidentId, deaths: incidents[0]?.deaths });
});
