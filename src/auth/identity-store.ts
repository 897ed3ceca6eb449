// The identity store: who a user or service account is, read from the database on every request, so
// a disabled account, a changed department or jurisdiction, or an ended session takes effect at once
// — on every replica, whatever each process has cached of the token itself. Both ways in (tokens in
// identity.ts, API keys in api-keys.ts) read identities here.
import type { DataSource } from 'typeorm';
import { queryPrepared } from '../database/prepared';
import type { Capability, Position } from '../domain/organisation/organisation.enums';
import { SECOND_FACTOR_HOLDERS } from '../permissions/policy';
import { principalOf } from './principal';

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
  /** The session the access token names; null for an API key. */
  sessionId: string | null;
  /** Signed in with a temporary password: only changing it (and me, logout) is allowed until then. */
  passwordChangeRequired: boolean;
  /** A TOTP second factor is enrolled (confirmed). */
  secondFactorEnrolled: boolean;
  /**
   * The account needs a second factor (policy.ts, SECOND_FACTOR_HOLDERS) and this session has not passed
   * one: it may only enrol, until then (password-gate.ts). Never for an API key.
   */
  secondFactorPending: boolean;
  /**
   * The break-glass grants in force for this account at the request's time (src/domain/break-glass):
   * each widens its row scope to one person until it expires. Absent or empty: none.
   */
  breakGlass?: readonly BreakGlassPass[];
}

/** A break-glass grant in force: which grant, for which person. */
export interface BreakGlassPass {
  grantId: string;
  personId: string;
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
  password_change_required: boolean;
  second_factor_enrolled: boolean;
  /** Only for a session: whether it passed the second factor. */
  second_factor_passed?: boolean;
  /** Only for a session: the break-glass grants in force at the request's time. */
  break_glass?: BreakGlassPass[] | null;
}

/**
 * How often a session's last use is written: at most once a minute per session, not once a request.
 * `mySessions` shows it to the minute.
 */
export const LAST_USE_RESOLUTION_SECONDS = 60;

const IDENTITY_COLUMNS = `u.kind, u.id, u.username, u.display_name, u.department_code, u.position,
            u.jurisdiction_id, u.capabilities, u.password_change_required, j.path, j.level,
            u.second_factor_enrolled_at IS NOT NULL AS second_factor_enrolled`;

function identityOf(row: IdentityRow | undefined, sessionId: string | null): Identity | null {
  if (!row) return null;
  const secondFactorPending =
    sessionId !== null &&
    row.second_factor_passed === false &&
    SECOND_FACTOR_HOLDERS.includes(
      principalOf({
        departmentCode: row.department_code,
        position: row.position,
        capabilities: row.capabilities,
      }),
    );
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
    sessionId,
    passwordChangeRequired: row.password_change_required,
    secondFactorEnrolled: row.second_factor_enrolled,
    secondFactorPending,
    breakGlass: row.break_glass ?? [],
  };
}

/** The active account `userId` (a user or a service account), or null. For API keys: no session. */
export async function loadUserIdentity(dataSource: DataSource, userId: string): Promise<Identity | null> {
  const rows = await queryPrepared<IdentityRow>(
    dataSource,
    `SELECT ${IDENTITY_COLUMNS}
       FROM users u JOIN jurisdictions j ON j.id = u.jurisdiction_id
      WHERE u.id = $1 AND u.active`,
    [userId],
  );
  return identityOf(rows[0], null);
}

/**
 * `identity` with the break-glass grants it holds at `at`, as a signed-in request would carry them
 * (loadSessionIdentity): for explaining an account's access by the same scope the API applies.
 */
export async function withBreakGlassGrants(
  dataSource: DataSource,
  identity: Identity,
  at: Date,
): Promise<Identity> {
  const rows: BreakGlassPass[] = await dataSource.query(
    `SELECT g.id AS "grantId", g.person_id AS "personId" FROM break_glass_grants g
      WHERE g.account_id = $1 AND g.granted_at <= $2 AND g.expires_at > $2 ORDER BY g.granted_at`,
    [identity.id, at],
  );
  return { ...identity, breakGlass: rows };
}

/**
 * The active user `userId` signed in as session `sessionId`, or null when the account is disabled or
 * the session was ended (logout, an ADMIN, a password reset) or never existed. One statement, the
 * same one the identity lookup always was: the session check is a join in it, and stamping the
 * session's last use rides along as a data-modifying CTE that touches the row at most once a minute
 * (PostgreSQL runs it whether or not the SELECT reads it). It runs on the primary, as every identity
 * lookup does (queryPrepared), so an ended session is refused by every replica from the next request.
 */
export async function loadSessionIdentity(
  dataSource: DataSource,
  userId: string,
  sessionId: string,
  now: Date,
): Promise<Identity | null> {
  const rows = await queryPrepared<IdentityRow>(
    dataSource,
    `WITH used AS (
       UPDATE sessions SET last_used_at = $3::timestamptz
        WHERE id = $2::uuid AND user_id = $1::uuid AND ended_at IS NULL
          AND last_used_at < $3::timestamptz - make_interval(secs => ${LAST_USE_RESOLUTION_SECONDS})
       RETURNING id)
     SELECT ${IDENTITY_COLUMNS}, s.second_factor_at IS NOT NULL AS second_factor_passed,
            (SELECT json_agg(json_build_object('grantId', g.id, 'personId', g.person_id) ORDER BY g.granted_at)
               FROM break_glass_grants g
              WHERE g.account_id = u.id AND g.granted_at <= $3::timestamptz
                AND g.expires_at > $3::timestamptz) AS break_glass
       FROM users u
       JOIN jurisdictions j ON j.id = u.jurisdiction_id
       JOIN sessions s ON s.id = $2::uuid AND s.user_id = u.id AND s.ended_at IS NULL
      WHERE u.id = $1::uuid AND u.active AND u.kind = 'USER'`,
    [userId, sessionId, now],
  );
  return identityOf(rows[0], sessionId);
}
