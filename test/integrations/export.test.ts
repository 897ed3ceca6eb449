// Export (SPEC §5a, issue 21 item 4), as department tools use it: GET /export/<kind>.<format> through
// the real HTTP server with real API keys and tokens. A file holds exactly what the same account reads
// over GraphQL — the same rows, the same masks, no column for a field it may not read — and is audited
// as one READ entry naming every record; a client that leaves midway is audited for what it was sent.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { runExport } from '../../src/cli/export';
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerHousehold, registerPerson } from '../support/fixtures';

let api: TestApi;
const ids = {} as Record<
  'wang' | 'li' | 'alone' | 'westerner' | 'family' | 'policeCall' | 'home' | 'aloneHome',
  string
>;
const keys: Record<string, { id: string; key: string }> = {};

/** A department tool: a service account rooted at the street, and its API key. */
async function serviceAccount(departmentCode: string): Promise<{ id: string; key: string }> {
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id } issuedKey { apiKey } userErrors { message } } }`,
    {
      input: {
        username: `${departmentCode.toLowerCase().replace(/_/g, '-')}-export-${randomUUID().slice(0, 6)}`,
        displayName: `${departmentCode} 导出`,
        departmentCode,
        jurisdictionId: await api.node('street'),
      },
    },
    await api.login('admin'),
  );
  const account = created.data?.createServiceAccount;
  if (!account?.issuedKey?.apiKey) throw new Error(`createServiceAccount: ${JSON.stringify(created)}`);
  return { id: account.serviceAccount.id, key: account.issuedKey.apiKey };
}

const exportUrl = (path: string) => new URL(path, api.url).toString();

function download(path: string, authorization: string, init: RequestInit = {}): Promise<Response> {
  return fetch(exportUrl(path), { ...init, headers: { authorization } });
}

async function ndjson(path: string, authorization: string): Promise<Record<string, unknown>[]> {
  const response = await download(path, authorization);
  expect(response.status).toBe(200);
  const text = await response.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every person field an export could carry, as the test (not the export code) lists them. */
const PERSON_FIELDS = `id name gender birthDate age ageGroup idNumber phone address residency occupation
  employerName employerContact landlordName landlordContact specialStatuses hasPoliceRecord tier
  grid { code } household { id } version createdAt updatedAt`;
const HOUSEHOLD_FIELDS = `id address grid { code } members { id } version updatedAt`;
const DISPUTE_FIELDS = `id category source status level venue grid { code } description
  parties { role personId } reportedById reportedAt closedAt version updatedAt`;

/** The file's column for a nested GraphQL field. */
const FLATTENED: Record<string, string> = {
  grid: 'gridCode',
  household: 'householdId',
  members: 'memberIds',
};
const SELECTION = { persons: PERSON_FIELDS, households: HOUSEHOLD_FIELDS, disputes: DISPUTE_FIELDS };

interface ListedOverGraphQL {
  rows: Record<string, unknown>[];
  /** Fields answered FORBIDDEN (for any row). */
  denied: Set<string>;
}

/**
 * The list as `authorization` reads it over GraphQL, every page, flattened as the file flattens it
 * (grid → gridCode, household → householdId, parties → ROLE:personId), with the fields it was denied.
 */
async function listOverGraphQL(
  list: 'persons' | 'households' | 'disputes',
  authorization: string,
): Promise<ListedOverGraphQL> {
  const rows: Record<string, unknown>[] = [];
  const denied = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        query: `query($after: String) { ${list}(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor } edges { node { ${SELECTION[list]} } } } }`,
        variables: { after },
      }),
    });
    const body = (await response.json()) as {
      data: Record<string, { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: any }[] }>;
      errors?: { path: (string | number)[]; extensions: { code: string } }[];
    };
    for (const error of body.errors ?? []) {
      expect(error.extensions.code).toBe('FORBIDDEN');
      denied.add(String(error.path.at(-1)));
    }
    const page = body.data[list]!;
    for (const { node } of page.edges) {
      const row: Record<string, unknown> = { ...node };
      if ('grid' in row) {
        row.gridCode = node.grid?.code ?? null;
        delete row.grid;
      }
      if ('household' in row) {
        row.householdId = node.household?.id ?? null;
        delete row.household;
      }
      if ('members' in row) {
        row.memberIds = Array.isArray(node.members) ? node.members.map((member: any) => member.id) : null;
        delete row.members;
      }
      if ('parties' in row && Array.isArray(node.parties)) {
        row.parties = node.parties.map((party: any) => `${party.role}:${party.personId ?? ''}`);
      }
      rows.push(row);
    }
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  for (const row of rows) {
    for (const field of denied) delete row[FLATTENED[field] ?? field];
  }
  return { rows, denied };
}

interface AuditRow {
  request_id: string;
  actor_id: string;
  action: string;
  operation: string;
  record_type: string;
  record_ids: string[];
  fields: string[];
  detail: {
    complete: boolean;
    rows: number;
    columns: string[];
    maskedColumns: string[];
    format: string;
  };
}

const auditOf = (requestId: string): Promise<AuditRow[]> =>
  api.dataSource.query(`SELECT * FROM audit_entries WHERE request_id = $1 ORDER BY seq`, [requestId]);

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const gridC = await api.node('gridC');
  ids.home = await registerHousehold(api, worker, gridA, '东村一网格 3 幢 201');
  ids.aloneHome = await registerHousehold(api, worker, gridA, '东村一网格 9 幢 101');
  ids.wang = await registerPerson(api, worker, {
    householdId: ids.home,
    name: '王导出',
    gridId: gridA,
    gender: 'FEMALE',
    birthDate: '1979-12-01',
    idNumber: '330102197912015747',
    phone: '13812345678',
    address: '东村一网格 3 幢 201',
    residency: 'MIGRANT',
    employerName: '东村五金厂',
    employerContact: '0571-8888 0001',
    occupation: '工人',
    specialStatuses: ['DRUG_INVOLVED', 'NO_LIVELIHOOD'],
  });
  ids.li = await registerPerson(api, worker, {
    name: '李导出',
    gridId: gridA,
    gender: 'MALE',
    birthDate: '1960-05-06',
    idNumber: '330102196005061235',
    phone: '13900001111',
    address: '东村一网格 5 幢 102',
  });
  // In the grid, but in no dispute: a department sees them only through a routed dispute.
  ids.alone = await registerPerson(api, worker, {
    name: '赵无事',
    gridId: gridA,
    phone: '13700002222',
    householdId: ids.aloneHome,
  });
  ids.westerner = await registerPerson(api, await api.login('gridc.worker'), {
    name: '钱西社区',
    gridId: gridC,
    phone: '13600003333',
  });
  ids.family = await registerDispute(api, worker, {
    category: 'FAMILY',
    gridId: gridA,
    parties: [ids.wang, ids.li],
  });
  // Registered at the street, whose staff see both grids' parties.
  ids.policeCall = await registerDispute(api, await api.login('comprehensive_governance.worker'), {
    category: 'NEIGHBOR',
    source: 'POLICE_CALL',
    gridId: gridA,
    parties: [ids.li, ids.westerner],
  });
  keys.police = await serviceAccount('POLICE');
  keys.civil = await serviceAccount('CIVIL_AFFAIRS');
  keys.governance = await serviceAccount('COMPREHENSIVE_GOVERNANCE');
  keys.women = await serviceAccount('WOMENS_FEDERATION');
  keys.youth = await serviceAccount('YOUTH_LEAGUE');
});
afterAll(() => api.close());

describe('a file holds what the same account reads over GraphQL', () => {
  test.each(['police', 'civil', 'governance', 'women'])(
    'persons and disputes for %s: same rows, same masks, no column for a denied field',
    async (who) => {
      const authorization = `ApiKey ${keys[who]!.key}`;
      // WOMENS_FEDERATION does not read households (below).
      const lists =
        who === 'women'
          ? (['persons', 'disputes'] as const)
          : (['households', 'persons', 'disputes'] as const);
      for (const list of lists) {
        const overGraphQL = await listOverGraphQL(list, authorization);
        const exported = await ndjson(`/export/${list}.ndjson`, authorization);
        expect(exported).toEqual(overGraphQL.rows);
        for (const row of exported) {
          for (const field of overGraphQL.denied) expect(row).not.toHaveProperty(field);
        }
        // The CSV file carries the same cells (lists joined with `;`, null as empty) under the same header.
        const csv = await download(`/export/${list}.csv`, authorization);
        expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
        const records = parse(await csv.text(), { columns: true, bom: true }) as Record<string, string>[];
        expect(records).toEqual(
          exported.map((row) =>
            Object.fromEntries(
              Object.entries(row).map(([key, value]) => [
                key,
                value === null ? '' : Array.isArray(value) ? value.join(';') : String(value),
              ]),
            ),
          ),
        );
      }
    },
  );

  test('each department gets its own masks and statuses, and nothing outside its row scope', async () => {
    const byId = (rows: Record<string, unknown>[]) => new Map(rows.map((row) => [row.id as string, row]));
    const police = byId(await ndjson('/export/persons.ndjson', `ApiKey ${keys.police!.key}`));
    const governance = byId(await ndjson('/export/persons.ndjson', `ApiKey ${keys.governance!.key}`));
    const women = byId(await ndjson('/export/persons.ndjson', `ApiKey ${keys.women!.key}`));
    const civil = byId(await ndjson('/export/persons.ndjson', `ApiKey ${keys.civil!.key}`));

    // POLICE: the parties of the police-call dispute and the holder of its own status (DRUG_INVOLVED),
    // ID in full, its own status only.
    expect([...police.keys()].sort()).toEqual([ids.li, ids.westerner, ids.wang].sort());
    expect(police.get(ids.wang)).toMatchObject({ specialStatuses: ['DRUG_INVOLVED'] });
    expect(police.get(ids.li)).toMatchObject({ idNumber: '330102196005061235', phone: '13900001111' });
    // COMPREHENSIVE_GOVERNANCE: every person of the street, the ID masked, an age group but no age.
    expect(governance.has(ids.alone)).toBe(true);
    expect(governance.get(ids.wang)).toMatchObject({ idNumber: '**************5747', ageGroup: 'ADULT' });
    expect(governance.get(ids.wang)).not.toHaveProperty('age');
    expect(governance.get(ids.wang)).not.toHaveProperty('birthDate');
    expect(governance.get(ids.wang)).not.toHaveProperty('specialStatuses');
    // WOMENS_FEDERATION: the family dispute's parties, the address to village level, no statuses.
    expect([...women.keys()].sort()).toEqual([ids.wang, ids.li].sort());
    expect(women.get(ids.wang)).toMatchObject({ phone: '13812345678', idNumber: '**************5747' });
    expect(women.get(ids.wang)?.address).not.toContain('3 幢');
    // CIVIL_AFFAIRS reads its own status (NO_LIVELIHOOD) and not POLICE's (DRUG_INVOLVED).
    expect(civil.get(ids.wang)).toMatchObject({ specialStatuses: ['NO_LIVELIHOOD'] });
    expect(civil.has(ids.alone)).toBe(false);
    expect(civil.has(ids.westerner)).toBe(false);
  });

  test('a household is listed when a member is within the reader’s scope, with only those members', async () => {
    const households = async (who: string) =>
      new Map(
        (await ndjson('/export/households.ndjson', `ApiKey ${keys[who]!.key}`)).map((row) => [
          row.id as string,
          row.memberIds,
        ]),
      );
    // The street's case office sees everyone of the street: both households, each with its member.
    expect(await households('governance')).toEqual(
      new Map([
        [ids.home, [ids.wang]],
        [ids.aloneHome, [ids.alone]],
      ]),
    );
    // CIVIL_AFFAIRS sees 王 (its own status) but not 赵, who is in no matter of theirs: 赵's household
    // is not listed at all, and its address does not leave.
    expect(await households('civil')).toEqual(new Map([[ids.home, [ids.wang]]]));
    const civilFile = await (await download('/export/households.csv', `ApiKey ${keys.civil!.key}`)).text();
    expect(civilFile).not.toContain('9 幢');
    // A department that does not read households gets the list's FORBIDDEN, not a file.
    const women = await download('/export/households.csv', `ApiKey ${keys.women!.key}`);
    expect(women.status).toBe(403);
  });

  test('an account that may not read the list gets its error, not a file', async () => {
    const youth = await download('/export/disputes.csv', `ApiKey ${keys.youth!.key}`);
    expect(youth.status).toBe(403);
    expect(((await youth.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const admin = await download('/export/persons.csv', `Bearer ${await api.login('admin')}`);
    expect(admin.status).toBe(403);
    const nobody = await download('/export/persons.csv', 'ApiKey cnc_notakey_0000');
    expect(nobody.status).toBe(401);
    const unknown = await download('/export/households.xml', `ApiKey ${keys.police!.key}`);
    expect(unknown.status).toBe(404);
    const badFilter = await download('/export/persons.csv?filter=[1]', `ApiKey ${keys.police!.key}`);
    expect(badFilter.status).toBe(400);
  });

  test('a filter is the list’s own, under its argument policy', async () => {
    const authorization = `ApiKey ${keys.governance!.key}`;
    const filter = encodeURIComponent(JSON.stringify({ jurisdictionId: await api.node('gridC') }));
    const rows = await ndjson(`/export/persons.ndjson?filter=${filter}`, authorization);
    expect(rows.map((row) => row.id)).toEqual([ids.westerner]);
    const invalid = await download(
      `/export/persons.ndjson?filter=${encodeURIComponent('{"tiers":["PURPLE"]}')}`,
      authorization,
    );
    expect(invalid.status).toBe(400);
  });
});

describe('audit', () => {
  test('one READ entry per file, naming every record, the sensitive fields read and the masks', async () => {
    const police = await download('/export/persons.csv', `ApiKey ${keys.police!.key}`);
    const policeText = await police.text();
    const policeEntries = await auditOf(police.headers.get('x-request-id')!);
    expect(policeEntries).toHaveLength(1);
    const [entry] = policeEntries;
    expect(entry).toMatchObject({
      actor_id: keys.police!.id,
      action: 'READ',
      operation: 'export persons.csv',
      record_type: 'Person',
    });
    expect([...entry!.record_ids].sort()).toEqual([ids.li, ids.westerner, ids.wang].sort());
    expect(entry!.fields).toEqual(expect.arrayContaining(['idNumber', 'phone']));
    expect(entry!.detail).toMatchObject({ complete: true, rows: 3, format: 'csv', maskedColumns: [] });
    expect(policeText.split('\n')[0]).toContain('idNumber');

    const governance = await download('/export/persons.ndjson', `ApiKey ${keys.governance!.key}`);
    await governance.text();
    const [governanceEntry, ...others] = await auditOf(governance.headers.get('x-request-id')!);
    expect(others).toEqual([]);
    // Read masked, the ID number is not a sensitive read; the entry says it left masked.
    expect(governanceEntry!.fields).not.toContain('idNumber');
    expect(governanceEntry!.detail.maskedColumns).toContain('idNumber');
    expect(governanceEntry!.record_ids).toContain(ids.alone);
  });

  test('a bearer token works as well, and an empty file is still audited', async () => {
    // YOUTH_LEAGUE reads persons under 18 only, and there are none here.
    const response = await download(
      '/export/persons.ndjson',
      `Bearer ${await api.login('youth_league.worker')}`,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const entries = await auditOf(response.headers.get('x-request-id')!);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ operation: 'export persons.ndjson', record_ids: [], fields: [] });
    expect(entries[0]!.detail).toMatchObject({ complete: true, rows: 0 });
    expect(entries[0]!.detail.columns).not.toContain('phone');
  });
});

describe('a large file', () => {
  const COUNT = 3000;
  beforeAll(async () => {
    const [{ id: creator }] = await api.dataSource.query(
      `SELECT id FROM users WHERE username = 'grid.worker'`,
    );
    await api.dataSource.query(
      `INSERT INTO persons (name, gender, grid_id, residency, phone, address, tier, computed_tier,
                            created_at, updated_at, created_by_id)
       SELECT '批量' || g, 'MALE', $1, 'REGISTERED', '1380000' || lpad(g::text, 4, '0'),
              '东村一网格 ' || g || ' 号', 'NONE', 'NONE',
              date_trunc('milliseconds', now() - g * interval '1 second'),
              date_trunc('milliseconds', now() - g * interval '1 second'), $2
         FROM generate_series(1, ${COUNT}) AS g`,
      [await api.node('gridA'), creator],
    );
  });

  test('streams in chunks as it is read, and is audited whole', async () => {
    const response = await download('/export/persons.csv', `Bearer ${await api.login('grid.worker')}`);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const total = Number(response.headers.get('x-total-count'));
    expect(total).toBeGreaterThanOrEqual(COUNT);
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      chunks += 1;
      text += decoder.decode(chunk, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    const records = parse(text, { columns: true, bom: true }) as { id: string }[];
    expect(records).toHaveLength(total);
    expect(new Set(records.map((record) => record.id)).size).toBe(total);
    const [entry, ...others] = await auditOf(response.headers.get('x-request-id')!);
    expect(others).toEqual([]);
    expect(entry!.record_ids).toHaveLength(total);
    expect(entry!.detail).toMatchObject({ complete: true, rows: total });
  });

  test('a client that leaves midway: the export stops, and the entry names what it was sent', async () => {
    const requestId = `export-abandoned-${randomUUID().slice(0, 8)}`;
    const controller = new AbortController();
    const response = await fetch(exportUrl('/export/persons.ndjson'), {
      headers: { authorization: `Bearer ${await api.login('grid.worker')}`, 'x-request-id': requestId },
      signal: controller.signal,
    });
    const total = Number(response.headers.get('x-total-count'));
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    let entries: AuditRow[] = [];
    for (let attempt = 0; attempt < 50 && entries.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      entries = await auditOf(requestId);
    }
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry!.detail.complete).toBe(false);
    expect(entry!.detail.rows).toBeGreaterThan(0);
    expect(entry!.detail.rows).toBeLessThan(total);
    expect(entry!.record_ids).toHaveLength(entry!.detail.rows);
  });

  test('a key revoked mid-export ends the file there: cut off, and audited as incomplete', async () => {
    const created = await api.gql(
      `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
         issuedKey { keyId apiKey } userErrors { message } } }`,
      {
        input: {
          username: `grid-export-${randomUUID().slice(0, 6)}`,
          displayName: '网格导出',
          departmentCode: 'GRID',
          jurisdictionId: await api.node('gridA'),
        },
      },
      await api.login('admin'),
    );
    const { keyId, apiKey } = created.data!.createServiceAccount.issuedKey;
    const requestId = `export-revoked-${randomUUID().slice(0, 8)}`;
    const response = await fetch(exportUrl('/export/persons.ndjson'), {
      headers: { authorization: `ApiKey ${apiKey}`, 'x-request-id': requestId },
    });
    const reader = response.body!.getReader();
    await reader.read();
    const revoked = await api.gql(
      `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { revokedKeyId userErrors { message } } }`,
      { input: { keyId } },
      await api.login('admin'),
    );
    expect(revoked.data?.revokeApiKey.revokedKeyId).toBe(keyId);
    // The rest arrives until the page after the revocation, then the transfer breaks off unfinished.
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'complete';
      })(),
    ).rejects.toThrow();
    const [entry, ...others] = await auditOf(requestId);
    expect(others).toEqual([]);
    expect(entry!.detail.complete).toBe(false);
    expect(entry!.detail.rows).toBeLessThan(Number(response.headers.get('x-total-count')));
    expect(entry!.record_ids).toHaveLength(entry!.detail.rows);
  });
});

describe('npm run export', () => {
  /** A stand-in for the terminal (isTTY) or a log file: what the command printed. */
  function terminal(isTTY: boolean): Writable & { isTTY: boolean; text(): string } {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    return Object.assign(stream, { isTTY, text: () => text });
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'concord-export-'));

  test('writes the file the API serves, with progress lines when not on a terminal', async () => {
    const out = path.join(directory, 'persons.ndjson');
    const env = { CONCORD_API_KEY: keys.civil!.key, CONCORD_API_URL: api.url };
    const printed = terminal(false);
    const rows = await runExport(['--kind', 'persons', '--format', 'ndjson', '--out', out], env, printed);
    const written = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(written).toEqual(await ndjson('/export/persons.ndjson', `ApiKey ${keys.civil!.key}`));
    expect(rows).toBe(written.length);
    expect(printed.text()).toContain(`persons → ${out}: 0 of ${rows} rows`);
    expect(printed.text()).toContain(`wrote ${rows} persons to ${out}`);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  test('a progress bar on a terminal; CSV rows counted as records, not lines', async () => {
    const out = path.join(directory, 'disputes.csv');
    const token = await api.login('grid.worker');
    const printed = terminal(true);
    const rows = await runExport(
      ['--kind', 'disputes', '--format', 'csv', '--out', out, '--url', `${api.url}`],
      { CONCORD_TOKEN: token },
      printed,
    );
    const records = parse(readFileSync(out, 'utf8'), { columns: true, bom: true }) as { id: string }[];
    expect(rows).toBe(records.length);
    expect(records.map((record) => record.id).sort()).toEqual([ids.family, ids.policeCall].sort());
    expect(printed.text()).toContain(`${rows}/${rows} rows`);
  });

  test('a refusal is reported, and leaves no file', async () => {
    const out = path.join(directory, 'refused.csv');
    const env = { CONCORD_API_KEY: keys.youth!.key, CONCORD_API_URL: api.url };
    await expect(runExport(['--kind', 'disputes', '--out', out], env, terminal(false))).rejects.toThrow(
      /403 \(FORBIDDEN/,
    );
    expect(existsSync(out) || existsSync(`${out}.part`)).toBe(false);
    await expect(runExport(['--kind', 'assessments', '--out', out], env, terminal(false))).rejects.toThrow(
      /--kind must be one of households, persons, disputes/,
    );
    await expect(runExport(['--kind', 'persons', '--out', out], {}, terminal(false))).rejects.toThrow(
      /CONCORD_API_KEY/,
    );
  });
});
