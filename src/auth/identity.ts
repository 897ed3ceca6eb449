// Who is making a request: resolved from the Authorization header on every request, from the
// database (identity-store.ts), so a disabled account, a changed department or an ended session
// takes effect at once.
import type { DataSource } from 'typeorm';
import { identityFromApiKey } from './api-keys';
import { loadSessionIdentity, type Identity } from './identity-store';
import type { TokenService } from './tokens';

export type { Identity } from './identity-store';
export { principalOf } from './principal';

/**
 * `Authorization: Bearer <access token>` for users, `Authorization: ApiKey <key>` for integrations.
 * `now` is the request's clock: it stamps the session's last use.
 */
export async function identityFromAuthorization(
  header: string | undefined,
  tokens: TokenService,
  dataSource: DataSource,
  now: Date = new Date(),
): Promise<Identity | null> {
  if (!header) return null;
  const match = /^(Bearer|ApiKey)\s+(\S+)$/i.exec(header);
  if (!match?.[2]) return null;
  if (match[1]?.toLowerCase() === 'apikey') return identityFromApiKey(match[2], dataSource, now);
  const verified = await tokens.verify(match[2]);
  if (!verified) return null;
  return loadSessionIdentity(dataSource, verified.userId, verified.sessionId, now);
}
