// /metrics (issue 21 item 7, SPEC §5a "Operations"), through the real server: Prometheus text with
// operations, latency and errors by operation name (bounded, never variables or record data), the
// database pool, read-audit lag and the webhook outbox; readable from loopback or with METRICS_TOKEN,
// refused to anyone else.
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { createTokenService } from '../../src/auth/tokens';
import type { Config } from '../../src/config';
import { metricsRefusal, OperationLabels, MAX_OPERATION_LABELS } from '../../src/http/metrics';
import { createLogger } from '../../src/logger';
import { createServer, type ConcordServer } from '../../src/server';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;
const ID_NUMBER = '110101198001011232';

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

async function scrape(
  url: string,
  authorization?: string,
): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(url, authorization ? { headers: { authorization } } : {});
  return {
    status: response.status,
    text: await response.text(),
    type: response.headers.get('content-type') ?? '',
  };
}

/** The value of one sample line, e.g. `concord_x{a="b"}`; undefined when the page has none. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** A server of our own on this test's database, with `overrides`, listening on `host`. */
async function ownServer(
  overrides: Partial<Config>,
  host: string,
): Promise<{ server: ConcordServer; url: string }> {
  const server = await createServer({
    config: { ...api.config, ...overrides },
    dataSource: api.runtimeDataSource,
    tokens: createTokenService(randomBytes(32).toString('hex'), 3600, () => api.clock.now),
    clock: () => api.clock.now,
    logger: createLogger('silent'),
  });
  return { server, url: await server.listen(0, host) };
}

test('counts operations, latency and errors by operation name, the pool, the read audit and the outbox', async () => {
  const worker = await api.login('grid.worker');
  const personId = await registerPerson(api, worker, {
    name: '度量甲',
    gridId: await api.node('gridA'),
    idNumber: ID_NUMBER,
  });
  for (let i = 0; i < 3; i += 1) {
    const read = await api.gql(
      `query ReadPerson($id: ID!) { person(id: $id) { id idNumber } }`,
      { id: personId },
      worker,
    );
    expect(read.data?.person.idNumber).toBe(ID_NUMBER);
  }
  await api.gql(`{ me { username } }`, {}, worker);
  await api.gql(`query Broken { me { notAField } }`, {}, worker);
  const forbidden = await api.gql(`query AuditPeek { users { totalCount } }`, {}, worker);
  expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  // Not signed in: a made-up name adds no label of its own.
  await api.gql(`query Probe_Zhang_San { departments { code } }`);

  const page = await scrape(metricsUrl(api.url));
  expect(page.status).toBe(200);
  expect(page.type).toContain('text/plain');
  const { text } = page;
  expect(
    sample(text, 'concord_graphql_operations_total{operation="ReadPerson",type="query",transport="http"}'),
  ).toBe(3);
  expect(
    sample(text, 'concord_graphql_operation_duration_seconds_count{operation="ReadPerson",transport="http"}'),
  ).toBe(3);
  expect(
    sample(
      text,
      'concord_graphql_operation_duration_seconds_bucket{le="+Inf",operation="ReadPerson",transport="http"}',
    ),
  ).toBe(3);
  expect(
    sample(text, 'concord_graphql_operations_total{operation="anonymous",type="query",transport="http"}'),
  ).toBe(1);
  expect(
    sample(text, 'concord_graphql_operations_total{operation="invalid",type="none",transport="http"}'),
  ).toBe(1);
  expect(
    sample(text, 'concord_graphql_operation_errors_total{operation="invalid",code="BAD_USER_INPUT"}'),
  ).toBe(1);
  expect(sample(text, 'concord_graphql_operation_errors_total{operation="AuditPeek",code="FORBIDDEN"}')).toBe(
    1,
  );
  expect(
    sample(text, 'concord_graphql_operations_total{operation="other",type="query",transport="http"}'),
  ).toBe(1);
  expect(text).not.toContain('Probe_Zhang_San');
  // Names only: no variable, id or value of a record reaches the page.
  expect(text).not.toContain(personId);
  expect(text).not.toContain(ID_NUMBER);
  expect(text).not.toContain('度量甲');
  expect(sample(text, 'concord_http_requests_total{route="/graphql",status="200"}')).toBeGreaterThanOrEqual(
    5,
  );

  const total = sample(text, 'concord_db_pool_connections{pool="primary",state="total"}');
  const idle = sample(text, 'concord_db_pool_connections{pool="primary",state="idle"}');
  expect(total).toBeGreaterThanOrEqual(1);
  expect(idle).toBeGreaterThanOrEqual(0);
  expect(idle).toBeLessThanOrEqual(total ?? 0);
  expect(sample(text, 'concord_db_pool_connections{pool="primary",state="waiting"}')).toBe(0);
  // Each read of the ID number was audited before its answer left, and timed.
  expect(sample(text, 'concord_audit_read_write_lag_seconds_count')).toBeGreaterThanOrEqual(3);
  expect(sample(text, 'concord_audit_read_write_lag_seconds_sum')).toBeGreaterThan(0);
});

