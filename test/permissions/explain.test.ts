// Explaining an access decision (issue 24 item 5) against what the server actually does: for every test
// account and every field of Person and Dispute, on records in and out of each account's scope, the
// explanation's outcome (read, masked, denied, out of scope) and its value filter are what a real token
// gets over HTTP. Then the AUDITOR query: the same answer as the reviewer's tool, audited, for AUDITOR only.
import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import disputeRoutes from '../../src/database/reference-data/dispute-routes.json';
import { loadUserIdentity } from '../../src/auth/identity-store';
import type { Identity } from '../../src/auth/identity';
import { buildBareSchema } from '../../src/graphql/schema';
import { explainAccess, type AccessOutcome } from '../../src/permissions/explain';
import { allPrincipals, type Principal } from '../../src/permissions/policy';
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;
let schema: Awaited<ReturnType<typeof buildBareSchema>>;
const records: { type: 'Person' | 'Dispute'; id: string; what: string }[] = [];

function usernameOf(principal: Principal): string {
  if (principal.capability === 'ADMIN') return 'admin';
  if (principal.capability === 'AUDITOR') return 'auditor';
  return `${principal.department.toLowerCase()}.${principal.position.toLowerCase()}`;
}

async function identityOf(username: string): Promise<Identity> {
  const rows: { id: string }[] = await api.dataSource.query(`SELECT id FROM users WHERE username = $1`, [
    username,
  ]);
  const identity = rows[0] ? await loadUserIdentity(api.dataSource, rows[0].id) : null;
  if (!identity) throw new Error(`no test account ${username}`);
  return identity;
}

