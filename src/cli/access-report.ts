// `npm run access-report -- --person <id> [--from <ISO date>] [--to <ISO date>] --format md|html`:
// prints the access report of one person (issue 24 item 1) for the grid leader to hand to the person
// who asked; printing it is audited. Uses DATABASE_URL, or the embedded database under .data/.
import 'reflect-metadata';
import { loadConfig } from '../config';
import { printAccessReport, type PrintFormat } from '../domain/access/access-report.print';
import { isUuid } from '../graphql/validation';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const USAGE =
  'usage: npm run access-report -- --person <id> [--from YYYY-MM-DD] [--to YYYY-MM-DD] --format md|html';

function option(name: string): string | null {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  return value && !value.startsWith('--') ? value : null;
}

function dateOption(name: string): Date | null {
  const value = option(name);
  if (value === null) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`--${name} ${value} is not a date (${USAGE})`);
  return date;
}

async function main(): Promise<void> {
  const personId = option('person');
  const format = option('format') ?? 'md';
  if (!personId || !isUuid(personId)) throw new Error(`give --person <id> (${USAGE})`);
  if (format !== 'md' && format !== 'html') throw new Error(`--format is md or html (${USAGE})`);
  const [from, to] = [dateOption('from'), dateOption('to')];
  const database = await openCliDatabase({ ...loadConfig(), loadDemoData: false });
  try {
    const page = await printAccessReport(
      database.dataSource,
      { personId, from, to, format: format as PrintFormat },
      new Date(),
    );
    process.stdout.write(page);
  } finally {
    await database.close();
  }
}

runCli(main, { failure: 'access report failed', hint: USAGE });
