// Another API replica on a test's database, as a second process behind a load balancer runs it
// (SPEC §6): its own connection pool, its own alert feed (its own LISTEN), its own token service
// holding the same secret, and nothing else shared with the first server but the database.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../ormconfig';
import { createTokenService } from '../../src/auth/tokens';
import type { Config } from '../../src/config';
import { AlertFeed } from '../../src/domain/alerts/alert-feed';
import { createLogger } from '../../src/logger';
import { createServer } from '../../src/server';

/** An HTTP GraphQL answer (the shape of test/support/api.ts's GraphQLResponse, which imports this file). */
export interface ReplicaResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface ReplicaOptions {
  config: Config;
  /** The token secret the replicas share (JWT_SECRET). */
  tokenSecret: string;
  /** The runtime role's URL of the test database: directly, or through PgBouncer. */
  runtimeUrl: string;
  /** A direct URL for the alert feed's LISTEN. */
  listenUrl: string;
  clock: () => Date;
}

export interface Replica {
  /** Its GraphQL endpoint (http://…/graphql; ws:// on the same path for subscriptions). */
  url: string;
  dataSource: DataSource;
  alertFeed: AlertFeed;
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<ReplicaResponse<T>>;
  close(): Promise<void>;
}

export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const dataSource = new DataSource(dataSourceOptions(options.runtimeUrl));
  await dataSource.initialize();
  const alertFeed = new AlertFeed(options.listenUrl);
  try {
    await alertFeed.start();
    const server = await createServer({
      config: options.config,
      dataSource,
      alertFeed,
      clock: options.clock,
      tokens: createTokenService(options.tokenSecret, options.config.tokenLifetimeSeconds, options.clock),
      logger: createLogger(options.config.logLevel),
    });
    const url = await server.listen(0, '127.0.0.1');
    return {
      url,
      dataSource,
      alertFeed,
      gql: (query, variables, token) => postGraphQL(url, query, variables, token),
      async close() {
        await server.close();
        await alertFeed.stop();
        await dataSource.destroy();
      },
    };
  } catch (error) {
    await alertFeed.stop();
    await dataSource.destroy();
    throw error;
  }
}

export async function postGraphQL(
  endpoint: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<ReplicaResponse<any>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<ReplicaResponse, 'status'>;
  return { status: response.status, ...body } as ReplicaResponse<any>;
}
