// `npm run audit:verify`: checks the audit log's hash chain and names the first broken entry.
// Uses DATABASE_URL, or the embedded database under .data/ (stop the API first: one server per directory).
import 'reflect-metadata';
import { verifyAuditChain } from '../audit/verify';
import { loadConfig } from '../config';
import { openDatabase } from '../database/database';

async function main(): Promise<void> {
  const database = await openDatabase(loadConfig(), () => undefined);
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
