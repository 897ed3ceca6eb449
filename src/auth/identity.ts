// Who is making a request: resolved from the Authorization header on every request, from the
// database, so a disabled account or a changed department takes effect at once.
import type { DataSource } from 'typeorm';
import type { Capability, Position } from '../domain/organisation/organisation.enums';
import type { Principal } from '../permissions/policy';
import { identityFromApiKey } from './api-keys';
import type { TokenService } from './tokens';
import { queryPrepared } from '../database/prepared';

export interface Identity {
  /** USER signs in with a password; SERVICE is a department integration with API keys. */
  kind: 'USER' | 'SERVICE';
  id: string;
  username: string;
  displayName: string;
  departmentCode: string;
  position: Position;
  jurisdictionId: string;
  /** Materialised path of the user's jurisdiction node; the user sees its subtree. */
  jurisdictionPath: string;
  jurisdictionLevel: string;
  capabilities: Capability[];
}

/** What the permission layer needs to know of an identity. */
export function principalOf(identity: Identity): Principal {
  const capability = identity.capabilities.includes('AUDITOR' as Capability)
    ? 'AUDITOR'
    : identity.capabilities.includes('ADMIN' as Capability)
      ? 'ADMIN'
      : null;
  return { department: identity.departmentCode, position: identity.position, capability };
}

interface IdentityRow {
  kind: 'USER' | 'SERVICE';
  id: string;
  username: string;
  display_name: string;
  department_code: string;
  position: Position;
  jurisdiction_id: string;
  path: string;
  level: string;
  capabilities: Capability[];
}

export async function loadUserIdentity(dataSource: DataSource, userId: string): Promise<Identity | null> {
  const rows = await queryPrepared<IdentityRow>(
    dataSource,
    `SELECT u.kind, u.id, u.username, u.display_name, u.department_code, u.position, u.jurisdiction_id,
            u.capabilities, j.path, j.level
       FROM users u JOIN jurisdictions j ON j.id = u.jurisdiction_id
      WHERE u.id = $1 AND u.active`,
    [userId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    kind: row.kind,
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    departmentCode: row.department_code,
    position: row.position,
    jurisdictionId: row.jurisdiction_id,
    jurisdictionPath: row.path,
    jurisdictionLevel: row.level,
    capabilities: row.capabilities,
  };
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
