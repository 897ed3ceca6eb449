// `npm run retention -- [--dry-run]`: anonymises closed disputes and persons at NONE with no open
// matter for RETENTION_YEARS (default 3), audited (issue 24 item 4), then prunes the change feed and the
// finished webhook outbox older than CHANGE_FEED_DAYS and OUTBOX_DAYS (default 30); a scheduler runs it
// nightly, or calls runRetention and pruneFeeds itself. Uses DATABASE_URL, or the embedded database under .data/.
import 'reflect-metadata';
import { loadConfig } from '../config';
import { describeRetention, runRetention } from '../domain/access/retention.service';
import { describePruning, pruneFeeds } from '../domain/changes/prune';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const config = loadConfig();
  const dryRun = process.argv.includes('--dry-run');
  const database = await openCliDatabase({ ...config, loadDemoData: false });
  try {
    const outcome = await runRetention(database.dataSource, {
      now: new Date(),
      years: config.retentionYears,
      dryRun,
    });
    console.log(describeRetention(outcome));
    if (!dryRun) {
      const options = {
        now: new Date(),
        changeFeedDays: config.changeFeedDays,
        outboxDays: config.outboxDays,
      };
      const pruned = await database.asOwner((owner) => pruneFeeds(owner, options));
      console.log(describePruning(pruned, options));
    }
  } finally {
    await database.close();
  }
}

runCli(main, {
  hint: 'usage: npm run retention -- [--dry-run] (RETENTION_YEARS, default 3; CHANGE_FEED_DAYS and OUTBOX_DAYS, default 30)',
});
