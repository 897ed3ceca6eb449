// Signed webhooks (SPEC §5a, issue 21 item 2), used as a department's tool uses them: a service
// account with a real API key registers an endpoint on a loopback port, an ADMIN approves it, and the
// API's own delivery worker posts events there — signed, at least once, retried with backoff into a
// dead-letter list and replayed, never twice by two workers in the normal case, holding only what the
// account reads over GraphQL, and nothing at all about records it cannot read.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { selectionFor } from '../../src/domain/webhooks/payloads';
import { signatureOf } from '../../src/domain/webhooks/signature';
import { WebhookEventType } from '../../src/domain/webhooks/webhook.entity';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { errorCodes, recordAssessment, registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;

const WEBHOOKS = {
  ...loadConfig({ NODE_ENV: 'test' }).webhooks,
  workerEnabled: true,
  intervalMs: 50,
  maxAttempts: 3,
  backoffBaseMs: 150,
  backoffMaxMs: 1000,
  timeoutMs: 2000,
};

beforeAll(async () => {
  api = await startTestApi({ webhookSecretKey: randomBytes(32).toString('hex'), webhooks: WEBHOOKS });
});
afterAll(() => api.close());
// Each test's endpoints stop receiving when it ends: the next test's events do not go to closed ports.
afterEach(() =>
  api.dataSource.query(`UPDATE webhook_endpoints SET status = 'DISABLED' WHERE status <> 'DISABLED'`),
);

type Call = (query: string, variables?: Record<string, unknown>) => Promise<GraphQLResponse>;

function asKey(key: string): Call {
  return async (query, variables) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `ApiKey ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) } as GraphQLResponse;
  };
}

const asUser =
  (username: string): Call =>
  async (query, variables) =>
    api.gql(query, variables, await api.login(username));

/** A department tool: a service account rooted at `node`, and its API key. */
async function serviceAccount(departmentCode: string, node: 'street' | 'villageB' = 'street') {
  const created = await asUser('admin')(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id } issuedKey { apiKey } userErrors { message } } }`,
    {
      input: {
        username: `${departmentCode.toLowerCase()}-hooks-${randomUUID().slice(0, 8)}`,
        displayName: `${departmentCode} 对接系统`,
        departmentCode,
        jurisdictionId: await api.node(node),
      },
    },
  );
  const account = created.data?.createServiceAccount;
  if (!account?.issuedKey?.apiKey) throw new Error(`createServiceAccount: ${JSON.stringify(created)}`);
  return { id: account.serviceAccount.id as string, call: asKey(account.issuedKey.apiKey) };
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * An integrator's receiver on a loopback port. `answer` decides each request's fate: an HTTP status,
 * or 'kill' — the whole receiver goes down mid-request (the socket is cut, the port closed) and comes
 * back on the same port a moment later.
 */
class Receiver {
  readonly received: Received[] = [];
  answer: (request: Received) => number | 'kill' = () => 200;
  private server = http.createServer((request, response) => this.handle(request, response));
  port = 0;

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/concord`;
  }

  events(type?: string): { id: string; type: string; data: Record<string, any> }[] {
    return this.received
      .map((request) => JSON.parse(request.body))
      .filter((event: { type: string }) => !type || event.type === type);
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received = {
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      this.received.push(received);
      const fate = this.answer(received);
      if (fate === 'kill') {
        const old = this.server;
        this.server = http.createServer((next, answer) => this.handle(next, answer));
        old.close();
        old.closeAllConnections();
        setTimeout(() => void this.start(this.port), 10);
        return;
      }
      response.writeHead(fate).end();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

const REGISTER = `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) {
  webhook { id status url events } signingSecret userErrors { field message code } } }`;
const APPROVE = `mutation($input: WebhookIdInput!) { approveWebhook(input: $input) { webhook { id status } userErrors { message } } }`;
const DELIVERIES = `query($status: WebhookDeliveryStatus, $webhookId: ID) {
  webhookDeliveries(status: $status, webhookId: $webhookId, first: 100) {
    totalCount edges { node { id webhookId eventId eventType status attempts lastError lastResponseStatus } } } }`;
const REPLAY = `mutation($input: ReplayWebhookDeliveryInput!) { replayWebhookDelivery(input: $input) {
  delivery { id status attempts } userErrors { message } } }`;

/** Registers and approves an endpoint for `events`; its id and signing secret. */
async function subscribe(call: Call, url: string, events: WebhookEventType[]) {
  const registered = await call(REGISTER, { input: { url, events } });
  const payload = registered.data?.registerWebhook;
  if (!payload?.webhook) throw new Error(`registerWebhook: ${JSON.stringify(registered)}`);
  expect(payload.webhook.status).toBe('PENDING_APPROVAL');
  const approved = await asUser('admin')(APPROVE, { input: { webhookId: payload.webhook.id } });
  if (approved.data?.approveWebhook.webhook?.status !== 'ACTIVE')
    throw new Error(`approveWebhook: ${JSON.stringify(approved)}`);
  return { id: payload.webhook.id as string, secret: payload.signingSecret as string };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 15000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every event written so far has been fanned out and no active endpoint has one pending. */
async function settled() {
  await until('the outbox to drain', async () => {
    const [row] = await api.dataSource.query(
      `SELECT (SELECT count(*) FROM outbox_events WHERE fanned_out_at IS NULL)::int AS waiting,
              (SELECT count(*) FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.status = 'PENDING' AND e.status = 'ACTIVE')::int AS pending`,
    );
    return row.waiting === 0 && row.pending === 0;
  });
}

/** What an answer tells its caller (the statement count in extensions is a development aid, and varies). */
const told = (response: GraphQLResponse) => ({
  status: response.status,
  data: response.data,
  errors: response.errors,
});

const validSignature = (secret: string, request: Received) =>
  request.headers['concord-signature'] ===
  `v1=${signatureOf(secret, Number(request.headers['concord-timestamp']), request.body)}`;

let sequence = 100;

/** A national ID number for `birth` (YYYYMMDD) with a valid GB 11643 check character. */
function idNumberFor(birth: string): string {
  sequence += 1;
  const body = `330102${birth}${String(sequence).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (weights[index] ?? 0), 0);
  return `${body}${'10X98765432'[sum % 11]}`;
}

