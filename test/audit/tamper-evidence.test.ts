// Tamper evidence that survives the database's own superuser (SPEC §4): the API's runtime role cannot
// switch off, alter or rewrite the audit log (each attempted for real, as that role); what the
// superuser can do — rewrite and re-hash, cut the tail, cut a middle entry — audit:verify names against
// a signed checkpoint kept outside the database; and rolled-back writes leave no gap in the numbers.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { writeAuditEntries, type AuditRecord } from '../../src/audit/audit-log';
import {
  readLatestCheckpoint,
  startCheckpointTimer,
  writeCheckpoint,
  type AuditCheckpoint,
} from '../../src/audit/checkpoint';
import { verifyAuditChain, type AuditFindingKind } from '../../src/audit/verify';
import { dropDatabase, ensureDatabase, tamperEvidenceWeaknesses } from '../../src/database/database';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';
import { TEMPLATE_DATABASE } from '../support/template';

let api: TestApi;
let directory: string;
const key = randomBytes(32);

beforeAll(async () => {
  api = await startTestApi();
  directory = await mkdtemp(path.join(os.tmpdir(), 'concord-checkpoints-'));
  const token = await api.login('grid.worker');
  await registerPerson(api, token, { name: '留痕甲', gridId: await api.node('gridA') });
});
afterAll(async () => {
  await api.close();
  await rm(directory, { recursive: true, force: true });
});

