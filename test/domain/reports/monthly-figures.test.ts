// Monthly figures for a seeded month equal the same counts computed independently here, in plain
// TypeScript over the seed; a month-over-month comparison and the police-entered counts.
import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes } from '../../support/fixtures';

let api: TestApi;
let villageA: string;

interface Seed {
  persons: { id: string; grid: string }[];
  disputes: {
    id: string;
    grid: string;
    category: string;
    level: string;
    status: string;
    reportedAt: Date;
    closedAt: Date | null;
  }[];
  assessments: { personId: string; tier: string; assessedAt: Date; reviewBy: Date | null }[];
  followUps: { personId: string; at: Date }[];
  escalations: { disputeId: string; at: Date }[];
  alerts: { grid: string; at: Date }[];
}

const seed: Seed = { persons: [], disputes: [], assessments: [], followUps: [], escalations: [], alerts: [] };
const CATEGORIES = ['NEIGHBOR', 'FAMILY', 'LABOR_WAGES', 'CONTRACT'];
const STATUSES = ['REPORTED', 'ACCEPTED', 'IN_MEDIATION', 'RESOLVED', 'REFERRED', 'CLOSED_UNRESOLVED'];
const TIERS = ['NONE', 'YELLOW', 'ORANGE', 'RED'];
const CADENCE: Record<string, number> = { YELLOW: 15, ORANGE: 7, RED: 1 };
const DAY = 86400000;
const OCT_START = new Date('2026-10-01T00:00:00+08:00');
const NOV_START = new Date('2026-11-01T00:00:00+08:00');

