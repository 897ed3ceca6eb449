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
