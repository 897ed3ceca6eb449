// The change feed (SPEC §5a, issue 21 item 1), followed as integrators follow it — a grid worker with
// a token, department tools with API keys — through the real HTTP server: what was created, updated
// and left each reader's scope, in commit order, resumable by a cursor no one can forge, and nothing
// at all about records a reader never had in scope.
import { randomUUID } from 'node:crypto';
import { getNamedType, isObjectType } from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import {
  allPrincipals,
  decideField,
  FIELD_POLICY,
  OPERATION_POLICY,
  type Principal,
} from '../../src/permissions/policy';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { errorCodes, recordFollowUp, registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

type Call = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;

interface Entry {
  recordType: string;
  recordId: string;
  operation: string;
  changedAt: string;
  person?: Record<string, unknown> | null;
  dispute?: Record<string, unknown> | null;
}

const asUser =
  (username: string): Call =>
  async (query, variables) =>
    api.gql(query, variables, await api.login(username));

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

/** A department tool: a service account rooted at the street, and its API key. */
async function serviceAccount(departmentCode: string): Promise<{ id: string; call: Call }> {
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id } issuedKey { apiKey } userErrors { message } } }`,
    {
      input: {
        username: `${departmentCode.toLowerCase()}-feed-${randomUUID().slice(0, 8)}`,
        displayName: `${departmentCode} 对接系统`,
        departmentCode,
        jurisdictionId: await api.node('street'),
      },
    },
    await api.login('admin'),
  );
  const account = created.data?.createServiceAccount;
  if (!account?.issuedKey?.apiKey) throw new Error(`createServiceAccount: ${JSON.stringify(created)}`);
  return { id: account.serviceAccount.id, call: asKey(account.issuedKey.apiKey) };
}

const FEED = (node: string) => `query($after: String, $first: Int) {
  changes(after: $after, first: $first) {
    edges { cursor node { recordType recordId operation changedAt ${node} } }
    pageInfo { hasNextPage endCursor } } }`;

const STAFF_NODE = `person { id name occupation version updatedAt grid { id } }
                    dispute { id category status version updatedAt }`;

/** Follows the feed from `after` until nothing more can be read now: every entry, and where to go on. */
async function follow(
  call: Call,
  after: string | null,
  node = STAFF_NODE,
  first = 100,
): Promise<{ entries: Entry[]; cursor: string }> {
  const entries: Entry[] = [];
  let cursor = after;
  for (;;) {
    const page = await call(FEED(node), { after: cursor, first });
    if (page.errors || !page.data) throw new Error(`changes: ${JSON.stringify(page.errors)}`);
    const { edges, pageInfo } = page.data.changes as {
      edges: { cursor: string; node: Entry }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    entries.push(...edges.map((edge) => edge.node));
    cursor = pageInfo.endCursor;
    if (!pageInfo.hasNextPage) return { entries, cursor };
  }
}

/** The feed's present end for a reader: where a reader that starts now begins. */
const now = async (call: Call, node = STAFF_NODE) => (await follow(call, null, node)).cursor;

const about = (entries: Entry[], id: string) => entries.filter((entry) => entry.recordId === id);

/** A national ID number for `birth` (YYYYMMDD) with a valid GB 11643 check character. */
function idNumberFor(birth: string, sequence: number): string {
  const body = `330102${birth}${String(sequence).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return `${body}${'10X98765432'[sum % 11]}`;
}

async function versionOf(id: string): Promise<number> {
  const [row] = await api.dataSource.query(`SELECT version FROM persons WHERE id = $1`, [id]);
  return (row as { version: number }).version;
}

async function updatePerson(username: string, id: string, changes: Record<string, unknown>) {
  const result = await api.gql(
    `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { person { id } userErrors { message } } }`,
    { input: { id, expectedVersion: await versionOf(id), ...changes } },
    await api.login(username),
  );
  if (!result.data?.updatePerson.person) throw new Error(`updatePerson: ${JSON.stringify(result)}`);
}

