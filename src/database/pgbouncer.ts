// PgBouncer (Debian's 1.18, as installed) in transaction mode in front of a PostgreSQL, the way a
// deployment behind PgBouncer runs (docs/deployment.md#pgbouncer): for the tests (test/support/pgbouncer.ts
// routes a whole `npm test` through it) and for `npm run bench:topology`, which measures what it costs.
// Never started by the API itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { RoleLogin } from './database';
import { freePort, postgresAccount, runningAsRoot } from './embedded';

export interface PgBouncer {
  port: number;
  /** `serverUrl` (a URL of the PostgreSQL behind it) as reached through PgBouncer. */
  through(serverUrl: string): string;
  /** The last lines of PgBouncer's log, for a failure message. */
  logTail(): Promise<string>;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];

/** The pgbouncer binary, or undefined when it is not installed (`apt-get install pgbouncer`). */
export function pgbouncerBinary(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'pgbouncer'));
  return [...onPath, ...CANDIDATES].find((candidate) => existsSync(candidate));
}

/** A userlist.txt line: PgBouncer authenticates clients and then the server with the plain password. */
const userlistLine = (role: RoleLogin) =>
  `"${role.name.replace(/"/g, '""')}" "${role.password.replace(/"/g, '""')}"`;

export interface PgBouncerOptions {
  /** Any URL of the PostgreSQL to front: its host and port are used; every database name passes through. */
  serverUrl: string;
  /** The roles allowed through, with their passwords (a generated userlist). */
  roles: RoleLogin[];
  /** Server connections per database and role. */
  poolSize?: number;
}

/**
 * Starts PgBouncer in transaction mode on a free port in front of `serverUrl`'s PostgreSQL, and waits
 * until it serves `roles[0]`. As root it runs as `postgres` (PgBouncer refuses to run as root).
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)');
  const server = new URL(options.serverUrl);
  const directory = await mkdtemp(path.join(os.tmpdir(), 'concord-pgbouncer-'));
  const port = await freePort();
  const file = (name: string) => path.join(directory, name);
  await writeFile(file('userlist.txt'), `${options.roles.map(userlistLine).join('\n')}\n`, { mode: 0o600 });
  await writeFile(
    file('pgbouncer.ini'),
    [
      '[databases]',
      // The fallback entry: a client's database name is the server's database name (one per test file).
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      'auth_type = scram-sha-256',
      `auth_file = ${file('userlist.txt')}`,
      `logfile = ${file('pgbouncer.log')}`,
      'max_client_conn = 2000',
      `default_pool_size = ${options.poolSize ?? 20}`,
      // node-postgres sends none of these by default; an integration's driver may (JDBC: extra_float_digits).
      'ignore_startup_parameters = extra_float_digits',
      'server_login_retry = 1',
      '',
    ].join('\n'),
  );
  const asRoot = runningAsRoot();
  if (asRoot) {
    const { uid, gid } = await postgresAccount();
    for (const name of ['', 'userlist.txt', 'pgbouncer.ini']) await chown(file(name), uid, gid);
    await chmod(directory, 0o700);
  }
  const child: ChildProcess = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), file('pgbouncer.ini')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let exited = false;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const logTail = async () => {
    const log = await readFile(file('pgbouncer.log'), 'utf8').catch(() => '');
    return `${log.split('\n').slice(-20).join('\n')}\n${stderr}`.trim();
  };
  const through = (serverUrl: string) => {
    const url = new URL(serverUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return url.toString();
  };
  const stop = async () => {
    if (!exited) {
      // SIGTERM: shut down at once (SIGINT would wait for every client to leave).
      child.kill('SIGTERM');
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (!exited) child.kill('SIGKILL');
    }
    await rm(directory, { recursive: true, force: true });
  };
  const [first] = options.roles;
  try {
    if (!first) throw new Error('startPgBouncer needs at least one role');
    const probe = new URL(options.serverUrl);
    probe.username = encodeURIComponent(first.name);
    probe.password = encodeURIComponent(first.password);
    probe.pathname = '/postgres';
    await waitUntilServing(through(probe.toString()), () => exited);
  } catch (error) {
    const tail = await logTail();
    await stop();
    throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${tail}`);
  }
  return { port, through, logTail, stop };
}

async function waitUntilServing(url: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (exited()) throw new Error('pgbouncer exited');
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
