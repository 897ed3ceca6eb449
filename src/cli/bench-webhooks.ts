// `npm run bench:webhooks -- [--disputes 500] [--concurrency 8]`: webhook lag under registerDispute
// load (issue 21, "Measure"). Starts the API with its delivery worker on the data directory's database
// (the demo city is loaded into an empty one), a POLICE service account for the whole city with an
// approved endpoint on a loopback receiver, then registers disputes reported by police call through
// the API as the demo grid worker, `concurrency` at a time. Lag: from the event's outbox row (written
// in the registering transaction) to the signed POST arriving at the receiver; printed as p50/p99/max
// with the load's throughput. Run it on a data directory of its own:
// CONCORD_DATA_DIR=/tmp/bench-webhooks npm run bench:webhooks
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { webhookSecretSealerOf } from '../domain/webhooks/secret-sealing';
import { createLogger } from '../logger';
import { startDemoServer } from './demo-server';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const percentile = (sorted: number[], share: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      disputes: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const total = Number(values.disputes);
  const concurrency = Number(values.concurrency);
  const base = loadConfig();
  const config = {
    ...base,
    webhooks: { ...base.webhooks, workerEnabled: true },
    exposeSqlStatementCount: false,
  };
  const database = await openCliDatabase(config, (message) => console.log(message));
  const logger = createLogger('warn');
  const received = new Map<string, number>();
  const occurred = new Map<string, number>();
  const receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const arrived = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; occurredAt: string };
      if (!received.has(event.id)) received.set(event.id, arrived);
      occurred.set(event.id, Date.parse(event.occurredAt));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as AddressInfo).port;
  try {
    const { server, token, parties, gql } = await startDemoServer(database, config, logger);
    const { dataSource } = database;

    // The integration: a city-wide POLICE service account with an approved endpoint on the receiver.
    const [city] = (await dataSource.query(
      `SELECT id FROM jurisdictions WHERE level = 'CITY' ORDER BY path LIMIT 1`,
    )) as { id: string }[];
    const accountId = randomUUID();
    await dataSource.query(
      `INSERT INTO users (id, kind, username, display_name, department_code, position, jurisdiction_id, capabilities, password_hash)
       VALUES ($1, 'SERVICE', $2, '派出所对接（压测）', 'POLICE', 'WORKER', $3, '{}', '!service-account-has-no-password')`,
      [accountId, `bench-webhooks-${randomBytes(4).toString('hex')}`, city?.id],
    );
    const endpointId = randomUUID();
    const sealer = await webhookSecretSealerOf(config);
    await dataSource.query(
      `INSERT INTO webhook_endpoints (id, owner_id, url, events, sealed_secret, status, approved_at)
       VALUES ($1, $2, $3, '{DISPUTE_REGISTERED}', $4, 'ACTIVE', clock_timestamp())`,
      [endpointId, accountId, `http://127.0.0.1:${port}/bench`, sealer.seal(endpointId, 'whsec_bench')],
    );

    type Answer = {
      data?: { registerDispute?: { dispute?: { id: string } | null } };
      errors?: unknown[];
    };

    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const party = parties[next % parties.length] as { id: string; grid_id: string };
        next += 1;
        const answer = await gql<Answer>(
          `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } userErrors { message } } }`,
          {
            input: {
              category: 'NEIGHBOR',
              source: 'POLICE_CALL',
              gridId: party.grid_id,
              description: '压测：接警邻里纠纷',
              parties: [{ personId: party.id, role: 'APPLICANT' }],
            },
          },
          token,
        );
        if (!answer.data?.registerDispute?.dispute)
          throw new Error(`registerDispute: ${JSON.stringify(answer)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const loadSeconds = (Date.now() - started) / 1000;
    const deadline = Date.now() + 120_000;
    while (received.size < total && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const lags = [...received].map(([id, at]) => at - (occurred.get(id) ?? at)).sort((a, b) => a - b);
    console.log(
      JSON.stringify(
        {
          disputes: total,
          concurrency,
          workerIntervalMs: config.webhooks.intervalMs,
          registerDisputePerSecond: Math.round(total / loadSeconds),
          delivered: received.size,
          lagMs: { p50: percentile(lags, 0.5), p99: percentile(lags, 0.99), max: lags.at(-1) ?? NaN },
        },
        null,
        2,
      ),
    );
    await dataSource.query(`UPDATE webhook_endpoints SET status = 'DISABLED' WHERE id = $1`, [endpointId]);
    await server.close();
  } finally {
    receiver.close();
    await database.close();
  }
}

runCli(main);