async function moveDispute(id: string, status: string, username: string) {
  const [row] = await api.dataSource.query(`SELECT version FROM disputes WHERE id = $1`, [id]);
  const moved = await api.gql(
    `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) { dispute { id } userErrors { message } } }`,
    { input: { disputeId: id, status, expectedVersion: (row as { version: number }).version } },
    await api.login(username),
  );
  if (!moved.data?.changeDisputeStatus.dispute)
    throw new Error(`changeDisputeStatus: ${JSON.stringify(moved)}`);
}

test('a grid worker sees a person created and updated in its grid, then moved out as a bare id', async () => {
  const gridWorker = asUser('grid.worker');
  const gridBWorker = asUser('gridb.worker');
  const gridCWorker = asUser('gridc.worker');
  const [fromA, fromB, fromC] = await Promise.all([now(gridWorker), now(gridBWorker), now(gridCWorker)]);
  const street = await api.login('comprehensive_governance.worker');
  const id = await registerPerson(api, street, {
    name: '迁出人',
    gridId: await api.node('gridA'),
    birthDate: '1979-03-04',
    occupation: '木工',
  });
  await updatePerson('comprehensive_governance.worker', id, { occupation: '瓦工' });

  const seenInA = await follow(gridWorker, fromA);
  expect(about(seenInA.entries, id).map((entry) => [entry.recordType, entry.operation])).toEqual([
    ['PERSON', 'CREATED'],
    ['PERSON', 'UPDATED'],
  ]);
  // The record as it is now, through the ordinary fields: the later occupation on both entries.
  expect(about(seenInA.entries, id)[1]?.person).toMatchObject({ id, name: '迁出人', occupation: '瓦工' });
  const [created, updated] = about(seenInA.entries, id);
  expect(Date.parse(created!.changedAt)).toBeLessThanOrEqual(Date.parse(updated!.changedAt));

  // The street's coordinator moves the person to grid B.
  await updatePerson('comprehensive_governance.worker', id, { gridId: await api.node('gridB') });
  const leftA = await follow(gridWorker, seenInA.cursor);
  expect(about(leftA.entries, id)).toEqual([
    {
      recordType: 'PERSON',
      recordId: id,
      operation: 'LEFT_SCOPE',
      changedAt: expect.any(String),
      person: null,
      dispute: null,
    },
  ]);
  const enteredB = await follow(gridBWorker, fromB);
  expect(about(enteredB.entries, id).map((entry) => entry.operation)).toEqual(['UPDATED']);
  expect(about(enteredB.entries, id)[0]?.person).toMatchObject({ id, grid: { id: await api.node('gridB') } });

  // Another village's grid worker never had the person in scope: not a word about it, at any point.
  const seenInC = await follow(gridCWorker, fromC);
  expect(JSON.stringify(seenInC.entries)).not.toContain(id);
  expect(seenInC.entries).toEqual([]);
});

