// `npm run audit:checkpoint`: writes a signed checkpoint of the audit chain's head now (the running
// API writes one at an interval and on shutdown): appended to AUDIT_CHECKPOINT_FILE and printed.
// Uses DATABASE_URL, or the embedded database under .data/: the running API's, or one started for it.
import 'reflect-metadata';
import { resolveCheckpointKey, writeCheckpoint } from '../audit/checkpoint';
import { loadConfig } from '../config';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const config = loadConfig();
  const key = await resolveCheckpointKey(config, { create: true });
  if (!key) throw new Error('no checkpoint key');
  const database = await openCliDatabase(config);
  try {
    const checkpoint = await writeCheckpoint({
      dataSource: database.dataSource,
      key,
      file: config.auditCheckpointFile,
    });
    console.log(JSON.stringify(checkpoint));
    console.log(`audit checkpoint at entry ${checkpoint.seq} appended to ${config.auditCheckpointFile}`);
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'audit:checkpoint failed',
  hint: 'It reads the database of DATABASE_URL, or the embedded one under CONCORD_DATA_DIR (default .data/), running or not; the key is AUDIT_CHECKPOINT_KEY or .data/audit-checkpoint-key.',
});
