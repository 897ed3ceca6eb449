// How the API's connections read `timestamptz` values. PostgreSQL sends them as text in the session's
// time zone ("2026-11-29 06:35:24.08+00"); pg parses that with postgres-date, a regular-expression
// parser, a visible share of a dashboard's server CPU as it reads many timestamps
// (docs/performance.md#timestamp-parsing). `parseTimestamptz` reads the usual shape by character
// codes, several times faster, and hands
// every other shape (BC, infinity, years before 100, anything unexpected) to postgres-date, so what
// it returns is always what pg would have returned. Other types keep pg's parsers.
import { types } from 'pg';

const TIMESTAMPTZ = 1184;

const parsePostgresDate = types.getTypeParser(TIMESTAMPTZ, 'text') as (value: string) => unknown;

/** The number in `text[from, to)`, or -1 if a character there is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let index = from; index < to; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** "YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]" as a Date (to the millisecond, truncated, as pg does). */
export function parseTimestamptz(text: string): unknown {
  if (text.length < 22 || text.charCodeAt(4) !== 45 /* - */ || text.charCodeAt(10) !== 32 /*   */) {
    return parsePostgresDate(text);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  let index = 19;
  let milliseconds = 0;
  if (text.charCodeAt(index) === 46 /* . */) {
    index += 1;
    let scale = 100;
    for (; index < text.length; index += 1) {
      const digit = text.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) break;
      milliseconds += digit * scale;
      scale /= 10;
    }
    milliseconds = Math.floor(milliseconds);
  }
  const sign = text.charCodeAt(index);
  const offsetLength = text.length - index - 1;
  if ((sign !== 43 /* + */ && sign !== 45) /* - */ || ![2, 5, 8].includes(offsetLength)) {
    return parsePostgresDate(text);
  }
  const offsetHours = digits(text, index + 1, index + 3);
  const offsetMinutes = offsetLength >= 5 ? digits(text, index + 4, index + 6) : 0;
  const offsetSeconds = offsetLength === 8 ? digits(text, index + 7, index + 9) : 0;
  // Years 0-99 mean 1900-1999 to Date.UTC; postgres-date corrects for that, so leave them to it.
  if (
    year < 100 ||
    Math.min(month, day, hour, minute, second, offsetHours, offsetMinutes, offsetSeconds) < 0
  ) {
    return parsePostgresDate(text);
  }
  const offset = ((offsetHours * 60 + offsetMinutes) * 60 + offsetSeconds) * 1000;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds);
  return new Date(sign === 43 ? utc - offset : utc + offset);
}

/** The type parsers of the API's connections (pg's `types` option): pg's, but for timestamptz. */
export const connectionTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): unknown {
    if (oid === TIMESTAMPTZ && (format ?? 'text') === 'text') return parseTimestamptz;
    return types.getTypeParser(oid, format ?? 'text');
  },
};
