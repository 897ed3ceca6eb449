// The tier rule (SPEC §3) for every combination of element categories, and an approved override over it.
import { IndicatorCategory, Tier } from '../../../src/domain/risk/risk.enums';
import {
  computeTier,
  effectiveTier,
  reviewByDate,
  type IndicatorApplied,
} from '../../../src/domain/risk/rules';

const character: IndicatorApplied = { code: 'VOLATILE_TEMPER', category: IndicatorCategory.CHARACTER };
const character2: IndicatorApplied = { code: 'HOPELESSNESS', category: IndicatorCategory.CHARACTER };
const behavior: IndicatorApplied = { code: 'THREATENED_HARM', category: IndicatorCategory.BEHAVIOR };

const cases: [string, IndicatorApplied[], string[], Tier, IndicatorCategory[]][] = [
  ['nothing', [], [], Tier.NONE, []],
  ['character only', [character], [], Tier.YELLOW, [IndicatorCategory.CHARACTER]],
  [
    'two character indicators count once',
    [character, character2],
    [],
    Tier.YELLOW,
    [IndicatorCategory.CHARACTER],
  ],
  ['behaviour only', [behavior], [], Tier.YELLOW, [IndicatorCategory.BEHAVIOR]],
  ['open dispute only', [], ['d1'], Tier.YELLOW, [IndicatorCategory.EVENT]],
  ['two open disputes count once', [], ['d1', 'd2'], Tier.YELLOW, [IndicatorCategory.EVENT]],
  [
    'character + behaviour',
    [character, behavior],
    [],
    Tier.ORANGE,
    [IndicatorCategory.CHARACTER, IndicatorCategory.BEHAVIOR],
  ],
  [
    'character + event',
    [character],
    ['d1'],
    Tier.ORANGE,
    [IndicatorCategory.CHARACTER, IndicatorCategory.EVENT],
  ],
  [
    'behaviour + event',
    [behavior],
    ['d1'],
    Tier.ORANGE,
    [IndicatorCategory.BEHAVIOR, IndicatorCategory.EVENT],
  ],
  [
    'all three',
    [character, behavior],
    ['d1'],
    Tier.RED,
    [IndicatorCategory.CHARACTER, IndicatorCategory.BEHAVIOR, IndicatorCategory.EVENT],
  ],
];

test.each(cases)('%s', (_label, indicators, disputes, tier, categories) => {
  const result = computeTier({
    latestAssessmentIndicators: indicators,
    openDisputeIds: disputes,
    assessmentId: 'a1',
    catalogVersion: 1,
  });
  expect(result.tier).toBe(tier);
  expect(result.categories).toEqual(categories);
  expect(result.disputeIds).toEqual([...disputes].sort());
  expect(result.catalogVersion).toBe(1);
});

test('review-by dates: RED 30, ORANGE 60, YELLOW 90 days, none for NONE', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  expect(reviewByDate(Tier.RED, at)?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  expect(reviewByDate(Tier.ORANGE, at)?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
  expect(reviewByDate(Tier.YELLOW, at)?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
  expect(reviewByDate(Tier.NONE, at)).toBeNull();
});

describe('effectiveTier', () => {
  const now = new Date('2026-05-01T08:00:00Z');
  const named = { ...character, nameZh: '脾气暴躁', nameEn: 'Volatile temper' };
  const input = {
    latestAssessmentIndicators: [named],
    openDisputeIds: ['d1'],
    assessmentId: 'a1',
    catalogVersion: 1,
  };

  test('without an override the rule speaks, and the explanation says why', () => {
    expect(effectiveTier(input, null, now)).toEqual({
      tier: Tier.ORANGE,
      computedTier: Tier.ORANGE,
      override: null,
      categories: [IndicatorCategory.CHARACTER, IndicatorCategory.EVENT],
      indicators: [named],
      disputeIds: ['d1'],
      assessmentId: 'a1',
      catalogVersion: 1,
      computedAt: '2026-05-01T08:00:00.000Z',
    });
  });

  test('an approved override sets the tier in effect; the computed tier is kept beside it', () => {
    const override = {
      requestId: 'r1',
      tier: Tier.RED,
      reason: 'threats reported by neighbours',
      requestedById: 'u1',
      decidedById: 'u2',
      decidedAt: '2026-04-30T10:00:00.000Z',
    };
    const explained = effectiveTier(input, override, now);
    expect(explained.tier).toBe(Tier.RED);
    expect(explained.computedTier).toBe(Tier.ORANGE);
    expect(explained.override).toBe(override);
  });
});
