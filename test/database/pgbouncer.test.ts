// Behind PgBouncer in transaction mode (docs/deployment.md#pgbouncer), which hands each transaction
// whichever server connection is free: with PREPARED_STATEMENTS=false the API answers as it does
// directly, even when every transaction shares one server connection; with named statements on it
// fails, which is why the switch exists; and LISTEN through PgBouncer hears nothing, which is why the
// alert feed listens on a direct connection (DATABASE_LISTEN_URL). Skipped when pgbouncer is not
// installed (`apt-get install -y pgbouncer`; .ci/pgbouncer installs it).
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { clusterRoles, roleUrl } from '../../src/database/database';
import { AlertFeed } from '../../src/domain/alerts/alert-feed';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';
import { pgbouncerBinary, startPgBouncer, type PgBouncer } from '../support/pgbouncer';
import { startReplica, type Replica } from '../support/replica';

const installed = pgbouncerBinary() !== undefined;
if (!installed)
  process.stderr.write(
    'test/database/pgbouncer.test.ts skipped: pgbouncer is not installed (apt-get install -y pgbouncer)\n',
  );
const describeWithPgBouncer = installed ? describe : describe.skip;

const PERSONS = `query($grid: ID!) { persons(first: 20, filter: { jurisdictionId: $grid }) {
  totalCount edges { node { id name tier idNumber } } } }`;
const RAISE = `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`;

test('PREPARED_STATEMENTS and DATABASE_LISTEN_URL: named statements unless switched off; LISTEN only apart from an external database', () => {
  const external = 'postgres://concord_api:secret@pgbouncer:6432/concord';
  const direct = 'postgres://concord_api:secret@primary:5432/concord';
  expect(loadConfig({ NODE_ENV: 'test' })).toMatchObject({
    preparedStatements: true,
    databaseListenUrl: undefined,
  });
  expect(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: external,
      DATABASE_LISTEN_URL: direct,
      PREPARED_STATEMENTS: 'false',
    }),
  ).toMatchObject({ preparedStatements: false, databaseListenUrl: direct });
  // The embedded database has no pooler in front: a stray DATABASE_LISTEN_URL is not used.
  expect(loadConfig({ NODE_ENV: 'test', DATABASE_LISTEN_URL: direct }).databaseListenUrl).toBeUndefined();
});

describeWithPgBouncer('the API behind PgBouncer in transaction mode', () => {
  let api: TestApi;
  let bouncer: PgBouncer;
  /** The test database as the runtime role: directly, and through PgBouncer. */
  let directUrl: string;
  let pooledUrl: string;
  const replicas: Replica[] = [];
  /** The replicas share it, as JWT_SECRET: a token signed in at one works at the other. */
  const tokenSecret = randomBytes(32).toString('hex');

  beforeAll(async () => {
    api = await startTestApi();
    const adminUrl = process.env.CONCORD_TEST_ADMIN_URL as string;
    const { runtime } = clusterRoles(adminUrl);
    const url = new URL(roleUrl(adminUrl, runtime));
    url.pathname = new URL(api.runtimeUrl).pathname;
    directUrl = url.toString();
    // One server connection for every transaction of every client: the harshest transaction pooling.
    bouncer = await startPgBouncer({ serverUrl: adminUrl, roles: [runtime], poolSize: 1 });
    pooledUrl = bouncer.through(directUrl);
    const worker = await api.login('grid.worker');
    const gridA = await api.node('gridA');
    for (let index = 0; index < 3; index += 1)
      await registerPerson(api, worker, { name: `池化${index}`, gridId: gridA });
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await bouncer?.stop();
    await api?.close();
  });

  const replicaThroughPgBouncer = async (preparedStatements: boolean) => {
    const replica = await startReplica({
      config: { ...api.config, preparedStatements },
      tokenSecret,
      runtimeUrl: pooledUrl,
      listenUrl: directUrl,
      clock: () => api.clock.now,
    });
    replicas.push(replica);
    return replica;
  };

  /** Ten grid-A reads at once, each signed in at `replica`: the pool opens several client connections. */
  const concurrentReads = async (replica: Replica) => {
    const token = await api.signInAt(replica.url, 'grid.worker');
    const grid = await api.node('gridA');
    return Promise.all(Array.from({ length: 10 }, () => replica.gql(PERSONS, { grid }, token)));
  };

  test('with PREPARED_STATEMENTS=false every answer is the one the direct server gives', async () => {
    const replica = await replicaThroughPgBouncer(false);
    const answers = await concurrentReads(replica);
    const direct = await api.gql(PERSONS, { grid: await api.node('gridA') }, await api.login('grid.worker'));
    expect(direct.errors).toBeUndefined();
    expect(direct.data?.persons.totalCount).toBe(3);
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(direct.data);
    }
    // A write and its audit entry commit as one transaction through PgBouncer too.
    const token = await api.signInAt(replica.url, 'grid.worker');
    const raised = await replica.gql(
      RAISE,
      { input: { personId: direct.data?.persons.edges[0].node.id, description: '池化苗头' } },
      token,
    );
    expect(raised.data?.raiseAlert.userErrors).toEqual([]);
    const [audited] = await api.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_entries WHERE $1 = ANY(record_ids)`,
      [raised.data?.raiseAlert.alert.id],
    );
    expect(audited.n).toBeGreaterThan(0);
  });

  test('with named statements on, the same reads through PgBouncer fail', async () => {
    const unnamed = await replicaThroughPgBouncer(false);
    const named = await replicaThroughPgBouncer(true);
    const token = await api.signInAt(unnamed.url, 'grid.worker');
    const grid = await api.node('gridA');
    const answers = await Promise.all(Array.from({ length: 10 }, () => named.gql(PERSONS, { grid }, token)));
    const codes = answers.flatMap((answer) => (answer.errors ?? []).map((error) => error.extensions?.code));
    // Two client connections preparing one name on the one server connection, or a name prepared on
    // a server connection the next transaction does not get: the database refuses, the request fails.
    expect(codes).toContain('INTERNAL_SERVER_ERROR');
    expect(codes).not.toContain('UNAUTHENTICATED');
  });

  test('LISTEN through PgBouncer hears no alert; the feed on the direct URL hears it', async () => {
    const pooledFeed = new AlertFeed(pooledUrl);
    const directFeed = new AlertFeed(directUrl);
    await pooledFeed.start();
    await directFeed.start();
    const worker = await api.login('grid.worker');
    const [user] = await api.dataSource.query(`SELECT id FROM users WHERE username = 'grid.worker'`);
    const heard = (feed: AlertFeed) => {
      const abort = new AbortController();
      const first = (async () => {
        for await (const event of feed.alertsFor(user.id, abort.signal)) return event.alertId;
        return undefined;
      })().catch(() => undefined);
      return { first, abort };
    };
    const pooled = heard(pooledFeed);
    const direct = heard(directFeed);
    try {
      const personId = await registerPerson(api, worker, { name: '监听', gridId: await api.node('gridA') });
      const raised = await api.gql(RAISE, { input: { personId, description: '监听苗头' } }, worker);
      const alertId = raised.data?.raiseAlert.alert.id;
      expect(alertId).toBeTruthy();
      const timeout = (ms: number) => new Promise((resolve) => setTimeout(() => resolve('nothing'), ms));
      expect(await Promise.race([direct.first, timeout(5000)])).toBe(alertId);
      expect(await Promise.race([pooled.first, timeout(1500)])).toBe('nothing');
    } finally {
      pooled.abort.abort();
      direct.abort.abort();
      await pooledFeed.stop();
      await directFeed.stop();
    }
  });
});
