// Signed audit checkpoints to the AUDITOR's tool (SPEC §4 "Tamper evidence", §5a; issue 21 item 2):
// an ADMIN creates a service account with the AUDITOR capability, it registers an endpoint on a
// loopback port for AUDIT_CHECKPOINT, and every checkpoint the server writes reaches it through the
// API's own delivery worker — the checkpoint itself, signed with the server's checkpoint key, inside
// a webhook signed with the endpoint's secret. A department's service account never receives one,
// even with an endpoint forced to subscribe to it.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  checkpointSignatureValid,
  publishCheckpoint,
  writeCheckpoint,
  type AuditCheckpoint,
} from '../../src/audit/checkpoint';
import { loadConfig } from '../../src/config';
import { signatureOf } from '../../src/domain/webhooks/signature';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({
    webhookSecretKey: randomBytes(32).toString('hex'),
    webhooks: {
      ...loadConfig({ NODE_ENV: 'test' }).webhooks,
      workerEnabled: true,
      intervalMs: 50,
      maxAttempts: 3,
      backoffBaseMs: 150,
      backoffMaxMs: 1000,
    },
  });
});
afterAll(() => api.close());

type Call = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;

const asKey =
  (key: string): Call =>
  async (query, variables) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `ApiKey ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse;
  };

const asAdmin: Call = async (query, variables) => api.gql(query, variables, await api.login('admin'));

const CREATE = `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
  serviceAccount { id } issuedKey { apiKey } userErrors { field message } } }`;

async function createAccount(departmentCode: string, capability?: string) {
  return asAdmin(CREATE, {
    input: {
      username: `${(capability ?? departmentCode).toLowerCase()}-cp-${randomUUID().slice(0, 8)}`,
      displayName: `${departmentCode} 对接系统`,
      departmentCode,
      jurisdictionId: await api.node('street'),
      ...(capability ? { capability } : {}),
    },
  });
}

async function serviceAccount(departmentCode: string, capability?: string) {
  const created = (await createAccount(departmentCode, capability)).data?.createServiceAccount;
  if (!created?.issuedKey?.apiKey) throw new Error(`createServiceAccount: ${JSON.stringify(created)}`);
  return { id: created.serviceAccount.id as string, call: asKey(created.issuedKey.apiKey) };
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

class Receiver {
  readonly received: Received[] = [];
  /** The status it answers with. */
  status = 200;
  private server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(this.status).end();
    });
  });
  port = 0;
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }
  get url() {
    return `http://127.0.0.1:${this.port}/concord`;
  }
  close() {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

const REGISTER = `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) {
  webhook { id status events } signingSecret userErrors { field message } } }`;
const APPROVE = `mutation($input: WebhookIdInput!) { approveWebhook(input: $input) { webhook { id status } userErrors { message } } }`;

async function subscribe(call: Call, url: string, events: string[]) {
  const registered = (await call(REGISTER, { input: { url, events } })).data?.registerWebhook;
  if (!registered?.webhook) throw new Error(`registerWebhook: ${JSON.stringify(registered)}`);
  const approved = await asAdmin(APPROVE, { input: { webhookId: registered.webhook.id } });
  expect(approved.data?.approveWebhook.webhook?.status).toBe('ACTIVE');
  return { id: registered.webhook.id as string, secret: registered.signingSecret as string };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('an ADMIN creates an AUDITOR service account; no other capability, and it reads the audit trail', async () => {
  const refused = await createAccount('COMPREHENSIVE_GOVERNANCE', 'ADMIN');
  expect(refused.data?.createServiceAccount.serviceAccount).toBeNull();
  expect(refused.data?.createServiceAccount.userErrors[0].message).toMatch(/only be AUDITOR/);

  const auditor = await serviceAccount('COMPREHENSIVE_GOVERNANCE', 'AUDITOR');
  const trail = await auditor.call(`{ auditTrail(first: 1) { entries { seq } } }`);
  expect(trail.errors).toBeUndefined();
  expect(trail.data?.auditTrail.entries).toHaveLength(1);

  // It reads no records: it is an AUDITOR, not department staff.
  const police = await serviceAccount('POLICE');
  const changes = await auditor.call(`{ changes(first: 1) { __typename } }`);
  expect(changes.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(
    (await police.call(`{ auditTrail(first: 1) { entries { seq } } }`)).errors?.[0]?.extensions?.code,
  ).toBe('FORBIDDEN');
});

test('AUDIT_CHECKPOINT is for AUDITOR accounts only, and they subscribe to nothing else', async () => {
  const auditor = await serviceAccount('COMPREHENSIVE_GOVERNANCE', 'AUDITOR');
  const police = await serviceAccount('POLICE');
  const url = 'http://127.0.0.1:9/concord';
  const auditorOther = await auditor.call(REGISTER, {
    input: { url, events: ['AUDIT_CHECKPOINT', 'DISPUTE_REGISTERED'] },
  });
  expect(auditorOther.data?.registerWebhook.webhook).toBeNull();
  expect(auditorOther.data?.registerWebhook.userErrors[0]).toMatchObject({ field: 'input.events' });
  const policeCheckpoint = await police.call(REGISTER, { input: { url, events: ['AUDIT_CHECKPOINT'] } });
  expect(policeCheckpoint.data?.registerWebhook.webhook).toBeNull();
  expect(policeCheckpoint.data?.registerWebhook.userErrors[0].message).toMatch(/Only an AUDITOR/);
});

test('each checkpoint reaches the AUDITOR tool signed twice over; a POLICE endpoint gets none', async () => {
  const auditorReceiver = await new Receiver().start();
  const policeReceiver = await new Receiver().start();
  try {
    const auditor = await serviceAccount('COMPREHENSIVE_GOVERNANCE', 'AUDITOR');
    const police = await serviceAccount('POLICE');
    const auditorHook = await subscribe(auditor.call, auditorReceiver.url, ['AUDIT_CHECKPOINT']);
    const policeHook = await subscribe(police.call, policeReceiver.url, ['DISPUTE_REGISTERED']);
    // Even an endpoint forced past registration to subscribe to checkpoints receives none.
    await api.dataSource.query(`UPDATE webhook_endpoints SET events = '{AUDIT_CHECKPOINT}' WHERE id = $1`, [
      policeHook.id,
    ]);

    const key = randomBytes(32);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'concord-cp-')), 'checkpoints.jsonl');
    const checkpoint = await writeCheckpoint({ dataSource: api.dataSource, key, file });
    // The file line is unchanged; the outbox holds exactly one event for it, however often it is published.
    expect(JSON.parse((await readFile(file, 'utf8')).trim())).toEqual(checkpoint);
    await publishCheckpoint(api.dataSource, checkpoint);
    const events = await api.dataSource.query(
      `SELECT id, record_id FROM outbox_events WHERE event_type = 'AUDIT_CHECKPOINT' AND detail->>'signature' = $1`,
      [checkpoint.signature],
    );
    expect(events).toHaveLength(1);
    expect(events[0].record_id).toBeNull();

    const request = await until('the checkpoint delivery', async () =>
      auditorReceiver.received.find((each) => JSON.parse(each.body).type === 'AUDIT_CHECKPOINT'),
    );
    expect(request.headers['concord-signature']).toBe(
      `v1=${signatureOf(auditorHook.secret, Number(request.headers['concord-timestamp']), request.body)}`,
    );
    const body = JSON.parse(request.body) as { id: string; data: { auditCheckpoint: AuditCheckpoint } };
    expect(body.id).toBe(events[0].id);
    expect(body.data.auditCheckpoint).toEqual(checkpoint);
    // The tool verifies it with the checkpoint key alone; a changed seq no longer verifies.
    expect(checkpointSignatureValid(key, body.data.auditCheckpoint)).toBe(true);
    expect(checkpointSignatureValid(key, { ...body.data.auditCheckpoint, seq: '0' })).toBe(false);

    await until('the event to be fanned out', async () => {
      const [row] = await api.dataSource.query(`SELECT fanned_out_at FROM outbox_events WHERE id = $1`, [
        events[0].id,
      ]);
      return row.fanned_out_at !== null;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(policeReceiver.received).toHaveLength(0);
    expect(
      await api.dataSource.query(`SELECT id FROM webhook_deliveries WHERE endpoint_id = $1`, [policeHook.id]),
    ).toEqual([]);
  } finally {
    await api.dataSource.query(`UPDATE webhook_endpoints SET status = 'DISABLED' WHERE status <> 'DISABLED'`);
    await auditorReceiver.close();
    await policeReceiver.close();
  }
});

const DELIVERIES = `query($webhookId: ID) { webhookDeliveries(webhookId: $webhookId, first: 10) {
  edges { node { id status attempts eventType } } } }`;
const REPLAY = `mutation($input: ReplayWebhookDeliveryInput!) { replayWebhookDelivery(input: $input) {
  delivery { id status attempts } userErrors { message } } }`;

test('a checkpoint that reached no one is dead-lettered, and its replay carries the same signed checkpoint', async () => {
  const receiver = await new Receiver().start();
  receiver.status = 503;
  try {
    const auditor = await serviceAccount('COMPREHENSIVE_GOVERNANCE', 'AUDITOR');
    const hook = await subscribe(auditor.call, receiver.url, ['AUDIT_CHECKPOINT']);
    const key = randomBytes(32);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'concord-cp-')), 'checkpoints.jsonl');
    const checkpoint = await writeCheckpoint({ dataSource: api.dataSource, key, file });
    await publishCheckpoint(api.dataSource, checkpoint);

    const dead = await until('a dead letter', async () => {
      const page = await auditor.call(DELIVERIES, { webhookId: hook.id });
      const node = page.data?.webhookDeliveries.edges[0]?.node;
      return node?.status === 'DEAD' ? node : undefined;
    });
    expect(dead).toMatchObject({ eventType: 'AUDIT_CHECKPOINT', attempts: 3 });
    expect(receiver.received).toHaveLength(3);

    // The tool is back: the AUDITOR account replays the dead letter and receives the checkpoint as it
    // was written — nothing about it is recomputed — signed afresh for the new attempt.
    receiver.status = 200;
    const replayed = await auditor.call(REPLAY, { input: { deliveryId: dead.id } });
    expect(replayed.data?.replayWebhookDelivery).toMatchObject({
      delivery: { status: 'PENDING', attempts: 0 },
      userErrors: [],
    });
    const request = await until('the replayed delivery', async () => receiver.received[3]);
    expect(request.headers['concord-signature']).toBe(
      `v1=${signatureOf(hook.secret, Number(request.headers['concord-timestamp']), request.body)}`,
    );
    const body = JSON.parse(request.body) as { data: { auditCheckpoint: AuditCheckpoint } };
    expect(body.data.auditCheckpoint).toEqual(checkpoint);
    expect(checkpointSignatureValid(key, body.data.auditCheckpoint)).toBe(true);
    const delivered = await until('the delivery to be recorded', async () => {
      const node = (await auditor.call(DELIVERIES, { webhookId: hook.id })).data?.webhookDeliveries.edges[0]
        ?.node;
      return node?.status === 'DELIVERED' ? node : undefined;
    });
    expect(delivered).toMatchObject({ id: dead.id, attempts: 1 });
  } finally {
    await api.dataSource.query(`UPDATE webhook_endpoints SET status = 'DISABLED' WHERE status <> 'DISABLED'`);
    await receiver.close();
  }
});
