// Retention (issue 24 item 4), on records made through the real server: a person at NONE whose only
// dispute closed more than RETENTION_YEARS ago is anonymised with that dispute — no name, ID number,
// phone, address or free text left in any row that names them (checked in SQL over every table) —
// while the monthly figures stay the same, a person with an open matter is kept, the run is audited
// and idempotent, the audit chain still verifies, and the access report says the record was anonymised.
import { verifyAuditChain } from '../../../src/audit/verify';
import { ANONYMISED_NAME, runRetention } from '../../../src/domain/access/retention.service';
import { startTestApi, type TestApi } from '../../support/api';
import { registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let gone: string;
let kept: string;
let closedDispute: string;
let openDispute: string;

/** Everything personal the test writes about `gone` and their closed dispute. */
const PERSONAL = {
  name: '留存甲',
  idNumber: '33010219800101123X',
  phone: '13812340000',
  address: '东村9组99号',
  employerName: '某留存厂',
  employerContact: '0571-12345678',
  landlordName: '房东留存',
  landlordContact: '13911112222',
  occupation: '留存木工',
};
/** The note of the closing status change: it names a party, so it is personal data too. */
const STATUS_NOTE = '留存甲当面同意和解，已签字';
const FREE_TEXT = ['留存纠纷描述', '留存协议内容', '留存调解笔记', STATUS_NOTE];

const STATUS = `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) {
  dispute { status version } userErrors { message } } }`;
const FIGURES = `query($j: ID!, $m: String!) { monthlyFigures(jurisdictionId: $j, month: $m) {
  personsByTier { key count suppressed } managedPersons { count suppressed }
  disputesReported { count suppressed } disputesByCategory { key count suppressed }
  disputesByStatus { key count suppressed } disputesClosed { count suppressed }
  disputesResolved { count suppressed } escalations { count suppressed } alertsRaised { count suppressed } } }`;

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  gone = await registerPerson(api, worker, { ...PERSONAL, gridId: gridA, residency: 'MIGRANT' });
  kept = await registerPerson(api, worker, { name: '留存乙', gridId: gridA, phone: '13900003333' });
  closedDispute = await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    gridId: gridA,
    parties: [gone, kept],
    description: FREE_TEXT[0],
  });
  const leader = await api.login('grid.leader');
  const justice = await api.login('justice.worker');
  expect(
    (
      await api.gql(
        STATUS,
        { input: { disputeId: closedDispute, status: 'ACCEPTED', expectedVersion: 1 } },
        leader,
      )
    ).data?.changeDisputeStatus.dispute.status,
  ).toBe('ACCEPTED');
  await api.gql(
    STATUS,
    { input: { disputeId: closedDispute, status: 'IN_MEDIATION', expectedVersion: 2 } },
    worker,
  );
  const session = await api.gql(
    `mutation($input: RecordMediationSessionInput!) { recordMediationSession(input: $input) {
       mediationSession { id } userErrors { field message } } }`,
    {
      input: {
        disputeId: closedDispute,
        venue: '村调委会',
        mediatorName: '调解员老李',
        outcome: 'AGREEMENT',
        agreementText: FREE_TEXT[1],
        notes: FREE_TEXT[2],
      },
    },
    justice,
  );
  expect(session.data?.recordMediationSession.userErrors).toEqual([]);
  const resolved = await api.gql(
    STATUS,
    { input: { disputeId: closedDispute, status: 'RESOLVED', expectedVersion: 3, note: STATUS_NOTE } },
    worker,
  );
  expect(resolved.data?.changeDisputeStatus.dispute.status).toBe('RESOLVED');
  // 留存乙 is still party to an open dispute: an open matter keeps the record.
  const other = await registerPerson(api, worker, { name: '留存丙', gridId: gridA });
  openDispute = await registerDispute(api, worker, {
    category: 'CONTRACT',
    gridId: gridA,
    parties: [kept, other],
    description: '仍在处理',
  });
});
afterAll(() => api.close());

async function figures(): Promise<unknown> {
  const month = api.clock.now.toISOString().slice(0, 7);
  const result = await api.gql(
    FIGURES,
    { j: await api.node('street'), m: month },
    await api.login('comprehensive_governance.leader'),
  );
  expect(result.errors).toBeUndefined();
  return result.data?.monthlyFigures;
}

/** The text of every row, in every table, that names `id` in a uuid column (or, for the audit, in record_ids). */
async function rowsNaming(id: string): Promise<string[]> {
  const columns: { table_name: string; column_name: string }[] = await api.dataSource.query(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
      WHERE c.table_schema = 'public' AND c.data_type = 'uuid' AND t.table_type = 'BASE TABLE'`,
  );
  const texts: string[] = [];
  for (const { table_name, column_name } of columns) {
    const rows: { row: string }[] = await api.dataSource.query(
      `SELECT row_to_json(t)::text AS row FROM "${table_name}" t WHERE "${column_name}" = $1`,
      [id],
    );
    texts.push(...rows.map((row) => `${table_name}: ${row.row}`));
  }
  const audit: { row: string }[] = await api.dataSource.query(
    `SELECT row_to_json(a)::text AS row FROM audit_entries a WHERE record_ids @> ARRAY[$1]::text[]`,
    [id],
  );
  return [...texts, ...audit.map((row) => `audit_entries: ${row.row}`)];
}

/** How many audit entries, anywhere in the log, hold `text`. */
async function auditRowsContaining(text: string): Promise<number> {
  const [row] = await api.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_entries a WHERE strpos(row_to_json(a)::text, $1) > 0`,
    [text],
  );
  return row.n;
}

