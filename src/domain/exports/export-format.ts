// The bytes of an export file: CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs
// read Chinese, lists joined with `;`) or NDJSON (one JSON object per line, the cells as JSON values).
import { stringify } from 'csv-stringify/sync';
import type { ChosenColumn, ExportFormat } from './export-columns';
import type { ExportRow } from './export-run';

export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const BYTE_ORDER_MARK = '\uFEFF';

/** What opens the file: CSV's header line; nothing for NDJSON. */
export function fileStart(format: ExportFormat, columns: readonly ChosenColumn[]): string {
  if (format === 'ndjson') return '';
  return BYTE_ORDER_MARK + stringify([columns.map((column) => column.name)]);
}

/** One page of rows, in the file's format. */
export function pageText(
  format: ExportFormat,
  columns: readonly ChosenColumn[],
  rows: readonly ExportRow[],
): string {
  if (rows.length === 0) return '';
  if (format === 'ndjson') return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  return stringify(
    rows.map((row) => columns.map((column) => csvCell(row[column.name]))),
    // A cell starting with = + - @ is prefixed with ' so a spreadsheet shows it instead of running it.
    { escape_formulas: true },
  );
}

function csvCell(value: ExportRow[string] | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((each) => each ?? '').join(';');
  return String(value);
}