/** A dispute reported by a police call in grid A (routed to POLICE), its party with ID number and phone. */
async function policeCallDispute(description = '接警：邻里纠纷') {
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const party = await registerPerson(api, worker, {
    name: '报警人',
    gridId: gridA,
    birthDate: '1980-05-06',
    idNumber: idNumberFor('19800506'),
    phone: '13812345678',
  });
  return registerDispute(api, worker, {
    category: 'NEIGHBOR',
    source: 'POLICE_CALL',
    gridId: gridA,
    parties: [party],
    description,
  });
}

test('only loopback or allowed hosts may be targets: metadata, the database, private and odd URLs are refused', async () => {
  const police = await serviceAccount('POLICE');
  const databasePort = new URL(api.runtimeUrl).port || '5432';
  const refused = [
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    `http://127.0.0.1:${databasePort}/`,
    'http://10.0.0.5/hook',
    'http://192.168.1.10/hook',
    'ftp://127.0.0.1/hook',
    'http://user:secret@127.0.0.1:9/hook',
    'not a url',
  ];
  for (const url of refused) {
    const answer = await police.call(REGISTER, { input: { url, events: ['DISPUTE_REGISTERED'] } });
    expect([url, answer.data?.registerWebhook.webhook]).toEqual([url, null]);
    expect(answer.data?.registerWebhook.userErrors[0]?.field).toBe('input.url');
  }
  const [{ count }] = await api.dataSource.query(`SELECT count(*)::int AS count FROM webhook_endpoints`);
  expect(count).toBe(0);

  // A person's account receives nothing by webhook: only service accounts register.
  const user = await asUser('police.worker')(REGISTER, {
    input: { url: 'http://127.0.0.1:9/hook', events: ['ALERT_RAISED'] },
  });
  expect(user.data?.registerWebhook.userErrors[0]?.code).toBe('NOT_ALLOWED');

  // Checked again at delivery: an endpoint whose target became the metadata address gets no request.
  const receiver = await new Receiver().start();
  const endpoint = await subscribe(police.call, receiver.url, [WebhookEventType.DISPUTE_REGISTERED]);
  await api.dataSource.query(`UPDATE webhook_endpoints SET url = 'http://169.254.169.254/' WHERE id = $1`, [
    endpoint.id,
  ]);
  await policeCallDispute();
  const failed = await until('a refused attempt', async () => {
    const page = await police.call(DELIVERIES, { webhookId: endpoint.id });
    return page.data?.webhookDeliveries.edges.find((edge: any) => edge.node.attempts > 0)?.node;
  });
  expect(failed.lastError).toMatch(/^refused: .*link-local/);
  expect(receiver.received).toEqual([]);
  await asUser('admin')(
    `mutation($input: WebhookIdInput!) { disableWebhook(input: $input) { webhook { status } } }`,
    {
      input: { webhookId: endpoint.id },
    },
  );
  await receiver.close();
});

