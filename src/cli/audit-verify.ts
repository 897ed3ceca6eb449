// `npm run audit:verify`: checks the audit log's hash chain, its sequence numbers and its head, and
// compares it with the latest signed checkpoint (src/audit/checkpoint.ts) of AUDIT_CHECKPOINT_FILE, or
// of every file named by --checkpoints (one per API replica); names every finding and
// exits 1 on any. Uses DATABASE_URL, or the embedded database under .data/: the running API's, or
// one started for the check.
import 'reflect-metadata';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readLatestCheckpoint, resolveCheckpointKey } from '../audit/checkpoint';
import { verifyAuditChain } from '../audit/verify';
import { loadConfig } from '../config';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

async function main(): Promise<void> {
  const config = loadConfig();
  // With several API replicas each appends to its own file: name them all, each is a witness.
  // `--checkpoints A B …` (or `--checkpoints A --checkpoints B`): the files after it are witnesses too.
  const { values, positionals } = parseArgs({
    // The arguments after the script's own path, however node was started (`node file`, `node -e … file`).
    args: process.argv.slice(2),
    options: { checkpoints: { type: 'string', multiple: true } },
    allowPositionals: true,
  });
  const named = [...(values.checkpoints ?? []), ...positionals];
  const files = named.length ? named.map((file) => path.resolve(file)) : [config.auditCheckpointFile];
  const witnesses = await Promise.all(
    files.map(async (file) => ({ file, latest: await readLatestCheckpoint(file) })),
  );
  const key = await resolveCheckpointKey(config, { create: false });
  const database = await openCliDatabase(config);
  try {
    const result = await verifyAuditChain(database.dataSource, { witnesses, key });
    const extent = `${result.entries} entries${result.lastSeq ? `, the last ${result.lastSeq}` : ''}`;
    if (result.findings.length > 0) {
      console.error(`audit log NOT intact (${extent}):`);
      for (const finding of result.findings) console.error(`- ${finding.message} [${finding.kind}]`);
      process.exitCode = 1;
      return;
    }
    console.log(`audit chain intact: ${extent} verified`);
    for (const witness of witnesses) {
      const checked = witness.latest && 'checkpoint' in witness.latest ? witness.latest.checkpoint : null;
      console.log(
        checked
          ? `it agrees with the checkpoint of ${checked.at} (entry ${checked.seq}) in ${witness.file}`
          : `no checkpoint in ${witness.file} yet: nothing to compare with there ` +
              `(the API writes one every ${config.auditCheckpointIntervalSeconds} s and on shutdown; npm run audit:checkpoint writes one now)`,
      );
    }
  } finally {
    await database.close();
  }
}

runCli(main, {
  failure: 'audit:verify failed',
  hint: 'It checks the database of DATABASE_URL, or the embedded one under CONCORD_DATA_DIR (default .data/), running or not, against AUDIT_CHECKPOINT_FILE (default .data/audit-checkpoints.jsonl), or against every file given with --checkpoints FILE… (one per API replica).',
});
