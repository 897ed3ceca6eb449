// The pure rules of the case review and the quarterly list: dated gaps, quarters, thresholds, and the
// review document with its SVG timeline.
import {
  CaseReview,
  ReviewEntry,
  ReviewEntryKind,
  ReviewGap,
  ReviewGapKind,
} from '../../../src/domain/accountability/case-review.type';
import { reviewMarkdown } from '../../../src/domain/accountability/review-document';
import {
  fallsShort,
  overdueFollowUps,
  quarterMonths,
  ranksOf,
  reviewsOverdue,
  yearlyScore,
} from '../../../src/domain/accountability/rules';
import { yearlyMarkdown } from '../../../src/domain/accountability/yearly-document';
import type { YearlyAssessment } from '../../../src/domain/accountability/yearly.type';
import { IncidentKind } from '../../../src/domain/police/incident.entity';
import { Tier } from '../../../src/domain/risk/risk.enums';

const at = (iso: string) => new Date(`${iso}T00:00:00Z`);

test('a YELLOW person followed up late, then not at all: two dated gaps', () => {
  const gaps = overdueFollowUps(
    [{ at: at('2026-01-01'), tier: Tier.YELLOW, reviewBy: at('2026-04-01') }],
    [at('2026-01-10'), at('2026-02-10')],
    at('2025-06-01'),
    at('2026-03-15'),
  );
  expect(gaps).toEqual([
    { at: at('2026-01-25'), closedAt: at('2026-02-10'), tier: Tier.YELLOW },
    { at: at('2026-02-25'), closedAt: null, tier: Tier.YELLOW },
  ]);
  expect(
    reviewsOverdue(
      [{ at: at('2026-01-01'), tier: Tier.YELLOW, reviewBy: at('2026-03-01') }],
      at('2025-06-01'),
      at('2026-03-15'),
    ),
  ).toEqual([{ at: at('2026-03-01'), closedAt: null, tier: Tier.YELLOW }]);
});

test('quarters and thresholds', () => {
  expect(quarterMonths('2026-Q4')).toEqual(['2026-10', '2026-11', '2026-12']);
  expect(quarterMonths('2026-Q5')).toBeNull();
  const compliance = {
    figure: 'FOLLOW_UP_COMPLIANCE',
    direction: 'AT_LEAST' as const,
    threshold: 0.9,
    weight: 1,
  };
  expect(fallsShort(compliance, 0.85)).toBe(true);
  expect(fallsShort(compliance, null)).toBe(false);
  expect(fallsShort({ ...compliance, direction: 'AT_MOST', threshold: 0 }, 1)).toBe(true);
});

test('the review document lists the gaps with their dates and draws the timeline as SVG', () => {
  const review = Object.assign(new CaseReview(), {
    id: 'incident-1',
    occurredAt: at('2026-03-15'),
    kind: IncidentKind.HOMICIDE,
    place: '东村',
    deaths: 2,
    injuries: 0,
    windowStart: at('2025-03-15'),
    personIds: ['p'],
    disputeIds: [],
    entries: [
      Object.assign(new ReviewEntry(), {
        at: at('2026-01-01'),
        kind: ReviewEntryKind.ASSESSED,
        personId: 'p',
        disputeId: null,
        actor: 'grid.worker',
        summary: 'YELLOW <x>',
      }),
    ],
    gaps: [
      Object.assign(new ReviewGap(), {
        kind: ReviewGapKind.OVERDUE_FOLLOW_UP,
        at: at('2026-01-16'),
        closedAt: null,
        personId: 'p',
        summary: 'YELLOW follow-up due 2026-01-16',
      }),
    ],
  });
  const text = reviewMarkdown(review, 'comprehensive_governance.worker');
  expect(text).toContain('| OVERDUE_FOLLOW_UP | 2026-01-16 | — |');
  expect(text).toContain('<svg');
  expect(text).toContain('YELLOW &lt;x&gt;');
  expect(text.match(/<circle/g)).toHaveLength(1);
});

test('the yearly score weighs each criterion by how far it was met; equal scores share a rank', () => {
  const criteria = [
    { figure: 'FOLLOW_UP_COMPLIANCE', direction: 'AT_LEAST' as const, threshold: 0.9, weight: 0.5 },
    { figure: 'UNACKNOWLEDGED_ALERTS', direction: 'AT_MOST' as const, threshold: 0, weight: 0.5 },
  ];
  expect(yearlyScore(criteria, { FOLLOW_UP_COMPLIANCE: 0.9, UNACKNOWLEDGED_ALERTS: 0 })).toBe(100);
  // 0.45 of 0.9 is half met; one alert over the threshold of none is half met: 50.
  expect(yearlyScore(criteria, { FOLLOW_UP_COMPLIANCE: 0.45, UNACKNOWLEDGED_ALERTS: 1 })).toBe(50);
  // Nothing to measure meets the criterion.
  expect(yearlyScore(criteria, { FOLLOW_UP_COMPLIANCE: null, UNACKNOWLEDGED_ALERTS: 3 })).toBe(62.5);
  expect(ranksOf([50, 100, 50, 20])).toEqual([2, 1, 2, 4]);
});

test('the yearly scorecard document: a bar per score (villages and departments), none for a withheld one, names escaped, the incidents with their review command', () => {
  const count = (value: number | null) => ({ count: value, suppressed: value === null });
  const share = (value: number | null) => ({ share: value, suppressed: value === null });
  const unit = (name: string, score: number | null, rank: number | null) => ({
    unit: { name, code: `C01.S01.${name}` },
    score,
    rank,
    followUpCompliance: share(score === null ? null : 0.9),
    overdueReviews: count(0),
    unacknowledgedAlerts: count(score === null ? null : 1),
    resolutionRate: share(0.8),
    multiFatalityIncidents: count(0),
  });
  const assessment = {
    jurisdiction: { name: '南街<道>' },
    year: 2026,
    multiFatalityIncidents: count(1),
    units: [unit('东村', 90, 1), unit('西村', 50, 2), unit('北村', null, null)],
    departments: [
      {
        ...unit('x', 75, 1),
        unit: null,
        department: { code: 'POLICE', nameZh: '派出所', nameEn: 'Police Station' },
      },
    ],
    incidents: [
      {
        incidentId: '6f1c2f7e-0000-4000-8000-000000000001',
        occurredAt: new Date('2026-05-01T02:00:00Z'),
        kind: 'HOMICIDE',
        deaths: 2,
        injuries: 1,
        unit: { name: '西村', code: 'C01.S01.西村' },
      },
    ],
  } as unknown as YearlyAssessment;
  const text = yearlyMarkdown(assessment, 'comprehensive_governance.leader');
  expect(text).toContain('# 南街<道> 2026 年度考核');
  expect(text.match(/<rect/g)).toHaveLength(3);
  expect(text).toContain('| 1 | 派出所 Police Station | 75 | 90% | 0 | 1 | 80% | 0 |');
  expect(text).toContain(
    '| 2026-05-01T02:00:00.000Z | 西村 | HOMICIDE | 2 | 1 | `npm run review -- --incident 6f1c2f7e-0000-4000-8000-000000000001` |',
  );
  expect(text).toContain('| 1 | 东村 (C01.S01.东村) | 90 | 90% | 0 | 1 | 80% | 0 |');
  expect(text).toContain('| — | 北村 (C01.S01.北村) | — | <5 | 0 | <5 | 80% | 0 |');
  expect(text).toContain('more than one death in the year: **1**');
});