test('a signed delivery holds exactly what the account reads over GraphQL, audited as its read; unreadable records send nothing', async () => {
  const receiver = await new Receiver().start();
  const police = await serviceAccount('POLICE');
  const endpoint = await subscribe(police.call, receiver.url, [WebhookEventType.DISPUTE_REGISTERED]);

  // Routed to POLICE by its source; the other (a grid visit about a contract) is not.
  const routed = await policeCallDispute();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const otherIdNumber = idNumberFor('19900307');
  const other = await registerPerson(api, worker, {
    name: '合同当事人',
    gridId: gridA,
    idNumber: otherIdNumber,
    birthDate: '1990-03-07',
  });
  const hidden = await registerDispute(api, worker, {
    category: 'CONTRACT',
    gridId: gridA,
    parties: [other],
  });
  await settled();

  const events = receiver.events('DISPUTE_REGISTERED');
  expect(events.map((event) => event.data.dispute.id)).toEqual([routed]);
  const [request] = receiver.received;
  expect(validSignature(endpoint.secret, request as Received)).toBe(true);
  expect(request?.headers['concord-event-id']).toBe(events[0]?.id);
  expect(request?.headers['concord-event-type']).toBe('DISPUTE_REGISTERED');

  // The same selection, run by the same account over HTTP with its key: the very same answer.
  const selection = selectionFor(WebhookEventType.DISPUTE_REGISTERED, 'Dispute');
  const read = await police.call(selection.query, { id: routed });
  expect(events[0]?.data.dispute).toEqual(read.data?.dispute);
  expect(JSON.stringify(receiver.received)).not.toContain(otherIdNumber);
  expect(JSON.stringify(receiver.received)).not.toContain('合同当事人');

  // Nothing names the dispute POLICE may not read: no delivery, no id, no count.
  const listed = await police.call(DELIVERIES, {});
  expect(listed.data?.webhookDeliveries.totalCount).toBe(1);
  const [{ count: hiddenRows }] = await api.dataSource.query(
    `SELECT count(*)::int AS count FROM webhook_deliveries WHERE record_id = $1`,
    [hidden],
  );
  expect(hiddenRows).toBe(0);

  // The delivery is the account's audited read.
  const audit: { actor_id: string; operation: string; record_ids: string[] }[] = await api.dataSource.query(
    `SELECT actor_id, operation, record_ids FROM audit_entries WHERE actor_id = $1 AND action = 'READ'`,
    [police.id],
  );
  expect(
    audit.some((entry) => entry.operation === 'webhookDelivery' && entry.record_ids.includes(routed)),
  ).toBe(true);

  // Delivered: the copy of the record is not kept.
  const [{ body }] = await api.dataSource.query(`SELECT body FROM webhook_deliveries WHERE record_id = $1`, [
    routed,
  ]);
  expect(body).toBeNull();

  // The example in docs/integration.md verifies this real delivery, and refuses a tampered one.
  const verify = (
    text: string,
    signature = String(request?.headers['concord-signature']),
    timestamp = String(request?.headers['concord-timestamp']),
  ) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [path.join(__dirname, '../../docs/examples/verify-webhook-signature.mjs'), timestamp, signature],
        { env: { ...process.env, CONCORD_WEBHOOK_SECRET: endpoint.secret } },
        (error, stdout) => resolve({ code: error ? Number(error.code) : 0, out: stdout.trim() }),
      );
      child.stdin?.end(text);
    });
  expect(await verify(request?.body ?? '')).toEqual({ code: 0, out: 'valid' });
  expect(await verify((request?.body ?? '').replace('NEIGHBOR', 'CONTRACT'))).toEqual({
    code: 1,
    out: 'INVALID',
  });
  // Correctly signed an hour ago: outside the example's five-minute tolerance (a replayed request).
  const hourAgo = Math.floor(Date.now() / 1000) - 3600;
  const raw = request?.body ?? '';
  expect(await verify(raw, `v1=${signatureOf(endpoint.secret, hourAgo, raw)}`, String(hourAgo))).toEqual({
    code: 1,
    out: 'INVALID',
  });
  await receiver.close();
});

