// The real API in a benchmark's own process, on the database a CLI opened, with the demo city loaded
// and grid.worker signed in: what bench:feed and bench:webhooks drive with registerDispute.
import type { Logger } from 'pino';
import { resolveTokenSecret } from '../auth/secret';
import { createTokenService } from '../auth/tokens';
import type { Config } from '../config';
import { DEMO_PASSWORD, loadDemoData } from '../database/demo-data';
import type { OpenDatabase } from '../database/database';
import { createServer, type ConcordServer } from '../server';

export interface DemoServer {
  server: ConcordServer;
  url: string;
  /** grid.worker's token. */
  token: string;
  /** Persons of grid.worker's grid, for the disputes a benchmark registers. */
  parties: { id: string; grid_id: string }[];
  gql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T>;
}

export async function startDemoServer(
  database: OpenDatabase,
  config: Config,
  logger: Logger,
): Promise<DemoServer> {
  await database.asOwner((owner) => loadDemoData(owner, new Date(), config));
  const { dataSource } = database;
  const tokens = createTokenService(
    await resolveTokenSecret(config, () => undefined),
    config.tokenLifetimeSeconds,
    () => new Date(),
  );
  const server = await createServer({ config, dataSource, tokens, clock: () => new Date(), logger });
  const url = await server.listen(0, '127.0.0.1');
  const gql = async <T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as T;
  };
  const login = await gql<{ data?: { login?: { token?: string } } }>(
    `mutation($input: LoginInput!) { login(input: $input) { token } }`,
    { input: { username: 'grid.worker', password: DEMO_PASSWORD } },
  );
  const token = login.data?.login?.token;
  if (!token) throw new Error(`login grid.worker: ${JSON.stringify(login)}`);
  const parties = (await dataSource.query(
    `SELECT p.id, p.grid_id FROM persons p JOIN users u ON u.username = 'grid.worker'
       JOIN jurisdictions j ON j.id = u.jurisdiction_id JOIN jurisdictions g ON g.id = p.grid_id
      WHERE g.path = j.path OR g.path LIKE j.path || '.%' ORDER BY p.id LIMIT 50`,
  )) as { id: string; grid_id: string }[];
  if (parties.length === 0) throw new Error('no person in grid.worker’s grid: load the demo city');
  return { server, url, token, parties, gql };
}
