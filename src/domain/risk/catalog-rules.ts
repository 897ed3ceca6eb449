// Pure rules of the indicator catalog (识别要素目录, SPEC §3): what a version may hold — hand-entered
// CHARACTER and BEHAVIOR indicators only, each with a code, a Chinese and an English name, none naming
// what Concord never records (SPEC §1) — and how one version differs from another. Checked for every
// version, the file's at start (reference-data.ts) and each one an ADMIN publishes.
import { excludedConceptIn } from './excluded-concepts';
import { IndicatorCategory } from './risk.enums';

export interface CatalogEntry {
  code: string;
  category: string;
  nameZh: string;
  nameEn: string;
}

export interface CatalogProblem {
  /** Index of the entry at fault, or null for the version as a whole. */
  index: number | null;
  field: keyof CatalogEntry | null;
  message: string;
}

export const CATALOG_MAX_ENTRIES = 100;
export const CATALOG_NAME_MAX = 100;
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const HAN = /\p{Script=Han}/u;
/** The categories entered by hand; EVENT comes from open disputes. */
const ENTERED: readonly string[] = [IndicatorCategory.CHARACTER, IndicatorCategory.BEHAVIOR];

/**
 * What is wrong with `entries` as a catalog version. `earlierCategories`: the category each code had
 * in the versions before (a code keeps its meaning, so an old assessment and a new one that name it
 * mean the same; a different category needs a new code).
 */
export function catalogProblems(
  entries: readonly CatalogEntry[],
  earlierCategories: ReadonlyMap<string, string> = new Map(),
): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const whole = (message: string) => problems.push({ index: null, field: null, message });
  if (entries.length > CATALOG_MAX_ENTRIES)
    whole(`A catalog holds at most ${CATALOG_MAX_ENTRIES} indicators`);
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const at = (field: keyof CatalogEntry, message: string) => problems.push({ index, field, message });
    if (!CODE.test(entry.code)) {
      at(
        'code',
        `${entry.code} is not an indicator code: capital letters, digits and _, such as VOLATILE_TEMPER`,
      );
    } else if (seen.has(entry.code)) {
      at('code', `${entry.code} is listed twice`);
    }
    seen.add(entry.code);
    if (!ENTERED.includes(entry.category)) {
      at(
        'category',
        `${entry.code}: the category must be CHARACTER or BEHAVIOR (EVENT comes from open disputes, never from the catalog)`,
      );
    }
    const before = earlierCategories.get(entry.code);
    if (before !== undefined && before !== entry.category && ENTERED.includes(entry.category)) {
      at(
        'category',
        `${entry.code} was a ${before} indicator in earlier versions; a code keeps its category (use a new code)`,
      );
    }
    if (!HAN.test(entry.nameZh) || entry.nameZh.trim().length > CATALOG_NAME_MAX) {
      at('nameZh', `${entry.code}: the Chinese name must be Chinese, 1–${CATALOG_NAME_MAX} characters`);
    }
    if (entry.nameEn.trim() === '' || entry.nameEn.trim().length > CATALOG_NAME_MAX * 2) {
      at('nameEn', `${entry.code}: the English name must be 1–${CATALOG_NAME_MAX * 2} characters`);
    }
    for (const field of ['code', 'nameZh', 'nameEn'] as const) {
      const concept = excludedConceptIn(entry[field]);
      if (concept) {
        at(
          field,
          `${entry.code}: "${concept}" names something Concord never records (SPEC §1: orientation or gender identity, ` +
            'family size or pregnancy, religion, ethnicity, political opinion, petitioning or lawful complaints and speech); ' +
            'risk comes only from observed conduct and open disputes',
        );
        break;
      }
    }
  });
  for (const category of ENTERED) {
    if (!entries.some((entry) => entry.category === category))
      whole(`A catalog needs at least one ${category} indicator: the tier counts the categories that apply`);
  }
  return problems;
}

export interface CatalogDifference {
  added: string[];
  removed: string[];
  /** Codes kept whose names changed. */
  renamed: string[];
}

/** How `next` differs from `previous`, by code. */
export function catalogDifference(
  previous: readonly CatalogEntry[],
  next: readonly CatalogEntry[],
): CatalogDifference {
  const before = new Map(previous.map((entry) => [entry.code, entry]));
  const after = new Map(next.map((entry) => [entry.code, entry]));
  return {
    added: [...after.keys()].filter((code) => !before.has(code)).sort(),
    removed: [...before.keys()].filter((code) => !after.has(code)).sort(),
    renamed: [...after.values()]
      .filter((entry) => {
        const old = before.get(entry.code);
        return old !== undefined && (old.nameZh !== entry.nameZh || old.nameEn !== entry.nameEn);
      })
      .map((entry) => entry.code)
      .sort(),
  };
}
