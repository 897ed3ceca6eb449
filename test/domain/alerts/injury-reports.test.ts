// Injury reports (警医联动) are listed to POLICE and SOCIAL_AFFAIRS within their jurisdiction, newest
// first, a page at a time; a linked person outside the reader's scope is not named; other departments
// are refused; reading the description is audited.
import { startTestApi, type TestApi } from '../../support/api';
import { errorCodes, registerPerson } from '../../support/fixtures';

let api: TestApi;
let gridAReport: string;
let gridCReport: string;
let suspectId: string;

const REPORT = `mutation($input: ReportInjuryInput!) { reportInjury(input: $input) { injuryReport { id } userErrors { field message } } }`;
const LIST = `query($first: Int, $after: String, $filter: InjuryReportFilter) {
  injuryReports(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id facility cause description injuredPersonId suspectPersonId reportedAt } } } }`;

beforeAll(async () => {
  api = await startTestApi();
  // A POLICE worker whose jurisdiction is 西社区 only (the template's POLICE sit at the street).
  await api.dataSource.query(
    `INSERT INTO users (username, display_name, department_code, position, jurisdiction_id, capabilities, password_hash)
     SELECT 'villageb.police', 'villageb.police', 'POLICE', 'WORKER', j.id, '{}', u.password_hash
       FROM users u, jurisdictions j WHERE u.username = 'police.worker' AND j.code = 'C01.S01.V02'`,
  );
  const health = await api.login('social_affairs.worker');
  // Known to SOCIAL_AFFAIRS through the status it owns; not in POLICE's person scope.
  suspectId = await registerPerson(api, health, {
    name: '病患家属',
    gridId: await api.node('gridA'),
    specialStatuses: ['SEVERE_MENTAL_DISORDER_WITH_INCIDENT'],
  });
  const report = async (gridId: string, description: string, extra: Record<string, unknown> = {}) => {
    const result = await api.gql(
      REPORT,
      { input: { facility: '镇卫生院', cause: 'KNIFE', description, gridId, ...extra } },
      await api.login('social_affairs.worker'),
    );
    const id = result.data?.reportInjury.injuryReport?.id;
    if (!id) throw new Error(`reportInjury failed: ${JSON.stringify(result)}`);
    return id as string;
  };
  gridAReport = await report(await api.node('gridA'), '左臂刀伤，称与邻居争执', {
    suspectPersonId: suspectId,
  });
  api.clock.advanceDays(1);
  gridCReport = await report(await api.node('gridC'), '误服农药', { cause: 'POISON' });
});
afterAll(() => api.close());

test('POLICE list the reports of their jurisdiction newest first, one page after another', async () => {
  const police = await api.login('police.worker');
  const first = await api.gql(LIST, { first: 1 }, police);
  expect(first.errors).toBeUndefined();
  expect(first.data?.injuryReports.totalCount).toBe(2);
  expect(first.data?.injuryReports.edges.map((e: any) => e.node.id)).toEqual([gridCReport]);
  expect(first.data?.injuryReports.pageInfo.hasNextPage).toBe(true);
  const second = await api.gql(
    LIST,
    { first: 1, after: first.data?.injuryReports.pageInfo.endCursor },
    police,
  );
  expect(second.data?.injuryReports.edges.map((e: any) => e.node)).toEqual([
    expect.objectContaining({ id: gridAReport, cause: 'KNIFE', description: '左臂刀伤，称与邻居争执' }),
  ]);
  expect(second.data?.injuryReports.pageInfo.hasNextPage).toBe(false);
  const poison = await api.gql(LIST, { filter: { causes: ['POISON'] } }, police);
  expect(poison.data?.injuryReports.edges.map((e: any) => e.node.id)).toEqual([gridCReport]);
  expect(errorCodes(await api.gql(LIST, { first: 101 }, police))).toEqual({
    injuryReports: 'BAD_USER_INPUT',
  });
});

test('a report outside the reader’s jurisdiction is not listed, nor counted', async () => {
  const villagePolice = await api.login('villageb.police');
  const listed = await api.gql(LIST, {}, villagePolice);
  expect(listed.errors).toBeUndefined();
  expect(listed.data?.injuryReports.totalCount).toBe(1);
  expect(listed.data?.injuryReports.edges.map((e: any) => e.node.id)).toEqual([gridCReport]);
});

test('a linked person outside the reader’s person scope is not named', async () => {
  const police = await api.login('police.worker');
  const asPolice = await api.gql(LIST, {}, police);
  const seenByPolice = asPolice.data?.injuryReports.edges.find((e: any) => e.node.id === gridAReport).node;
  expect(seenByPolice.suspectPersonId).toBeNull();
  const health = await api.login('social_affairs.worker');
  const asHealth = await api.gql(LIST, {}, health);
  const seenByHealth = asHealth.data?.injuryReports.edges.find((e: any) => e.node.id === gridAReport).node;
  expect(seenByHealth.suspectPersonId).toBe(suspectId);
});

test('departments without the right are refused', async () => {
  for (const username of [
    'civil_affairs.leader',
    'grid.leader',
    'comprehensive_governance.worker',
    'auditor',
  ]) {
    const token = await api.login(username);
    expect(errorCodes(await api.gql(LIST, {}, token))).toEqual({ injuryReports: 'FORBIDDEN' });
  }
});

test('reading a report’s description writes an audit entry naming the reports and the field', async () => {
  const police = await api.login('police.worker');
  const [{ seq }] = await api.dataSource.query(
    `SELECT coalesce(max(seq), 0)::text AS seq FROM audit_entries`,
  );
  const read = await api.gql(`{ injuryReports { edges { node { id description } } } }`, {}, police);
  expect(read.errors).toBeUndefined();
  const entries: any[] = await api.dataSource.query(
    `SELECT action, record_type, record_ids, fields, actor_department FROM audit_entries
      WHERE seq > $1::bigint AND record_type = 'InjuryReport'`,
    [seq],
  );
  expect(entries).toEqual([
    {
      action: 'READ',
      record_type: 'InjuryReport',
      record_ids: [gridAReport, gridCReport].sort(),
      fields: ['description'],
      actor_department: 'POLICE',
    },
  ]);
  const withoutDescription = await api.dataSource.query(`SELECT max(seq)::text AS seq FROM audit_entries`);
  await api.gql(`{ injuryReports { edges { node { id cause } } } }`, {}, police);
  const after: unknown[] = await api.dataSource.query(
    `SELECT 1 FROM audit_entries WHERE seq > $1::bigint AND record_type = 'InjuryReport'`,
    [withoutDescription[0].seq],
  );
  expect(after).toHaveLength(0);
});
