// Pure parsing of a sales document (CSV with a header row, or a JSON array) into plain records.
export const SALE_COLUMNS = [
  'receiptNumber',
  'buyerName',
  'buyerIdNumber',
  'item',
  'quantity',
  'unit',
  'soldAt',
] as const;

export type SaleRecord = Record<(typeof SALE_COLUMNS)[number], unknown>;

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted && char === '"' && line[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += char;
    }
  }
  cells.push(cell);
  return cells.map((value) => value.trim());
}

function normalise(raw: Record<string, unknown>): SaleRecord {
  const quantity = typeof raw.quantity === 'string' ? Number(raw.quantity) : raw.quantity;
  const soldAt = typeof raw.soldAt === 'string' ? new Date(raw.soldAt) : raw.soldAt;
  return Object.fromEntries(
    SALE_COLUMNS.map((column) => [
      column,
      column === 'quantity' ? quantity : column === 'soldAt' ? soldAt : raw[column],
    ]),
  ) as SaleRecord;
}

export function parseSalesDocument(
  format: 'CSV' | 'JSON',
  content: string,
): { records: SaleRecord[] } | { error: string } {
  if (format === 'JSON') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      return { error: 'The JSON document does not parse' };
    }
    if (!Array.isArray(parsed)) return { error: 'The JSON document must be an array of sales' };
    return { records: parsed.map((item) => normalise((item ?? {}) as Record<string, unknown>)) };
  }
  const lines = content.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '');
  const missing = SALE_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0) return { error: `The CSV header lacks ${missing.join(', ')}` };
  return {
    records: lines.slice(1).map((line) => {
      const cells = splitCsvLine(line);
      return normalise(Object.fromEntries(header.map((column, index) => [column, cells[index]])));
    }),
  };
}

/**
 * The one answer for a licence number that cannot be registered, malformed or already on record: a
 * business registered elsewhere, outside the caller's scope, must not be told apart from a typo (SPEC
 * §4, no existence signals), as with national ID numbers.
 */
export const LICENSE_NUMBER_NOT_ACCEPTED =
  'licenseNumber cannot be registered: it must be 4–64 letters, digits, brackets or dashes, and not ' +
  'already on record — check it against the business licence';
