// seed:scale sets every tier in one SQL statement, for speed at 100 000 persons; the tier rule lives in
// risk/rules.ts. A small city seeded the same way must hold, for every person, the tier, explanation
// and review date that the rule (recomputeTiers, reviewByDate) gives on the same data.
import { cityShape, gridPopulations, seedScale } from '../../src/cli/seed-scale';
import { Tier } from '../../src/domain/risk/risk.enums';
import { nameSearchKey } from '../../src/domain/people/rules';
import { reviewByDate } from '../../src/domain/risk/rules';
import { recomputeTiers } from '../../src/domain/risk/tier.service';
import type { TierExplanationData } from '../../src/domain/risk/tier-explanation.type';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  await seedScale(api.dataSource, 300);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await api.close();
});

interface StoredTier {
  id: string;
  tier: Tier;
  computed_tier: Tier;
  tier_explanation_data: TierExplanationData | null;
}

const SCALE_CITY = `SELECT p.id, p.tier, p.computed_tier, p.tier_explanation_data
                      FROM persons p JOIN jurisdictions j ON j.id = p.grid_id
                     WHERE j.path LIKE 'S-C01.%' ORDER BY p.id`;

/** The explanation without the moment it was written. */
function reasons(data: TierExplanationData | null): Omit<TierExplanationData, 'computedAt'> | null {
  if (!data) return null;
  const { computedAt: _computedAt, ...rest } = data;
  return rest;
}

test('every seeded person has the tier the rule gives, for the same reasons', async () => {
  const seeded: StoredTier[] = await api.dataSource.query(SCALE_CITY);
  expect(seeded).toHaveLength(300);
  // The seed covers every tier, or the comparison proves little.
  expect(new Set(seeded.map((person) => person.tier))).toEqual(
    new Set([Tier.NONE, Tier.YELLOW, Tier.ORANGE, Tier.RED]),
  );

  const recomputed = await api.dataSource.transaction(async (tx) => {
    await recomputeTiers(
      tx,
      seeded.map((person) => person.id),
      new Date(),
    );
    const rows: StoredTier[] = await tx.query(SCALE_CITY);
    return rows;
  });

  const differences = seeded.flatMap((person, index) => {
    const rule = recomputed[index]!;
    const same =
      rule.id === person.id &&
      rule.tier === person.tier &&
      rule.computed_tier === person.computed_tier &&
      // A person the seed left untouched (no assessment, no open dispute) has no explanation yet.
      (person.tier_explanation_data === null
        ? rule.tier === Tier.NONE
        : JSON.stringify(reasons(rule.tier_explanation_data)) ===
          JSON.stringify(reasons(person.tier_explanation_data)));
    return same ? [] : [{ seeded: person, rule }];
  });
  expect(differences).toEqual([]);
});

test('every seeded assessment is due for review when the rule says, by the tier it produced', async () => {
  const assessments: { tier: Tier; assessed_at: Date; review_by: Date | null }[] = await api.dataSource.query(
    `SELECT a.tier, a.assessed_at, a.review_by
       FROM assessments a JOIN persons p ON p.id = a.person_id JOIN jurisdictions j ON j.id = p.grid_id
      WHERE j.path LIKE 'S-C01.%'`,
  );
  expect(assessments.length).toBeGreaterThan(0);
  for (const assessment of assessments) {
    expect(assessment.review_by?.toISOString() ?? null).toBe(
      reviewByDate(assessment.tier, assessment.assessed_at)?.toISOString() ?? null,
    );
  }
});

test('every seeded person is found by name search, in characters and in pinyin', async () => {
  const rows: { name: string; name_search: string | null }[] = await api.dataSource.query(
    `SELECT p.name, p.name_search FROM persons p JOIN jurisdictions j ON j.id = p.grid_id
      WHERE j.path LIKE 'S-C01.%'`,
  );
  expect(rows.filter((row) => row.name_search !== nameSearchKey(row.name))).toEqual([]);
});

test('the city grows by streets, not by fuller streets: a street holds 40 grids of about 1,000 persons', () => {
  const shape = (persons: number) => {
    const { villagesPerStreet, gridsPerVillage } = cityShape(persons);
    return { streets: villagesPerStreet.length, villagesPerStreet, gridsPerVillage };
  };
  expect(shape(100_000)).toEqual({ streets: 3, villagesPerStreet: [10, 10, 5], gridsPerVillage: 4 });
  const million = shape(1_000_000);
  expect(million.streets).toBe(25);
  expect(million.villagesPerStreet.every((villages) => villages === 10)).toBe(true);
  // A small test city still has one village of grids to spread its persons over.
  expect(shape(300)).toEqual({ streets: 1, villagesPerStreet: [1], gridsPerVillage: 4 });
});

test('a street holds the same persons, grid by grid, in a city of 100,000 and one of 1,000,000', () => {
  const codesOf = (persons: number) => {
    const { villagesPerStreet, gridsPerVillage } = cityShape(persons);
    const two = (n: number) => String(n).padStart(2, '0');
    return villagesPerStreet.flatMap((villages, s) =>
      Array.from({ length: villages }, (_, v) =>
        Array.from(
          { length: gridsPerVillage },
          (_, g) => `S-C01.S${two(s + 1)}.V${two(v + 1)}.G${two(g + 1)}`,
        ),
      ).flat(),
    );
  };
  const firstStreet = (persons: number) => {
    const codes = codesOf(persons);
    const counts = gridPopulations(codes, persons);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(persons);
    return codes.flatMap((code, index) => (code.startsWith('S-C01.S01.') ? [counts[index] ?? 0] : []));
  };
  const small = firstStreet(100_000);
  const large = firstStreet(1_000_000);
  expect(small).toHaveLength(40);
  expect(large).toHaveLength(40);
  small.forEach((count, grid) => expect(Math.abs(count - (large[grid] ?? 0))).toBeLessThanOrEqual(1));
  expect(Math.abs(small.reduce((a, b) => a + b, 0) - 40_000)).toBeLessThanOrEqual(40);
  // Grids differ as real ones do: the weights spread them between half and one and a half times 1,000.
  expect(Math.min(...small)).toBeLessThan(800);
  expect(Math.max(...small)).toBeGreaterThan(1200);
});
