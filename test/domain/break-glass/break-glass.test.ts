// Break-glass (issue 24 item 2) through the real server: a POLICE worker of another street reaches a
// person outside its scope only once granted, for that person only and only until the grant expires;
// every read under the grant is marked in the audit; the grant waits in the review queue of the
// person's street's 综治办 leader (not another street's), and a flagged use is listed for the AUDITOR.
// The query, the list and the export go through the one row scope (scope.ts, breakGlassClause).
// Field policy holds throughout: no psychological file for POLICE, no police records for 综治办.
import { randomUUID } from 'node:crypto';
import { verifyAuditChain } from '../../../src/audit/verify';
import { loadUserIdentity, withBreakGlassGrants } from '../../../src/auth/identity-store';
import { explainAccess } from '../../../src/permissions/explain';
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let personId: string;
let neighbourId: string;
let disputeId: string;

const BREAK = `mutation($input: BreakGlassInput!) { breakGlass(input: $input) {
  grant { id personId accountDepartment reason grantedAt expiresAt reviewStatus version }
  userErrors { field message code } } }`;
const PERSON = `query($id: ID!) { person(id: $id) { id name phone } }`;
const QUEUE = `query($status: BreakGlassReviewStatus) { breakGlassReviews(status: $status, first: 20) {
  totalCount edges { node { id personId accountId accountDepartment reason reviewStatus version } } } }`;
const REVIEW = `mutation($input: ReviewBreakGlassInput!) { reviewBreakGlass(input: $input) {
  grant { id reviewStatus reviewNote reviewedAt } userErrors { field message code } } }`;
const FLAGGED = `{ flaggedBreakGlass(first: 20) { totalCount edges { node { id personId reason reviewNote } } } }`;
const REASON = '辖区外红色人员扬言持刀报复，现场处警需核实身份与联系方式';

const grantsCount = async () =>
  Number((await api.dataSource.query(`SELECT count(*)::int AS n FROM break_glass_grants`))[0].n);
const userIdOf = async (username: string): Promise<string> =>
  (await api.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]))[0].id;

beforeAll(async () => {
  api = await startTestApi();
  // A second street with its own POLICE worker and 综治办 leader (the template has one street).
  await api.dataSource.query(`
    INSERT INTO jurisdictions (id, code, name, level, parent_id, path)
    SELECT gen_random_uuid(), 'C01.S02', '繁荣街道', 'STREET', id, 'C01.S02' FROM jurisdictions WHERE code = 'C01'`);
  await api.dataSource.query(
    `INSERT INTO users (username, display_name, department_code, position, jurisdiction_id, capabilities, password_hash)
     SELECT x.username, x.username, x.department, x.position, j.id, '{}', u.password_hash
       FROM (VALUES ('s02.police', 'POLICE', 'WORKER'), ('s02.governance', 'COMPREHENSIVE_GOVERNANCE', 'LEADER'))
            AS x(username, department, position),
            users u, jurisdictions j
      WHERE u.username = 'police.worker' AND j.code = 'C01.S02'`,
  );
  const grid = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  personId = await registerPerson(api, grid, { name: '赵某', gridId: gridA, phone: '13812345678' });
  neighbourId = await registerPerson(api, grid, { name: '钱某', gridId: gridA });
  disputeId = await registerDispute(api, grid, {
    category: 'NEIGHBOR',
    source: 'POLICE_CALL',
    gridId: gridA,
    parties: [personId, neighbourId],
  });
  const added = await api.gql(
    `mutation($input: AddPoliceRecordInput!) { addPoliceRecord(input: $input) { policeRecord { id } } }`,
    { input: { personId, kind: 'POLICE_CALL', summary: '邻里纠纷报警，扬言报复', occurredOn: '2026-10-20' } },
    await api.login('police.worker'),
  );
  if (!added.data?.addPoliceRecord.policeRecord) throw new Error(JSON.stringify(added));
}, 120000);
afterAll(() => api.close());