test('a receiver killed mid-delivery gets the event again, signed, once it is back (at least once)', async () => {
  const receiver = await new Receiver().start();
  const police = await serviceAccount('POLICE');
  const endpoint = await subscribe(police.call, receiver.url, [WebhookEventType.DISPUTE_STATUS_CHANGED]);
  let first = true;
  receiver.answer = () => {
    if (!first) return 200;
    first = false;
    return 'kill';
  };
  const disputeId = await policeCallDispute();
  const leader = await api.login('grid.leader');
  const [{ version }] = await api.dataSource.query(`SELECT version FROM disputes WHERE id = $1`, [disputeId]);
  const accepted = await api.gql(
    `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) { dispute { status } userErrors { message } } }`,
    { input: { disputeId, status: 'ACCEPTED', expectedVersion: version } },
    leader,
  );
  expect(accepted.data?.changeDisputeStatus.dispute.status).toBe('ACCEPTED');
  await settled();

  // The killed request reached the receiver in full; the one after it was answered.
  const attempts = receiver.received.filter(
    (request) => JSON.parse(request.body).data.dispute.id === disputeId,
  );
  expect(attempts.length).toBe(2);
  const ids = new Set(attempts.map((request) => request.headers['concord-event-id']));
  expect(ids.size).toBe(1);
  for (const request of attempts) expect(validSignature(endpoint.secret, request)).toBe(true);
  const page = await police.call(DELIVERIES, { webhookId: endpoint.id });
  const [delivery] = page.data?.webhookDeliveries.edges ?? [];
  expect(delivery.node.status).toBe('DELIVERED');
  // Two, or three when the retry came before the receiver was listening again.
  expect(delivery.node.attempts).toBeGreaterThanOrEqual(2);
  await receiver.close();
});

