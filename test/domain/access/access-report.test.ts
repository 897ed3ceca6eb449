// The access report of a person (issue 24 item 1), through the real server: a person read by three
// departments over HTTP, WebSocket and an export file is named in the AUDITOR's report with each
// account, department, position, transport and fields — by id, never by name — and the grid leader's
// printable page says the same and is itself audited.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { printAccessReport } from '../../../src/domain/access/access-report.print';
import { startTestApi, type TestApi } from '../../support/api';
import { registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let personId: string;
let bystanderId: string;
const NAME = '访问甲';
const ID_NUMBER = '33010219800101123X';
const PHONE = '13812345678';

const REPORT = `query Report($personId: ID!, $first: Int, $after: String, $from: DateTimeISO, $to: DateTimeISO) {
  personAccessReport(personId: $personId, first: $first, after: $after, from: $from, to: $to) {
    personId anonymisedAt totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { seq occurredAt action operation transport recordType recordIds fields
      accountId accountUsername department position reason } } } }`;

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  personId = await registerPerson(api, worker, {
    name: NAME,
    gridId: gridA,
    idNumber: ID_NUMBER,
    phone: PHONE,
    address: '东村3组8号',
  });
  bystanderId = await registerPerson(api, worker, { name: '旁人乙', gridId: gridA, phone: '13900002222' });
  // A family dispute reported by a police call: POLICE and CIVIL_AFFAIRS see both parties.
  await registerDispute(api, worker, {
    category: 'FAMILY',
    source: 'POLICE_CALL',
    gridId: gridA,
    parties: [personId, bystanderId],
  });
});
afterAll(() => api.close());