test('bad requests change nothing: no reason, a reason too short, an unknown id, a person in scope, a refused account', async () => {
  const police = await api.login('s02.police');
  const ask = (input: Record<string, unknown>, token = police) => api.gql(BREAK, { input }, token);
  for (const reason of ['   ', '急']) {
    const result = await ask({ personId, reason });
    expect(result.data?.breakGlass).toEqual({
      grant: null,
      userErrors: [expect.objectContaining({ field: 'input.reason', code: 'BAD_USER_INPUT' })],
    });
  }
  const unknown = await ask({ personId: randomUUID(), reason: REASON });
  expect(unknown.data?.breakGlass.userErrors).toEqual([
    { field: 'input.personId', message: '没有此编号的人员 / No person with this id', code: 'NOT_FOUND' },
  ]);
  // The street's own POLICE see the person already (a police call): nothing to break.
  const inScope = await ask({ personId, reason: REASON }, await api.login('police.worker'));
  expect(inScope.data?.breakGlass.userErrors).toEqual([
    expect.objectContaining({ field: 'input.personId', code: 'INVALID_STATE' }),
  ]);
  for (const username of ['auditor', 'civil_affairs.worker']) {
    const refused = await ask({ personId, reason: REASON }, await api.login(username));
    expect(errorCodes(refused)).toEqual({ breakGlass: 'FORBIDDEN' });
  }
  expect(await grantsCount()).toBe(0);
});

