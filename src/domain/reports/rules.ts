// Pure rules of the monthly bulletin (一月一通报): month boundaries in China Standard Time, and the
// month-over-month change of each figure.

/** The township keeps its books in China Standard Time (UTC+8, no daylight saving). */
export const REPORT_UTC_OFFSET = '+08:00';

export function parseMonth(month: string): { start: Date; end: Date; previous: string } | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) return null;
  const year = Number(match[1]);
  const index = Number(match[2]);
  const iso = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}`;
  const next = index === 12 ? iso(year + 1, 1) : iso(year, index + 1);
  const previous = index === 1 ? iso(year - 1, 12) : iso(year, index - 1);
  return {
    start: new Date(`${month}-01T00:00:00${REPORT_UTC_OFFSET}`),
    end: new Date(`${next}-01T00:00:00${REPORT_UTC_OFFSET}`),
    previous,
  };
}

export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10000) / 10000;
}

/** Counts below this are small cells (SPEC §4): shown as <5 to accounts that do not see every record. */
export const SMALL_CELL_LIMIT = 5;

/** How a reader gets the figures: exact or with small cells suppressed, with or without disputes. */
export interface FigureView {
  /** The reader's row scope covers every record counted (the coordinating departments). */
  exact: boolean;
  /** The reader sees disputes at all (not YOUTH_LEAGUE). */
  disputes: boolean;
}

/** The view of whoever may see everything: the CLI bulletin and the coordinators. */
export const EXACT_VIEW: FigureView = { exact: true, disputes: true };

export interface ShownCount {
  count: number | null;
  suppressed: boolean;
}

export function shownCount(count: number, view: FigureView): ShownCount {
  return !view.exact && count < SMALL_CELL_LIMIT
    ? { count: null, suppressed: true }
    : { count, suppressed: false };
}

/**
 * A share of `part` in `whole`. With small cells suppressed it is shown only when the part, the whole
 * and the rest are all 5 or more: the share and the whole together give the part (and the rest) away.
 */
export function shownShare(
  part: number,
  whole: number,
  view: FigureView,
): { share: number | null; suppressed: boolean } {
  if (!view.exact && Math.min(part, whole, whole - part) < SMALL_CELL_LIMIT)
    return { share: null, suppressed: true };
  return { share: ratio(part, whole), suppressed: false };
}

/**
 * Counts by key. Exact readers get the keys that have records; the others get every key of `keys`,
 * each shown or suppressed, so that whether a key is listed says nothing either.
 */
export function shownKeyCounts(
  counted: readonly { key: string; count: number }[],
  keys: readonly string[],
  view: FigureView,
): ({ key: string } & ShownCount)[] {
  if (view.exact) return counted.map(({ key, count }) => ({ key, count, suppressed: false }));
  const byKey = new Map(counted.map(({ key, count }) => [key, count]));
  const all = [...new Set([...keys, ...byKey.keys()])].sort();
  return all.map((key) => ({ key, ...shownCount(byKey.get(key) ?? 0, view) }));
}
