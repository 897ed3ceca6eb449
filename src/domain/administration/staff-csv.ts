// Reading a staff list (CSV) for importUsers: RFC 4180 fields (quotes, doubled quotes, line breaks
// inside quotes, CRLF or LF), a header naming the columns, and every record with the line it starts
// on, so each problem can name its line as a spreadsheet shows it. Pure: no I/O.

export const STAFF_COLUMNS = [
  'username',
  'displayName',
  'departmentCode',
  'position',
  'jurisdictionCode',
] as const;
export type StaffColumn = (typeof STAFF_COLUMNS)[number];

export interface StaffRecord {
  /** The line of the file the record starts on (the header is line 1). */
  line: number;
  values: Record<StaffColumn, string>;
  /** What is wrong with the record's shape (a field too many or too few), or null. */
  shapeProblem: string | null;
}

export type StaffDocument = { records: StaffRecord[] } | { error: string; line: number };

/** The fields of each record of `text`, with the line each record starts on. */
function csvRecords(
  text: string,
): { records: { line: number; fields: string[] }[] } | { error: string; line: number } {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let index = 0;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    // A line with nothing on it is no record.
    if (!(fields.length === 1 && fields[0]?.trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  while (index < text.length) {
    const character = text[index] as string;
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 2;
        continue;
      }
      if (character === '"') quoted = false;
      else {
        if (character === '\n') line += 1;
        field += character;
      }
      index += 1;
      continue;
    }
    if (character === '"' && field.trim() === '') {
      field = '';
      quoted = true;
    } else if (character === '"') {
      return { error: 'a quote inside an unquoted field: quote the whole field and double the quote', line };
    } else if (character === ',') {
      endField();
    } else if (character === '\r' && text[index + 1] === '\n') {
      index += 1;
      continue;
    } else if (character === '\n' || character === '\r') {
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += character;
    }
    index += 1;
  }
  if (quoted) return { error: 'a quoted field is not closed', line: recordLine };
  endRecord();
  return { records };
}

/** The records of a staff list, by header; the error and its line when the file cannot be read. */
export function parseStaffList(text: string): StaffDocument {
  const parsed = csvRecords(text.replace(/^\uFEFF/, ''));
  if ('error' in parsed) return parsed;
  const [header, ...rows] = parsed.records;
  if (!header) return { error: 'the file is empty: it needs a header line and one line per user', line: 1 };
  const names = header.fields.map((name) => name.trim());
  const missing = STAFF_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    return {
      error: `the header lacks ${missing.join(', ')} (columns: ${STAFF_COLUMNS.join(',')})`,
      line: header.line,
    };
  }
  const unknown = names.filter((name) => !(STAFF_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) return { error: `unknown columns ${unknown.join(', ')}`, line: header.line };
  return {
    records: rows.map(({ line, fields }) => ({
      line,
      values: Object.fromEntries(
        STAFF_COLUMNS.map((column) => [column, (fields[names.indexOf(column)] ?? '').trim()]),
      ) as Record<StaffColumn, string>,
      shapeProblem:
        fields.length === names.length
          ? null
          : `${fields.length} fields where the header has ${names.length}`,
    })),
  };
}