test('a break-glass read outside scope fails before, works once granted for that person only, is marked in the audit, and stops at expiry', async () => {
  let police = await api.login('s02.police');
  const before = await api.gql(PERSON, { id: personId }, police);
  expect(before.data?.person).toBeNull();
  expect(errorCodes(before)).toEqual({ person: 'NOT_FOUND' });

  const granted = await api.gql(BREAK, { input: { personId, reason: `  ${REASON} ` } }, police);
  expect(granted.data?.breakGlass.userErrors).toEqual([]);
  const grant = granted.data?.breakGlass.grant;
  expect(grant).toMatchObject({
    personId,
    accountDepartment: 'POLICE',
    reason: REASON,
    reviewStatus: 'PENDING',
  });
  expect(new Date(grant.expiresAt).getTime() - new Date(grant.grantedAt).getTime()).toBe(4 * 3600_000);

  // The person, by id and in the list; nobody else, and none of the person's disputes.
  const read = await api.gql(PERSON, { id: personId }, police);
  expect(read.errors).toBeUndefined();
  expect(read.data?.person).toEqual({ id: personId, name: '赵某', phone: '13812345678' });
  const list = await api.gql(`{ persons(first: 100) { totalCount edges { node { id } } } }`, {}, police);
  expect(list.data?.persons.edges.map((edge: any) => edge.node.id)).toEqual([personId]);
  expect(list.data?.persons.totalCount).toBe(1);
  const neighbour = await api.gql(PERSON, { id: neighbourId }, police);
  expect(errorCodes(neighbour)).toEqual({ person: 'NOT_FOUND' });
  const dispute = await api.gql(`query($id: ID!) { dispute(id: $id) { id } }`, { id: disputeId }, police);
  expect(errorCodes(dispute)).toEqual({ dispute: 'NOT_FOUND' });
  // Field policy is unchanged: a psychological file stays with SOCIAL_AFFAIRS.
  const file = await api.gql(
    `query($id: ID!) { person(id: $id) { name psychologicalFile { interventionPlan } } }`,
    { id: personId },
    police,
  );
  expect(file.data?.person.name).toBe('赵某');
  expect(errorCodes(file)).toEqual({ 'person.psychologicalFile': 'FORBIDDEN' });

  // Break-glass opens reading only: a write on the person is refused as on anyone out of scope,
  // word for word, and writes nothing.
  const ADD = `mutation($input: AddPoliceRecordInput!) { addPoliceRecord(input: $input) {
    record { id } userErrors { field message code } } }`;
  const record = (id: string) => ({
    personId: id,
    kind: 'CASE',
    occurredOn: '2026-11-01',
    summary: '接警记录',
  });
  const records = () =>
    api.dataSource.query(`SELECT id FROM police_records WHERE person_id = $1`, [personId]);
  const recordsBefore = await records();
  const written = await api.gql(ADD, { input: record(personId) }, police);
  const outside = await api.gql(ADD, { input: record(neighbourId) }, police);
  expect(written.data?.addPoliceRecord.record ?? null).toBeNull();
  expect({ data: written.data, errors: written.errors }).toEqual({
    data: outside.data,
    errors: outside.errors,
  });
  expect(await records()).toEqual(recordsBefore);

  // An export is another way out: the same one person.
  const exported = await fetch(new URL('/export/persons.ndjson', api.url), {
    headers: { authorization: `Bearer ${police}` },
  });
  expect(exported.status).toBe(200);
  const rows = (await exported.text()).split('\n').filter(Boolean);
  expect(rows.map((line) => (JSON.parse(line) as { id: string }).id)).toEqual([personId]);

  // Every read under the grant is marked with it — the name alone as well as the phone.
  const reads: { record_ids: string[]; fields: string[]; detail: any }[] = await api.dataSource.query(
    `SELECT record_ids, fields, detail FROM audit_entries
      WHERE actor_id = $1 AND action = 'READ' AND $2 = ANY(record_ids) ORDER BY seq`,
    [await userIdOf('s02.police'), personId],
  );
  expect(reads.length).toBeGreaterThanOrEqual(3);
  for (const entry of reads) expect(entry.detail.breakGlassGrantIds).toEqual([grant.id]);
  expect(reads.some((entry) => entry.fields.includes('phone'))).toBe(true);
  const granting: { detail: any }[] = await api.dataSource.query(
    `SELECT detail FROM audit_entries WHERE operation = 'breakGlass' AND action = 'MUTATION'`,
  );
  expect(granting).toEqual([{ detail: expect.objectContaining({ breakGlassGrantId: grant.id }) }]);

  // The reviewer's explanation (policy:explain) names the grant as what brings the person into scope,
  // computed by the same scope the API applied; at expiry it says out of scope.
  const explained = async () =>
    explainAccess(api.dataSource, {
      identity: await withBreakGlassGrants(
        api.dataSource,
        (await loadUserIdentity(api.dataSource, await userIdOf('s02.police')))!,
        api.clock.now,
      ),
      field: 'Person.phone',
      recordId: personId,
      today: api.clock.now,
    });
  const during = await explained();
  expect(during.outcome).toBe('READ');
  expect(during.record?.clauses).toContainEqual({
    name: 'opened by a break-glass grant in force',
    matched: true,
  });

  // Four hours later the glass is whole again, on every path.
  api.clock.advanceDays(4 / 24 + 1 / 1440);
  expect((await explained()).outcome).toBe('OUT_OF_SCOPE');
  police = await api.login('s02.police');
  const after = await api.gql(PERSON, { id: personId }, police);
  expect(errorCodes(after)).toEqual({ person: 'NOT_FOUND' });
  const listAfter = await api.gql(`{ persons(first: 100) { totalCount } }`, {}, police);
  expect(listAfter.data?.persons.totalCount).toBe(0);
  expect((await verifyAuditChain(api.dataSource)).firstBroken).toBeNull();
});

