// `npm run audit:verify`: checks the audit log's hash chain and names the first broken entry.
// Uses DATABASE_URL, or the embedded database under .data/: the running API's, or one started for the check.
import 'reflect-metadata';
import { verifyAuditChain } from '../audit/verify';
import { loadConfig } from '../config';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const database = await openCliDatabase(loadConfig());
  try {
    const result = await verifyAuditChain(database.dataSource);
    if (result.firstBroken) {
      console.error(
        `audit chain BROKEN at entry ${result.firstBroken.seq}: ${result.firstBroken.reason} (${result.entries} entries)`,
      );
      process.exitCode = 1;
    } else {
      console.log(`audit chain intact: ${result.entries} entries verified`);
    }
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'audit:verify failed',
  hint: 'It checks the database of DATABASE_URL, or the embedded one under CONCORD_DATA_DIR (default .data/), running or not.',
});
