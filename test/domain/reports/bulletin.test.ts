// The bulletin's text and chart come from the figures alone.
import { bulletinMarkdown, trendSvg } from '../../../src/domain/reports/bulletin';
import type { MonthlyFigures } from '../../../src/domain/reports/monthly-figures.type';
import { parseMonth } from '../../../src/domain/reports/rules';

const exact = (count: number) => ({ count, suppressed: false });
const SMALL = { count: null, suppressed: true };

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
    personsByTier: [{ key: 'RED', ...exact(1) }],
    managedPersons: exact(3),
    followUpCompliance: { share: 0.5, suppressed: false },
    disputesReported: exact(reported),
    disputesByCategory: [],
    disputesByLevel: [],
    disputesByStatus: [],
    disputesClosed: exact(2),
    disputesResolved: exact(1),
    resolutionRate: { share: 0.5, suppressed: false },
    escalations: exact(0),
    overdueFollowUps: exact(1),
    overdueReviews: exact(0),
    overridesEnded: exact(0),
    alertsRaised: exact(0),
    multiFatalityIncidents: exact(reported > 5 ? 1 : 0),
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
  // 一确保: incidents with more than one death have a line of their own.
  expect(text).toContain('| 一确保：多人死亡案件 / Incidents with more than one death | 1 | 0 |');
  const svg = trendSvg(history);
  expect(svg.match(/<polyline/g)).toHaveLength(3);
  expect(svg).toContain('2026-10');
});

test('a suppressed count reads <5 and a withheld figure —', () => {
  const suppressed = {
    ...figures('2026-10', 9),
    managedPersons: SMALL,
    followUpCompliance: { share: null, suppressed: true },
    disputesReported: null,
    disputesByCategory: null,
    personsByTier: [
      { key: 'RED', ...SMALL },
      { key: 'YELLOW', ...exact(7) },
    ],
  } as MonthlyFigures;
  const text = bulletinMarkdown([suppressed], 'chart.svg');
  expect(text).toContain('| 在管人数 / Managed persons | <5 | — |');
  expect(text).toContain('| 管控率 / Follow-up compliance | — | — |');
  expect(text).toContain('| 新登记纠纷 / Disputes reported | — | — |');
  expect(text).toContain('按级别 / Persons by assessed tier: RED <5，YELLOW 7');
  expect(text).toContain('按类别 / Disputes by category: —');
});