test('the use waits in the review queue of the person’s street, not another street’s; flagging lists it for the AUDITOR', async () => {
  const [grant]: { id: string }[] = await api.dataSource.query(`SELECT id FROM break_glass_grants`);
  const reviewer = await api.login('comprehensive_governance.leader');
  const queue = await api.gql(QUEUE, { status: 'PENDING' }, reviewer);
  expect(queue.errors).toBeUndefined();
  expect(queue.data?.breakGlassReviews.totalCount).toBe(1);
  expect(queue.data?.breakGlassReviews.edges[0].node).toEqual({
    id: grant?.id,
    personId,
    accountId: await userIdOf('s02.police'),
    accountDepartment: 'POLICE',
    reason: REASON,
    reviewStatus: 'PENDING',
    version: 1,
  });

  // The other street's leader has an empty queue, and its grant answers as a made-up id.
  const otherStreet = await api.login('s02.governance');
  const otherQueue = await api.gql(QUEUE, {}, otherStreet);
  expect(otherQueue.data?.breakGlassReviews).toEqual({ totalCount: 0, edges: [] });
  const review = (id: string, token: string, decision = 'FLAGGED') =>
    api.gql(
      REVIEW,
      { input: { grantId: id, decision, note: '事由与处警记录不符', expectedVersion: 1 } },
      token,
    );
  const foreign = await review(grant!.id, otherStreet);
  const random = await review(randomUUID(), otherStreet);
  expect({ data: foreign.data, errors: foreign.errors }).toEqual({
    data: random.data,
    errors: random.errors,
  });
  expect(errorCodes(foreign)).toEqual({ reviewBreakGlass: 'NOT_FOUND' });
  // Other departments and workers may not review.
  expect(errorCodes(await review(grant!.id, await api.login('police.leader')))).toEqual({
    reviewBreakGlass: 'FORBIDDEN',
  });

  const auditor = await api.login('auditor');
  expect((await api.gql(FLAGGED, {}, auditor)).data?.flaggedBreakGlass.totalCount).toBe(0);
  const flagged = await review(grant!.id, reviewer);
  expect(flagged.data?.reviewBreakGlass).toMatchObject({
    grant: { id: grant?.id, reviewStatus: 'FLAGGED', reviewNote: '事由与处警记录不符' },
    userErrors: [],
  });
  const again = await review(grant!.id, reviewer, 'CONFIRMED');
  // The version moved with the first review: a stale one is a CONFLICT userError with the current version.
  expect(again.data?.reviewBreakGlass.userErrors).toEqual([
    expect.objectContaining({ field: 'input.expectedVersion', code: 'CONFLICT' }),
  ]);
  expect((await api.gql(QUEUE, { status: 'PENDING' }, reviewer)).data?.breakGlassReviews.totalCount).toBe(0);

  const listed = await api.gql(FLAGGED, {}, auditor);
  expect(listed.data?.flaggedBreakGlass).toEqual({
    totalCount: 1,
    edges: [{ node: { id: grant?.id, personId, reason: REASON, reviewNote: '事由与处警记录不符' } }],
  });
  // The queue and the list are theirs alone.
  expect(errorCodes(await api.gql(FLAGGED, {}, reviewer))).toEqual({ flaggedBreakGlass: 'FORBIDDEN' });
  expect(errorCodes(await api.gql(QUEUE, {}, await api.login('s02.police')))).toEqual({
    breakGlassReviews: 'FORBIDDEN',
  });
});

test('a 综治办 leader breaking the glass reads that a police record exists, never the records', async () => {
  const governance = await api.login('s02.governance');
  const granted = await api.gql(BREAK, { input: { personId, reason: REASON } }, governance);
  expect(granted.data?.breakGlass.userErrors).toEqual([]);
  const read = await api.gql(
    `query($id: ID!) { person(id: $id) { name hasPoliceRecord policeRecords { summary } psychologicalFile { interventionPlan } } }`,
    { id: personId },
    governance,
  );
  expect(read.data?.person).toMatchObject({ name: '赵某', hasPoliceRecord: true });
  expect(errorCodes(read)).toEqual({
    'person.policeRecords': 'FORBIDDEN',
    'person.psychologicalFile': 'FORBIDDEN',
  });
});
