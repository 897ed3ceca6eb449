// `npm run import -- --file F --as <service account> [--kind persons|households|disputes] [--dry-run]`:
// imports a large file of households, persons or disputes (CSV or NDJSON) as a department's service
// account, with the same checks, scope and audit as the importRecords mutation (import-command.ts).
// Prints every problem by line and column; exits 1 when the file had any (then nothing was written).
// Uses DATABASE_URL, or the embedded database under .data/: the running API's, or one started for it.
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { formatOfFile, importFile, kindOfFile, progressReporter } from './import-command';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const USAGE =
  'usage: npm run import -- --file F --as <service account username> [--kind persons|households|disputes] [--dry-run]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      as: { type: 'string' },
      kind: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  if (!values.file || !values.as) throw new Error(USAGE);
  const kind = kindOfFile(values.file, values.kind);
  const format = formatOfFile(values.file);
  const config = loadConfig();
  const database = await openCliDatabase(config, (message) => console.log(message));
  const reporter = progressReporter(process.stdout);
  const started = Date.now();
  try {
    const outcome = await importFile(
      config,
      database.dataSource,
      { file: values.file, as: values.as, kind, format, dryRun: values['dry-run'] },
      reporter.progress,
    );
    reporter.stop();
    const seconds = (Date.now() - started) / 1000;
    for (const problem of outcome.problems) {
      const where = [problem.line === null ? 'file' : `line ${problem.line}`, problem.field]
        .filter(Boolean)
        .join(', ');
      console.error(`${where}: ${problem.message} [${problem.code}]`);
    }
    if (outcome.problems.length > 0) {
      console.error(`${outcome.problems.length} problems: nothing was written`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `${outcome.dryRun ? 'dry run, nothing written: would have ' : ''}created ${outcome.created}, updated ${outcome.updated}, unchanged ${outcome.unchanged} ${kind.toLowerCase()} in ${seconds.toFixed(1)} s`,
    );
  } finally {
    reporter.stop();
    await database.close();
  }
}

runCli(main, {
  failure: 'import failed',
  hint: 'It reads the database of DATABASE_URL, or the embedded one under CONCORD_DATA_DIR (default .data/).',
});
