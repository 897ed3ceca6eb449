// Which inputs of the schema are dates, and what a plausible value of each is (SPEC §5, input
// hygiene): real calendar dates, nothing before 1900, nothing in the future beyond clock skew.
// Every date-typed argument or input field must be named in DATE_FIELDS: the schema build refuses an
// unclassified one, so a new date input cannot reach PostgreSQL (or a newest-first list) unchecked.

/**
 * - `pastDay`: 'YYYY-MM-DD', a real calendar date from 1900-01-01 to today (birth dates, the day
 *   something happened).
 * - `pastMonth`: 'YYYY-MM', from 1900-01 to this month (monthly figures and counts).
 * - `pastInstant`: a DateTimeISO from 1900 to now plus CLOCK_SKEW_MS (when something happened).
 * - `searchBound`: a DateTimeISO bounding a search: any instant from 1900 to the end of 9999 (a
 *   filter reaching into the future finds nothing, which is a fine answer).
 * No input takes a future date today: review-by and due dates are computed, not entered. Such a field
 * needs a kind of its own here, with its own upper bound.
 */
export type TextDateKind = 'pastDay' | 'pastMonth';
export type InstantKind = 'pastInstant' | 'searchBound';
export type DateKind = TextDateKind | InstantKind;

/** Date-typed inputs by field or argument name, wherever they appear in the schema. */
export const DATE_FIELDS: Readonly<Record<string, DateKind>> = {
  birthDate: 'pastDay',
  occurredOn: 'pastDay',
  judicialConfirmationDate: 'pastDay',
  month: 'pastMonth',
  reportedAt: 'pastInstant',
  occurredAt: 'pastInstant',
  heldAt: 'pastInstant',
  soldAt: 'pastInstant',
  from: 'searchBound',
  to: 'searchBound',
  reportedFrom: 'searchBound',
  reportedBefore: 'searchBound',
};

export function isInstantKind(kind: DateKind): kind is InstantKind {
  return kind === 'pastInstant' || kind === 'searchBound';
}

/** The GraphQL scalar date-times arrive as (a Date once parsed). */
export const DATE_TIME_SCALAR = 'DateTimeISO';

/**
 * Whether a String input of this name looks like a date and so must be classified: `…Date`,
 * `…Month`, `…Day`, `…At`, `…On`, or a bare `date`, `month`, `day`, `from`, `to`, `since`, `until`.
 */
export function looksLikeDateName(name: string): boolean {
  return /^(date|month|day|from|to|since|until)$|[a-z](Date|Month|Day|At|On)$/.test(name);
}

/** How far ahead of the server's clock a client's "now" may be. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
const EARLIEST_DAY = '1900-01-01';
const EARLIEST_MONTH = '1900-01';
const EARLIEST_INSTANT = Date.UTC(1900, 0, 1);
const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** UTC+14, the zone where a calendar day starts first: "today" is never refused anywhere on Earth. */
const EARLIEST_ZONE_MS = 14 * 60 * 60 * 1000;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Today's date ('YYYY-MM-DD') where it is latest, by the request clock. */
function latestToday(now: Date): string {
  return new Date(now.getTime() + EARLIEST_ZONE_MS).toISOString().slice(0, 10);
}

/** What is wrong with a 'YYYY-MM-DD' date, or null when it is a real date (no range). */
export function calendarDayProblem(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return 'must be a date as YYYY-MM-DD';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `${value} is not a date in the calendar`;
  }
  return null;
}

/** What is wrong with a past calendar day, or null. Both formats make string order date order. */
function pastDayProblem(value: string, now: Date): string | null {
  const problem = calendarDayProblem(value);
  if (problem) return problem;
  if (value < EARLIEST_DAY) return `must not be before ${EARLIEST_DAY}`;
  const today = latestToday(now);
  if (value > today) return `must not be in the future (after ${today})`;
  return null;
}

function pastMonthProblem(value: string, now: Date): string | null {
  const match = /^(\d{4})-(\d{2})$/.exec(value);
  if (!match) return 'must be a month as YYYY-MM';
  const month = Number(match[2]);
  if (month < 1 || month > 12) return `${value} is not a month in the calendar`;
  if (value < EARLIEST_MONTH) return `must not be before ${EARLIEST_MONTH}`;
  const thisMonth = latestToday(now).slice(0, 7);
  if (value > thisMonth) return `must not be in the future (after ${thisMonth})`;
  return null;
}

/** What is wrong with a date given as text, or null. */
export function textDateProblem(kind: TextDateKind, value: string, now: Date): string | null {
  return kind === 'pastDay' ? pastDayProblem(value, now) : pastMonthProblem(value, now);
}

/** What is wrong with a date-time, or null. */
export function instantProblem(kind: InstantKind, value: Date, now: Date): string | null {
  const time = value.getTime();
  if (Number.isNaN(time)) return 'must be a real date and time';
  if (time < EARLIEST_INSTANT) return 'must not be before 1900';
  if (kind === 'pastInstant' && time > now.getTime() + CLOCK_SKEW_MS) {
    return `must not be in the future (now is ${now.toISOString()})`;
  }
  if (time > LATEST_INSTANT) return 'must not be after 9999';
  return null;
}
