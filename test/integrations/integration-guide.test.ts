// The integration guide's examples are real (issue 21 item 8): every fenced block of
// docs/integration.md marked `runnable=<name>` is run here, as written, against a test server — the
// ADMIN's mutation through the API, the shell and Node examples as separate processes with
// CONCORD_API_URL and CONCORD_API_KEY set, as an integrator runs them — so the guide cannot rot.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';

const run = promisify(execFile);
const GUIDE = path.join(__dirname, '../../docs/integration.md');

/** The guide's runnable blocks by name, with their language. */
function runnableBlocks(markdown: string): Map<string, { language: string; code: string }> {
  const blocks = new Map<string, { language: string; code: string }>();
  for (const match of markdown.matchAll(/^```(\w+) runnable=([\w-]+)\n([\s\S]*?)^```$/gm)) {
    const [, language, name, code] = match as unknown as [string, string, string, string];
    if (blocks.has(name)) throw new Error(`two runnable blocks named ${name}`);
    blocks.set(name, { language, code });
  }
  return blocks;
}

let api: TestApi;
let blocks: Map<string, { language: string; code: string }>;
let env: NodeJS.ProcessEnv;
const directory = mkdtempSync(path.join(tmpdir(), 'concord-guide-'));

/** Runs a block as its own process in `cwd`, with the integrator's environment; its standard output. */
async function runBlock(name: string, cwd = directory): Promise<string> {
  const block = blocks.get(name);
  if (!block) throw new Error(`docs/integration.md has no runnable block ${name}`);
  const [command, args] =
    block.language === 'sh'
      ? ['bash', ['-euo', 'pipefail', '-c', block.code]]
      : [process.execPath, ['--input-type=module', '-e', block.code]];
  const { stdout } = await run(command, args, { cwd, env, timeout: 30_000 });
  return stdout;
}

beforeAll(async () => {
  api = await startTestApi();
  blocks = runnableBlocks(readFileSync(GUIDE, 'utf8'));
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const person = await registerPerson(api, worker, { name: '指南甲', gridId: gridA, phone: '13812340000' });
  const other = await registerPerson(api, worker, { name: '指南乙', gridId: gridA });
  await registerDispute(api, worker, { category: 'LABOR_WAGES', gridId: gridA, parties: [person, other] });

  // The guide's own mutation, as an ADMIN runs it.
  const created = await api.gql(
    blocks.get('create-account')!.code,
    {
      input: {
        username: `economic-guide-${randomUUID().slice(0, 6)}`,
        displayName: '经济发展办对接系统',
        departmentCode: 'ECONOMIC_DEVELOPMENT',
        jurisdictionId: await api.node('street'),
      },
    },
    await api.login('admin'),
  );
  const key = created.data?.createServiceAccount?.issuedKey?.apiKey;
  if (!key) throw new Error(`create-account: ${JSON.stringify(created)}`);
  env = {
    PATH: process.env.PATH,
    HOME: directory,
    CONCORD_API_URL: api.url.replace(/\/graphql$/, ''),
    CONCORD_API_KEY: key,
  };
});
afterAll(() => api.close());

test('the guide has every example this test runs', () => {
  // Other sections (webhooks) may mark runnable blocks of their own, run by their own tests.
  expect([...blocks.keys()]).toEqual(
    expect.arrayContaining(['call-curl', 'call-node', 'create-account', 'export-curl', 'follow-feed']),
  );
});

test('calling with the key: curl and Node', async () => {
  const answer = JSON.parse(await runBlock('call-curl'));
  expect(answer.errors).toBeUndefined();
  // ECONOMIC_DEVELOPMENT sees the parties of the labour-wages dispute it handles.
  expect(answer.data.persons.totalCount).toBe(2);
  expect(answer.data.persons.edges.map((edge: any) => edge.node.name).sort()).toEqual(['指南乙', '指南甲']);

  const me = JSON.parse(await runBlock('call-node'));
  expect(me).toMatchObject({ kind: 'SERVICE', departmentCode: 'ECONOMIC_DEVELOPMENT' });
});

test('following the feed: every change once, and a second run goes on where the first stopped', async () => {
  const feed = mkdtempSync(path.join(directory, 'feed-'));
  const lines = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { recordType: string; recordId: string; operation: string });
  const first = lines(await runBlock('follow-feed', feed));
  expect(
    first.filter((change) => change.recordType === 'PERSON').map((change) => change.operation),
  ).toContain('CREATED');
  expect(first.some((change) => change.recordType === 'DISPUTE')).toBe(true);

  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const newcomer = await registerPerson(api, worker, { name: '指南丙', gridId: gridA });
  const known = first.find((change) => change.recordType === 'PERSON')!.recordId;
  await registerDispute(api, worker, { category: 'LABOR_WAGES', gridId: gridA, parties: [newcomer, known] });
  const second = lines(await runBlock('follow-feed', feed));
  expect(second.length).toBeGreaterThan(0);
  expect(second.map((change) => change.recordId)).toContain(newcomer);
  // Nothing of the first run comes again except what changed since (the known person's new dispute).
  const again = second.filter((change) => first.some((seen) => seen.recordId === change.recordId));
  expect(again.every((change) => change.recordId === known)).toBe(true);
  expect(await runBlock('follow-feed', feed)).toBe('');
});

test('exporting with curl writes the file', async () => {
  const out = mkdtempSync(path.join(directory, 'export-'));
  await runBlock('export-curl', out);
  const file = readFileSync(path.join(out, 'persons.csv'), 'utf8');
  const [header, ...rows] = file
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\n');
  expect(header!.split(',')).toEqual(expect.arrayContaining(['id', 'name', 'tier']));
  // The two registered first and the one the feed test added, all parties of labour-wages disputes.
  expect(rows).toHaveLength(3);
  expect(file).toContain('指南甲');
  expect(file).toContain('138****0000'); // the phone, masked as this department reads it
});
