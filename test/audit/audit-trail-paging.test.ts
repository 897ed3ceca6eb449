// The auditor pages the whole trail: more than a thousand entries, newest first by sequence number
// (numerically: 1000 comes before 999), each exactly once; a `before` that is not a sequence number
// is the caller's mistake, never a server error.
import { writeAuditEntries, type AuditRecord } from '../../src/audit/audit-log';
import { startTestApi, type TestApi } from '../support/api';
import { errorCodes } from '../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  // Written by the real audit writer, so the chain trigger numbers and hashes them as in production.
  const records: AuditRecord[] = Array.from({ length: 600 }, (_, index) => ({
    action: 'MUTATION',
    operation: 'seedTrail',
    recordType: 'TrailSeed',
    recordIds: [String(index)],
    fields: ['seq'],
  }));
  for (const batch of ['seed-trail-1', 'seed-trail-2']) {
    await api.dataSource.transaction((tx) =>
      writeAuditEntries(tx, { requestId: batch, identity: null }, records),
    );
  }
});
afterAll(() => api.close());

const TRAIL = `query($before: String) { auditTrail(first: 100, before: $before) { entries { seq } nextBefore } }`;

test('walking the trail page by page returns every entry exactly once, newest first by number', async () => {
  const auditor = await api.login('auditor');
  const seen: string[] = [];
  let before: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const result: any = await api.gql(TRAIL, { before }, auditor);
    expect(result.errors).toBeUndefined();
    seen.push(...result.data.auditTrail.entries.map((entry: { seq: string }) => entry.seq));
    before = result.data.auditTrail.nextBefore;
    if (before === null) break;
  }
  expect(before).toBeNull();
  const top = seen[0] as string;
  const stored: { seq_text: string }[] = await api.dataSource.query(
    `SELECT seq::text AS seq_text FROM audit_entries WHERE seq <= $1::bigint ORDER BY seq DESC`,
    [top],
  );
  expect(stored.length).toBeGreaterThan(1000);
  expect(seen).toEqual(stored.map((row) => row.seq_text));
  for (let i = 1; i < seen.length; i += 1) {
    expect(BigInt(seen[i] as string) < BigInt(seen[i - 1] as string)).toBe(true);
  }
  expect(new Set(seen).size).toBe(seen.length);
});

test('a page before a sequence number holds the entries just below it, by number', async () => {
  const auditor = await api.login('auditor');
  const result: any = await api.gql(TRAIL, { before: '1001' }, auditor);
  expect(result.data.auditTrail.entries.map((entry: { seq: string }) => entry.seq).slice(0, 3)).toEqual([
    '1000',
    '999',
    '998',
  ]);
});

test.each(['9999999999999999999', '-1', 'abc', '12.5', ''])(
  'before %p is refused as bad input',
  async (before) => {
    const auditor = await api.login('auditor');
    const result = await api.gql(TRAIL, { before }, auditor);
    expect(errorCodes(result)).toEqual({ auditTrail: 'BAD_USER_INPUT' });
  },
);
