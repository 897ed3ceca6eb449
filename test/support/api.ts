// Starts the real API for one test file: its own database cloned from the template, the real HTTP
// server on a free port connected as the runtime role (as `npm start` runs it, so the suite proves its
// grants suffice), real tokens from `login`, and a clock the test can move. LEADER, ADMIN and AUDITOR
// test users sign in with a second factor as their owners would: the first sign-in enrols one through
// the API, later ones send the code an authenticator app would show at the server's clock.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { createTokenService } from '../../src/auth/tokens';
import { TOTP_PERIOD_SECONDS, totpCode } from '../../src/auth/totp';
import { loadConfig, type Config } from '../../src/config';
import type { AppServices } from '../../src/request-scope';
import { dropDatabase, ensureDatabase } from '../../src/database/database';
import { checkSqlTexts } from '../../src/database/sql-text';
import { AlertFeed } from '../../src/domain/alerts/alert-feed';
import { createLogger } from '../../src/logger';
import { createServer, type ConcordServer } from '../../src/server';
import { startReplica, type Replica } from './replica';
import { NODES, TEMPLATE_DATABASE, TEST_PASSWORD } from './template';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
  extensions?: { sqlStatements?: number };
}

export interface TestApi {
  url: string;
  /** The test's own access to its database, as the superuser: for fixtures and for looking behind the API. */
  dataSource: DataSource;
  /** The API's connections, as the runtime role. */
  runtimeDataSource: DataSource;
  /** URL of the test database as the runtime role. */
  runtimeUrl: string;
  config: Config;
  clock: { now: Date; advanceDays(days: number): void };
  /** Runs an operation over HTTP, as `token` when given. */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    operationName?: string,
  ): Promise<GraphQLResponse<T>>;
  /**
   * A second API server on the same database, tokens and clock, with `overrides` to its
   * configuration: to compare two builds on the same data.
   */
  sibling(overrides: Partial<Config>): Promise<Pick<TestApi, 'gql' | 'close' | 'url'>>;
  /** Another replica on this database: its own pool and alert feed, the same token secret (test/support/replica.ts). */
  replica(overrides?: Partial<Config>): Promise<Replica>;
  /**
   * Signs in a test user (see test/support/template.ts) and returns the bearer token; with its second
   * factor when it needs one, enrolled at its first sign-in in this database.
   */
  login(username: string): Promise<string>;
  /**
   * A fresh sign-in of a test user at another server on this database, whose clock is `now`: with the
   * second factor `login` enrolled (or enrolling one), never a cached token.
   */
  signInAt(endpoint: string, username: string, now?: () => Date): Promise<string>;
  /** The second factors `login` enrolled in this database, by username. */
  readonly secondFactors: ReadonlyMap<string, EnrolledSecondFactor>;
  /** Id of a jurisdiction node of the test organisation. */
  node(code: keyof typeof NODES): Promise<string>;
  close(): Promise<void>;
}

/** What a test user's authenticator app and recovery-code sheet hold. */
export interface EnrolledSecondFactor {
  secret: string;
  recoveryCodes: string[];
  /** The last time step a code was sent for: each works once. */
  lastStep: number;
}

type Gql = (query: string, variables?: Record<string, unknown>, token?: string) => Promise<GraphQLResponse>;

const SIGN_IN = `mutation($input: LoginInput!) { login(input: $input) {
  token secondFactorRequired secondFactorChallenge secondFactorEnrolmentRequired userErrors { message } } }`;
const VERIFY = `mutation($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) {
  token userErrors { message } } }`;
const BEGIN = `mutation { beginTotpEnrolment { secret userErrors { message } } }`;
const CONFIRM = `mutation($input: ConfirmTotpEnrolmentInput!) { confirmTotpEnrolment(input: $input) {
  recoveryCodes userErrors { message } } }`;