function generator(seedValue: number) {
  let state = seedValue;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

beforeAll(async () => {
  api = await startTestApi();
  villageA = await api.node('villageA');
  const grids = [await api.node('gridA'), await api.node('gridB'), await api.node('gridC')];
  const userId: string = (
    await api.dataSource.query(`SELECT id FROM users WHERE username = 'grid.worker'`)
  )[0].id;
  const random = generator(42);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const around = () => new Date(OCT_START.getTime() + (random() * 92 - 31) * DAY);
  for (let i = 0; i < 60; i += 1) seed.persons.push({ id: randomUUID(), grid: pick(grids) });
  for (const person of seed.persons) {
    const assessedAt = around();
    const tier = pick(TIERS);
    const days = { RED: 30, ORANGE: 60, YELLOW: 90 }[tier as 'RED'];
    seed.assessments.push({
      personId: person.id,
      tier,
      assessedAt,
      reviewBy: days ? new Date(assessedAt.getTime() + days * DAY) : null,
    });
    for (let f = 0; f < 3; f += 1)
      if (random() < 0.6) seed.followUps.push({ personId: person.id, at: around() });
  }
  for (let i = 0; i < 80; i += 1) {
    const reportedAt = around();
    const status = pick(STATUSES);
    const closed = ['RESOLVED', 'REFERRED', 'CLOSED_UNRESOLVED'].includes(status);
    seed.disputes.push({
      id: randomUUID(),
      grid: pick(grids),
      category: pick(CATEGORIES),
      level: pick(['GRID', 'VILLAGE']),
      status,
      reportedAt,
      closedAt: closed ? new Date(reportedAt.getTime() + random() * 20 * DAY) : null,
    });
  }
  for (const dispute of seed.disputes)
    if (random() < 0.3) seed.escalations.push({ disputeId: dispute.id, at: around() });
  for (let i = 0; i < 15; i += 1) seed.alerts.push({ grid: pick(grids), at: around() });

  const q = (sql: string, params: unknown[]) => api.dataSource.query(sql, params);
  for (const p of seed.persons) {
    await q(
      `INSERT INTO persons (id, name, gender, grid_id, residency) VALUES ($1, '统计', 'MALE', $2, 'REGISTERED')`,
      [p.id, p.grid],
    );
  }
  for (const a of seed.assessments) {
    await q(
      `INSERT INTO assessments (person_id, assessor_id, assessed_at, catalog_version, tier, review_by) VALUES ($1, $2, $3, 1, $4, $5)`,
      [a.personId, userId, a.assessedAt, a.tier, a.reviewBy],
    );
  }
  for (const f of seed.followUps) {
    await q(`INSERT INTO follow_ups (person_id, by_id, occurred_at, method) VALUES ($1, $2, $3, 'VISIT')`, [
      f.personId,
      userId,
      f.at,
    ]);
  }
  for (const d of seed.disputes) {
    await q(
      `INSERT INTO disputes (id, category, description, source, status, level, grid_id, reported_by_id, reported_at, closed_at)
       VALUES ($1, $2, '统计', 'GRID_VISIT', $3, $4, $5, $6, $7, $8)`,
      [d.id, d.category, d.status, d.level, d.grid, userId, d.reportedAt, d.closedAt],
    );
  }
  for (const e of seed.escalations) {
    await q(
      `INSERT INTO dispute_escalations (dispute_id, from_level, to_level, reason, by_id, occurred_at) VALUES ($1, 'GRID', 'VILLAGE', 'x', $2, $3)`,
      [e.disputeId, userId, e.at],
    );
  }
  for (const a of seed.alerts) {
    await q(
      `INSERT INTO alerts (kind, description, tier_at_raise, raised_at, grid_id) VALUES ('ANOMALY', 'x', 'YELLOW', $1, $2)`,
      [a.at, a.grid],
    );
  }
});
afterAll(() => api.close());

function expected(grids: string[], start: Date, end: Date) {
  const inMonth = (at: Date | null) => at !== null && at >= start && at < end;
  const persons = new Set(seed.persons.filter((p) => grids.includes(p.grid)).map((p) => p.id));
  const latest = new Map<string, Seed['assessments'][number]>();
  for (const a of seed.assessments) {
    if (!persons.has(a.personId) || a.assessedAt >= end) continue;
    const current = latest.get(a.personId);
    if (!current || a.assessedAt > current.assessedAt) latest.set(a.personId, a);
  }
  const managed = [...latest.values()].filter((a) => a.tier !== 'NONE');
  const followed = managed.filter((m) =>
    seed.followUps.some((f) => f.personId === m.personId && inMonth(f.at)),
  );
  const overdue = managed.filter((m) => {
    const before = seed.followUps
      .filter((f) => f.personId === m.personId && f.at < end)
      .map((f) => f.at.getTime());
    const last = before.length ? Math.max(...before) : m.assessedAt.getTime();
    return last + (CADENCE[m.tier] ?? 0) * DAY < end.getTime();
  });
  const disputes = seed.disputes.filter((d) => grids.includes(d.grid));
  const reported = disputes.filter((d) => inMonth(d.reportedAt));
  const closed = disputes.filter((d) => inMonth(d.closedAt));
  const count = (items: string[]) =>
    Object.entries(
      items.reduce<Record<string, number>>((acc, key) => ({ ...acc, [key]: (acc[key] ?? 0) + 1 }), {}),
    )
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, n]) => ({ key, count: n }));
  return {
    personsByTier: count([...latest.values()].map((a) => a.tier)),
    managedPersons: managed.length,
    followUpCompliance: managed.length
      ? Math.round((followed.length / managed.length) * 10000) / 10000
      : null,
    disputesReported: reported.length,
    disputesByCategory: count(reported.map((d) => d.category)),
    disputesByLevel: count(reported.map((d) => d.level)),
    disputesByStatus: count(reported.map((d) => d.status)),
    disputesClosed: closed.length,
    disputesResolved: closed.filter((d) => d.status === 'RESOLVED').length,
    escalations: seed.escalations.filter((e) => disputes.some((d) => d.id === e.disputeId) && inMonth(e.at))
      .length,
    overdueFollowUps: overdue.length,
    overdueReviews: managed.filter((m) => m.reviewBy !== null && m.reviewBy < end).length,
    alertsRaised: seed.alerts.filter((a) => grids.includes(a.grid) && inMonth(a.at)).length,
  };
}

