// The audit log: sensitive reads and every mutation are recorded with who, when, request and fields;
// the table refuses UPDATE and DELETE; the hash chain shows where it was tampered with.
import { randomUUID } from 'node:crypto';
import { writeReadAuditEntries } from '../../src/audit/audit-log';
import { verifyAuditChain } from '../../src/audit/verify';
import { startTestApi, type TestApi } from '../support/api';
import { errorCodes, registerPerson } from '../support/fixtures';

let api: TestApi;
let personId: string;

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  personId = await registerPerson(api, worker, {
    name: '审计对象',
    gridId: await api.node('gridA'),
    idNumber: '330102198001191234',
    phone: '13812345678',
    specialStatuses: ['DRUG_INVOLVED'],
  });
});
afterAll(() => api.close());

async function entries(): Promise<any[]> {
  return api.dataSource.query(`SELECT * FROM audit_entries ORDER BY seq`);
}

test('reading a person’s ID number as POLICE adds one audit entry naming the field', async () => {
  const police = await api.login('police.worker');
  const before = (await entries()).length;
  const response = await fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${police}`,
      'x-request-id': 'police-read-1',
    },
    body: JSON.stringify({
      query: `query ReadId($id: ID!) { person(id: $id) { name idNumber } }`,
      variables: { id: personId },
    }),
  });
  const body: any = await response.json();
  expect(body.data.person.idNumber).toBe('330102198001191234');
  const added = (await entries()).slice(before);
  expect(added).toHaveLength(1);
  expect(added[0]).toMatchObject({
    action: 'READ',
    operation: 'ReadId',
    record_type: 'Person',
    record_ids: [personId],
    fields: ['idNumber'],
    request_id: 'police-read-1',
    actor_department: 'POLICE',
  });
});

test('a masked value is not a sensitive read; a denied field writes nothing', async () => {
  const court = await api.login('circuit_court.worker');
  await api.dataSource.query(
    `INSERT INTO assignments (person_id, responsible_department_code, responsible_person_id, created_by_id)
     SELECT $1, 'CIRCUIT_COURT', id, id FROM users WHERE username = 'circuit_court.worker'`,
    [personId],
  );
  const before = (await entries()).length;
  const result = await api.gql(
    `query($id: ID!) { person(id: $id) { idNumber phone specialStatuses } }`,
    { id: personId },
    court,
  );
  expect(result.data?.person.idNumber).toBe('**************1234');
  expect(result.data?.person.phone).toBe('138****5678');
  expect(errorCodes(result)).toEqual({ 'person.specialStatuses': 'FORBIDDEN' });
  expect((await entries()).length).toBe(before);
});

test('each department sees only its own special statuses', async () => {
  const police = await api.login('police.worker');
  const asPolice = await api.gql(
    `query($id: ID!) { person(id: $id) { specialStatuses } }`,
    { id: personId },
    police,
  );
  expect(asPolice.data?.person.specialStatuses).toEqual(['DRUG_INVOLVED']);
  const grid = await api.login('grid.worker');
  const asGrid = await api.gql(
    `query($id: ID!) { person(id: $id) { specialStatuses } }`,
    { id: personId },
    grid,
  );
  // Only the owning department reads a status: not the grid (SPEC §3).
  expect(asGrid.data?.person.specialStatuses).toBeNull();
  expect(errorCodes(asGrid)).toEqual({ 'person.specialStatuses': 'FORBIDDEN' });
});

test('a mutation and its audit entry commit together', async () => {
  const worker = await api.login('grid.worker');
  const before = (await entries()).length;
  await registerPerson(api, worker, { name: '新登记', gridId: await api.node('gridA') });
  const added = (await entries()).slice(before);
  expect(added.map((e) => [e.action, e.operation])).toEqual([['MUTATION', 'registerPerson']]);
});

test("a page's read entry stays whole in its row, outside the TOAST table, and chains as before", async () => {
  // 60 ids: more than a 50-row page names, ~2.4 kB, over PostgreSQL's 2 kB TOAST threshold.
  const ids = Array.from({ length: 60 }, () => randomUUID()).sort();
  const [{ toast }] = await api.dataSource.query(
    // The month's partition the entry goes to (migration AuditEntriesByMonth): the latest entry's.
    `SELECT reltoastrelid::regclass::text AS toast FROM pg_class
      WHERE oid = (SELECT tableoid FROM audit_entries ORDER BY seq DESC LIMIT 1)`,
  );
  const toastRows = async () =>
    Number((await api.dataSource.query(`SELECT count(*) FROM ${toast}`))[0].count);
  const before = await toastRows();
  await writeReadAuditEntries(api.dataSource, { requestId: 'wide-page-1', identity: null }, [
    { action: 'READ', operation: 'WidePage', recordType: 'Person', recordIds: ids, fields: ['phone'] },
  ]);
  const [stored] = await api.dataSource.query(
    `SELECT record_ids, pg_column_compression(record_ids) AS compression FROM audit_entries WHERE request_id = 'wide-page-1'`,
  );
  expect(stored).toEqual({ record_ids: ids, compression: null });
  expect(await toastRows()).toBe(before);
  expect((await verifyAuditChain(api.dataSource)).firstBroken).toBeNull();
});

test('the audit table refuses UPDATE and DELETE', async () => {
  await expect(api.dataSource.query(`UPDATE audit_entries SET action = 'X'`)).rejects.toThrow(/append-only/);
  await expect(api.dataSource.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
  await expect(api.dataSource.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
});

test('tampering with a stored entry makes verification fail at that entry', async () => {
  expect((await verifyAuditChain(api.dataSource)).firstBroken).toBeNull();
  const target = (await entries())[1];
  await api.dataSource.query(`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`);
  await api.dataSource.query(`UPDATE audit_entries SET fields = '{}' WHERE seq = $1`, [target.seq]);
  await api.dataSource.query(`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only`);
  const result = await verifyAuditChain(api.dataSource);
  expect(result.firstBroken?.seq).toBe(String(target.seq));
  expect(result.firstBroken?.reason).toMatch(/edited/);
});

test('only AUDITOR reads the audit trail', async () => {
  const auditor = await api.login('auditor');
  const trail = await api.gql(
    `query($r: ID!) { auditTrail(filter: { recordId: $r }, first: 10) { entries { action operation fields actorDepartment } } }`,
    { r: personId },
    auditor,
  );
  expect(trail.errors).toBeUndefined();
  expect(trail.data?.auditTrail.entries.length).toBeGreaterThan(0);
  const looked: { actor_department: string; record_ids: string[] }[] = await api.dataSource.query(
    `SELECT actor_department, record_ids FROM audit_entries WHERE record_type = 'AuditEntry' AND action = 'READ'`,
  );
  expect(looked).toHaveLength(1);
  expect(looked[0]?.record_ids.length).toBe(trail.data?.auditTrail.entries.length);
  const police = await api.login('police.leader');
  const refused = await api.gql(`{ auditTrail(first: 10) { entries { seq } } }`, {}, police);
  expect(errorCodes(refused)).toEqual({ auditTrail: 'FORBIDDEN' });
});

/** Reads the person's ID number and phone as `token`, with its own request id. */
function readAs(token: string, requestId: string) {
  return fetch(api.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-request-id': requestId,
    },
    body: JSON.stringify({
      query: `query Concurrent($id: ID!) { person(id: $id) { idNumber phone } }`,
      variables: { id: personId },
    }),
  });
}

test('requests finishing together each get their own entries, and the chain stays whole', async () => {
  const police = await api.login('police.worker');
  const leader = await api.login('police.leader');
  const before = (await entries()).length;
  const requests = Array.from({ length: 12 }, (_, index) =>
    readAs(index % 2 === 0 ? police : leader, `concurrent-${index}`),
  );
  const answers = await Promise.all(requests);
  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
  const added = (await entries()).slice(before);
  expect(added.map((entry) => entry.request_id).sort()).toEqual(
    Array.from({ length: 12 }, (_, index) => `concurrent-${index}`).sort(),
  );
  for (const entry of added) {
    const index = Number(entry.request_id.split('-')[1]);
    expect(entry).toMatchObject({
      operation: 'Concurrent',
      record_ids: [personId],
      fields: ['idNumber', 'phone'],
      actor_department: 'POLICE',
    });
    const [user] = await api.dataSource.query(`SELECT username FROM users WHERE id = $1`, [entry.actor_id]);
    expect(user.username).toBe(index % 2 === 0 ? 'police.worker' : 'police.leader');
  }
  // Each new entry follows the one before it and matches its hash (an earlier test breaks the chain
  // further back on purpose, so this checks the new entries rather than the whole table).
  const links = await api.dataSource.query(
    `SELECT e.hash = audit_entry_hash(e) AND e.prev_hash = (SELECT hash FROM audit_entries p WHERE p.seq < e.seq ORDER BY p.seq DESC LIMIT 1) AS whole
       FROM audit_entries e WHERE e.seq >= $1 ORDER BY e.seq`,
    [added[0].seq],
  );
  expect(links).toEqual(added.map(() => ({ whole: true })));
});

test('when the audit entry cannot be written, the request fails and shows nothing', async () => {
  const police = await api.login('police.worker');
  await api.dataSource.query(
    `ALTER TABLE audit_entries ADD CONSTRAINT refuse_one CHECK (request_id <> 'refused-read') NOT VALID`,
  );
  try {
    const refused = await readAs(police, 'refused-read');
    expect(refused.status).toBe(500);
    const body: any = await refused.json();
    expect(body.data).toBeUndefined();
    expect(JSON.stringify(body)).not.toContain('330102198001191234');
    expect(body.errors[0].message).toMatch(/audit entry could not be written/);
    // The next request is written as usual: one failed insert does not stop the others.
    const next = await readAs(police, 'after-refused');
    expect(next.status).toBe(200);
  } finally {
    await api.dataSource.query(`ALTER TABLE audit_entries DROP CONSTRAINT refuse_one`);
  }
  const written = await api.dataSource.query(
    `SELECT request_id FROM audit_entries WHERE request_id IN ('refused-read', 'after-refused')`,
  );
  expect(written).toEqual([{ request_id: 'after-refused' }]);
});