async function readOverWebSocket(token: string, query: string, variables: Record<string, unknown>) {
  const client: Client = createClient({
    url: api.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    return await new Promise<Record<string, any>>((resolve, reject) => {
      let result: Record<string, any> = {};
      client.subscribe(
        { query, variables, operationName: 'ReadOverSocket' },
        {
          next: (value) => (result = value),
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => resolve(result),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

test('the report names the three departments that read the person over HTTP, WebSocket and export, by id only', async () => {
  const grid = await api.login('grid.worker');
  const overHttp = await api.gql(
    `query ReadOverHttp($id: ID!) { person(id: $id) { phone idNumber } }`,
    { id: personId },
    grid,
  );
  expect(overHttp.data?.person.phone).toBe(PHONE);

  const police = await api.login('police.worker');
  const overSocket = await readOverWebSocket(
    police,
    `query ReadOverSocket($id: ID!) { person(id: $id) { idNumber } }`,
    { id: personId },
  );
  expect(overSocket.data?.person.idNumber).toBe(ID_NUMBER);

  const civil = await api.login('civil_affairs.worker');
  const file = await fetch(new URL('/export/persons.csv', api.url), {
    headers: { authorization: `Bearer ${civil}` },
  });
  expect(file.status).toBe(200);
  expect(await file.text()).toContain(personId);

  const auditor = await api.login('auditor');
  const report = await api.gql(REPORT, { personId, first: 100 }, auditor);
  expect(report.errors).toBeUndefined();
  const body = report.data?.personAccessReport;
  expect(body.personId).toBe(personId);
  const entries = body.edges.map((edge: any) => edge.node);
  const reads = entries.filter((entry: any) => entry.action === 'READ');
  expect(reads).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        accountUsername: 'grid.worker',
        department: 'GRID',
        position: 'WORKER',
        transport: 'HTTP',
        operation: 'ReadOverHttp',
        recordType: 'Person',
        recordIds: [personId],
        fields: ['idNumber', 'phone'],
      }),
      expect.objectContaining({
        accountUsername: 'police.worker',
        department: 'POLICE',
        transport: 'WEBSOCKET',
        operation: 'ReadOverSocket',
        fields: ['idNumber'],
      }),
      expect.objectContaining({
        accountUsername: 'civil_affairs.worker',
        department: 'CIVIL_AFFAIRS',
        transport: 'EXPORT',
        operation: 'export persons.csv',
        recordIds: [personId],
      }),
    ]),
  );
  // The registration is a change of the record, by the grid worker.
  expect(entries).toContainEqual(
    expect.objectContaining({
      action: 'MUTATION',
      operation: 'registerPerson',
      accountUsername: 'grid.worker',
    }),
  );
  // The export named the bystander too: the report shows only this person's ids.
  for (const entry of entries) expect(entry.recordIds).not.toContain(bystanderId);
  // By id, never by name or value.
  const text = JSON.stringify(body);
  for (const personal of [NAME, ID_NUMBER, PHONE, '东村3组8号']) expect(text).not.toContain(personal);
  expect(body.totalCount).toBe(entries.length);
});

test('the report pages newest first, within from/to, and is for the AUDITOR only', async () => {
  const auditor = await api.login('auditor');
  const whole = await api.gql(REPORT, { personId, first: 100 }, auditor);
  const all = whole.data?.personAccessReport.edges.map((edge: any) => edge.node.seq);
  expect(all.length).toBeGreaterThan(2);
  const first = await api.gql(REPORT, { personId, first: 2 }, auditor);
  const second = await api.gql(
    REPORT,
    { personId, first: 100, after: first.data?.personAccessReport.pageInfo.endCursor },
    auditor,
  );
  expect(first.data?.personAccessReport.pageInfo.hasNextPage).toBe(true);
  expect([
    ...first.data!.personAccessReport.edges.map((edge: any) => edge.node.seq),
    ...second.data!.personAccessReport.edges.map((edge: any) => edge.node.seq),
  ]).toEqual(all);
  const future = await api.gql(
    REPORT,
    { personId, from: new Date(Date.now() + 86_400_000).toISOString() },
    auditor,
  );
  expect(future.data?.personAccessReport.totalCount).toBe(0);

  const police = await api.login('police.leader');
  const refused = await api.gql(REPORT, { personId }, police);
  expect(refused.data?.personAccessReport).toBeNull();
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const bad = await api.gql(REPORT, { personId: 'not-an-id' }, auditor);
  expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('the printable page lists the same accesses in Markdown and self-contained HTML, and printing it is audited', async () => {
  const markdown = await printAccessReport(
    api.dataSource,
    { personId, from: null, to: null, format: 'md' },
    new Date(),
  );
  expect(markdown).toContain(`人员 / Person: ${personId}`);
  for (const account of ['grid.worker', 'police.worker', 'civil_affairs.worker'])
    expect(markdown).toContain(account);
  expect(markdown).toMatch(/\| .* \| police\.worker \| POLICE \| WORKER \| READ \| WEBSOCKET \|/);
  const html = await printAccessReport(
    api.dataSource,
    { personId, from: null, to: null, format: 'html' },
    new Date(),
  );
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('civil_affairs.worker');
  expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  const printed: { count: string }[] = await api.dataSource.query(
    `SELECT count(*)::text AS count FROM audit_entries
      WHERE operation = 'accessReport' AND record_ids @> ARRAY[$1]::text[]`,
    [personId],
  );
  expect(printed[0]?.count).toBe('2');
});

const CORRECT = `mutation($input: CorrectPersonInput!) { correctPerson(input: $input) {
  person { id version phone } userErrors { field message code } } }`;
const HISTORY = `query($id: ID!) { person(id: $id) { phone corrections { correctedById reason
  changes { field previousValue withheld } } } }`;

test('a correction keeps the replaced value, shown to each reader as they read the field, and the report says who, when, why', async () => {
  const grid = await api.login('grid.worker');
  const [{ version }] = await api.dataSource.query(`SELECT version FROM persons WHERE id = $1`, [personId]);
  const blank = await api.gql(
    CORRECT,
    { input: { id: personId, expectedVersion: version, phone: '13900009999', reason: '  ' } },
    grid,
  );
  expect(blank.errors?.[0]?.extensions?.code ?? blank.data?.correctPerson.userErrors[0]?.code).toBe(
    'BAD_USER_INPUT',
  );
  const corrected = await api.gql(
    CORRECT,
    {
      input: {
        id: personId,
        expectedVersion: version,
        phone: '13900009999',
        reason: '号码登记错误，本人更正',
      },
    },
    grid,
  );
  expect(corrected.data?.correctPerson.userErrors).toEqual([]);
  expect(corrected.data?.correctPerson.person.phone).toBe('13900009999');

  const asGrid = await api.gql(HISTORY, { id: personId }, grid);
  expect(asGrid.data?.person.corrections).toEqual([
    expect.objectContaining({
      reason: '号码登记错误，本人更正',
      changes: [{ field: 'phone', previousValue: PHONE, withheld: false }],
    }),
  ]);
  // Each reader sees the old value as it sees the current one: in full, masked, or not at all.
  for (const username of ['police.worker', 'civil_affairs.worker']) {
    const seen = await api.gql(HISTORY, { id: personId }, await api.login(username));
    const current: string | null = seen.data?.person?.phone ?? null;
    const [change] = seen.data!.person.corrections[0].changes;
    if (current === '13900009999') expect(change.previousValue).toBe(PHONE);
    else if (current) expect(change.previousValue).toBe('138****5678');
    else expect(change).toEqual({ field: 'phone', previousValue: null, withheld: true });
  }

  const report = await api.gql(REPORT, { personId, first: 100 }, await api.login('auditor'));
  const entries = report.data?.personAccessReport.edges.map((edge: any) => edge.node);
  expect(entries).toContainEqual(
    expect.objectContaining({
      action: 'MUTATION',
      operation: 'correctPerson',
      accountUsername: 'grid.worker',
      fields: ['phone'],
      reason: '号码登记错误，本人更正',
    }),
  );
  expect(JSON.stringify(entries)).not.toContain(PHONE);
});
