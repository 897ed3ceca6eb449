// A request context for a command run as a named account (`--as <username>`): the same identity,
// scope and policy as that account's requests through the API, for commands that write what the
// account may read (npm run review, npm run report -- --year).
import { randomUUID } from 'node:crypto';
import { loadUserIdentity } from '../auth/identity-store';
import type { Config } from '../config';
import { ServerRequestContext } from '../context';
import type { OpenDatabase } from '../database/database';
import { createLogger } from '../logger';

export async function contextAs(
  config: Config,
  database: OpenDatabase,
  username: string,
  command: string,
): Promise<ServerRequestContext> {
  const [user]: { id: string }[] = await database.dataSource.query(
    `SELECT id FROM users WHERE username = $1 AND active`,
    [username],
  );
  const identity = user ? await loadUserIdentity(database.dataSource, user.id) : null;
  if (!identity) throw new Error(`no active account ${username}`);
  return new ServerRequestContext(
    {
      config,
      dataSource: database.dataSource,
      tokens: undefined as never,
      clock: () => new Date(),
      logger: createLogger('warn'),
    },
    `cli-${command}-${randomUUID()}`,
    identity,
    'cli',
  );
}
