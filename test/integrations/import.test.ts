// Bulk import (issue 21 item 3, SPEC §5a), as a department's tool does it: a service account and its
// API key, through the real HTTP server. Households, persons and disputes from CSV and NDJSON; the same
// file twice changes nothing; dryRun writes nothing; bad rows named by line and column with nothing
// written; a known ID number answered with the person's id only to a caller who may see them; grids
// out of scope answered as unknown ones; the change feed sees every imported record once.
import { randomUUID } from 'node:crypto';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;
let gridA: string;
let gridB: string;
let gridC: string;
/** A GRID service account rooted at village A: grids A and B are in its scope, grid C is not. */
let villageTool: Call;
let villageToolId: string;

type Call = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;

function asKey(key: string): Call {
  return async (query, variables) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `ApiKey ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse;
  };
}

async function serviceAccount(departmentCode: string, node: string): Promise<{ id: string; call: Call }> {
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id } issuedKey { apiKey } userErrors { message } } }`,
    {
      input: {
        username: `${departmentCode.toLowerCase()}-import-${randomUUID().slice(0, 8)}`,
        displayName: `${departmentCode} 导入工具`,
        departmentCode,
        jurisdictionId: node,
      },
    },
    await api.login('admin'),
  );
  const account = created.data?.createServiceAccount;
  if (!account?.issuedKey?.apiKey) throw new Error(`createServiceAccount: ${JSON.stringify(created)}`);
  return { id: account.serviceAccount.id, call: asKey(account.issuedKey.apiKey) };
}