test('the outbox gauges count pending and dead deliveries, with or without the webhook table', async () => {
  const [{ present }] = await api.dataSource.query(
    `SELECT to_regclass('webhook_deliveries') IS NOT NULL AS present`,
  );
  if (!present) {
    // Before the webhook area's migration: nothing to deliver, and no error.
    const before = (await scrape(metricsUrl(api.url))).text;
    expect(sample(before, 'concord_outbox_backlog')).toBe(0);
    expect(sample(before, 'concord_outbox_dead_letters')).toBe(0);
    // Its shape, as far as the gauges read it.
    const [{ role }] = await api.runtimeDataSource.query(`SELECT current_user AS role`);
    await api.dataSource.query(
      `CREATE TABLE webhook_deliveries (id serial PRIMARY KEY, status text NOT NULL)`,
    );
    await api.dataSource.query(`GRANT SELECT ON webhook_deliveries TO "${role}"`);
    await api.dataSource.query(
      `INSERT INTO webhook_deliveries (status) VALUES ('PENDING'), ('PENDING'), ('DELIVERED'), ('DEAD')`,
    );
  }
  const [expected] = await api.dataSource.query(
    `SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
            count(*) FILTER (WHERE status = 'DEAD')::int AS dead FROM webhook_deliveries`,
  );
  if (!present) expect(expected).toEqual({ pending: 2, dead: 1 });
  const text = (await scrape(metricsUrl(api.url))).text;
  expect(sample(text, 'concord_outbox_backlog')).toBe(expected.pending);
  expect(sample(text, 'concord_outbox_dead_letters')).toBe(expected.dead);
});

test('without METRICS_TOKEN only loopback clients may read it', async () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
  const { server, url } = await ownServer({}, '0.0.0.0');
  try {
    const port = new URL(url).port;
    expect((await scrape(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    if (external) {
      // The same server reached over a non-loopback address: refused, and it says nothing of the API.
      const refused = await scrape(`http://${external}:${port}/metrics`);
      expect(refused.status).toBe(403);
      expect(refused.text).not.toContain('concord_');
    }
  } finally {
    await server.close();
  }
  // What the route decides by, for addresses this machine may not have.
  const from = (remoteAddress: string, authorization?: string) =>
    ({ socket: { remoteAddress }, headers: { authorization } }) as unknown as IncomingMessage;
  const open = { metricsToken: undefined };
  expect(metricsRefusal(open, from('127.0.0.1'))).toBeUndefined();
  expect(metricsRefusal(open, from('::1'))).toBeUndefined();
  expect(metricsRefusal(open, from('::ffff:127.0.0.1'))).toBeUndefined();
  expect(metricsRefusal(open, from('10.1.2.3'))?.status).toBe(403);
  expect(metricsRefusal(open, from('::ffff:192.0.2.7'))?.status).toBe(403);
  expect(metricsRefusal(open, from('fe80::1'))?.status).toBe(403);
});

test('with METRICS_TOKEN set it wants the token, from loopback too', async () => {
  const token = randomBytes(24).toString('hex');
  const { server, url } = await ownServer({ metricsToken: token }, '127.0.0.1');
  try {
    const anonymous = await fetch(metricsUrl(url));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await scrape(metricsUrl(url), `Bearer ${token.slice(0, -1)}x`)).status).toBe(401);
    const granted = await scrape(metricsUrl(url), `Bearer ${token}`);
    expect(granted.status).toBe(200);
    expect(granted.text).toContain('concord_graphql_operations_total');
  } finally {
    await server.close();
  }
});

test('operation labels stay bounded', () => {
  const labels = new OperationLabels(new Set(['login', 'persons']));
  expect(labels.of({ name: 'login', type: 'mutation', signedIn: false })).toBe('login');
  expect(labels.of({ name: 'ScanEverything', type: 'query', signedIn: false })).toBe('other');
  expect(labels.of({ name: undefined, type: 'query', signedIn: true })).toBe('anonymous');
  expect(labels.of({ name: 'X', type: undefined, signedIn: true })).toBe('invalid');
  for (let i = 0; i < MAX_OPERATION_LABELS * 2; i += 1)
    labels.of({ name: `Op${i}`, type: 'query', signedIn: true });
  expect(labels.of({ name: 'Op1', type: 'query', signedIn: true })).toBe('Op1');
  expect(labels.of({ name: `Op${MAX_OPERATION_LABELS * 2 - 1}`, type: 'query', signedIn: true })).toBe(
    'other',
  );
  expect(labels.of({ name: 'FreshName', type: 'query', signedIn: true })).toBe('other');
});
