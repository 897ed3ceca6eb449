// `npm run audit:verify`: checks the audit log's hash chain, its sequence numbers and its head, and
// compares it with the latest signed checkpoint (src/audit/checkpoint.ts); names every finding and
// exits 1 on any. Uses DATABASE_URL, or the embedded database under .data/: the running API's, or
// one started for the check.
import 'reflect-metadata';
import { readLatestCheckpoint, resolveCheckpointKey } from '../audit/checkpoint';
import { verifyAuditChain } from '../audit/verify';
import { loadConfig } from '../config';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const config = loadConfig();
  const latest = await readLatestCheckpoint(config.auditCheckpointFile);
  const key = await resolveCheckpointKey(config, { create: false });
  const database = await openCliDatabase(config);
  try {
    const result = await verifyAuditChain(database.dataSource, { latest, key });
    const extent = `${result.entries} entries${result.lastSeq ? `, the last ${result.lastSeq}` : ''}`;
    if (result.findings.length > 0) {
      console.error(`audit log NOT intact (${extent}):`);
      for (const finding of result.findings) console.error(`- ${finding.message} [${finding.kind}]`);
      process.exitCode = 1;
      return;
    }
    console.log(`audit chain intact: ${extent} verified`);
    console.log(
      result.checkedAgainst
        ? `it agrees with the checkpoint of ${result.checkedAgainst.at} (entry ${result.checkedAgainst.seq}) in ${config.auditCheckpointFile}`
        : `no checkpoint in ${config.auditCheckpointFile} yet: only the database's own chain was checked ` +
            `(the API writes one every ${config.auditCheckpointIntervalSeconds} s and on shutdown; npm run audit:checkpoint writes one now)`,
    );
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'audit:verify failed',
  hint: 'It checks the database of DATABASE_URL, or the embedded one under CONCORD_DATA_DIR (default .data/), running or not, against AUDIT_CHECKPOINT_FILE (default .data/audit-checkpoints.jsonl).',
});