test('failures back off exponentially into the dead-letter list; only the owner (or ADMIN) sees and replays them', async () => {
  const receiver = await new Receiver().start();
  receiver.answer = () => 500;
  const police = await serviceAccount('POLICE');
  const rival = await serviceAccount('POLICE');
  const endpoint = await subscribe(police.call, receiver.url, [WebhookEventType.DISPUTE_REGISTERED]);
  const disputeId = await policeCallDispute();
  const dead = await until('a dead letter', async () => {
    const page = await police.call(DELIVERIES, { status: 'DEAD', webhookId: endpoint.id });
    return page.data?.webhookDeliveries.edges[0]?.node;
  });
  expect(dead).toMatchObject({
    status: 'DEAD',
    attempts: 3,
    lastResponseStatus: 500,
    eventType: 'DISPUTE_REGISTERED',
  });
  const times = receiver.received.map((request) => request.at);
  expect(times).toHaveLength(3);
  // Base 150 ms, jittered to half at least: ≥ 75 ms, then ≥ 150 ms.
  expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(70);
  expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(145);
  // A dead letter keeps no copy of the record.
  const [{ body }] = await api.dataSource.query(`SELECT body FROM webhook_deliveries WHERE id = $1`, [
    dead.id,
  ]);
  expect(body).toBeNull();

  // Another account: not in its list, and its replay answers as for a random id.
  const theirs = await rival.call(DELIVERIES, { status: 'DEAD' });
  expect(theirs.data?.webhookDeliveries).toEqual({ totalCount: 0, edges: [] });
  const foreign = await rival.call(REPLAY, { input: { deliveryId: dead.id } });
  const random = await rival.call(REPLAY, { input: { deliveryId: randomUUID() } });
  expect(told(foreign)).toEqual(told(random));
  expect(errorCodes(foreign)).toEqual({ replayWebhookDelivery: 'NOT_FOUND' });
  const byUser = await asUser('police.leader')(REPLAY, { input: { deliveryId: dead.id } });
  expect(told(byUser)).toEqual(
    told(await asUser('police.leader')(REPLAY, { input: { deliveryId: randomUUID() } })),
  );

  // ADMIN sees the dead letter (no payload, no record id), and the owner replays it.
  const overseen = await asUser('admin')(DELIVERIES, { status: 'DEAD' });
  expect(overseen.data?.webhookDeliveries.edges.map((edge: any) => edge.node.id)).toContain(dead.id);
  receiver.answer = () => 200;
  const replayed = await police.call(REPLAY, { input: { deliveryId: dead.id } });
  expect(replayed.data?.replayWebhookDelivery.delivery).toMatchObject({ status: 'PENDING', attempts: 0 });
  await settled();
  const after = await police.call(DELIVERIES, { webhookId: endpoint.id });
  expect(after.data?.webhookDeliveries.edges[0]?.node).toMatchObject({ status: 'DELIVERED', attempts: 1 });
  const last = receiver.received.at(-1) as Received;
  expect(JSON.parse(last.body).data.dispute.id).toBe(disputeId);
  expect(validSignature(endpoint.secret, last)).toBe(true);
  await receiver.close();
});

test('two workers on one database deliver each event once', async () => {
  const second = await api.sibling({ webhooks: WEBHOOKS });
  const receiver = await new Receiver().start();
  const police = await serviceAccount('POLICE');
  await subscribe(police.call, receiver.url, [WebhookEventType.DISPUTE_REGISTERED]);
  const disputes = await Promise.all(
    Array.from({ length: 12 }, (_, index) => policeCallDispute(`接警 ${index}`)),
  );
  await settled();
  const delivered = receiver.events('DISPUTE_REGISTERED').map((event) => event.data.dispute.id);
  expect([...delivered].sort()).toEqual([...disputes].sort());
  await second.close();
  await receiver.close();
});