/** A connection to the test database as the API's runtime role. */
async function asRuntimeRole<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: api.runtimeUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('the runtime role the API connects as', () => {
  test('is the runtime role: no superuser, owns nothing, nothing that weakens the audit log', async () => {
    const [role] = await api.runtimeDataSource.query(
      `SELECT current_user AS name, rolsuper AS superuser,
              (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owned
         FROM pg_roles r WHERE rolname = current_user`,
    );
    expect(role).toEqual({ name: 'concord_api', superuser: false, owned: 0 });
    expect(await tamperEvidenceWeaknesses(api.runtimeDataSource)).toEqual([]);
  });

  test('cannot set session_replication_role, so it cannot skip the append-only triggers', async () => {
    await asRuntimeRole(async (client) => {
      await expect(client.query(`SET session_replication_role = replica`)).rejects.toThrow(
        /permission denied to set parameter "session_replication_role"/,
      );
      await client.query('BEGIN');
      await expect(client.query(`SET LOCAL session_replication_role = replica`)).rejects.toThrow(
        /permission denied/,
      );
      await client.query('ROLLBACK');
      const [setting] = (await client.query(`SHOW session_replication_role`)).rows;
      expect(setting).toEqual({ session_replication_role: 'origin' });
    });
  });

  test.each([
    [`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`, /must be owner/],
    [`ALTER TABLE audit_entries DISABLE TRIGGER USER`, /must be owner/],
    [`DROP TRIGGER audit_entries_append_only ON audit_entries`, /must be owner/],
    [`DROP TRIGGER audit_entries_chain ON audit_entries`, /must be owner/],
    [`ALTER TABLE audit_entries ADD COLUMN note text`, /must be owner/],
    [`DROP TABLE audit_entries`, /must be owner/],
    [
      `CREATE OR REPLACE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      /permission denied for schema public|must be owner/,
    ],
    [`ALTER FUNCTION audit_entry_hash(audit_entries) RENAME TO old_hash`, /must be owner/],
    [`UPDATE audit_entries SET fields = '{}'`, /permission denied/],
    [`DELETE FROM audit_entries`, /permission denied/],
    [`TRUNCATE audit_entries`, /permission denied/],
    [`UPDATE audit_chain_head SET seq = 0`, /permission denied/],
    [`CREATE TABLE audit_entries_copy (seq bigint)`, /permission denied/],
    // The other append-only histories: the grant offers no change, before any trigger is asked.
    [`UPDATE jurisdiction_reorganisations SET reason = ''`, /permission denied/],
    [`DELETE FROM dispute_route_changes`, /permission denied/],
    [`DELETE FROM person_merges`, /permission denied/],
    [`DELETE FROM indicators`, /permission denied/],
    [`DELETE FROM indicator_catalog_versions`, /permission denied/],
    [`DELETE FROM record_changes`, /permission denied/],
    [`DELETE FROM record_change_commits`, /permission denied/],
    [`DELETE FROM record_change_head`, /permission denied/],
  ])('is refused: %s', async (statement, refusal) => {
    await asRuntimeRole(async (client) => {
      await expect(client.query(statement)).rejects.toThrow(refusal);
    });
  });

  test('still writes and reads audit entries, and the chain is whole', async () => {
    const before = await verifyAuditChain(api.runtimeDataSource);
    await api.runtimeDataSource.transaction((tx) =>
      writeAuditEntries(tx, { requestId: 'runtime-write', identity: null }, [entry('runtimeWrite')]),
    );
    const after = await verifyAuditChain(api.runtimeDataSource);
    expect(after.findings).toEqual([]);
    expect(after.entries).toBe(before.entries + 1);
  });
});

describe('sequence numbers', () => {
  test('a rolled-back write leaves no gap, and concurrent writes, half rolled back, leave none either', async () => {
    const rollback = new Error('rolled back on purpose');
    const write = (index: number, fail: boolean) =>
      api.runtimeDataSource
        .transaction(async (tx) => {
          await writeAuditEntries(tx, { requestId: `gapless-${index}`, identity: null }, [
            entry('gapless'),
            entry('gapless'),
          ]);
          if (fail) throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
    const lastSeq = async () =>
      BigInt((await api.dataSource.query(`SELECT max(seq)::text AS last FROM audit_entries`))[0].last);
    const start = await lastSeq();
    await write(0, true);
    await write(1, false);
    expect(await lastSeq()).toBe(start + 2n);
    await Promise.all(Array.from({ length: 20 }, (_, index) => write(index + 2, index % 2 === 0)));
    expect(await lastSeq()).toBe(start + 22n);
    const result = await verifyAuditChain(api.dataSource);
    expect(result.findings).toEqual([]);
  });
});

/** A database of its own (cloned from the template) with `count` entries written as the runtime role. */
async function freshChain(count: number) {
  const adminUrl = process.env.CONCORD_TEST_ADMIN_URL as string;
  const name = `concord_tamper_${randomBytes(6).toString('hex')}`;
  const superuserUrl = await ensureDatabase(adminUrl, name, TEMPLATE_DATABASE);
  const runtimeUrl = new URL(process.env.CONCORD_TEST_RUNTIME_URL as string);
  runtimeUrl.pathname = `/${name}`;
  const superuser = new DataSource(dataSourceOptions(superuserUrl));
  const runtime = new DataSource(dataSourceOptions(runtimeUrl.toString()));
  await superuser.initialize();
  await runtime.initialize();
  for (let index = 0; index < count; index += 1)
    await runtime.transaction((tx) =>
      writeAuditEntries(tx, { requestId: `chain-${index}`, identity: null }, [entry(`write${index}`)]),
    );
  const file = path.join(directory, `${name}.jsonl`);
  const checkpoint = await writeCheckpoint({ dataSource: runtime, key, file });
  const verify = async () => verifyAuditChain(superuser, { latest: await readLatestCheckpoint(file), key });
  return {
    superuser,
    checkpoint,
    file,
    verify,
    /** What verification names, by kind. */
    findingKinds: async () => (await verify()).findings.map((finding) => finding.kind),
    close: async () => {
      await runtime.destroy();
      await superuser.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}

type Chain = Awaited<ReturnType<typeof freshChain>>;

async function withChain(count: number, test: (chain: Chain) => Promise<void>): Promise<void> {
  const chain = await freshChain(count);
  try {
    await test(chain);
  } finally {
    await chain.close();
  }
}

/**
 * What the superuser of the issue did: triggers off for the session (no ALTER TABLE), `change` made,
 * then every entry from `from` on re-hashed in order and the chain head set to match, so the chain
 * is consistent in itself.
 */
async function tamperAsSuperuser(chain: Chain, change: string, from: number): Promise<void> {
  await chain.superuser.transaction(async (tx) => {
    await tx.query(`SET LOCAL session_replication_role = replica`);
    await tx.query(change);
    await tx.query(`
      DO $$
      DECLARE
        entry record;
        previous text := (SELECT hash FROM audit_entries WHERE seq < ${from} ORDER BY seq DESC LIMIT 1);
      BEGIN
        FOR entry IN SELECT seq FROM audit_entries WHERE seq >= ${from} ORDER BY seq LOOP
          UPDATE audit_entries SET prev_hash = previous WHERE seq = entry.seq;
          UPDATE audit_entries e SET hash = audit_entry_hash(e) WHERE seq = entry.seq RETURNING hash INTO previous;
        END LOOP;
        UPDATE audit_chain_head SET seq = (SELECT max(seq) FROM audit_entries),
                                    hash = (SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1);
      END $$`);
  });
}

const kindsWithoutCheckpoint = async (chain: Chain): Promise<AuditFindingKind[]> =>
  (await verifyAuditChain(chain.superuser)).findings.map((finding) => finding.kind);

describe('against a signed checkpoint, verification names what the superuser did', () => {
  test('an untouched log agrees with its checkpoint', async () => {
    await withChain(12, async (chain) => {
      const result = await chain.verify();
      expect(result.findings).toEqual([]);
      expect(result.checkedAgainst).toEqual(chain.checkpoint);
      expect(chain.checkpoint.seq).toBe('12');
    });
  });

  test('an entry rewritten and every later one re-hashed: the checkpoint entry lost its hash', async () => {
    await withChain(12, async (chain) => {
      await tamperAsSuperuser(chain, `UPDATE audit_entries SET fields = '{forged}' WHERE seq = 5`, 5);
      // In itself the chain is consistent again: only the checkpoint tells.
      expect(await kindsWithoutCheckpoint(chain)).toEqual([]);
      const result = await chain.verify();
      expect(result.findings.map((finding) => finding.kind)).toEqual(['REWRITTEN_CHAIN']);
      expect(result.findings[0]?.message).toMatch(
        /entry 12 no longer has the hash .* rewritten and re-hashed/,
      );
    });
  });

  test('the newest 5 entries deleted (and the head moved back): a removed tail', async () => {
    await withChain(12, async (chain) => {
      await tamperAsSuperuser(chain, `DELETE FROM audit_entries WHERE seq > 7`, 8);
      expect(await kindsWithoutCheckpoint(chain)).toEqual([]);
      const result = await chain.verify();
      expect(result.findings.map((finding) => finding.kind)).toEqual(['REMOVED_TAIL']);
      expect(result.findings[0]?.message).toMatch(
        /saw entries up to 12, but the log ends at 7: entries 8–12/,
      );
    });
  });

  test('with several API replicas, each checkpoint file is a witness: a tail cut after the later one is named by it', async () => {
    await withChain(12, async (chain) => {
      // A second replica writes three more entries and its own checkpoint, to its own file.
      for (const index of [13, 14, 15])
        await chain.superuser.transaction((tx) =>
          writeAuditEntries(tx, { requestId: `replica-b-${index}`, identity: null }, [entry(`b${index}`)]),
        );
      const fileB = path.join(directory, `${path.basename(chain.file, '.jsonl')}-b.jsonl`);
      const checkpointB = await writeCheckpoint({ dataSource: chain.superuser, key, file: fileB });
      expect(checkpointB.seq).toBe('15');
      await tamperAsSuperuser(chain, `DELETE FROM audit_entries WHERE seq > 13`, 14);
      const witness = async (file: string) => ({ file, latest: await readLatestCheckpoint(file) });
      // The first replica's file alone saw only up to entry 12, which is intact: it cannot tell.
      const alone = await verifyAuditChain(chain.superuser, { witnesses: [await witness(chain.file)], key });
      expect(alone.findings).toEqual([]);
      const both = await verifyAuditChain(chain.superuser, {
        witnesses: [await witness(chain.file), await witness(fileB)],
        key,
      });
      expect(both.findings.map((finding) => finding.kind)).toEqual(['REMOVED_TAIL']);
      expect(both.findings[0]?.message).toContain(`in ${fileB} saw entries up to 15, but the log ends at 13`);
      expect(both.checkedAgainstAll.map((checkpoint) => checkpoint.seq)).toEqual(['12', '15']);
      expect(both.checkedAgainst).toEqual(checkpointB);
    });
  });

  test('the newest 5 deleted, head left alone: the head itself names the removed tail', async () => {
    await withChain(12, async (chain) => {
      await chain.superuser.transaction(async (tx) => {
        await tx.query(`SET LOCAL session_replication_role = replica`);
        await tx.query(`DELETE FROM audit_entries WHERE seq > 7`);
      });
      expect(await kindsWithoutCheckpoint(chain)).toEqual(['REMOVED_TAIL']);
    });
  });

  test('a middle entry deleted and the rest re-hashed: a gap in the numbers', async () => {
    await withChain(12, async (chain) => {
      await tamperAsSuperuser(chain, `DELETE FROM audit_entries WHERE seq = 6`, 7);
      const kinds = await chain.findingKinds();
      expect(kinds).toContain('GAP');
      expect((await chain.verify()).findings.find((finding) => finding.kind === 'GAP')?.message).toMatch(
        /entry 6 is missing/,
      );
      // Without any checkpoint the gap alone names it.
      expect(await kindsWithoutCheckpoint(chain)).toEqual(['GAP']);
    });
  });

  test('a checkpoint edited to match a shortened log: a bad signature', async () => {
    await withChain(12, async (chain) => {
      await tamperAsSuperuser(chain, `DELETE FROM audit_entries WHERE seq > 7`, 8);
      const [{ hash }] = await chain.superuser.query(`SELECT hash FROM audit_entries WHERE seq = 7`);
      const forged: AuditCheckpoint = { ...chain.checkpoint, seq: '7', hash };
      await writeFile(chain.file, `${JSON.stringify(forged)}\n`, { flag: 'a' });
      const result = await chain.verify();
      expect(result.findings.map((finding) => finding.kind)).toEqual(['BAD_CHECKPOINT']);
      expect(result.findings[0]?.message).toMatch(/bad signature/);
    });
  });

  test('a checkpoint of another chain is named, not trusted', async () => {
    await withChain(3, async (chain) => {
      await chain.superuser.query(`UPDATE audit_chain_head SET chain_id = gen_random_uuid()`);
      expect(await chain.findingKinds()).toEqual(['OTHER_CHAIN']);
    });
  });
});

describe('checkpoints of the running API', () => {
  test('are written at the interval and once more on stop, each a signed line in the file and the log', async () => {
    const file = path.join(directory, 'timer.jsonl');
    const logged: AuditCheckpoint[] = [];
    const errors: unknown[] = [];
    const timer = startCheckpointTimer({
      dataSource: api.runtimeDataSource,
      key,
      file,
      intervalSeconds: 1,
      log: (checkpoint) => logged.push(checkpoint),
      onError: (error) => errors.push(error),
    });
    await new Promise((resolve) => setTimeout(resolve, 2300));
    const token = await api.login('grid.worker');
    await registerPerson(api, token, { name: '留痕乙', gridId: await api.node('gridA') });
    await timer.stop();
    expect(errors).toEqual([]);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditCheckpoint);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines).toEqual(logged);
    const last = lines[lines.length - 1]!;
    const [head] = await api.dataSource.query(`SELECT max(seq)::text AS seq FROM audit_entries`);
    expect(last.seq).toBe(head.seq);
    const result = await verifyAuditChain(api.dataSource, { latest: await readLatestCheckpoint(file), key });
    expect(result.findings).toEqual([]);
    expect(result.checkedAgainst).toEqual(last);
    // Another key did not sign it.
    const other = await verifyAuditChain(api.dataSource, {
      latest: await readLatestCheckpoint(file),
      key: randomBytes(32),
    });
    expect(other.findings.map((finding) => finding.kind)).toEqual(['BAD_CHECKPOINT']);
  });
});

function entry(operation: string): AuditRecord {
  return { action: 'MUTATION', operation, recordType: 'TamperProbe', recordIds: [operation], fields: ['x'] };
}
