// The operator's way in (README, "Administration"): makes an account an ADMIN with a one-time
// temporary password, from the command line (src/cli/create-admin.ts) — for the first account of a
// database loaded without demo data, or when every ADMIN is locked out. An existing account keeps its
// department and jurisdiction, gains ADMIN, is enabled, loses its second factor (a lost phone locks an
// ADMIN out too; it enrols anew after changing the password), and its sessions end. With an empty tree
// it can also create the tree's root, the CITY node, under which ADMINs then add the rest through the API.
import type { DataSource } from 'typeorm';
import { writeAuditEntries } from '../audit/audit-log';
import { generateTemporaryPassword, hashPassword, TEMPORARY_PASSWORD_LIFETIME_MS } from './passwords';
import { SessionEndReason } from './session.entity';
import { endSessions } from './sessions';

export interface FirstAdminOptions {
  username: string;
  displayName?: string;
  /** Code of the node the account roots at; the tree's root when not given. */
  jurisdictionCode?: string;
  /** Creates the root CITY node with this code and name when the tree is empty. */
  city?: { code: string; name: string };
  departmentCode?: string;
  now: Date;
}

export interface FirstAdmin {
  username: string;
  temporaryPassword: string;
  temporaryPasswordExpiresAt: Date;
  created: boolean;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,62}$/;

export async function ensureAdministrator(
  dataSource: DataSource,
  options: FirstAdminOptions,
): Promise<FirstAdmin> {
  if (!USERNAME.test(options.username)) {
    throw new Error('the username must be 3–63 lowercase letters, digits, . _ -');
  }
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const expiresAt = new Date(options.now.getTime() + TEMPORARY_PASSWORD_LIFETIME_MS);
  return dataSource.transaction(async (tx) => {
    const roots: { id: string; code: string }[] = await tx.query(
      `SELECT id, code FROM jurisdictions WHERE parent_id IS NULL ORDER BY code`,
    );
    if (roots.length === 0 && options.city) {
      const [root] = (await tx.query(
        `INSERT INTO jurisdictions (code, name, level, parent_id, path) VALUES ($1, $2, 'CITY', NULL, $1) RETURNING id, code`,
        [options.city.code, options.city.name],
      )) as { id: string; code: string }[];
      if (root) roots.push(root);
    }
    let jurisdictionId: string | undefined;
    if (options.jurisdictionCode) {
      const [node] = (await tx.query(`SELECT id FROM jurisdictions WHERE code = $1`, [
        options.jurisdictionCode,
      ])) as {
        id: string;
      }[];
      if (!node) throw new Error(`no jurisdiction node ${options.jurisdictionCode}`);
      jurisdictionId = node.id;
    } else if (roots.length === 1) {
      jurisdictionId = roots[0]?.id;
    } else if (roots.length === 0) {
      throw new Error('the jurisdiction tree is empty: name its root with --city-code and --city-name');
    }
    const [existing] = (await tx.query(`SELECT id, kind FROM users WHERE username = $1 FOR UPDATE`, [
      options.username,
    ])) as { id: string; kind: string }[];
    if (existing && existing.kind !== 'USER') throw new Error(`${options.username} is a service account`);
    let id: string;
    if (existing) {
      id = existing.id;
      await tx.query(
        `UPDATE users SET capabilities = array(SELECT DISTINCT unnest(capabilities || '{ADMIN}'::text[]) ORDER BY 1),
                          active = true, password_hash = $2, password_change_required = true,
                          temporary_password_expires_at = $3, version = version + 1,
                          totp_secret_sealed = NULL, totp_last_step = NULL, second_factor_enrolled_at = NULL,
                          recovery_code_hashes = '{}'
          WHERE id = $1`,
        [id, passwordHash, expiresAt],
      );
      await endSessions(tx, id, SessionEndReason.PASSWORD_RESET, options.now);
    } else {
      if (!jurisdictionId) throw new Error('the tree has several roots: name the node with --jurisdiction');
      const [row] = (await tx.query(
        `INSERT INTO users (username, display_name, department_code, position, jurisdiction_id, capabilities,
                            password_hash, password_change_required, temporary_password_expires_at)
         VALUES ($1, $2, $3, 'WORKER', $4, '{ADMIN}', $5, true, $6) RETURNING id`,
        [
          options.username,
          options.displayName ?? options.username,
          options.departmentCode ?? 'COMPREHENSIVE_GOVERNANCE',
          jurisdictionId,
          passwordHash,
          expiresAt,
        ],
      )) as { id: string }[];
      id = (row as { id: string }).id;
    }
    await writeAuditEntries(tx, { requestId: 'cli:user:create-admin', identity: null }, [
      {
        action: 'MUTATION',
        operation: existing ? 'resetPassword' : 'createUser',
        recordType: 'User',
        recordIds: [id],
        fields: existing ? ['capabilities', 'password', 'secondFactor'] : ['capabilities', 'password'],
        detail: { via: 'user:create-admin', username: options.username },
      },
    ]);
    return {
      username: options.username,
      temporaryPassword,
      temporaryPasswordExpiresAt: expiresAt,
      created: !existing,
    };
  });
}
