// The audit log by month (issue 23 item 5): entries written either side of a month's end land in that
// month's partition, the hash chain runs on across them and audit:verify checks it whole; an edit in
// an older month is still found; the time is still the database's, not the inserter's; a month nobody
// prepared goes to the default partition instead of failing. The database's clock (audit_clock(),
// replaceable by the owner or the superuser only) is moved with the request clock, as time passes.
import { Client } from 'pg';
import { AuditEntriesByMonth1766700000000 } from '../../migrations/1766700000000-AuditEntriesByMonth';
import { verifyAuditChain } from '../../src/audit/verify';
import { grantRuntimeAccess, RUNTIME_ROLE } from '../../src/database/database';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

interface StoredEntry {
  seq: string;
  occurred_at: Date;
  partition: string;
  prev_hash: string | null;
  hash: string;
}

/**
 * Moves the request clock and the database's audit clock to `at` (time then runs on from there) and
 * signs the grid worker in at that time, before the database's clock moves: a sign-in takes a while.
 */
async function moveTimeTo(at: Date): Promise<string> {
  api.clock.now = at;
  api.clock.advanceDays(0);
  const token = await api.login('grid.worker');
  const offsetSeconds = (at.getTime() - Date.now()) / 1000;
  await api.dataSource.query(`
    CREATE OR REPLACE FUNCTION audit_clock() RETURNS timestamptz LANGUAGE sql VOLATILE AS $$
      SELECT clock_timestamp() + make_interval(secs => ${offsetSeconds})
    $$`);
  return token;
}

/** Registers a person as the grid worker; returns the mutation's audit entry. */
async function registerAt(token: string, name: string): Promise<StoredEntry> {
  const id = await registerPerson(api, token, { name, gridId: await api.node('gridA') });
  const [entry] = (await api.dataSource.query(
    `SELECT seq::text, occurred_at, tableoid::regclass::text AS partition, prev_hash, hash
       FROM audit_entries WHERE operation = 'registerPerson' AND $1 = ANY(record_ids)`,
    [id],
  )) as StoredEntry[];
  if (!entry) throw new Error(`no audit entry for ${name}`);
  return entry;
}

