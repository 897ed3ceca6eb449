// Reading an import file, streamed: CSV (a header row naming the columns) or NDJSON (one JSON object
// per line), as rows that remember the line they start on, so every problem can name it.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ImportFormat } from './import.inputs';

/** One row of the file: its values by column, and the line of the file it is on (1-based). */
export interface SourceRow {
  line: number;
  values: Record<string, unknown>;
}

/** The file cannot be read as its format at all (bad quoting, a line that is not JSON …). */
export class UnreadableFile extends Error {
  constructor(
    readonly line: number | null,
    message: string,
  ) {
    super(message);
  }
}

export function sourceOf(content: string | Readable): Readable {
  return typeof content === 'string' ? Readable.from([content]) : content;
}

export function readRows(format: ImportFormat, source: Readable): AsyncGenerator<SourceRow> {
  return format === ImportFormat.CSV ? readCsv(source) : readNdjson(source);
}

async function* readCsv(source: Readable): AsyncGenerator<SourceRow> {
  const parser = source.pipe(
    parse({ columns: true, bom: true, info: true, skip_empty_lines: true, max_record_size: 1_000_000 }),
  );
  // A record may span lines (a quoted line break): it starts on the line after the one before ended.
  let previousEnd = 1;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; raw?: string };
    }>) {
      yield { line: Math.min(previousEnd + 1, info.lines), values: record };
      previousEnd = info.lines;
    }
  } catch (error) {
    const line = (error as { lines?: unknown }).lines;
    throw new UnreadableFile(
      typeof line === 'number' ? line : null,
      `The file is not valid CSV: ${(error as Error).message}`,
    );
  }
}

async function* readNdjson(source: Readable): AsyncGenerator<SourceRow> {
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (trimmed === '') continue;
    let values: unknown;
    try {
      values = JSON.parse(trimmed);
    } catch {
      throw new UnreadableFile(line, 'This line is not a JSON object (NDJSON: one object per line)');
    }
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new UnreadableFile(line, 'This line is not a JSON object (NDJSON: one object per line)');
    }
    yield { line, values: values as Record<string, unknown> };
  }
}
