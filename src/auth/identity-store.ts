// The identity store: who a user or service account is, read from the database on every request, so
// a disabled account or a changed department takes effect at once. Both ways in (tokens in
// identity.ts, API keys in api-keys.ts) read identities here.
import type { DataSource } from 'typeorm';
import { queryPrepared } from '../database/prepared';
import type { Capability, Position } from '../domain/organisation/organisation.enums';

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

/** The active account `userId` (a user or a service account), or null. */
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
