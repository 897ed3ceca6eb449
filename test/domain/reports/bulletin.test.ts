// The bulletin's text and chart come from the figures alone.
import { bulletinMarkdown, trendSvg } from '../../../src/domain/reports/bulletin';
import type { MonthlyFigures } from '../../../src/domain/reports/monthly-figures.type';
import { parseMonth } from '../../../src/domain/reports/rules';

const figures = (month: string, reported: number): MonthlyFigures =>
  ({
    jurisdiction: {
      id: 'j',
      code: 'C01.S01',
      name: '和平街道',
      level: 'STREET',
      parentId: null,
      path: 'C01.S01',
    },
    month,
    personsByTier: [{ key: 'RED', count: 1 }],
    managedPersons: 3,
    followUpCompliance: 0.5,
    disputesReported: reported,
    disputesByCategory: [],
    disputesByLevel: [],
    disputesByStatus: [],
    disputesClosed: 2,
    disputesResolved: 1,
    resolutionRate: 0.5,
    escalations: 0,
    overdueFollowUps: 1,
    overdueReviews: 0,
    alertsRaised: 0,
    policeCounts: null,
  }) as MonthlyFigures;

test('month boundaries are China Standard Time and roll over the year', () => {
  expect(parseMonth('2026-01')?.previous).toBe('2025-12');
  expect(parseMonth('2026-12')?.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  expect(parseMonth('2026-13')).toBeNull();
});

test('the bulletin compares with the previous month and draws one line per series', () => {
  const history = [figures('2026-09', 4), figures('2026-10', 9)];
  const text = bulletinMarkdown(history, 'chart.svg');
  expect(text).toContain('| 新登记纠纷 / Disputes reported | 9 | 4 |');
  expect(text).toContain('| 化解率 / Resolution rate | 50.0% | 50.0% |');
  expect(text).toContain('![趋势 / Trend](chart.svg)');
  const svg = trendSvg(history);
  expect(svg.match(/<polyline/g)).toHaveLength(3);
  expect(svg).toContain('2026-10');
});