/** A national ID number for `birth` (YYYYMMDD) with a valid GB 11643 check character. */
function idNumberFor(birth: string, sequence: number): string {
  const body = `330102${birth}${String(sequence).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return `${body}${'10X98765432'[sum % 11]}`;
}

const IMPORT = `mutation($input: ImportRecordsInput!) { importRecords(input: $input) {
  created updated unchanged dryRun userErrors { line field message code existingPersonId } } }`;

interface Outcome {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
  userErrors: {
    line: number | null;
    field: string | null;
    message: string;
    code: string;
    existingPersonId: string | null;
  }[];
}

async function importAs(
  call: Call,
  kind: string,
  format: string,
  content: string,
  dryRun = false,
): Promise<Outcome> {
  const result = await call(IMPORT, { input: { kind, format, content, dryRun } });
  if (!result.data?.importRecords) throw new Error(`importRecords: ${JSON.stringify(result)}`);
  return result.data.importRecords as Outcome;
}

const count = async (sql: string, params: unknown[] = []) =>
  Number(((await api.dataSource.query(sql, params)) as { n: string }[])[0]?.n);

const PERSON_HEADER = 'externalId,name,gender,birthDate,idNumber,phone,gridId,residency,householdExternalId';

beforeAll(async () => {
  api = await startTestApi();
  [gridA, gridB, gridC] = await Promise.all([api.node('gridA'), api.node('gridB'), api.node('gridC')]);
  const tool = await serviceAccount('GRID', await api.node('villageA'));
  villageTool = tool.call;
  villageToolId = tool.id;
});
afterAll(() => api.close());

test('households (NDJSON), then persons in them (CSV): created once, unchanged the second time, updated when a row changes', async () => {
  const households = [
    JSON.stringify({ externalId: 'H-1', address: '一村 1 号', gridId: gridA }),
    JSON.stringify({ externalId: 'H-2', address: '一村 2 号', gridId: gridB }),
  ].join('\n');
  expect(await importAs(villageTool, 'HOUSEHOLDS', 'NDJSON', households)).toEqual({
    created: 2,
    updated: 0,
    unchanged: 0,
    dryRun: false,
    userErrors: [],
  });

  const persons = [
    PERSON_HEADER,
    `P-1,王小明,MALE,1980-05-01,${idNumberFor('19800501', 11)},13800001111,${gridA},REGISTERED,H-1`,
    `P-2,李红,FEMALE,1990-02-03,,,${gridB},MIGRANT,H-2`,
    `P-3,张三,,,,,${gridA},,`,
  ].join('\n');
  expect(await importAs(villageTool, 'PERSONS', 'CSV', persons)).toMatchObject({
    created: 3,
    updated: 0,
    unchanged: 0,
    userErrors: [],
  });
  const rows = (await api.dataSource.query(
    `SELECT p.name, p.name_search, p.tier, p.gender, p.residency, h.address, m.external_id
       FROM import_records m JOIN persons p ON p.id = m.record_id LEFT JOIN households h ON h.id = p.household_id
      WHERE m.source_account_id = $1 AND m.kind = 'PERSON' ORDER BY m.external_id`,
    [villageToolId],
  )) as Record<string, string | null>[];
  expect(rows).toEqual([
    {
      name: '王小明',
      name_search: 'wang xiao ming',
      tier: 'NONE',
      gender: 'MALE',
      residency: 'REGISTERED',
      address: '一村 1 号',
      external_id: 'P-1',
    },
    {
      name: '李红',
      name_search: 'li hong',
      tier: 'NONE',
      gender: 'FEMALE',
      residency: 'MIGRANT',
      address: '一村 2 号',
      external_id: 'P-2',
    },
    {
      name: '张三',
      name_search: 'zhang san',
      tier: 'NONE',
      gender: 'UNKNOWN',
      residency: 'REGISTERED',
      address: null,
      external_id: 'P-3',
    },
  ]);

  // The same file again: nothing changes, no audit entry, no feed entry.
  const personsBefore = await count(`SELECT count(*) AS n FROM persons`);
  const auditBefore = await count(
    `SELECT count(*) AS n FROM audit_entries WHERE operation = 'importRecords'`,
  );
  expect(await importAs(villageTool, 'PERSONS', 'CSV', persons)).toMatchObject({
    created: 0,
    updated: 0,
    unchanged: 3,
    userErrors: [],
  });
  expect(await importAs(villageTool, 'HOUSEHOLDS', 'NDJSON', households)).toMatchObject({ unchanged: 2 });
  expect(await count(`SELECT count(*) AS n FROM persons`)).toBe(personsBefore);
  expect(await count(`SELECT count(*) AS n FROM audit_entries WHERE operation = 'importRecords'`)).toBe(
    auditBefore,
  );

  // One row changed at the source: that record is updated, the others stay as they were.
  const changed = persons.replace('李红,FEMALE,1990-02-03,,', '李红,FEMALE,1990-02-03,,13900002222');
  expect(await importAs(villageTool, 'PERSONS', 'CSV', changed)).toMatchObject({
    created: 0,
    updated: 1,
    unchanged: 2,
    userErrors: [],
  });
  const [li] = (await api.dataSource.query(
    `SELECT p.phone, p.version FROM persons p JOIN import_records m ON m.record_id = p.id
      WHERE m.source_account_id = $1 AND m.external_id = 'P-2'`,
    [villageToolId],
  )) as { phone: string; version: number }[];
  expect(li).toEqual({ phone: '13900002222', version: 2 });

  // The writes and their audit entries: one entry per import and outcome, naming every record.
  const entries = (await api.dataSource.query(
    `SELECT record_type, record_ids, detail->>'outcome' AS outcome, actor_id FROM audit_entries
      WHERE operation = 'importRecords' ORDER BY seq`,
  )) as { record_type: string; record_ids: string[]; outcome: string; actor_id: string }[];
  expect(entries.map((entry) => [entry.record_type, entry.outcome, entry.record_ids.length])).toEqual([
    ['Household', 'CREATED', 2],
    ['Person', 'CREATED', 3],
    ['Person', 'UPDATED', 1],
  ]);
  expect(new Set(entries.map((entry) => entry.actor_id))).toEqual(new Set([villageToolId]));
});

test('disputes from NDJSON and CSV: parties by external id or person id, and the parties’ tiers follow', async () => {
  const persons = [PERSON_HEADER, `D-P1,赵一,MALE,,,,${gridA},,`, `D-P2,钱二,FEMALE,,,,${gridA},,`].join(
    '\n',
  );
  expect(await importAs(villageTool, 'PERSONS', 'CSV', persons)).toMatchObject({
    created: 2,
    userErrors: [],
  });
  const registered = await registerPerson(api, await api.login('grid.worker'), {
    name: '孙三',
    gridId: gridA,
  });
  const ndjson = JSON.stringify({
    externalId: 'D-1',
    category: 'NEIGHBOR',
    description: '通行纠纷',
    source: 'GRID_VISIT',
    gridId: gridA,
    reportedAt: '2026-10-30T09:00:00Z',
    parties: [
      { role: 'APPLICANT', externalId: 'D-P1' },
      { role: 'RESPONDENT', personId: registered },
    ],
  });
  expect(await importAs(villageTool, 'DISPUTES', 'NDJSON', ndjson)).toMatchObject({
    created: 1,
    userErrors: [],
  });
  const csv = [
    'externalId,category,description,source,gridId,parties,partyPersonIds',
    `D-2,FAMILY,赡养纠纷,HOTLINE,${gridA},APPLICANT:D-P2,RESPONDENT:${registered}`,
  ].join('\n');
  expect(await importAs(villageTool, 'DISPUTES', 'CSV', csv)).toMatchObject({ created: 1, userErrors: [] });
  const tiers = (await api.dataSource.query(
    `SELECT name, tier FROM persons WHERE name IN ('赵一', '钱二', '孙三') ORDER BY name`,
  )) as { name: string; tier: string }[];
  // An open dispute is the EVENT element: one category, YELLOW (SPEC §3).
  expect(tiers.map((row) => row.tier)).toEqual(['YELLOW', 'YELLOW', 'YELLOW']);
  const parties = await count(
    `SELECT count(*) AS n FROM dispute_parties dp JOIN import_records m ON m.record_id = dp.dispute_id
      WHERE m.source_account_id = $1 AND m.kind = 'DISPUTE'`,
    [villageToolId],
  );
  expect(parties).toBe(4);
  // Again: unchanged. Changed: refused, since disputes change through their lifecycle.
  expect(await importAs(villageTool, 'DISPUTES', 'NDJSON', ndjson)).toMatchObject({ unchanged: 1 });
  const edited = await importAs(villageTool, 'DISPUTES', 'NDJSON', ndjson.replace('通行纠纷', '采光纠纷'));
  expect(edited.userErrors).toEqual([
    expect.objectContaining({ line: 1, field: 'externalId', code: 'CONFLICT' }),
  ]);
});

test('dryRun checks every row and writes nothing', async () => {
  const persons = [PERSON_HEADER, `DRY-1,周五,MALE,,,,${gridA},,`, `DRY-2,吴六,FEMALE,,,,${gridB},,`].join(
    '\n',
  );
  const before = await count(`SELECT count(*) AS n FROM persons`);
  const changesBefore = await count(`SELECT count(*) AS n FROM record_changes`);
  expect(await importAs(villageTool, 'PERSONS', 'CSV', persons, true)).toEqual({
    created: 2,
    updated: 0,
    unchanged: 0,
    dryRun: true,
    userErrors: [],
  });
  expect(await count(`SELECT count(*) AS n FROM persons`)).toBe(before);
  expect(await count(`SELECT count(*) AS n FROM record_changes`)).toBe(changesBefore);
  expect(await count(`SELECT count(*) AS n FROM import_records WHERE external_id LIKE 'DRY-%'`)).toBe(0);
  // The real run then creates what the dry run said it would.
  expect(await importAs(villageTool, 'PERSONS', 'CSV', persons)).toMatchObject({ created: 2 });
});

test('every bad row is named by line and column, and nothing of the file is written', async () => {
  const valid = idNumberFor('19750101', 21);
  const badCheck = `${valid.slice(0, 17)}${valid[17] === '0' ? '1' : '0'}`;
  const csv = [
    PERSON_HEADER,
    `BAD-1,好人,MALE,,,,${gridA},,`,
    `BAD-2,错号,MALE,1975-01-01,${badCheck},,${gridA},,`,
    `BAD-3,,MALE,,,,${gridA},,`,
    `BAD-4,怪人,ROBOT,,,,${gridA},,`,
    `BAD-5,错日,MALE,1975-02-30,,,${gridA},,`,
    `BAD-6,错网格,MALE,,,,not-a-grid,,`,
    `BAD-1,重号,MALE,,,,${gridA},,`,
    `BAD-8,无户,MALE,,,,${gridA},,NO-SUCH-HOUSEHOLD`,
  ].join('\n');
  const before = await count(`SELECT count(*) AS n FROM persons`);
  const outcome = await importAs(villageTool, 'PERSONS', 'CSV', csv);
  expect(outcome).toMatchObject({ created: 0, updated: 0, unchanged: 0, dryRun: false });
  expect(outcome.userErrors.map((error) => [error.line, error.field, error.code])).toEqual([
    [3, 'idNumber', 'BAD_USER_INPUT'],
    [4, 'name', 'BAD_USER_INPUT'],
    [5, 'gender', 'BAD_USER_INPUT'],
    [6, 'birthDate', 'BAD_USER_INPUT'],
    [7, 'gridId', 'BAD_USER_INPUT'],
    [8, 'externalId', 'BAD_USER_INPUT'],
    [9, 'householdExternalId', 'BAD_USER_INPUT'],
  ]);
  expect(outcome.userErrors[5]?.message).toBe('externalId repeats line 2');
  expect(await count(`SELECT count(*) AS n FROM persons`)).toBe(before);
  expect(await count(`SELECT count(*) AS n FROM import_records WHERE external_id LIKE 'BAD-%'`)).toBe(0);

  // NDJSON: a line that is not JSON names its line; an unknown column (a field Concord does not keep) too.
  const ndjson = [
    JSON.stringify({ externalId: 'N-1', name: '甲', gridId: gridA }),
    '{"externalId": "N-2", "name": ',
  ].join('\n');
  expect((await importAs(villageTool, 'PERSONS', 'NDJSON', ndjson)).userErrors).toEqual([
    expect.objectContaining({ line: 2, field: null }),
  ]);
  const extra = JSON.stringify({ externalId: 'N-3', name: '乙', gridId: gridA, religion: 'x' });
  expect((await importAs(villageTool, 'PERSONS', 'NDJSON', extra)).userErrors).toEqual([
    expect.objectContaining({ line: 1, field: 'religion', code: 'BAD_USER_INPUT' }),
  ]);
});

test('a known ID number: the existing person’s id only when the caller may see them; otherwise the answer an invalid number gets', async () => {
  const inScope = idNumberFor('19660606', 31);
  const outOfScope = idNumberFor('19670707', 32);
  const inScopeId = await registerPerson(api, await api.login('grid.worker'), {
    name: '已登记甲',
    gridId: gridA,
    idNumber: inScope,
  });
  await registerPerson(api, await api.login('gridc.worker'), {
    name: '已登记乙',
    gridId: gridC,
    idNumber: outOfScope,
  });
  const valid = idNumberFor('19680808', 33);
  const invalid = `${valid.slice(0, 17)}${valid[17] === '0' ? '1' : '0'}`;
  const csv = [
    PERSON_HEADER,
    `K-1,同号甲,,,${inScope},,${gridA},,`,
    `K-2,同号乙,,,${outOfScope},,${gridA},,`,
    `K-3,错号丙,,,${invalid},,${gridA},,`,
    `K-4,新人丁,,,${valid},,${gridA},,`,
    `K-5,新人戊,,,${valid.toLowerCase()},,${gridB},,`,
  ].join('\n');
  const outcome = await importAs(villageTool, 'PERSONS', 'CSV', csv);
  const [known, hidden, wrong, repeated] = outcome.userErrors;
  expect(known).toMatchObject({ line: 2, field: 'idNumber', code: 'CONFLICT', existingPersonId: inScopeId });
  expect(known?.message).toContain(inScopeId);
  // Out of scope and invalid: the same field, code, message, and no id.
  expect(hidden).toEqual({ ...wrong, line: 3 });
  expect(wrong).toMatchObject({ line: 4, field: 'idNumber', code: 'BAD_USER_INPUT', existingPersonId: null });
  expect(repeated).toMatchObject({ line: 6, field: 'idNumber', message: expect.stringContaining('line 5') });
  expect(outcome.userErrors).toHaveLength(4);
  expect(outcome.created).toBe(0);

  // A department that reads ID numbers masked learns no more than an invalid number would tell it.
  const governance = await serviceAccount('COMPREHENSIVE_GOVERNANCE', await api.node('street'));
  const masked = await importAs(
    governance.call,
    'PERSONS',
    'CSV',
    [PERSON_HEADER, `M-1,同号己,,,${inScope},,${gridA},,`, `M-2,错号庚,,,${invalid},,${gridA},,`].join('\n'),
  );
  expect(masked.userErrors[0]).toEqual({ ...masked.userErrors[1], line: 2 });
});

test('a grid outside the caller’s jurisdiction gets the answer an unknown grid gets', async () => {
  const csv = [PERSON_HEADER, `G-1,外网格,,,,,${gridC},,`, `G-2,无网格,,,,,${randomUUID()},,`].join('\n');
  const outcome = await importAs(villageTool, 'PERSONS', 'CSV', csv);
  const [outside, unknown] = outcome.userErrors;
  expect(outside).toEqual({ ...unknown, line: 2 });
  expect(unknown).toMatchObject({ line: 3, field: 'gridId', existingPersonId: null });
  // Households and dispute parties alike.
  const household = await importAs(
    villageTool,
    'HOUSEHOLDS',
    'NDJSON',
    JSON.stringify({ externalId: 'GH-1', address: '外村', gridId: gridC }),
  );
  expect(household.userErrors).toEqual([{ ...unknown, line: 1 }]);
  const stranger = await registerPerson(api, await api.login('gridc.worker'), {
    name: '外人',
    gridId: gridC,
  });
  const dispute = await importAs(
    villageTool,
    'DISPUTES',
    'NDJSON',
    [stranger, randomUUID()]
      .map((personId, index) =>
        JSON.stringify({
          externalId: `GD-${index}`,
          category: 'NEIGHBOR',
          description: '纠纷',
          source: 'GRID_VISIT',
          gridId: gridA,
          parties: [{ role: 'APPLICANT', personId }],
        }),
      )
      .join('\n'),
  );
  const [hiddenParty, unknownParty] = dispute.userErrors;
  expect(unknownParty).toMatchObject({ line: 2, field: 'parties.0', existingPersonId: null });
  expect(hiddenParty).toEqual({ ...unknownParty, line: 1 });
});

test('who may import what: the register mutations’ audiences', async () => {
  const youth = await serviceAccount('YOUTH_LEAGUE', await api.node('street'));
  const refused = await youth.call(IMPORT, {
    input: { kind: 'PERSONS', format: 'CSV', content: `${PERSON_HEADER}\nY-1,青年,,,,,${gridA},,` },
  });
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const market = await serviceAccount('MARKET_SUPERVISION', await api.node('street'));
  // May register disputes, not persons.
  const persons = await market.call(IMPORT, {
    input: { kind: 'PERSONS', format: 'CSV', content: `${PERSON_HEADER}\nMS-1,市场,,,,,${gridA},,` },
  });
  expect(persons.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(await count(`SELECT count(*) AS n FROM import_records WHERE external_id IN ('Y-1', 'MS-1')`)).toBe(
    0,
  );
});

test('the change feed shows each imported record once', async () => {
  const feed = `query($after: String) { changes(after: $after, first: 100) {
    edges { node { recordType recordId operation } } pageInfo { hasNextPage endCursor } } }`;
  const follow = async (after: string | null) => {
    const entries: { recordType: string; recordId: string; operation: string }[] = [];
    let cursor = after;
    for (;;) {
      const page = await villageTool(feed, { after: cursor });
      if (!page.data) throw new Error(JSON.stringify(page.errors));
      entries.push(...page.data.changes.edges.map((edge: { node: (typeof entries)[number] }) => edge.node));
      cursor = page.data.changes.pageInfo.endCursor;
      if (!page.data.changes.pageInfo.hasNextPage) return { entries, cursor };
    }
  };
  const start = (await follow(null)).cursor;
  const rows = Array.from(
    { length: 150 },
    (_, index) => `F-${index},跟踪${index},,,,,${index % 2 ? gridA : gridB},,`,
  );
  expect(await importAs(villageTool, 'PERSONS', 'CSV', [PERSON_HEADER, ...rows].join('\n'))).toMatchObject({
    created: 150,
  });
  const ids = (
    (await api.dataSource.query(
      `SELECT record_id FROM import_records WHERE source_account_id = $1 AND external_id LIKE 'F-%'`,
      [villageToolId],
    )) as { record_id: string }[]
  ).map((row) => row.record_id);
  const { entries } = await follow(start);
  const persons = entries.filter((entry) => entry.recordType === 'PERSON');
  expect(persons.map((entry) => entry.recordId).sort()).toEqual([...ids].sort());
  expect(new Set(persons.map((entry) => entry.operation))).toEqual(new Set(['CREATED']));
});
