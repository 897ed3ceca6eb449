// What `npm run import` does, apart from reading its arguments: the file streamed from disk into the
// import service (src/domain/imports/import.service.ts) — the very code the importRecords mutation
// runs — acting as the named service account: its row scope, its operation policy, its validation,
// and the audit entry in its name. Progress as a bar on a terminal, as plain lines otherwise.
import { createReadStream } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { SingleBar, Presets } from 'cli-progress';
import type { DataSource } from 'typeorm';
import { loadUserIdentity, type Identity } from '../auth/identity-store';
import { createTokenService } from '../auth/tokens';
import type { Config } from '../config';
import { ServerRequestContext } from '../context';
import { ImportFormat, ImportKind } from '../domain/imports/import.inputs';
import {
  importRecords,
  type ImportOutcome,
  type ImportPhase,
  type ImportProgress,
} from '../domain/imports/import.service';
import { createLogger } from '../logger';

export interface ImportFileOptions {
  file: string;
  /** Username of the service account the import acts as. */
  as: string;
  kind: ImportKind;
  format: ImportFormat;
  dryRun: boolean;
}

/** The kind a file holds, from its name when not given: persons.csv, households-2026.ndjson … */
export function kindOfFile(file: string, given: string | undefined): ImportKind {
  const name = (given ?? file.replace(/^.*[\\/]/, '')).toUpperCase();
  const found = Object.values(ImportKind).find(
    (kind) => name.includes(kind) || name.includes(kind.slice(0, -1)),
  );
  if (!found) {
    throw new Error(
      given
        ? `--kind must be persons, households or disputes, not ${given}`
        : 'say what the file holds: --kind persons|households|disputes',
    );
  }
  return found;
}

/** The format a file is in, from its extension: .csv, or .ndjson / .jsonl. */
export function formatOfFile(file: string): ImportFormat {
  if (/\.csv$/i.test(file)) return ImportFormat.CSV;
  if (/\.(nd)?jsonl?$|\.ndjson$/i.test(file)) return ImportFormat.NDJSON;
  throw new Error(`${file}: name a .csv or .ndjson file`);
}

/** The active service account `username`, as its API key would make it. */
export async function serviceAccountIdentity(dataSource: DataSource, username: string): Promise<Identity> {
  const [account] = (await dataSource.query(
    `SELECT id FROM users WHERE username = $1 AND kind = 'SERVICE' AND active`,
    [username],
  )) as { id: string }[];
  const identity = account ? await loadUserIdentity(dataSource, account.id) : null;
  if (!identity)
    throw new Error(`no active service account ${username} (an ADMIN creates one: createServiceAccount)`);
  return identity;
}

/** Shows progress on a terminal as a bar, elsewhere as a line per phase and every few seconds. */
export function progressReporter(
  out: NodeJS.WriteStream | { isTTY?: boolean; write(text: string): boolean },
  now: () => number = Date.now,
): { progress: ImportProgress; stop(): void } {
  const labels: Record<ImportPhase, string> = {
    read: 'reading rows',
    check: 'checking against the database',
    write: 'writing records',
  };
  if (out.isTTY) {
    let bar: SingleBar | null = null;
    let phase: ImportPhase | null = null;
    return {
      progress(current, done, total) {
        if (phase !== current) {
          bar?.stop();
          phase = current;
          bar = new SingleBar(
            {
              format: `${labels[current].padEnd(30)} {bar} {value}/{total} {percentage}% {eta_formatted}`,
              stream: out as NodeJS.WriteStream,
            },
            Presets.shades_classic,
          );
          bar.start(total ?? done, done);
        }
        if (total !== null) bar?.setTotal(total);
        else if (bar && done > bar.getTotal()) bar.setTotal(done);
        bar?.update(done);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let phase: ImportPhase | null = null;
  let last = 0;
  return {
    progress(current, done, total) {
      const at = now();
      const finished = total !== null && done >= total;
      if (phase === current && !finished && at - last < 2000) return;
      phase = current;
      last = at;
      out.write(`${labels[current]}: ${done}${total === null ? '' : `/${total}`}\n`);
    },
    stop() {},
  };
}

export async function importFile(
  config: Config,
  dataSource: DataSource,
  options: ImportFileOptions,
  progress?: ImportProgress,
): Promise<ImportOutcome> {
  const identity = await serviceAccountIdentity(dataSource, options.as);
  const clock = () => new Date();
  const context = new ServerRequestContext(
    {
      config,
      dataSource,
      clock,
      // The command line signs no tokens: a throwaway key keeps the context's shape honest.
      tokens: createTokenService(randomBytes(32).toString('hex'), config.tokenLifetimeSeconds, clock),
      logger: createLogger(config.logLevel),
    },
    `import-${randomUUID()}`,
    identity,
    'command line',
  );
  return importRecords(context, {
    kind: options.kind,
    format: options.format,
    source: createReadStream(options.file),
    dryRun: options.dryRun,
    progress,
  });
}
