// Starts the real API for one test file: its own database cloned from the template, the real HTTP
// server on a free port connected as the runtime role (as `npm start` runs it, so the suite proves its
// grants suffice), real tokens from `login`, and a clock the test can move.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { createTokenService } from '../../src/auth/tokens';
import { loadConfig, type Config } from '../../src/config';
import type { AppServices } from '../../src/request-scope';
import { dropDatabase, ensureDatabase } from '../../src/database/database';
import { checkSqlTexts } from '../../src/database/sql-text';
import { AlertFeed } from '../../src/domain/alerts/alert-feed';
import { createLogger } from '../../src/logger';
import { createServer, type ConcordServer } from '../../src/server';
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
  sibling(overrides: Partial<Config>): Promise<Pick<TestApi, 'gql' | 'close'>>;
  /** Signs in a test user (see test/support/template.ts) and returns the bearer token. */
  login(username: string): Promise<string>;
  /** Id of a jurisdiction node of the test organisation. */
  node(code: keyof typeof NODES): Promise<string>;
  close(): Promise<void>;
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
  const config = { ...loadConfig({ NODE_ENV: 'test' }), ...overrides };
  const tokens = new Map<string, string>();
  const clock = {
    now: new Date('2026-11-01T08:00:00Z'),
    /** Moves time; tokens issued before are forgotten (they may have expired), so login signs in again. */
    advanceDays(days: number) {
      clock.now = new Date(clock.now.getTime() + days * 86400000);
      tokens.clear();
    },
  };
  const alertFeed = new AlertFeed(runtimeUrl.toString());
  await alertFeed.start();
  const app: AppServices = {
    config,
    dataSource: runtimeDataSource,
    alertFeed,
    clock: () => clock.now,
    tokens: createTokenService(randomBytes(32).toString('hex'), config.tokenLifetimeSeconds, () => clock.now),
    logger: createLogger(config.logLevel),
  };
  const server: ConcordServer = await createServer(app);
  const endpoint = await server.listen(0, '127.0.0.1');
  const nodeIds = new Map<string, string>();

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
        close: () => sibling.close(),
      };
    },
    async login(username) {
      const cached = tokens.get(username);
      if (cached) return cached;
      const result = await api.gql<{ login: { token: string | null; userErrors: { message: string }[] } }>(
        `mutation($input: LoginInput!) { login(input: $input) { token userErrors { message } } }`,
        { input: { username, password: TEST_PASSWORD } },
      );
      const token = result.data?.login.token;
      if (!token) throw new Error(`login ${username} failed: ${JSON.stringify(result)}`);
      tokens.set(username, token);
      return token;
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
