// `npm run report -- --month 2026-10 --jurisdiction C01.S01`: writes the monthly bulletin as Markdown
// with an SVG trend chart of the last six months under reports/. With `--year 2026 --as <username>`
// instead of `--month`: the yearly assessment (一年一考核) as that account may read it, with a bar chart
// of the scores, audited as its read. Uses DATABASE_URL, or the embedded
// database under .data/: the running API's, or one started for the report.
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeAuditEntries } from '../audit/audit-log';
import { loadConfig } from '../config';
import { yearlyAssessment } from '../domain/accountability/yearly.service';
import { yearlyMarkdown } from '../domain/accountability/yearly-document';
import { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { bulletinMarkdown, trendSvg } from '../domain/reports/bulletin';
import { computeMonthlyFigures } from '../domain/reports/monthly-figures.service';
import { parseMonth } from '../domain/reports/rules';
import { contextAs } from './cli-context';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const USAGE =
  'usage: npm run report -- --month YYYY-MM --jurisdiction CODE, or --year YYYY --jurisdiction CODE --as USERNAME';

async function yearly(year: number, code: string, username: string): Promise<void> {
  const config = { ...loadConfig(), loadDemoData: false };
  const database = await openCliDatabase(config);
  try {
    const node = await database.dataSource.getRepository(Jurisdiction).findOneBy({ code });
    if (!node) throw new Error(`no jurisdiction with code ${code}`);
    const context = await contextAs(config, database, username, 'report');
    const assessment = await yearlyAssessment(context, node.id, year);
    await database.dataSource.transaction((tx) =>
      writeAuditEntries(tx, { requestId: context.requestId, identity: context.user }, [
        ...context.takeSensitiveReads('yearlyAssessment'),
        {
          action: 'READ',
          operation: 'yearlyAssessment',
          recordType: 'YearlyAssessment',
          recordIds: [node.id],
          fields: ['units'],
          detail: { year },
        },
      ]),
    );
    const directory = path.resolve(process.cwd(), 'reports');
    await mkdir(directory, { recursive: true });
    const file = path.join(directory, `${code}-${year}-assessment.md`);
    await writeFile(file, yearlyMarkdown(assessment, username));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await database.close();
  }
}

async function main(): Promise<void> {
  const year = argument('year');
  const as = argument('as');
  if (year !== undefined) {
    const code = argument('jurisdiction');
    if (!/^\d{4}$/.test(year) || !code || !as) {
      console.error(USAGE);
      process.exit(2);
    }
    return yearly(Number(year), code, as);
  }
  const month = argument('month');
  const code = argument('jurisdiction');
  if (!month || !parseMonth(month) || !code) {
    console.error(USAGE);
    process.exit(2);
  }
  const database = await openCliDatabase({ ...loadConfig(), loadDemoData: false });
  try {
    const node = await database.dataSource.getRepository(Jurisdiction).findOneBy({ code });
    if (!node) throw new Error(`no jurisdiction with code ${code}`);
    const months = [month];
    while (months.length < 6) months.unshift(parseMonth(months[0] as string)?.previous as string);
    const history = [];
    for (const each of months) history.push(await computeMonthlyFigures(database.dataSource, node, each));
    const directory = path.resolve(process.cwd(), 'reports');
    await mkdir(directory, { recursive: true });
    const base = `${code}-${month}`;
    await writeFile(path.join(directory, `${base}.svg`), trendSvg(history));
    await writeFile(path.join(directory, `${base}.md`), bulletinMarkdown(history, `${base}.svg`));
    console.log(`wrote reports/${base}.md and reports/${base}.svg`);
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'report failed',
  hint: `${USAGE} (database: DATABASE_URL, or the embedded one under CONCORD_DATA_DIR)`,
});
