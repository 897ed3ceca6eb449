// Starts a second API process on a test's database (reference-data-replica.main.ts, compiled on the
// fly as test/database/embedded-running-instance.test.ts does), so a test can show that what one
// replica changes holds on another at its next request — with no memory shared between them.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { GraphQLResponse, TestApi } from '../support/api';
import { TEST_PASSWORD } from '../support/template';

const ROOT = path.resolve(__dirname, '..', '..');

export interface Replica {
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLResponse<T>>;
  /** Signs a test user in at this replica. */
  login(username: string): Promise<string>;
  close(): Promise<void>;
}

const TRANSPILE_AND_RUN = `
  const ts = require('typescript');
  const fs = require('node:fs');
  const compilerOptions = { module: ts.ModuleKind.Node16, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
    experimentalDecorators: true, emitDecoratorMetadata: true, resolveJsonModule: true };
  require.extensions['.ts'] = (module, filename) => module._compile(
    ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions }).outputText, filename);
  require(process.argv[1]);`;

export async function startReplica(api: TestApi): Promise<Replica> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', TRANSPILE_AND_RUN, '--', path.join(ROOT, 'test/administration/reference-data-replica.main.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, REPLICA_DATABASE_URL: api.runtimeUrl, REPLICA_NOW: api.clock.now.toISOString() },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+)/.exec(output);
      if (ready?.[1]) resolve(ready[1]);
    });
    child.on('exit', (code) => reject(new Error(`the replica exited with ${code}: ${output}`)));
  });
  const gql = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse<any>;
  };
  return {
    gql,
    async login(username) {
      const result = await gql(
        `mutation($input: LoginInput!) { login(input: $input) { token userErrors { message } } }`,
        { input: { username, password: TEST_PASSWORD } },
      );
      const token = result.data?.login?.token as string | undefined;
      if (!token) throw new Error(`login ${username} at the replica failed: ${JSON.stringify(result)}`);
      return token;
    },
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