test('a JUSTICE tool sees a dispute and its party come in with mediation and leave when it is resolved', async () => {
  const justice = await serviceAccount('JUSTICE');
  const economic = await serviceAccount('ECONOMIC_DEVELOPMENT');
  const node = `person { id name idNumber } dispute { id status }`;
  const [fromJustice, fromEconomic] = await Promise.all([now(justice.call, node), now(economic.call, node)]);
  const street = await api.login('comprehensive_governance.worker');
  const gridA = await api.node('gridA');
  const partyId = await registerPerson(api, street, {
    name: '调解当事人',
    gridId: gridA,
    birthDate: '1970-07-07',
    idNumber: idNumberFor('19700707', 101),
  });
  const disputeId = await registerDispute(api, street, {
    category: 'NEIGHBOR',
    gridId: gridA,
    parties: [partyId],
  });
  await moveDispute(disputeId, 'ACCEPTED', 'grid.leader');
  // Not yet in mediation: a NEIGHBOR dispute is the circuit court's, not JUSTICE's.
  const before = await follow(justice.call, fromJustice, node);
  expect(JSON.stringify(before.entries)).not.toContain(partyId);
  expect(JSON.stringify(before.entries)).not.toContain(disputeId);

  await moveDispute(disputeId, 'IN_MEDIATION', 'grid.worker');
  const entered = await follow(justice.call, before.cursor, node);
  expect(entered.entries.map((entry) => [entry.recordType, entry.recordId, entry.operation])).toEqual(
    expect.arrayContaining([
      ['DISPUTE', disputeId, 'UPDATED'],
      ['PERSON', partyId, 'UPDATED'],
    ]),
  );
  expect(about(entered.entries, disputeId)[0]?.dispute).toEqual({ id: disputeId, status: 'IN_MEDIATION' });
  // JUSTICE reads the ID number in full, and that read is audited like any other.
  expect(about(entered.entries, partyId)[0]?.person).toEqual({
    id: partyId,
    name: '调解当事人',
    idNumber: idNumberFor('19700707', 101),
  });
  const audited: { fields: string[] }[] = await api.dataSource.query(
    `SELECT fields FROM audit_entries
      WHERE action = 'READ' AND actor_id = $1 AND record_type = 'Person' AND $2 = ANY(record_ids)`,
    [justice.id, partyId],
  );
  expect(audited.flatMap((entry) => entry.fields)).toContain('idNumber');

  await moveDispute(disputeId, 'RESOLVED', 'grid.worker');
  const left = await follow(justice.call, entered.cursor, node);
  expect(
    left.entries
      .filter((entry) => [disputeId, partyId].includes(entry.recordId))
      .map((entry) => [entry.recordType, entry.recordId, entry.operation, entry.person, entry.dispute]),
  ).toEqual(
    expect.arrayContaining([
      ['DISPUTE', disputeId, 'LEFT_SCOPE', null, null],
      ['PERSON', partyId, 'LEFT_SCOPE', null, null],
    ]),
  );
  // ECONOMIC_DEVELOPMENT handles neither neighbours nor mediation: nothing, first to last.
  const economicSaw = await follow(economic.call, fromEconomic, node);
  expect(JSON.stringify(economicSaw.entries)).not.toContain(partyId);
  expect(JSON.stringify(economicSaw.entries)).not.toContain(disputeId);
});

test('a record comes masked exactly as the same account reads it elsewhere', async () => {
  const economic = await serviceAccount('ECONOMIC_DEVELOPMENT');
  const node = `person { id idNumber phone address ageGroup birthDate }`;
  const from = await now(economic.call, node);
  const street = await api.login('comprehensive_governance.worker');
  const gridA = await api.node('gridA');
  const workerId = await registerPerson(api, street, {
    name: '欠薪工人',
    gridId: gridA,
    birthDate: '1985-02-03',
    idNumber: idNumberFor('19850203', 202),
    phone: '13812345678',
    address: '东村三组12号',
  });
  await registerDispute(api, street, { category: 'LABOR_WAGES', gridId: gridA, parties: [workerId] });
  const page = await economic.call(FEED(node), { after: from, first: 100 });
  const shown = (page.data?.changes.edges as { node: Entry }[])
    .map((edge) => edge.node)
    .filter((entry) => entry.recordId === workerId);
  expect(shown.length).toBeGreaterThan(0);
  const direct = await economic.call(
    `query($id: ID!) { person(id: $id) { id idNumber phone address ageGroup birthDate } }`,
    { id: workerId },
  );
  for (const entry of shown) expect(entry.person).toEqual(direct.data?.person);
  expect(shown[0]?.person).toMatchObject({
    idNumber: `**************${idNumberFor('19850203', 202).slice(-4)}`,
    phone: '138****5678',
  });
  // birthDate is denied to those who read the ID number masked: the same error as anywhere else.
  expect(Object.values(errorCodes(page))).toContain('FORBIDDEN');
});

