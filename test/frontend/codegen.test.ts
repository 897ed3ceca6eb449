// The front-end contract (issue 22): GraphQL Code Generator's client preset builds types from
// schema/schema.graphql and the operations a front-end keeps in test/frontend/operations/, a small
// client (test/frontend/client.ts) type-checks against them — so a schema change that breaks a
// front-end fails here — and the manifest the preset writes is what a server in trusted-documents mode
// (TRUSTED_DOCUMENTS) runs for staff accounts, while service accounts may still send their own queries.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

const ROOT = path.resolve(__dirname, '../..');
let outputDir: string;
let manifest: Record<string, string>;

/** The TypeScript errors of `file` (in outputDir, beside gql/), as the compiler prints them. */
function typeErrors(file: string): string[] {
  const program = ts.createProgram([path.join(outputDir, file)], {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
    // The generated files import @graphql-typed-document-node/core: from this project's packages.
    baseUrl: outputDir,
    paths: { '*': [path.join(ROOT, 'node_modules/*')] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

beforeAll(async () => {
  outputDir = await mkdtemp(path.join(tmpdir(), 'concord-frontend-'));
  // A child process: the preset loads ES modules that Jest's module runtime cannot require.
  await promisify(execFile)(process.execPath, [path.join(__dirname, 'generate-client.mjs'), outputDir], {
    cwd: ROOT,
  });
  await copyFile(path.join(__dirname, 'client.ts'), path.join(outputDir, 'client.ts'));
  manifest = JSON.parse(await readFile(path.join(outputDir, 'gql/persisted-documents.json'), 'utf8'));
}, 120000);
afterAll(() => rm(outputDir, { recursive: true, force: true }));

test('the client preset builds types for every operation, and the client type-checks against them', () => {
  expect(
    Object.values(manifest).map((document) => /^(query|mutation|subscription) (\w+)/.exec(document)?.[2]),
  ).toEqual(
    expect.arrayContaining([
      'GridPersonList',
      'DisputeDetail',
      'RegisterDispute',
      'AlertReceived',
      'Viewer',
      'AssigneePicker',
    ]),
  );
  expect(Object.keys(manifest).every((id) => /^sha256:[0-9a-f]{64}$/.test(id))).toBe(true);
  expect(typeErrors('client.ts')).toEqual([]);
});

test('a client that reads what the schema does not promise fails the check', async () => {
  // A person's phone may be denied (nullable); a dispute's parties are always there (non-null).
  await writeFile(
    path.join(outputDir, 'careless.ts'),
    `import type { GridPersonListQuery } from './gql/graphql';
     export const firstPhone = (page: GridPersonListQuery): string => page.persons!.edges[0]!.node.phone;
     export const username = (page: GridPersonListQuery) => page.persons!.edges[0]!.node.username;`,
  );
  const errors = typeErrors('careless.ts');
  expect(errors.join('\n')).toContain(`Type 'string | null' is not assignable to type 'string'`);
  expect(errors.join('\n')).toContain(`Property 'username' does not exist`);
});

describe('trusted documents: the preset’s manifest as TRUSTED_DOCUMENTS', () => {
  let api: TestApi;
  let trusted: Awaited<ReturnType<TestApi['sibling']>>;
  let personListId: string;

  beforeAll(async () => {
    api = await startTestApi();
    await writeFile(path.join(outputDir, 'manifest.json'), JSON.stringify(manifest));
    trusted = await api.sibling({ trustedDocumentsFile: path.join(outputDir, 'manifest.json') });
    const worker = await api.login('grid.worker');
    await registerPerson(api, worker, { name: '可信', gridId: await api.node('gridA') });
    const id = Object.entries(manifest).find(([, document]) =>
      document.startsWith('query GridPersonList'),
    )?.[0];
    if (!id) throw new Error('no GridPersonList in the manifest');
    personListId = id;
  }, 120000);
  afterAll(async () => {
    await trusted?.close();
    await api?.close();
  });

  const post = async (body: unknown, authorization?: string) => {
    const response = await fetch(trusted.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, ...((await response.json()) as any) };
  };

  test('a staff account runs a manifest operation by documentId or by Apollo’s sha256Hash', async () => {
    const worker = `Bearer ${await api.login('grid.worker')}`;
    const byId = await post({ documentId: personListId, variables: { first: 5 } }, worker);
    expect(byId.errors).toBeUndefined();
    expect(byId.data.persons.edges.map((e: any) => e.node.name)).toContain('可信');
    const byHash = await post(
      {
        variables: { first: 5 },
        extensions: { persistedQuery: { version: 1, sha256Hash: personListId.replace('sha256:', '') } },
      },
      worker,
    );
    expect(byHash.data).toEqual(byId.data);
  });

  test('an unknown id, or a staff account’s own query, is refused and runs nothing', async () => {
    const worker = `Bearer ${await api.login('grid.worker')}`;
    const unknown = await post({ documentId: `sha256:${'0'.repeat(64)}`, variables: {} }, worker);
    expect(unknown.status).toBe(400);
    expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.data).toBeUndefined();

    const own = await post(
      { query: '{ persons(first: 100) { totalCount edges { node { name phone } } } }' },
      worker,
    );
    expect(own.status).toBe(400);
    expect(own.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(own.errors[0].message).toContain('trusted documents');
    expect(own.data).toBeUndefined();
    // Text beside a known id does not run: the manifest's document does.
    const smuggled = await post(
      { documentId: personListId, query: '{ me { username } }', variables: { first: 1 } },
      worker,
    );
    expect(Object.keys(smuggled.data)).toEqual(['persons']);
    // Signed out, only the manifest too.
    const signedOut = await post({ query: 'mutation { logout { userErrors { message } } }' });
    expect(signedOut.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  test('a service account still sends its own queries, within its budget', async () => {
    const admin = await api.login('admin');
    const created = await api.gql(
      `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
         issuedKey { apiKey } userErrors { message } } }`,
      {
        input: {
          username: 'grid-sync',
          displayName: '网格同步',
          departmentCode: 'GRID',
          jurisdictionId: await api.node('gridA'),
        },
      },
      admin,
    );
    const apiKey = created.data?.createServiceAccount.issuedKey.apiKey;
    expect(apiKey).toEqual(expect.any(String));
    const own = await post({ query: '{ persons(first: 5) { totalCount } }' }, `ApiKey ${apiKey}`);
    expect(own.errors).toBeUndefined();
    expect(own.data.persons.totalCount).toBeGreaterThan(0);
  });
});
