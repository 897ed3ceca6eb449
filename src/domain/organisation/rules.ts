// Pure rules of the organisation's administration: where a new node may go in the tree, and how a
// count of records is shown to an account that reads no personal data.
import { JURISDICTION_LEVEL_ORDER, JurisdictionLevel } from './organisation.enums';

/** The level a node of `level` hangs under (CITY > STREET > VILLAGE > GRID), or null for the city. */
export function parentLevelOf(level: JurisdictionLevel): JurisdictionLevel | null {
  const index = JURISDICTION_LEVEL_ORDER.indexOf(level);
  return index > 0 ? (JURISDICTION_LEVEL_ORDER[index - 1] ?? null) : null;
}

/** The last part of a node's code: `C01.S01.V01.G02` → `G02`. */
export function localCodeOf(code: string): string {
  return code.slice(code.lastIndexOf('.') + 1);
}

export const SMALL_CELL = 5;

/**
 * A count as shown to a reader (SPEC §4, small cells): exact when the reader's row scope covers every
 * record counted, else 0–4 shown as <5 — the same rule as the monthly figures.
 */
export function shownCount(count: number, exact: boolean): { count: number | null; suppressed: boolean } {
  if (exact || count >= SMALL_CELL) return { count, suppressed: false };
  return { count: null, suppressed: true };
}