test('YOUTH_LEAGUE hears of a minor’s changes only when they change what it may read', async () => {
  const youth = asUser('youth_league.worker');
  const node = `person { id name ageGroup }`;
  const from = await now(youth, node);
  const street = await api.login('comprehensive_governance.worker');
  const minorId = await registerPerson(api, street, {
    name: '小明',
    gridId: await api.node('gridA'),
    birthDate: '2014-05-01',
  });
  const adultId = await registerPerson(api, street, {
    name: '成年人',
    gridId: await api.node('gridA'),
    birthDate: '1990-05-01',
  });
  const created = await follow(youth, from, node);
  expect(created.entries).toEqual([
    {
      recordType: 'PERSON',
      recordId: minorId,
      operation: 'CREATED',
      changedAt: expect.any(String),
      person: { id: minorId, name: '小明', ageGroup: 'MINOR' },
    },
  ]);
  expect(JSON.stringify(created.entries)).not.toContain(adultId);
  // A phone number, an occupation and a follow-up: nothing YOUTH_LEAGUE reads, so nothing it hears of.
  await updatePerson('comprehensive_governance.worker', minorId, {
    phone: '13900001111',
    occupation: '学生',
  });
  await recordFollowUp(api, await api.login('grid.worker'), minorId);
  const unseen = await follow(youth, created.cursor, node);
  expect(unseen.entries).toEqual([]);
  await updatePerson('comprehensive_governance.worker', minorId, { name: '小明明' });
  const renamed = await follow(youth, unseen.cursor, node);
  expect(renamed.entries.map((entry) => [entry.recordId, entry.operation, entry.person])).toEqual([
    [minorId, 'UPDATED', { id: minorId, name: '小明明', ageGroup: 'MINOR' }],
  ]);
});

test('the cursor resumes exactly where it was; one this API did not issue is BAD_USER_INPUT', async () => {
  const gridWorker = asUser('grid.worker');
  const street = await api.login('comprehensive_governance.worker');
  const gridA = await api.node('gridA');
  const a = await registerPerson(api, street, { name: '翻页甲', gridId: gridA, birthDate: '1960-01-01' });
  const b = await registerPerson(api, street, { name: '翻页乙', gridId: gridA, birthDate: '1961-01-01' });
  await registerDispute(api, street, { category: 'FAMILY', gridId: gridA, parties: [a, b] });

  const key = (entry: Entry) => `${entry.recordType}:${entry.recordId}:${entry.operation}:${entry.changedAt}`;
  const all = await follow(gridWorker, null, STAFF_NODE, 100);
  const oneByOne = await follow(gridWorker, null, STAFF_NODE, 1);
  expect(oneByOne.entries.map(key)).toEqual(all.entries.map(key));
  expect(new Set(all.entries.map(key)).size).toBe(all.entries.length);
  // The dispute's commit (several records) split across pages of one and read back whole.
  expect(all.entries.filter((entry) => entry.recordType === 'DISPUTE').length).toBeGreaterThan(0);
  // A cursor read twice gives the same page; the end gives nothing more.
  const page = await gridWorker(FEED('recordId'), { after: null, first: 2 });
  const middle = page.data?.changes.pageInfo.endCursor as string;
  const again = [
    await gridWorker(FEED(''), { after: middle, first: 3 }),
    await gridWorker(FEED(''), { after: middle, first: 3 }),
  ].map((result) => result.data?.changes.edges.map((edge: { node: Entry }) => key(edge.node)));
  expect(again[0]).toEqual(again[1]);
  expect(again[0]).toEqual(all.entries.slice(2, 5).map(key));
  expect((await follow(gridWorker, all.cursor)).entries).toEqual([]);

  const tampered = `${middle.slice(0, 10)}${middle[10] === 'A' ? 'B' : 'A'}${middle.slice(11)}`;
  const personsCursor = (await gridWorker(`{ persons(first: 1) { pageInfo { endCursor } } }`)).data?.persons
    .pageInfo.endCursor as string;
  for (const forged of [
    tampered,
    'not-a-cursor',
    personsCursor,
    Buffer.from('f1|1').toString('base64url'),
    Buffer.from('x'.repeat(60)).toString('base64url'),
  ]) {
    const refused = await gridWorker(FEED(''), { after: forged, first: 5 });
    expect([forged, errorCodes(refused)]).toEqual([forged, { changes: 'BAD_USER_INPUT' }]);
  }
  for (const first of [0, 101, -1]) {
    expect(errorCodes(await gridWorker(FEED(''), { after: null, first }))).toEqual({
      changes: 'BAD_USER_INPUT',
    });
  }
});