test('a POLICE service account receives the RED alert of its jurisdiction; one elsewhere does not', async () => {
  const receiver = await new Receiver().start();
  const elsewhere = await new Receiver().start();
  const police = await serviceAccount('POLICE');
  const western = await serviceAccount('POLICE', 'villageB');
  await subscribe(police.call, receiver.url, [WebhookEventType.ALERT_RAISED]);
  await subscribe(western.call, elsewhere.url, [WebhookEventType.ALERT_RAISED]);

  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const red = await registerPerson(api, worker, { name: '红色预警人', gridId: gridA });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [red] });
  await recordAssessment(api, worker, red, ['VOLATILE_TEMPER', 'WEAPON_OR_HAZARD']);
  const raised = await api.gql(
    `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id tierAtRaise } userErrors { message } } }`,
    { input: { personId: red, description: '扬言报复，购买汽油' } },
    worker,
  );
  expect(raised.data?.raiseAlert.alert.tierAtRaise).toBe('RED');
  const alertId = raised.data?.raiseAlert.alert.id;
  await settled();

  const [event] = receiver.events('ALERT_RAISED');
  expect(event?.data.receivedAlert.alert.id).toBe(alertId);
  const mine = await police.call(selectionFor(WebhookEventType.ALERT_RAISED, 'Alert').query);
  expect(event?.data.receivedAlert).toEqual(
    mine.data?.myAlerts.edges.map((edge: any) => edge.node).find((entry: any) => entry.alert.id === alertId),
  );
  expect(elsewhere.events()).toEqual([]);
  await receiver.close();
  await elsewhere.close();
});

test('a retried registration answers the same endpoint and secret; another account’s endpoint answers as a random id', async () => {
  const police = await serviceAccount('POLICE');
  const rival = await serviceAccount('POLICE');
  const input = {
    url: 'http://127.0.0.1:9/hook',
    events: ['TIER_CHANGED'],
    idempotencyKey: `hook-${randomUUID()}`,
  };
  const first = await police.call(REGISTER, { input });
  expect(first.data?.registerWebhook.signingSecret).toMatch(/^whsec_/);
  expect((await police.call(REGISTER, { input })).data?.registerWebhook).toEqual(first.data?.registerWebhook);
  const reused = await police.call(REGISTER, { input: { ...input, url: 'http://127.0.0.1:10/hook' } });
  expect(reused.data?.registerWebhook.userErrors).toEqual([
    { field: 'input.idempotencyKey', message: expect.any(String), code: 'CONFLICT' },
  ]);
  const [{ count }] = await api.dataSource.query(
    `SELECT count(*)::int AS count FROM webhook_endpoints WHERE owner_id = $1`,
    [police.id],
  );
  expect(count).toBe(1);
  // The secret is kept sealed, never as written.
  const [{ sealed_secret: sealed }] = await api.dataSource.query(
    `SELECT sealed_secret FROM webhook_endpoints WHERE owner_id = $1`,
    [police.id],
  );
  expect(sealed).not.toContain(first.data?.registerWebhook.signingSecret.slice(6));

  const id = first.data?.registerWebhook.webhook.id;
  const DISABLE = `mutation($input: WebhookIdInput!) { disableWebhook(input: $input) { webhook { id status } userErrors { message } } }`;
  expect(told(await rival.call(DISABLE, { input: { webhookId: id } }))).toEqual(
    told(await rival.call(DISABLE, { input: { webhookId: randomUUID() } })),
  );
  expect(told(await rival.call(DELIVERIES, { webhookId: id }))).toEqual(
    told(await rival.call(DELIVERIES, { webhookId: randomUUID() })),
  );
  expect((await rival.call(`{ webhooks { id } }`)).data?.webhooks).toEqual([]);
  expect((await police.call(`{ webhooks { id status } }`)).data?.webhooks).toEqual([
    { id, status: 'PENDING_APPROVAL' },
  ]);
  // Only an ADMIN approves; the owner may disable its own.
  expect(errorCodes(await police.call(APPROVE, { input: { webhookId: id } }))).toEqual({
    approveWebhook: 'FORBIDDEN',
  });
  const disabled = await police.call(DISABLE, { input: { webhookId: id } });
  expect(disabled.data?.disableWebhook.webhook).toEqual({ id, status: 'DISABLED' });
});
