// `npm run bench:audit [-- --seconds 8]`: the write ceiling the audit chain's lock sets (issue 23
// item 5, "Measure"). Every audit entry takes the chain head's row lock and keeps it until its
// transaction commits, so writers queue there one at a time. This measures, at 1, 10 and 50
// concurrent connections and in one run:
// - registerDispute through the API (the demo grid worker, the demo city), requests/s;
// - the audit insert alone (one MUTATION entry a transaction, as registerDispute writes it), inserts/s;
// each with the chain and with the chain swapped out: the chain trigger disabled, and a stand-in that
// numbers entries from a sequence and hashes each without its predecessor, so only the head's lock and
// update are gone. The swap happens in a database of the benchmark's own (concord_bench_audit, made
// on the data directory's embedded PostgreSQL and dropped at the end), never in the API's code or in
// the database it serves. Prints a table and writes the figures to bench/results.json, key auditChain.
// Run it on a data directory of its own: CONCORD_DATA_DIR=/tmp/bench-audit npm run bench:audit
import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { dropDatabase, ensureDatabase, openDatabase } from '../database/database';
import { createLogger } from '../logger';
import { startDemoServer } from './demo-server';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const DATABASE = 'concord_bench_audit';
const CONCURRENCIES = [1, 10, 50];

/** Swaps the chain out of the benchmark's database: numbering and hashing stay, the head's lock goes. */
const UNCHAIN = [
  `CREATE SEQUENCE IF NOT EXISTS bench_unchained_seq START WITH 1000000000`,
  `CREATE OR REPLACE FUNCTION bench_unchained() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     NEW.seq := nextval('bench_unchained_seq');
     NEW.prev_hash := NULL;
     NEW.hash := audit_entry_hash(NEW);
     RETURN NEW;
   END $$`,
  `ALTER TABLE audit_entries ALTER COLUMN occurred_at SET DEFAULT clock_timestamp()`,
  `ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_chain`,
  `CREATE TRIGGER bench_unchained BEFORE INSERT ON audit_entries FOR EACH ROW EXECUTE FUNCTION bench_unchained()`,
];
const RECHAIN = [
  `DROP TRIGGER bench_unchained ON audit_entries`,
  `ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_chain`,
  `ALTER TABLE audit_entries ALTER COLUMN occurred_at SET DEFAULT audit_entry_time()`,
];

const REGISTER = `mutation($input: RegisterDisputeInput!) {
  registerDispute(input: $input) { dispute { id } userErrors { message } } }`;

interface Window {
  perSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  errors: number;
}