test('ADMIN and AUDITOR, who read no records, may not follow the feed', async () => {
  for (const username of ['admin', 'auditor']) {
    expect(errorCodes(await asUser(username)(FEED(''), { first: 5 }))).toEqual({ changes: 'FORBIDDEN' });
  }
});

test('updatedAt moves with every write that changes a record, whoever writes it, and only then', async () => {
  const street = await api.login('comprehensive_governance.worker');
  const id = await registerPerson(api, street, {
    name: '时间戳',
    gridId: await api.node('gridA'),
    birthDate: '1970-01-01',
  });
  const updatedAt = async () =>
    (await api.gql(`query($id: ID!) { person(id: $id) { updatedAt } }`, { id }, street)).data?.person
      .updatedAt as string;
  const first = await updatedAt();
  // An operator's correction by hand, outside the API.
  await api.dataSource.query(`UPDATE persons SET occupation = '渔民' WHERE id = $1`, [id]);
  const second = await updatedAt();
  expect(Date.parse(second)).toBeGreaterThan(Date.parse(first));
  const changes = async () =>
    Number(
      (await api.dataSource.query(`SELECT count(*) AS n FROM record_changes WHERE record_id = $1`, [id]))[0]
        .n,
    );
  const noted = await changes();
  expect(noted).toBe(2);
  // Writing what is already there changes nothing: no new updatedAt, nothing in the feed.
  await api.dataSource.query(`UPDATE persons SET occupation = occupation WHERE id = $1`, [id]);
  expect(await updatedAt()).toBe(second);
  expect(await changes()).toBe(noted);
});