/**
 * A code for the earliest time step the server accepts at `now` (one step either side) that was not
 * used yet: tests sign in several times at one instant, and move the clock back too. When every such
 * step was used, a recovery code.
 */
function nextAnswer(factor: EnrolledSecondFactor, now: Date): { code: string } | { recoveryCode: string } {
  const current = Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
  const step = [current - 1, current, current + 1].find((candidate) => candidate > factor.lastStep);
  if (step === undefined) {
    const recoveryCode = factor.recoveryCodes.shift();
    if (!recoveryCode)
      throw new Error('the test user has used every code of this instant and every recovery code');
    return { recoveryCode };
  }
  factor.lastStep = step;
  return { code: totpCode(factor.secret, new Date(step * TOTP_PERIOD_SECONDS * 1000)) };
}

/** Signs `username` in through `gql` with its password and, when the account needs one, its second factor. */
async function signInCompletely(
  gql: Gql,
  username: string,
  now: () => Date,
  factors: Map<string, EnrolledSecondFactor>,
): Promise<string> {
  const failed = (step: string, result: unknown) =>
    new Error(`login ${username} failed at ${step}: ${JSON.stringify(result)}`);
  const login = await gql(SIGN_IN, { input: { username, password: TEST_PASSWORD } });
  const answer = login.data?.login;
  if (answer?.secondFactorRequired) {
    const factor = factors.get(username);
    if (!factor) throw failed('the second factor (enrolled outside TestApi.login)', login);
    const verified = await gql(VERIFY, {
      input: { challenge: answer.secondFactorChallenge, ...nextAnswer(factor, now()) },
    });
    const token = verified.data?.verifySecondFactor.token;
    if (!token) throw failed('verifySecondFactor', verified);
    return token;
  }
  const token: string | null | undefined = answer?.token;
  if (!token) throw failed('login', login);
  if (!answer.secondFactorEnrolmentRequired) return token;
  const begun = await gql(BEGIN, {}, token);
  const secret: string | undefined = begun.data?.beginTotpEnrolment.secret;
  if (!secret) throw failed('beginTotpEnrolment', begun);
  const factor: EnrolledSecondFactor = { secret, recoveryCodes: [], lastStep: -1 };
  const confirmed = await gql(CONFIRM, { input: nextAnswer(factor, now()) }, token);
  const recoveryCodes: string[] | null | undefined = confirmed.data?.confirmTotpEnrolment.recoveryCodes;
  if (!recoveryCodes) throw failed('confirmTotpEnrolment', confirmed);
  factors.set(username, { ...factor, recoveryCodes: [...recoveryCodes] });
  return token;
}