const FIGURES = `query($j: ID!, $m: String!) { monthlyFigures(jurisdictionId: $j, month: $m) {
  personsByTier { key count suppressed } managedPersons { count suppressed }
  followUpCompliance { share suppressed } disputesReported { count suppressed }
  disputesByCategory { key count suppressed } disputesByLevel { key count suppressed }
  disputesByStatus { key count suppressed } disputesClosed { count suppressed }
  disputesResolved { count suppressed } escalations { count suppressed }
  overdueFollowUps { count suppressed } overdueReviews { count suppressed } alertsRaised { count suppressed } } }`;

/** The figures of an exact view as plain numbers: every count and share unwrapped, none suppressed. */
function unwrapped(figures: Record<string, any>): Record<string, unknown> {
  const plain = (value: any): unknown => {
    if (Array.isArray(value)) return value.map(plain);
    if (value && typeof value === 'object') {
      expect(value.suppressed).toBe(false);
      if ('share' in value) return value.share;
      if ('key' in value) return { key: value.key, count: value.count };
      return value.count;
    }
    return value;
  };
  return Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, plain(value)]));
}

test('October 2026 for 东村 equals the counts computed from the seed', async () => {
  const leader = await api.login('comprehensive_governance.leader');
  const result = await api.gql(FIGURES, { j: villageA, m: '2026-10' }, leader);
  expect(result.errors).toBeUndefined();
  const grids = [await api.node('gridA'), await api.node('gridB')];
  const want = expected(grids, OCT_START, NOV_START);
  expect(want.disputesReported).toBeGreaterThan(5);
  expect(unwrapped(result.data?.monthlyFigures)).toEqual(want);
});

test('the comparison with September and the police counts', async () => {
  const police = await api.login('police.leader');
  const entered = await api.gql(
    `mutation($input: RecordPoliceCountsInput!) { recordPoliceCounts(input: $input) { policeCounts { disputePoliceCalls } userErrors { message } } }`,
    {
      input: {
        jurisdictionId: villageA,
        month: '2026-10',
        extremeViolenceIncidents: 0,
        resultingHomicides: 0,
        disputePoliceCalls: 12,
      },
    },
    police,
  );
  expect(entered.data?.recordPoliceCounts.policeCounts).toEqual({ disputePoliceCalls: 12 });
  const leader = await api.login('comprehensive_governance.leader');
  const comparison = await api.gql(
    `query($j: ID!) { monthlyComparison(jurisdictionId: $j, month: "2026-10") { changes { figure current previous change suppressed } } }`,
    { j: villageA },
    leader,
  );
  const grids = [await api.node('gridA'), await api.node('gridB')];
  const september = expected(grids, new Date('2026-09-01T00:00:00+08:00'), OCT_START);
  const october = expected(grids, OCT_START, NOV_START);
  const reported = comparison.data?.monthlyComparison.changes.find(
    (c: any) => c.figure === 'disputesReported',
  );
  expect(reported).toEqual({
    figure: 'disputesReported',
    current: october.disputesReported,
    previous: september.disputesReported,
    change: october.disputesReported - september.disputesReported,
    suppressed: false,
  });
  const calls = comparison.data?.monthlyComparison.changes.find(
    (c: any) => c.figure === 'disputePoliceCalls',
  );
  expect(calls).toEqual({
    figure: 'disputePoliceCalls',
    current: 12,
    previous: null,
    change: null,
    suppressed: false,
  });
  const worker = await api.login('civil_affairs.worker');
  expect(errorCodes(await api.gql(FIGURES, { j: villageA, m: '2026-10' }, worker))).toEqual({
    monthlyFigures: 'FORBIDDEN',
  });
  const gridLeader = await api.login('gridb.leader');
  expect(errorCodes(await api.gql(FIGURES, { j: villageA, m: '2026-10' }, gridLeader))).toEqual({
    monthlyFigures: 'NOT_FOUND',
  });
});
