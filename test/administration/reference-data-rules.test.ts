// The pure rules behind the tree and reference data administration: what a catalog version may hold,
// how two versions differ, where a node goes in the tree, and how a count is shown to an ADMIN.
import indicatorCatalogFile from '../../src/database/reference-data/indicator-catalog.json';
import { catalogDifference, catalogProblems, type CatalogEntry } from '../../src/domain/risk/catalog-rules';
import { excludedConceptIn } from '../../src/domain/risk/excluded-concepts';
import { JurisdictionLevel } from '../../src/domain/organisation/organisation.enums';
import { localCodeOf, parentLevelOf, shownCount } from '../../src/domain/organisation/rules';

const V1: CatalogEntry[] = indicatorCatalogFile.indicators;

test('the shipped catalog passes its own rules', () => {
  expect(catalogProblems(V1)).toEqual([]);
});

test('an entry naming what Concord never records is refused, in English or Chinese, by code or name', () => {
  for (const text of [
    'SEXUAL_ORIENTATION',
    'Religious belief',
    '信仰宗教',
    '少数民族',
    '多次上访',
    '信访人',
    '向有关部门投诉',
    '未婚同居',
    '怀孕',
    '子女数量多',
    '政治观点',
    'PETITIONED_TWICE',
    'Lawful complaints',
  ]) {
    expect([text, excludedConceptIn(text)]).toEqual([text, expect.any(String)]);
  }
  for (const entry of V1) {
    expect([entry.code, excludedConceptIn(`${entry.code} ${entry.nameZh} ${entry.nameEn}`)]).toEqual([
      entry.code,
      null,
    ]);
  }
  // Threats of violence are conduct, whoever they are aimed at.
  expect(excludedConceptIn('扬言伤害子女')).toBeNull();
});

test('a catalog is refused whole when it lacks a category, and entry by entry otherwise', () => {
  const earlier = new Map(V1.map((entry) => [entry.code, entry.category]));
  const problems = catalogProblems(
    [
      { code: 'VOLATILE_TEMPER', category: 'BEHAVIOR', nameZh: '暴躁易怒', nameEn: 'Volatile temper' },
      { code: 'bad code', category: 'BEHAVIOR', nameZh: '坏', nameEn: 'Bad' },
      { code: 'OPEN_DISPUTE', category: 'EVENT', nameZh: '有未结纠纷', nameEn: 'Open dispute' },
    ],
    earlier,
  );
  expect(problems.map((problem) => [problem.index, problem.field])).toEqual([
    [0, 'category'],
    [1, 'code'],
    [2, 'category'],
    [null, null],
  ]);
  expect(problems[3]?.message).toMatch(/at least one CHARACTER/);
});

test('the difference between two versions names what was added, removed and renamed', () => {
  const next = [
    ...V1.filter((entry) => entry.code !== 'WITHDRAWN').map((entry) =>
      entry.code === 'ERRATIC' ? { ...entry, nameEn: 'Changeable' } : entry,
    ),
    { code: 'STALKING', category: 'BEHAVIOR', nameZh: '跟踪尾随', nameEn: 'Stalking' },
  ];
  expect(catalogDifference(V1, next)).toEqual({
    added: ['STALKING'],
    removed: ['WITHDRAWN'],
    renamed: ['ERRATIC'],
  });
  expect(catalogDifference(V1, V1)).toEqual({ added: [], removed: [], renamed: [] });
});

test('a node goes under the level above it; a count below 5 reads <5 unless the reader sees every record', () => {
  expect(parentLevelOf(JurisdictionLevel.GRID)).toBe(JurisdictionLevel.VILLAGE);
  expect(parentLevelOf(JurisdictionLevel.VILLAGE)).toBe(JurisdictionLevel.STREET);
  expect(parentLevelOf(JurisdictionLevel.STREET)).toBe(JurisdictionLevel.CITY);
  expect(parentLevelOf(JurisdictionLevel.CITY)).toBeNull();
  expect(localCodeOf('C01.S01.V01.G02')).toBe('G02');
  expect(shownCount(0, false)).toEqual({ count: null, suppressed: true });
  expect(shownCount(4, false)).toEqual({ count: null, suppressed: true });
  expect(shownCount(5, false)).toEqual({ count: 5, suppressed: false });
  expect(shownCount(2, true)).toEqual({ count: 2, suppressed: false });
});