test('a person at NONE with no open matter for three years is anonymised, with their closed dispute; the figures stay', async () => {
  const before = await figures();
  const beforeRows = (await rowsNaming(gone)).join('\n');
  expect(beforeRows).toContain(PERSONAL.idNumber);
  // The status change's note is kept beside the dispute, where retention can reach it, and the audit
  // entry of the change names that row instead of holding the note.
  const [change] = await api.dataSource.query(
    `SELECT id, note FROM dispute_status_changes WHERE dispute_id = $1 AND to_status = 'RESOLVED'`,
    [closedDispute],
  );
  expect(change.note).toBe(STATUS_NOTE);
  const [entry] = await api.dataSource.query(
    `SELECT detail FROM audit_entries WHERE operation = 'changeDisputeStatus' AND record_ids @> ARRAY[$1]::text[]
        AND detail ->> 'to' = 'RESOLVED'`,
    [closedDispute],
  );
  expect(entry.detail).toEqual({ from: 'IN_MEDIATION', to: 'RESOLVED', statusChangeId: change.id });
  expect(await auditRowsContaining(STATUS_NOTE)).toBe(0);

  // Not yet: the dispute closed today.
  const early = await runRetention(api.runtimeDataSource, { now: api.clock.now, years: 3, dryRun: false });
  expect(early.personIds).not.toContain(gone);

  const later = new Date(api.clock.now.getTime() + 3 * 366 * 86_400_000);
  const dry = await runRetention(api.runtimeDataSource, { now: later, years: 3, dryRun: true });
  expect(dry.personIds).toContain(gone);
  expect(dry.disputeIds).toContain(closedDispute);
  expect((await rowsNaming(gone)).join('\n')).toContain(PERSONAL.name);

  const run = await runRetention(api.runtimeDataSource, { now: later, years: 3, dryRun: false });
  expect(run.personIds).toContain(gone);
  expect(run.personIds).not.toContain(kept);
  expect(run.disputeIds).toEqual([closedDispute]);
  expect(run.disputeIds).not.toContain(openDispute);

  const after = [...(await rowsNaming(gone)), ...(await rowsNaming(closedDispute))].join('\n');
  for (const value of [...Object.values(PERSONAL), ...FREE_TEXT]) expect(after).not.toContain(value);
  const notes = await api.dataSource.query(
    `SELECT note, anonymised_at FROM dispute_status_changes WHERE dispute_id = $1`,
    [closedDispute],
  );
  expect(notes.length).toBe(3);
  for (const row of notes) expect(row).toEqual({ note: null, anonymised_at: later });
  expect(await auditRowsContaining(STATUS_NOTE)).toBe(0);
  // The history refuses any other change, and any deletion, even to the API's own role.
  await expect(
    api.runtimeDataSource.query(`UPDATE dispute_status_changes SET note = 'x' WHERE dispute_id = $1`, [
      closedDispute,
    ]),
  ).rejects.toThrow(/history/);
  await expect(
    api.runtimeDataSource.query(`DELETE FROM dispute_status_changes WHERE dispute_id = $1`, [closedDispute]),
  ).rejects.toThrow(/permission denied|history/);
  const [person] = await api.dataSource.query(`SELECT name, anonymised_at FROM persons WHERE id = $1`, [
    gone,
  ]);
  expect(person.name).toBe(ANONYMISED_NAME);
  expect(person.anonymised_at).not.toBeNull();
  const [stillThere] = await api.dataSource.query(`SELECT name FROM persons WHERE id = $1`, [kept]);
  expect(stillThere.name).toBe('留存乙');

  expect(await figures()).toEqual(before);

  const again = await runRetention(api.runtimeDataSource, { now: later, years: 3, dryRun: false });
  expect(again.personIds).toEqual([]);
  expect(again.disputeIds).toEqual([]);
  expect(await figures()).toEqual(before);

  expect((await verifyAuditChain(api.runtimeDataSource)).findings).toEqual([]);
});

test('the access report says the record was anonymised, and by which run', async () => {
  const report = await api.gql(
    `query($id: ID!) { personAccessReport(personId: $id, first: 100) {
       anonymisedAt edges { node { operation transport reason recordIds } } } }`,
    { id: gone },
    await api.login('auditor'),
  );
  const body = report.data?.personAccessReport;
  expect(body.anonymisedAt).not.toBeNull();
  expect(body.edges.map((edge: any) => edge.node)).toContainEqual(
    expect.objectContaining({ operation: 'retention', transport: 'COMMAND', recordIds: [gone] }),
  );
  expect(body.edges[0].node.reason).toMatch(/^retention: no open matter for 3 years/);
});