test('every column of every record table is compared by its trigger, so no change goes unnoticed', async () => {
  const triggers: { table: string; source: string }[] = await api.dataSource.query(
    `SELECT replace(p.proname, '_record_changes', '') AS "table", p.prosrc AS source
       FROM pg_proc p WHERE p.proname LIKE '%\\_record\\_changes' AND p.prosrc LIKE '%changed_columns%'`,
  );
  expect(triggers.map((trigger) => trigger.table).sort()).toEqual(
    [
      'alerts',
      'assessments',
      'assignments',
      'disputes',
      'follow_ups',
      'households',
      'persons',
      'police_records',
      'referrals',
      'tier_change_requests',
    ].sort(),
  );
  const missing: string[] = [];
  for (const { table, source } of triggers) {
    const columns: { name: string }[] = await api.dataSource.query(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = $1`,
      [table],
    );
    for (const { name } of columns) {
      // Bookkeeping, the search key derived from the name, and the retention stamp: retention sets it
      // in the same UPDATE that blanks the name and the other compared columns (retention.service.ts).
      if (['version', 'updated_at', 'name_search', 'anonymised_at'].includes(name)) continue;
      // An assessment's copy of its person's grid (migration AssessmentGrid): it changes only when the
      // person moves or a merge moves the assessment, and the feed carries those as the person's and
      // the assessment's own changes (person_id is compared).
      if (table === 'assessments' && name === 'grid_id') continue;
      // A person's next follow-up due date (migration FollowUpDueDate): generated from the tier, its
      // start and the latest follow-up, each compared.
      if (table === 'persons' && name === 'follow_up_due_at') continue;
      if (!source.includes(`NEW."${name}" IS DISTINCT FROM OLD."${name}"`)) missing.push(`${table}.${name}`);
    }
  }
  expect(missing).toEqual([]);
});

test('each kind of record reaches through the feed exactly those who reach it otherwise', async () => {
  /** Who reaches each kind of record outside the feed: the operation or field that leads to it. */
  const ways: Record<string, (principal: Principal) => boolean> = {
    person: (p) => OPERATION_POLICY['Query.persons']!.includes(p),
    household: (p) => decideField(FIELD_POLICY['Person.household'], p) === 'read',
    dispute: (p) => OPERATION_POLICY['Query.disputes']!.includes(p),
    assessment: (p) => OPERATION_POLICY['Query.assessments']!.includes(p),
    assignment: (p) => OPERATION_POLICY['Query.assignments']!.includes(p),
    followUp: (p) => decideField(FIELD_POLICY['Person.lastFollowUp'], p) === 'read',
    referral: (p) => decideField(FIELD_POLICY['Person.referrals'], p) === 'read',
    tierChangeRequest: (p) => OPERATION_POLICY['Query.tierChangeRequests']!.includes(p),
    policeRecord: (p) => decideField(FIELD_POLICY['Person.policeRecords'], p) === 'read',
    alert: (p) => OPERATION_POLICY['Query.myAlerts']!.includes(p),
  };
  const schema = await buildBareSchema();
  const recordChange = schema.getType('RecordChange');
  if (!isObjectType(recordChange)) throw new Error('RecordChange is not in the schema');
  const recordFields = Object.values(recordChange.getFields()).filter((field) =>
    isObjectType(getNamedType(field.type)),
  );
  expect(recordFields.map((field) => field.name).sort()).toEqual(Object.keys(ways).sort());
  const differing: string[] = [];
  for (const field of recordFields) {
    for (const { label, principal } of allPrincipals()) {
      const viaFeed = decideField(FIELD_POLICY[`RecordChange.${field.name}`], principal) === 'read';
      const otherwise =
        ways[field.name]!(principal) && OPERATION_POLICY['Query.changes']!.includes(principal);
      if (viaFeed !== otherwise) differing.push(`${field.name} for ${label}`);
    }
  }
  expect(differing).toEqual([]);
});

test('one commit of many records pages through whole, and a page of 100 costs the statements of a page of 10', async () => {
  const gridWorker = asUser('grid.worker');
  const node = `person { id name tier grid { name } household { id } }`;
  const from = await now(gridWorker, node);
  // An operator's bulk correction: 150 persons in one statement, one transaction.
  const inserted: { id: string }[] = await api.dataSource.query(
    `INSERT INTO persons (name, gender, grid_id, residency, birth_date)
     SELECT '批量' || n, 'UNKNOWN', $1, 'REGISTERED', DATE '1980-01-01' + n FROM generate_series(1, 150) n
     RETURNING id`,
    [await api.node('gridA')],
  );
  const pages = await Promise.all([10, 100].map((first) => gridWorker(FEED(node), { after: from, first })));
  for (const page of pages) expect(page.errors).toBeUndefined();
  expect(pages.map((page) => page.data?.changes.edges.length)).toEqual([10, 100]);
  expect(pages[1]?.extensions?.sqlStatements).toBe(pages[0]?.extensions?.sqlStatements);
  const followed = await follow(gridWorker, from, node, 7);
  expect(followed.entries.map((entry) => entry.recordId).sort()).toEqual(
    inserted.map((row) => row.id).sort(),
  );
  expect(new Set(followed.entries.map((entry) => entry.changedAt)).size).toBe(1);
});
