// Opens the database the configuration names — an external server (DATABASE_URL) or the embedded
// PostgreSQL under .data/ — then runs migrations and loads reference data.
import path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import type { Config } from '../config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';
import { loadReferenceData } from './reference-data';

export interface OpenDatabase {
  dataSource: DataSource;
  url: string;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

export const EMBEDDED_DATABASE_NAME = 'concord';

/** Creates `name` on the server of `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const templateClause = template ? ` TEMPLATE ${quoteIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${quoteIdentifier(name)}${templateClause}`);
    }
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const quoteIdentifier = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Advisory-lock key that lets one process at a time migrate a database and load its reference data. */
const MIGRATION_LOCK = 7_365_001;

/**
 * Runs the migrations and loads the reference data. Replicas that start together (SPEC §6) take
 * turns under a PostgreSQL advisory lock: the first migrates, the others find nothing left to do.
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      await loadReferenceData(dataSource);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await runner.release();
  }
}

export async function openDatabase(config: Config, log: (message: string) => void): Promise<OpenDatabase> {
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    log(`starting embedded PostgreSQL with data in ${path.join(config.dataDir, 'pg')}`);
    embedded = await startEmbeddedPostgres({ directory: config.dataDir, persistent: true });
    url = await ensureDatabase(embedded.adminUrl, EMBEDDED_DATABASE_NAME);
  }
  const dataSource = new DataSource(dataSourceOptions(url));
  try {
    await dataSource.initialize();
    await migrate(dataSource);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    url,
    embedded,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
