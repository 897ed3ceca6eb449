// `npm run review -- --incident <id> --as <username>`: writes the case review (一案一倒查) of an
// incident as that account may read it — Markdown with the timeline as an inline SVG — under reports/.
// Opening it is audited as the account's read, as through the API.
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeAuditEntries } from '../audit/audit-log';
import { loadConfig } from '../config';
import { caseReview } from '../domain/accountability/case-review.service';
import { reviewMarkdown } from '../domain/accountability/review-document';
import { contextAs } from './cli-context';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const USAGE = 'usage: npm run review -- --incident <id> --as <username>';

async function main(): Promise<void> {
  const incidentId = argument('incident');
  const username = argument('as');
  if (!incidentId || !username) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = { ...loadConfig(), loadDemoData: false };
  const database = await openCliDatabase(config);
  try {
    const context = await contextAs(config, database, username, 'review');
    const review = await caseReview(context, incidentId);
    // The review leaves only once its reads are in the audit trail.
    await database.dataSource.transaction((tx) =>
      writeAuditEntries(
        tx,
        { requestId: context.requestId, identity: context.user },
        context.takeSensitiveReads('caseReview'),
      ),
    );
    const directory = path.resolve(process.cwd(), 'reports');
    await mkdir(directory, { recursive: true });
    const file = path.join(directory, `review-${incidentId}-${username}.md`);
    await writeFile(file, reviewMarkdown(review, username));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'review failed',
  hint: `${USAGE} (database: DATABASE_URL, or the embedded one under CONCORD_DATA_DIR)`,
});