const partitionName = (month: Date) =>
  `audit_entries_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;

/** The start of the month after the real one: its partition was made ahead by the migration. */
const now = new Date();
const boundary = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
const monthBefore = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

let before: StoredEntry;
let after: StoredEntry;

test('entries either side of a month’s end land in two partitions, and the chain runs across them', async () => {
  before = await registerAt(await moveTimeTo(new Date(boundary.getTime() - 3000)), '月末甲');
  after = await registerAt(await moveTimeTo(new Date(boundary.getTime() + 3000)), '月初乙');

  expect(before.occurred_at.getTime()).toBeLessThan(boundary.getTime());
  expect(after.occurred_at.getTime()).toBeGreaterThanOrEqual(boundary.getTime());
  expect([before.partition, after.partition]).toEqual([partitionName(monthBefore), partitionName(boundary)]);
  const parents = (await api.dataSource.query(
    `SELECT c.relname AS partition, p.relname AS parent
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE c.relname = ANY($1) ORDER BY c.relname`,
    [[before.partition, after.partition]],
  )) as { partition: string; parent: string }[];
  expect(parents).toEqual([
    { partition: before.partition, parent: 'audit_entries' },
    { partition: after.partition, parent: 'audit_entries' },
  ]);
  // One chain: the first entry of the new month hashes on from the last ones of the old.
  const between = (await api.dataSource.query(
    `SELECT seq::text, prev_hash, hash FROM audit_entries WHERE seq > $1::bigint AND seq <= $2::bigint ORDER BY seq`,
    [before.seq, after.seq],
  )) as { seq: string; prev_hash: string; hash: string }[];
  expect(between[0]?.prev_hash).toBe(before.hash);
  expect(between.at(-1)?.seq).toBe(after.seq);
  const verification = await verifyAuditChain(api.dataSource);
  expect(verification.findings).toEqual([]);
  expect(verification.lastSeq).toBe(
    (await api.dataSource.query(`SELECT seq::text FROM audit_chain_head`))[0].seq,
  );
});

test('the runtime role reaches the months through the audit log only, and cannot date an entry', async () => {
  const client = new Client({ connectionString: api.runtimeUrl });
  await client.connect();
  try {
    const [privileges] = (
      await client.query(
        `SELECT has_table_privilege($1, 'SELECT') OR has_table_privilege($1, 'INSERT') AS on_partition,
                has_table_privilege('audit_entries', 'INSERT') AS on_log`,
        [after.partition],
      )
    ).rows;
    expect(privileges).toEqual({ on_partition: false, on_log: true });
    await expect(client.query(`SELECT count(*) FROM ${after.partition}`)).rejects.toThrow(
      /permission denied/,
    );

    const insert = (requestId: string, occurredAt: string) =>
      client.query(
        `INSERT INTO audit_entries (occurred_at, actor_kind, request_id, action, operation, record_type, hash)
         VALUES ($2, 'ANONYMOUS', $1, 'READ', 'Backdated', 'Person', '') RETURNING occurred_at`,
        [requestId, occurredAt],
      );
    // A time named in this month is replaced by the database's own.
    const named = new Date(boundary.getTime() + 2000);
    const { rows } = await insert('named-time', named.toISOString());
    expect((rows[0] as { occurred_at: Date }).occurred_at.getTime()).toBeGreaterThan(named.getTime() + 900);
    // A time in another month would have to move the row to another partition: refused.
    await expect(insert('backdated', '2020-01-15T00:00:00Z')).rejects.toThrow(/partition/);
  } finally {
    await client.end();
  }
  expect((await verifyAuditChain(api.dataSource)).findings).toEqual([]);
});

test('a month nobody prepared goes to the default partition, and the chain still verifies', async () => {
  const far = new Date(Date.UTC(boundary.getUTCFullYear() + 2, 5, 10));
  const entry = await registerAt(await moveTimeTo(far), '远期丙');
  expect(entry.partition).toBe('audit_entries_default');
  // Preparing that month now leaves its entries where they are (an audit entry never moves).
  const [{ created }] = await api.dataSource.query(`SELECT audit_entries_prepare_months(0) AS created`);
  expect(created).toBe(0);
  expect((await verifyAuditChain(api.dataSource)).findings).toEqual([]);
});

test('the migration converts a populated log: entries, numbers and hashes move as they are', async () => {
  const listing = async () =>
    (await api.dataSource.query(
      `SELECT seq::text, occurred_at, hash, tableoid::regclass::text AS partition FROM audit_entries ORDER BY seq`,
    )) as { seq: string; occurred_at: Date; hash: string; partition: string }[];
  const entries = await listing();
  const migration = new AuditEntriesByMonth1766700000000();
  const runner = api.dataSource.createQueryRunner();
  try {
    // As the test's superuser (the test database's schema is not the owner role's to create in).
    await runner.startTransaction();
    await migration.down(runner);
    expect(
      (await runner.query(`SELECT relkind FROM pg_class WHERE oid = 'audit_entries'::regclass`))[0].relkind,
    ).toBe('r');
    await migration.up(runner);
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
  await grantRuntimeAccess(api.dataSource, RUNTIME_ROLE);
  const converted = await listing();
  expect(converted.map(({ seq, occurred_at, hash }) => ({ seq, occurred_at, hash }))).toEqual(
    entries.map(({ seq, occurred_at, hash }) => ({ seq, occurred_at, hash })),
  );
  // Every month of the log has its partition now, the far one included: the default is empty.
  expect(converted.filter((entry) => entry.partition === 'audit_entries_default')).toEqual([]);
  expect((await verifyAuditChain(api.dataSource)).findings).toEqual([]);
  const entry = await registerAt(await moveTimeTo(new Date(boundary.getTime() + 86_400_000)), '迁移后丁');
  expect(entry.partition).toBe(partitionName(boundary));
  expect((await verifyAuditChain(api.dataSource)).findings).toEqual([]);
});

test('an entry edited in an older month is found by verification, at that entry', async () => {
  await api.dataSource.transaction(async (manager) => {
    // As the superuser can: skip the append-only trigger for this transaction.
    await manager.query(`SET LOCAL session_replication_role = replica`);
    await manager.query(`UPDATE ${before.partition} SET fields = '{phone}' WHERE seq = $1::bigint`, [
      before.seq,
    ]);
  });
  const verification = await verifyAuditChain(api.dataSource);
  expect(verification.firstBroken).toEqual({ seq: before.seq, reason: expect.stringMatching(/edited/) });
  expect(verification.findings.map((finding) => finding.kind)).toEqual(['EDITED_ENTRY']);
});