export async function startTestApi(overrides: Partial<Config> = {}): Promise<TestApi> {
  // Every keyed loader query is written anew and compared with the text its key cached.
  checkSqlTexts(true);
  const adminUrl = process.env.CONCORD_TEST_ADMIN_URL;
  const runtimeServerUrl = process.env.CONCORD_TEST_RUNTIME_URL;
  if (!adminUrl || !runtimeServerUrl)
    throw new Error('CONCORD_TEST_ADMIN_URL is not set: run the tests through jest (npm test)');
  const databaseName = `concord_test_${randomBytes(6).toString('hex')}`;
  const url = await ensureDatabase(adminUrl, databaseName, TEMPLATE_DATABASE);
  const runtimeUrl = new URL(runtimeServerUrl);
  runtimeUrl.pathname = `/${databaseName}`;
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  const runtimeDataSource = new DataSource(dataSourceOptions(runtimeUrl.toString()));
  await runtimeDataSource.initialize();
  // A test that takes the database away from `dataSource` (destroy, later initialize) takes it from
  // the API too, as one connection did before the roles were split.
  const destroyOwn = dataSource.destroy.bind(dataSource);
  const initializeOwn = dataSource.initialize.bind(dataSource);
  dataSource.destroy = async () => {
    if (runtimeDataSource.isInitialized) await runtimeDataSource.destroy();
    if (dataSource.isInitialized) await destroyOwn();
  };
  dataSource.initialize = async () => {
    if (!runtimeDataSource.isInitialized) await runtimeDataSource.initialize();
    return dataSource.isInitialized ? dataSource : initializeOwn();
  };
  // A second-factor key of the test's own, so no test writes one into the data directory.
  const config = {
    ...loadConfig({ NODE_ENV: 'test', PREPARED_STATEMENTS: process.env.PREPARED_STATEMENTS }),
    secondFactorKey: randomBytes(32).toString('hex'),
    ...overrides,
  };
  const tokens = new Map<string, string>();
  const clock = {
    now: new Date('2026-11-01T08:00:00Z'),
    /** Moves time; tokens issued before are forgotten (they may have expired), so login signs in again. */
    advanceDays(days: number) {
      clock.now = new Date(clock.now.getTime() + days * 86400000);
      tokens.clear();
    },
  };
  // LISTEN needs a direct connection: with TEST_PGBOUNCER the runtime URL goes through PgBouncer.
  const listenUrl = new URL(process.env.CONCORD_TEST_LISTEN_URL ?? runtimeUrl.toString());
  listenUrl.pathname = `/${databaseName}`;
  const alertFeed = new AlertFeed(listenUrl.toString());
  const tokenSecret = randomBytes(32).toString('hex');
  await alertFeed.start();
  const app: AppServices = {
    config,
    dataSource: runtimeDataSource,
    alertFeed,
    clock: () => clock.now,
    tokens: createTokenService(tokenSecret, config.tokenLifetimeSeconds, () => clock.now),
    logger: createLogger(config.logLevel),
  };
  const server: ConcordServer = await createServer(app);
  const endpoint = await server.listen(0, '127.0.0.1');
  const nodeIds = new Map<string, string>();
  const secondFactors = new Map<string, EnrolledSecondFactor>();

  const api: TestApi = {
    url: endpoint,
    dataSource,
    runtimeDataSource,
    runtimeUrl: runtimeUrl.toString(),
    config,
    clock,
    gql: (query, variables, token, operationName) => post(endpoint, query, variables, token, operationName),
    async sibling(overrides) {
      const sibling = await createServer({ ...app, config: { ...config, ...overrides } });
      const at = await sibling.listen(0, '127.0.0.1');
      return {
        gql: (query, variables, token, operationName) => post(at, query, variables, token, operationName),
        url: at,
        close: () => sibling.close(),
      };
    },
    replica: (overrides = {}) =>
      startReplica({
        config: { ...config, ...overrides },
        tokenSecret,
        runtimeUrl: runtimeUrl.toString(),
        listenUrl: listenUrl.toString(),
        clock: () => clock.now,
      }),
    secondFactors,
    async login(username) {
      const cached = tokens.get(username);
      if (cached) return cached;
      const token = await signInCompletely(api.gql, username, () => clock.now, secondFactors);
      tokens.set(username, token);
      return token;
    },
    signInAt(endpoint, username, now = () => clock.now) {
      return signInCompletely(
        (query, variables, token) => post(endpoint, query, variables, token),
        username,
        now,
        secondFactors,
      );
    },
    async node(code) {
      const cached = nodeIds.get(code);
      if (cached) return cached;
      const rows: { id: string }[] = await dataSource.query(`SELECT id FROM jurisdictions WHERE code = $1`, [
        NODES[code],
      ]);
      const id = rows[0]?.id;
      if (!id) throw new Error(`no jurisdiction ${code}`);
      nodeIds.set(code, id);
      return id;
    },
    async close() {
      await server.close();
      await alertFeed.stop();
      await dataSource.destroy();
      await dropDatabase(adminUrl, databaseName);
    },
  };
  return api;
}

async function post(
  endpoint: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
  operationName?: string,
): Promise<GraphQLResponse<any>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
  return { status: response.status, ...body } as GraphQLResponse<any>;
}
