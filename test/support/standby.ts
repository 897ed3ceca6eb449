// The demo city on its own embedded primary with a streaming standby (src/database/standby.ts), and API
// servers on the pair: what the read-replica tests drive.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { createTokenService } from '../../src/auth/tokens';
import { loadConfig, type Config } from '../../src/config';
import { openDatabase, type OpenDatabase } from '../../src/database/database';
import { loadDemoData } from '../../src/database/demo-data';
import { startStandby, type Standby } from '../../src/database/standby';
import { createLogger } from '../../src/logger';
import { createServer } from '../../src/server';

export type { Standby } from '../../src/database/standby';

/** The demo city on its own embedded primary, a standby of it, and API servers on the pair. */
export interface ReplicatedCity {
  database: OpenDatabase;
  standby: Standby;
  /** The standby, as the API's runtime role. */
  readDataSource: DataSource;
  config: Config;
  /** Id of the demo grid C01.S01.V01.G01 (grid.worker's). */
  gridId: string;
  /** Starts an API server on the primary, reading queries from the standby when `withReplica`; its URL. */
  serve(withReplica: boolean): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Its own primary (the standby copies a whole cluster, and the primary gets a replication role and an
 * hba line), migrated and loaded with the demo city, then the standby.
 */
export async function startReplicatedCity(overrides: Partial<Config> = {}): Promise<ReplicatedCity> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'concord-read-replica-'));
  // As root, PostgreSQL runs as `postgres`, which must reach the clusters below.
  await chmod(directory, 0o755);
  const config: Config = {
    ...loadConfig({ NODE_ENV: 'test', PREPARED_STATEMENTS: process.env.PREPARED_STATEMENTS }),
    dataDir: path.join(directory, 'primary'),
    secondFactorKey: randomBytes(32).toString('hex'),
    ...overrides,
  };
  const now = new Date('2026-11-01T08:00:00Z');
  const database = await openDatabase(config, () => undefined);
  const servers: { close(): Promise<void> }[] = [];
  let standby: Standby | undefined;
  let readDataSource: DataSource | undefined;
  const stop = async () => {
    for (const server of servers) await server.close();
    if (readDataSource?.isInitialized) await readDataSource.destroy();
    await standby?.stop();
    await database.close();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await database.asOwner((owner) => loadDemoData(owner, now, config));
    const [grid] = (await database.dataSource.query(
      `SELECT id FROM jurisdictions WHERE code = 'C01.S01.V01.G01'`,
    )) as { id: string }[];
    if (!grid || !database.embedded) throw new Error('no demo city on an embedded primary');
    standby = await startStandby({
      adminUrl: database.embedded.adminUrl,
      dataDirectory: path.join(config.dataDir, 'pg'),
      directory: path.join(directory, 'standby'),
    });
    readDataSource = new DataSource(
      dataSourceOptions(standby.urlOf(database.runtimeUrl), { migrations: [] }),
    );
    await readDataSource.initialize();
    const tokenSecret = randomBytes(32).toString('hex');
    const replica = readDataSource;
    return {
      database,
      standby,
      readDataSource,
      config,
      gridId: grid.id,
      async serve(withReplica) {
        const server = await createServer({
          config,
          dataSource: database.dataSource,
          ...(withReplica ? { readDataSource: replica } : {}),
          clock: () => now,
          tokens: createTokenService(tokenSecret, config.tokenLifetimeSeconds, () => now),
          logger: createLogger(config.logLevel),
        });
        servers.push(server);
        return server.listen(0, '127.0.0.1');
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
