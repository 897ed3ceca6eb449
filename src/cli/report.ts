// `npm run report -- --month 2026-10 --jurisdiction C01.S01`: writes the monthly bulletin as Markdown
// with an SVG trend chart of the last six months under reports/. Uses DATABASE_URL, or the embedded
// database under .data/: the running API's, or one started for the report.
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config';
import { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { bulletinMarkdown, trendSvg } from '../domain/reports/bulletin';
import { computeMonthlyFigures } from '../domain/reports/monthly-figures.service';
import { parseMonth } from '../domain/reports/rules';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const month = argument('month');
  const code = argument('jurisdiction');
  if (!month || !parseMonth(month) || !code) {
    console.error('usage: npm run report -- --month YYYY-MM --jurisdiction CODE');
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
  hint: 'usage: npm run report -- --month YYYY-MM --jurisdiction CODE (database: DATABASE_URL, or the embedded one under CONCORD_DATA_DIR)',
});
