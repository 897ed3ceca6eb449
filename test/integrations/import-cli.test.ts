// `npm run import` (src/cli/import.ts) on a small file against the test database: the command's own
// function, acting as a named service account — its scope and audit, the same checks as the mutation
// — with progress as plain lines when the output is not a terminal.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatOfFile, importFile, kindOfFile, progressReporter } from '../../src/cli/import-command';
import { ImportFormat, ImportKind } from '../../src/domain/imports/import.inputs';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;
let directory: string;

beforeAll(async () => {
  api = await startTestApi();
  directory = await mkdtemp(join(tmpdir(), 'concord-import-test-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await api.close();
});

async function serviceAccount(departmentCode: string, node: string): Promise<string> {
  const username = `${departmentCode.toLowerCase()}-cli-${randomUUID().slice(0, 8)}`;
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id } userErrors { message } } }`,
    { input: { username, displayName: '导入工具', departmentCode, jurisdictionId: node } },
    await api.login('admin'),
  );
  if (!created.data?.createServiceAccount.serviceAccount) throw new Error(JSON.stringify(created));
  return username;
}

test('the command imports a file as the service account, within its scope, with progress lines', async () => {
  const [gridA, gridC] = await Promise.all([api.node('gridA'), api.node('gridC')]);
  const username = await serviceAccount('GRID', await api.node('villageA'));
  const file = join(directory, 'persons.csv');
  const rows = Array.from({ length: 1200 }, (_, index) => `CLI-${index},命令行${index},,,,,${gridA},`);
  await writeFile(
    file,
    ['externalId,name,gender,birthDate,idNumber,phone,gridId,residency', ...rows].join('\n'),
  );
  const lines: string[] = [];
  const reporter = progressReporter({ isTTY: false, write: (text: string) => lines.push(text) > 0 });
  const options = {
    file,
    as: username,
    kind: kindOfFile(file, undefined),
    format: formatOfFile(file),
    dryRun: false,
  };
  expect([options.kind, options.format]).toEqual([ImportKind.PERSONS, ImportFormat.CSV]);
  const outcome = await importFile(api.config, api.runtimeDataSource, options, reporter.progress);
  expect(outcome).toEqual({ created: 1200, updated: 0, unchanged: 0, dryRun: false, problems: [] });
  expect(lines).toEqual(
    expect.arrayContaining(['reading rows: 1200/1200\n', 'writing records: 1200/1200\n']),
  );
  const [written] = (await api.dataSource.query(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE p.created_by_id = u.id)::int AS by_account
       FROM import_records m JOIN persons p ON p.id = m.record_id JOIN users u ON u.id = m.source_account_id
      WHERE u.username = $1`,
    [username],
  )) as { n: number; by_account: number }[];
  expect(written).toEqual({ n: 1200, by_account: 1200 });
  const [audit] = (await api.dataSource.query(
    `SELECT a.actor_kind, cardinality(a.record_ids) AS records FROM audit_entries a JOIN users u ON u.id = a.actor_id
      WHERE u.username = $1 AND a.operation = 'importRecords'`,
    [username],
  )) as { actor_kind: string; records: number }[];
  expect(audit).toEqual({ actor_kind: 'SERVICE', records: 1200 });

  // Again: nothing changes. A row in a grid outside the account's jurisdiction: named, nothing written.
  expect(await importFile(api.config, api.runtimeDataSource, options)).toMatchObject({ unchanged: 1200 });
  await writeFile(file, `externalId,name,gridId\nCLI-X,外面,${gridC}\nCLI-Y,里面,${gridA}\n`);
  const refused = await importFile(api.config, api.runtimeDataSource, options);
  expect(refused.problems).toEqual([expect.objectContaining({ line: 2, field: 'gridId' })]);
  expect(refused.created).toBe(0);
  const [after] = (await api.dataSource.query(
    `SELECT count(*)::int AS n FROM import_records WHERE external_id IN ('CLI-X', 'CLI-Y')`,
  )) as { n: number }[];
  expect(after?.n).toBe(0);
});

test('the command acts only as an active service account, and under its operation policy', async () => {
  const file = join(directory, 'households.ndjson');
  await writeFile(
    file,
    JSON.stringify({ externalId: 'H', address: '某地', gridId: await api.node('gridA') }),
  );
  const options = { file, kind: ImportKind.HOUSEHOLDS, format: ImportFormat.NDJSON, dryRun: false };
  await expect(
    importFile(api.config, api.runtimeDataSource, { ...options, as: 'grid.worker' }),
  ).rejects.toThrow('no active service account grid.worker');
  const youth = await serviceAccount('YOUTH_LEAGUE', await api.node('street'));
  await expect(
    importFile(api.config, api.runtimeDataSource, { ...options, as: youth }),
  ).rejects.toMatchObject({
    extensions: { code: 'FORBIDDEN' },
  });
});
