// `npm start` after a crash: the API was killed with `kill -9`, its embedded PostgreSQL kept running
// as an orphan on the data directory; the next start stops that orphan cleanly and starts with the
// data intact. The same for a lock file left by a server that is gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * Starts the embedded database of `directory` in a child process, the way the API does (through
 * src/database/embedded.ts, compiled on the fly), and resolves once it accepts connections.
 */
async function startInChild(directory: string): Promise<{ child: ChildProcess; adminUrl: string }> {
  const script = `
    const ts = require('typescript');
    const fs = require('node:fs');
    require.extensions['.ts'] = (module, filename) => module._compile(ts.transpileModule(
      fs.readFileSync(filename, 'utf8'),
      { fileName: filename, compilerOptions: { module: ts.ModuleKind.Node16, target: ts.ScriptTarget.ES2022, esModuleInterop: true } },
    ).outputText, filename);
    require('./src/database/embedded.ts').startEmbeddedPostgres({ directory: process.argv[1], persistent: true }).then(
      (database) => { console.log(JSON.stringify({ adminUrl: database.adminUrl })); setInterval(() => undefined, 1 << 30); },
      (error) => { console.error(error); process.exit(1); },
    );`;
  const child = spawn(process.execPath, ['-e', script, directory], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const adminUrl = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"adminUrl":.*\}/.exec(output);
      if (line) resolve((JSON.parse(line[0]) as { adminUrl: string }).adminUrl);
    });
    child.on('exit', (code) => reject(new Error(`the child exited with ${code}: ${output}`)));
  });
  return { child, adminUrl };
}

/** PIDs of the PostgreSQL processes whose command line names `databaseDir` (the postmasters). */
async function postmastersOf(databaseDir: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.split('\0').join(' ').includes(` -D ${databaseDir} `)) found.push(Number(pid));
  }
  return found;
}

async function query<T>(adminUrl: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

let directory: string;
let databaseDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'concord-crash-'));
  databaseDir = path.join(directory, 'pg');
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const pid of await postmastersOf(databaseDir)) process.kill(pid, 'SIGQUIT');
  await rm(directory, { recursive: true, force: true });
});

test('after kill -9 of the process that started it, the next start stops the orphan and keeps the data', async () => {
  const crashed = await startInChild(directory);
  children.push(crashed.child);
  await query(crashed.adminUrl, `CREATE TABLE crash_probe (note text)`);
  await query(crashed.adminUrl, `INSERT INTO crash_probe VALUES ('written before the crash')`);
  crashed.child.kill('SIGKILL');
  await once(crashed.child, 'exit');
  const [orphan] = await postmastersOf(databaseDir);
  expect(orphan).toBeDefined();

  const said: string[] = [];
  const database = await startEmbeddedPostgres({
    directory,
    persistent: true,
    onLog: (message) => said.push(message),
  });
  try {
    expect(said.join('\n')).toContain(`PostgreSQL (pid ${orphan}) was left running on ${databaseDir}`);
    const rows = await query<{ note: string }>(database.adminUrl, `SELECT note FROM crash_probe`);
    expect(rows).toEqual([{ note: 'written before the crash' }]);
    const postmasters = await postmastersOf(databaseDir);
    expect(postmasters).toHaveLength(1);
    expect(postmasters).not.toContain(orphan);
  } finally {
    await database.stop();
  }
  expect(await postmastersOf(databaseDir)).toEqual([]);
  // A clean stop removes the record the CLIs look for a running instance in.
  await expect(readFile(path.join(directory, 'instance.json'))).rejects.toThrow(/ENOENT/);
});

test('a lock file whose PID is dead, or taken by another process since, does not stop the start', async () => {
  const lockFile = path.join(databaseDir, 'postmaster.pid');
  const exited = spawn('true');
  await once(exited, 'exit');
  const someoneElse = spawn('sleep', ['120']);
  children.push(someoneElse);
  for (const pid of [exited.pid, someoneElse.pid]) {
    // What a server that vanished (power loss, a container restarted) leaves: its lock, with its PID.
    await writeFile(
      lockFile,
      `${pid}\n${databaseDir}\n1796190338\n5432\n/tmp\n127.0.0.1\n  0  0\nready   \n`,
    );
    const database = await startEmbeddedPostgres({ directory, persistent: true });
    try {
      const rows = await query<{ note: string }>(database.adminUrl, `SELECT note FROM crash_probe`);
      expect(rows).toEqual([{ note: 'written before the crash' }]);
    } finally {
      await database.stop();
    }
  }
  expect(someoneElse.exitCode).toBeNull();
  expect(await postmastersOf(databaseDir)).toEqual([]);
});