async function runStatements(dataSource: DataSource, statements: string[]): Promise<void> {
  await dataSource.transaction(async (manager) => {
    for (const statement of statements) await manager.query(statement);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '8' } } });
  const seconds = Number(values.seconds);
  const config = { ...loadConfig(), exposeSqlStatementCount: false };
  if (config.databaseUrl)
    throw new Error(
      'bench:audit makes and drops a database of its own on the embedded PostgreSQL: run it without DATABASE_URL',
    );
  const log = (message: string) => console.log(message);
  const cluster = await openCliDatabase(config, log);
  const logger = createLogger('warn');
  const benchUrl = await (async () => {
    await dropDatabase(cluster.url, DATABASE);
    return ensureDatabase(cluster.url, DATABASE);
  })();
  // One role (the cluster's superuser) does both here: the chain trigger runs as its definer anyway.
  const database = await openDatabase({ ...config, databaseUrl: benchUrl }, () => undefined);
  const pool = new Pool({ connectionString: benchUrl, max: Math.max(...CONCURRENCIES) });
  const results: Record<string, unknown>[] = [];
  try {
    const { server, url, token, parties } = await startDemoServer(database, config, logger);
    let next = 0;
    const body = () => {
      const party = parties[next++ % parties.length] as { id: string; grid_id: string };
      return JSON.stringify({
        query: REGISTER,
        variables: {
          input: {
            category: 'NEIGHBOR',
            source: 'POLICE_CALL',
            gridId: party.grid_id,
            description: '压测：审计链写入上限',
            parties: [{ personId: party.id, role: 'APPLICANT' }],
          },
        },
      });
    };
    const registerDisputes = async (connections: number): Promise<Window> => {
      const result = await autocannon({
        url,
        method: 'POST',
        connections,
        duration: seconds,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
      });
      return {
        perSecond: Math.round(result.requests.average),
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors + result.non2xx,
      };
    };
    // registerDispute's entry, alone: one insert, one commit, as a mutation's transaction ends.
    const insertEntries = async (connections: number): Promise<Window> => {
      const stopAt = Date.now() + seconds * 1000;
      let inserted = 0;
      let errors = 0;
      const writer = async (index: number) => {
        const client = await pool.connect();
        try {
          while (Date.now() < stopAt) {
            await client
              .query(
                `INSERT INTO audit_entries (actor_kind, request_id, action, operation, record_type, record_ids, fields, detail, hash)
                 VALUES ('USER', $1, 'MUTATION', 'registerDispute', 'Dispute', $2::text[], $3::text[], '{}', '')`,
                [
                  `bench-${index}-${inserted}`,
                  [parties[0]?.id ?? '', parties[1]?.id ?? ''],
                  ['category', 'description', 'source', 'gridId', 'parties'],
                ],
              )
              .then(
                () => (inserted += 1),
                () => (errors += 1),
              );
          }
        } finally {
          client.release();
        }
      };
      const started = Date.now();
      await Promise.all(Array.from({ length: connections }, (_, index) => writer(index)));
      return { perSecond: Math.round(inserted / ((Date.now() - started) / 1000)), errors };
    };

    // Warm up both paths (JIT, plans, caches) before anything counts.
    await registerDisputes(10);
    await insertEntries(10);
    for (const connections of CONCURRENCIES) {
      const chained = {
        registerDispute: await registerDisputes(connections),
        insert: await insertEntries(connections),
      };
      await runStatements(database.dataSource, UNCHAIN);
      const unchained = {
        registerDispute: await registerDisputes(connections),
        insert: await insertEntries(connections),
      };
      await runStatements(database.dataSource, RECHAIN);
      results.push({ connections, chained, unchained });
      console.log(`${connections} connections done`);
    }
    await server.close();
  } finally {
    await pool.end();
    await database.close();
    await dropDatabase(cluster.url, DATABASE).catch(() => undefined);
    await cluster.close();
  }

  const ratio = (a: number, b: number) => (a > 0 ? Math.round((b / a) * 100) / 100 : NaN);
  console.log(
    '\nconnections | registerDispute/s chain | no chain | ×    | p99 ms chain | no chain | insert/s chain | no chain | ×',
  );
  for (const row of results as {
    connections: number;
    chained: { registerDispute: Window; insert: Window };
    unchained: { registerDispute: Window; insert: Window };
  }[]) {
    const { connections, chained, unchained } = row;
    console.log(
      [
        String(connections).padStart(11),
        String(chained.registerDispute.perSecond).padStart(23),
        String(unchained.registerDispute.perSecond).padStart(8),
        String(ratio(chained.registerDispute.perSecond, unchained.registerDispute.perSecond)).padStart(4),
        String(chained.registerDispute.p99Ms).padStart(12),
        String(unchained.registerDispute.p99Ms).padStart(8),
        String(chained.insert.perSecond).padStart(14),
        String(unchained.insert.perSecond).padStart(8),
        String(ratio(chained.insert.perSecond, unchained.insert.perSecond)),
      ].join(' | '),
    );
  }
  const target = path.resolve(__dirname, '..', '..', '..', 'bench', 'results.json');
  const stored = JSON.parse(await readFile(target, 'utf8')) as Record<string, unknown>;
  stored.auditChain = {
    measuredAt: new Date().toISOString(),
    secondsPerWindow: seconds,
    machine: { cpus: os.cpus().length, node: process.version },
    note: 'registerDispute through the API (grid.worker, demo city) and its audit insert alone, per second, with the chain and with it swapped out, in one run',
    byConnections: results,
  };
  await writeFile(target, `${JSON.stringify(stored, null, 2)}\n`);
  console.log(`\nwritten to ${target} (auditChain)`);
}

runCli(main);
