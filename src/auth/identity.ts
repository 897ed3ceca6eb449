// Who is making a request: resolved from the Authorization header on every request, from the
// database (identity-store.ts), so a disabled account or a changed department takes effect at once.
import type { DataSource } from 'typeorm';
import type { Capability } from '../domain/organisation/organisation.enums';
import type { Principal } from '../permissions/policy';
import { identityFromApiKey } from './api-keys';
import { loadUserIdentity, type Identity } from './identity-store';
import type { TokenService } from './tokens';

export type { Identity } from './identity-store';

/** What the permission layer needs to know of an identity. */
export function principalOf(identity: Identity): Principal {
  const capability = identity.capabilities.includes('AUDITOR' as Capability)
    ? 'AUDITOR'
    : identity.capabilities.includes('ADMIN' as Capability)
      ? 'ADMIN'
      : null;
  return { department: identity.departmentCode, position: identity.position, capability };
}

/** `Authorization: Bearer <access token>` for users, `Authorization: ApiKey <key>` for integrations. */
export async function identityFromAuthorization(
  header: string | undefined,
  tokens: TokenService,
  dataSource: DataSource,
): Promise<Identity | null> {
  if (!header) return null;
  const match = /^(Bearer|ApiKey)\s+(\S+)$/i.exec(header);
  if (!match?.[2]) return null;
  if (match[1]?.toLowerCase() === 'apikey') return identityFromApiKey(match[2], dataSource);
  const userId = await tokens.verify(match[2]);
  if (!userId) return null;
  const identity = await loadUserIdentity(dataSource, userId);
  return identity?.kind === 'USER' ? identity : null;
}