/** A national ID number with its GB 11643 check digit, for a birth date and a sequence. */
function nationalId(region: string, birth: string, sequence: string): string {
  const body = `${region}${birth.replaceAll('-', '')}${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return `${body}${'10X98765432'[sum % 11]}`;
}

/** Every field of the type; object-valued ones by their __typename only. */
function selection(type: GraphQLObjectType): string {
  return Object.values(type.getFields())
    .map((field) => (isObjectType(getNamedType(field.type)) ? `${field.name} { __typename }` : field.name))
    .join(' ');
}

beforeAll(async () => {
  api = await startTestApi();
  schema = await buildBareSchema();
  const worker = await api.login('grid.worker');
  const workerB = await api.login('gridb.worker');
  const [gridA, gridB] = [await api.node('gridA'), await api.node('gridB')];
  const everyStatus = await registerPerson(api, worker, {
    name: '全状态',
    gridId: gridA,
    birthDate: '2010-06-01',
    idNumber: '330003201006011234',
    phone: '13812345678',
    address: '东村3组12号',
    specialStatuses: [
      'COMMUNITY_CORRECTIONS',
      'RELEASED_PRISONER',
      'DRUG_INVOLVED',
      'SEVERE_MENTAL_DISORDER_WITH_INCIDENT',
      'NO_LIVELIHOOD',
      'VETERAN',
      'DISABILITY',
    ],
  });
  const veteran = await registerPerson(api, worker, {
    name: '退役者',
    gridId: gridA,
    birthDate: '1980-03-04',
    idNumber: nationalId('330003', '1980-03-04', '123'),
    phone: '13900002222',
    address: '东村1组3号',
    specialStatuses: ['VETERAN'],
  });
  const elsewhere = await registerPerson(api, workerB, {
    name: '二网格',
    gridId: gridB,
    birthDate: '1975-01-02',
    idNumber: nationalId('330003', '1975-01-02', '456'),
    phone: '13700003333',
    address: '东村二组8号',
  });
  let marriage = '';
  for (const category of Object.keys(disputeRoutes.byCategory)) {
    const id = await registerDispute(api, worker, {
      category,
      gridId: gridA,
      parties: [everyStatus, veteran],
    });
    if (category === 'MARRIAGE_RELATIONSHIP') marriage = id;
  }
  for (const source of Object.keys(disputeRoutes.bySource)) {
    await registerDispute(api, worker, { category: 'OTHER', source, gridId: gridA, parties: [everyStatus] });
  }
  const land = await registerDispute(api, workerB, {
    category: 'LAND_FOREST',
    gridId: gridB,
    parties: [elsewhere],
  });
  records.push(
    { type: 'Person', id: everyStatus, what: 'a minor with every status, party to every kind of dispute' },
    { type: 'Person', id: veteran, what: 'a VETERAN, party to every category' },
    { type: 'Person', id: elsewhere, what: 'an adult of grid B, party to one LAND_FOREST dispute' },
    { type: 'Dispute', id: marriage, what: 'MARRIAGE_RELATIONSHIP in grid A' },
    { type: 'Dispute', id: land, what: 'LAND_FOREST in grid B' },
  );
}, 180000);
afterAll(() => api?.close());

/** What the server gave for one field: read, masked, denied, or the record was not found. */
function observed(
  rootCode: string | undefined,
  fieldCode: string | undefined,
  value: unknown,
): AccessOutcome | 'unexpected' {
  if (rootCode === 'NOT_FOUND') return 'OUT_OF_SCOPE';
  if (rootCode === 'FORBIDDEN') return 'DENIED';
  if (rootCode !== undefined) return 'unexpected';
  if (fieldCode === 'FORBIDDEN' && value === null) return 'DENIED';
  if (fieldCode !== undefined) return 'unexpected';
  if (typeof value === 'string' && (value.includes('*') || value.includes('详细地址不可见'))) return 'MASKED';
  return 'READ';
}

const principals = allPrincipals();

test.each(principals.map((p) => [p.label, p.principal] as const))(
  '%s: the explanation of every field of every record is what the server returns',
  async (_label, principal) => {
    const username = usernameOf(principal);
    const token = await api.login(username);
    const identity = await identityOf(username);
    const mismatches: string[] = [];
    for (const record of records) {
      const root = record.type === 'Person' ? 'person' : 'dispute';
      const type = schema.getType(record.type) as GraphQLObjectType;
      const result = await api.gql(
        `query($id: ID!) { ${root}(id: $id) { ${selection(type)} } }`,
        { id: record.id },
        token,
      );
      const codes = new Map((result.errors ?? []).map((e) => [(e.path ?? []).join('.'), e.extensions?.code]));
      const values = (result.data?.[root] ?? {}) as Record<string, unknown>;
      for (const field of Object.keys(type.getFields())) {
        const explanation = await explainAccess(api.dataSource, {
          identity,
          field: `${record.type}.${field}`,
          recordId: record.id,
          today: api.clock.now,
        });
        const actual = observed(codes.get(root), codes.get(`${root}.${field}`), values[field]);
        if (explanation.outcome !== actual)
          mismatches.push(`${record.what} · ${field}: explained ${explanation.outcome}, got ${actual}`);
        if (explanation.valueFilter?.matched !== undefined && explanation.valueFilter.matched !== null) {
          const shown = Array.isArray(values[field]) && (values[field] as unknown[]).length > 0;
          if (shown !== explanation.valueFilter.matched)
            mismatches.push(
              `${record.what} · ${field}: value filter explained ${explanation.valueFilter.matched}, shown ${shown}`,
            );
        }
      }
    }
    expect(mismatches).toEqual([]);
  },
  120000,
);

test('across the accounts, every outcome and both value-filter answers occur', async () => {
  const seen = new Set<string>();
  for (const { principal } of principals) {
    const identity = await identityOf(usernameOf(principal));
    for (const record of records.filter((r) => r.type === 'Person')) {
      for (const field of ['Person.phone', 'Person.specialStatuses', 'Person.idNumber']) {
        const explanation = await explainAccess(api.dataSource, {
          identity,
          field,
          recordId: record.id,
          today: api.clock.now,
        });
        seen.add(explanation.outcome);
        if (explanation.valueFilter?.matched === true) seen.add('filter matched');
        if (explanation.valueFilter?.matched === false) seen.add('filter did not match');
      }
    }
  }
  expect([...seen].sort()).toEqual(
    ['DENIED', 'MASKED', 'OUT_OF_SCOPE', 'READ', 'filter did not match', 'filter matched'].sort(),
  );
});

test('the explanation names the policy row, the audience, the matched clause and the audit', async () => {
  const police = await identityOf('police.worker');
  const [everyStatus, , elsewhere] = records;
  const inScope = await explainAccess(api.dataSource, {
    identity: police,
    field: 'Person.specialStatuses',
    recordId: everyStatus!.id,
    today: api.clock.now,
  });
  expect(inScope.outcome).toBe('READ');
  expect(inScope.policy).toMatchObject({ table: 'FIELD_POLICY', matched: 'READERS' });
  expect(inScope.valueFilter).toMatchObject({ kind: 'SPECIAL_STATUS', matched: true });
  expect(inScope.valueFilter?.rule).toContain('DRUG_INVOLVED');
  expect(inScope.sensitive).toBe(true);
  expect(inScope.audited).toBe(true);
  expect(inScope.record?.clauses.find((c) => c.name.startsWith('holds a special status'))?.matched).toBe(
    true,
  );
  const outside = await explainAccess(api.dataSource, {
    identity: police,
    field: 'Person.phone',
    recordId: elsewhere!.id,
    today: api.clock.now,
  });
  expect(outside.outcome).toBe('OUT_OF_SCOPE');
  expect(outside.record).toMatchObject({ exists: true, withinSubtree: true, inScope: false });
  expect(outside.record?.clauses.every((clause) => !clause.matched)).toBe(true);
  const masked = await explainAccess(api.dataSource, {
    identity: await identityOf('petitions.worker'),
    field: 'Person.phone',
    today: api.clock.now,
  });
  expect(masked).toMatchObject({
    outcome: 'MASKED',
    audited: false,
    policy: { matched: 'MASKED', maskKind: 'PHONE' },
  });
});

const EXPLAIN = `query($account: String!, $field: String!) { explainAccess(account: $account, field: $field) {
  account { username department position capability } field outcome sensitive audited rowScopeRule reasons
  policy { table readers maskedFor maskKind matched note } valueFilter { kind rule } } }`;

describe('the AUDITOR query', () => {
  test('answers as the reviewer’s tool does without a record, for every account', async () => {
    const auditor = await api.login('auditor');
    for (const { principal } of principals) {
      const username = usernameOf(principal);
      const identity = await identityOf(username);
      for (const field of [
        'Person.phone',
        'Person.specialStatuses',
        'Person.birthDate',
        'Dispute.description',
      ]) {
        const result = await api.gql(EXPLAIN, { account: username, field }, auditor);
        expect(result.errors).toBeUndefined();
        const expected = await explainAccess(api.dataSource, { identity, field, today: api.clock.now });
        expect(result.data?.explainAccess).toMatchObject({
          field,
          outcome: expected.outcome,
          audited: expected.audited,
          reasons: expected.reasons,
          policy: expected.policy,
        });
      }
    }
  }, 120000);

  test('is audited, and refused to everyone else', async () => {
    const auditor = await api.login('auditor');
    const result = await api.gql(EXPLAIN, { account: 'police.worker', field: 'Person.phone' }, auditor);
    expect(result.data?.explainAccess.outcome).toBe('READ');
    const police = await identityOf('police.worker');
    const entries: { fields: string[] }[] = await api.dataSource.query(
      `SELECT fields FROM audit_entries WHERE record_type = 'AccessExplanation' AND $1 = ANY(record_ids)`,
      [police.id],
    );
    expect(entries.some((entry) => entry.fields.includes('Person.phone'))).toBe(true);
    for (const username of ['admin', 'grid.leader', 'police.worker']) {
      const refused = await api.gql(
        EXPLAIN,
        { account: 'police.worker', field: 'Person.phone' },
        await api.login(username),
      );
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.data?.explainAccess ?? null).toBeNull();
    }
  });

  test('names no record: no record argument, and bad input is BAD_USER_INPUT', async () => {
    const auditor = await api.login('auditor');
    const withRecord = await api.gql(
      `{ explainAccess(account: "police.worker", field: "Person.phone", recordId: "${records[0]!.id}") { outcome } }`,
      {},
      auditor,
    );
    expect(withRecord.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badField = await api.gql(EXPLAIN, { account: 'police.worker', field: 'Person.religion' }, auditor);
    expect(badField.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badAccount = await api.gql(EXPLAIN, { account: 'nobody.here', field: 'Person.phone' }, auditor);
    expect(badAccount.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
