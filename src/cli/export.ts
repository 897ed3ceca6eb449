// `npm run export -- --kind persons --format csv --out persons.csv [--filter '{"tiers":["RED"]}'] [--url URL]`:
// downloads an export file from a running API (GET /export/<kind>.<format>) as the account of
// CONCORD_API_KEY (a service account's key) or CONCORD_TOKEN (a user's access token), with a progress
// bar on a terminal and plain progress lines otherwise. The file is written as `<out>.part` and renamed
// once the server has completed it, so a cut-off download never looks like a whole file.
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import { parse } from 'csv-parse';
import { loadConfig } from '../config';
import {
  EXPORT_FORMATS,
  EXPORT_KINDS,
  type ExportFormat,
  type ExportKind,
} from '../domain/exports/export-columns';
import { runCli } from './run-cli';

export const USAGE =
  'usage: npm run export -- --kind households|persons|disputes --format csv|ndjson --out FILE [--filter JSON] [--url URL]\n' +
  '       with CONCORD_API_KEY=<service account key> or CONCORD_TOKEN=<access token>; the API at --url,\n' +
  '       CONCORD_API_URL, or this machine’s HOST and PORT';

export interface ExportOptions {
  /** The API's base, e.g. http://127.0.0.1:4000 (a trailing /graphql is ignored). */
  url: string;
  authorization: string;
  kind: ExportKind;
  format: ExportFormat;
  out: string;
  filter?: string;
}

/** The options from the command line and the environment; a sentence saying what is wrong otherwise. */
export function exportOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ExportOptions | string {
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const kind = EXPORT_KINDS.find((each) => each === value('kind'));
  const format = EXPORT_FORMATS.find((each) => each === (value('format') ?? 'csv'));
  const out = value('out');
  if (!kind) return `--kind must be one of ${EXPORT_KINDS.join(', ')}`;
  if (!format) return `--format must be one of ${EXPORT_FORMATS.join(', ')}`;
  if (!out) return '--out FILE is required';
  const authorization = env.CONCORD_API_KEY
    ? `ApiKey ${env.CONCORD_API_KEY}`
    : env.CONCORD_TOKEN
      ? `Bearer ${env.CONCORD_TOKEN}`
      : undefined;
  if (!authorization) return 'set CONCORD_API_KEY (a service account key) or CONCORD_TOKEN (an access token)';
  const url = value('url') ?? env.CONCORD_API_URL ?? defaultUrl(env);
  const filter = value('filter');
  return { url, authorization, kind, format, out, ...(filter ? { filter } : {}) };
}

/** The API as `npm start` on this machine serves it (HOST, PORT and their defaults). */
function defaultUrl(env: NodeJS.ProcessEnv): string {
  const config = loadConfig(env);
  return `http://${config.host}:${config.port}`;
}

/** Where progress goes: a bar on a terminal, a line every few thousand rows elsewhere. */
interface Progress {
  start(total: number | null): void;
  update(rows: number): void;
  stop(rows: number): void;
}

const LINE_EVERY_ROWS = 5000;

function progressOn(output: Writable & { isTTY?: boolean }, what: string): Progress {
  if (output.isTTY) {
    const bar = new SingleBar(
      {
        stream: output,
        format: `${what} [{bar}] {value}/{total} rows · {eta_formatted} left`,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    return {
      start: (total) => bar.start(total ?? 0, 0),
      update: (rows) => {
        if (rows > bar.getTotal()) bar.setTotal(rows);
        bar.update(rows);
      },
      stop: (rows) => {
        bar.update(rows);
        bar.stop();
      },
    };
  }
  let total: number | null = null;
  let reported = 0;
  const line = (rows: number) =>
    output.write(`${what}: ${rows}${total === null ? '' : ` of ${total}`} rows\n`);
  return {
    start: (count) => {
      total = count;
      line(0);
    },
    update: (rows) => {
      if (rows - reported < LINE_EVERY_ROWS) return;
      reported = rows;
      line(rows);
    },
    stop: (rows) => line(rows),
  };
}

/** Counts the records of a file as its bytes arrive: NDJSON lines, or CSV records (quoted newlines included). */
function recordCounter(format: ExportFormat): {
  push(chunk: Uint8Array): void;
  end(): Promise<number>;
  count(): number;
} {
  if (format === 'ndjson') {
    let count = 0;
    return {
      push: (chunk) => {
        for (const byte of chunk) if (byte === 0x0a) count += 1;
      },
      end: () => Promise.resolve(count),
      count: () => count,
    };
  }
  let records = 0;
  const parser = parse({ bom: true, relax_column_count: true });
  parser.on('data', () => {
    records += 1;
  });
  const ended = once(parser, 'end');
  const rows = () => Math.max(records - 1, 0); // the header is not a row
  return {
    push: (chunk) => parser.write(chunk),
    end: async () => {
      parser.end();
      await ended;
      return rows();
    },
    count: rows,
  };
}

async function writeChunk(file: WriteStream, chunk: Uint8Array): Promise<void> {
  if (!file.write(chunk)) await once(file, 'drain');
}

/** Downloads the export to `options.out`; resolves with the number of rows written. */
export async function downloadExport(
  options: ExportOptions,
  output: Writable & { isTTY?: boolean },
): Promise<number> {
  const base = options.url.replace(/\/graphql\/?$/, '').replace(/\/$/, '');
  const address = new URL(`${base}/export/${options.kind}.${options.format}`);
  if (options.filter) address.searchParams.set('filter', options.filter);
  const response = await fetch(address, { headers: { authorization: options.authorization } });
  if (!response.ok || !response.body) {
    const text = await response.text();
    let reason = text;
    try {
      const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
      reason = (body.errors ?? []).map((error) => `${error.extensions?.code}: ${error.message}`).join('; ');
    } catch {
      // not JSON: the text as it came
    }
    throw new Error(`the API answered ${response.status} (${reason || response.statusText})`);
  }
  const totalHeader = response.headers.get('x-total-count');
  const progress = progressOn(output, `${options.kind} → ${options.out}`);
  progress.start(totalHeader === null ? null : Number(totalHeader));
  const partial = `${options.out}.part`;
  const file = createWriteStream(partial);
  const counter = recordCounter(options.format);
  try {
    for await (const chunk of response.body) {
      await writeChunk(file, chunk);
      counter.push(chunk);
      progress.update(counter.count());
    }
    file.end();
    await once(file, 'finish');
    const rows = await counter.end();
    await rename(partial, options.out);
    progress.stop(rows);
    return rows;
  } catch (error) {
    file.destroy();
    await rm(partial, { force: true });
    throw new Error('the download was cut off before the file was complete; nothing was kept', {
      cause: error,
    });
  }
}

/** The command: options from `argv` and `env`, progress to `output`. */
export async function runExport(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  output: Writable & { isTTY?: boolean },
): Promise<number> {
  const options = exportOptions(argv, env);
  if (typeof options === 'string') throw new Error(options);
  const rows = await downloadExport(options, output);
  output.write(`wrote ${rows} ${options.kind} to ${options.out}\n`);
  return rows;
}

// Run as a command; imported (by its test), it only defines the functions above. This is a client of
// the API: its environment is the integrator's (key, URL), not the server's configuration.
if (require.main === module) {
  runCli(
    async () => {
      await runExport(process.argv.slice(2), process.env, process.stdout);
    },
    { failure: 'export failed', hint: USAGE },
  );
}
