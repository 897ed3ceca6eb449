// Service accounts as an ADMIN administers them (issue 21 item 7): the integrations of the ADMIN's own
// jurisdiction subtree, newest first, each with its request budget and its keys, and setting one
// account's budget. As for users, an account outside the subtree answers exactly as an unknown id.
// Nothing here reads a record of a person; a key's hash is never selected.
import type { EntityManager } from 'typeorm';
import { decodeCursor, pageSize, toConnection, type Connection } from '../../database/paging';
import { ErrorCode } from '../../graphql/errors';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { subtreeParams } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import {
  ApiKeySummary,
  RequestBudget,
  ServiceAccount,
  type SetServiceAccountBudgetInput,
} from './service-account-listing.inputs';

const NO_SUCH_ACCOUNT = {
  zh: '您的辖区内没有此编号的服务账号',
  en: 'No service account with this id within your jurisdiction',
};

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  department_code: string;
  jurisdiction_id: string;
  created_at: Date;
  active: boolean;
  capacity: number | null;
  refill_per_second: number | null;
  available: number | null;
  total: string;
}

interface KeyRow {
  id: string;
  service_account_id: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Service accounts whose jurisdiction lies in the caller's subtree ($1 the path, $2 its descendants). */
const IN_SCOPE = `u.kind = 'SERVICE'
       AND u.jurisdiction_id IN (SELECT sj.id FROM jurisdictions sj WHERE sj.path = $1 OR sj.path LIKE $2)`;

/** The columns of an account with its budget's settings and its level now (refilled since last use). */
const ACCOUNT_COLUMNS = `u.id, u.username, u.display_name, u.department_code, u.jurisdiction_id, u.created_at,
       u.active, s.capacity, s.refill_per_second,
       LEAST(COALESCE(s.capacity, $3::integer),
             k.tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - k.refilled_at))::double precision
                        * COALESCE(s.refill_per_second, $4::integer)) AS available`;

/** An account with its settings and its bucket. */
const ACCOUNTS = `users u
       LEFT JOIN service_account_budgets s ON s.service_account_id = u.id
       LEFT JOIN service_account_buckets k ON k.service_account_id = u.id`;

function accountOf(row: AccountRow, keys: ApiKeySummary[], context: RequestContext): ServiceAccount {
  const defaults = context.app.config.serviceAccountBudget;
  const capacity = row.capacity ?? defaults.capacity;
  const budget = Object.assign(new RequestBudget(), {
    capacity,
    refillPerSecond: row.refill_per_second ?? defaults.refillPerSecond,
    custom: row.capacity !== null || row.refill_per_second !== null,
    // No row yet: the account has not been charged, so its bucket is full.
    available: Math.floor(row.available ?? capacity),
  });
  return Object.assign(new ServiceAccount(), {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    departmentCode: row.department_code,
    jurisdictionId: row.jurisdiction_id,
    createdAt: row.created_at,
    active: row.active,
    budget,
    keys,
  });
}

/** The keys of `accountIds`, newest first, in one statement. */
async function keysOf(manager: EntityManager, accountIds: string[]): Promise<Map<string, ApiKeySummary[]>> {
  const byAccount = new Map<string, ApiKeySummary[]>();
  if (accountIds.length === 0) return byAccount;
  const rows: KeyRow[] = await manager.query(
    `SELECT id, service_account_id, prefix, created_at, last_used_at, revoked_at
       FROM api_keys WHERE service_account_id = ANY($1::uuid[])
      ORDER BY created_at DESC, id DESC`,
    [accountIds],
  );
  for (const row of rows) {
    const key = Object.assign(new ApiKeySummary(), {
      id: row.id,
      prefix: row.prefix,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: row.revoked_at,
    });
    byAccount.set(row.service_account_id, [...(byAccount.get(row.service_account_id) ?? []), key]);
  }
  return byAccount;
}

function scopeParameters(context: RequestContext): unknown[] {
  const { path, descendants } = subtreeParams(context.user);
  const defaults = context.app.config.serviceAccountBudget;
  return [path, descendants, defaults.capacity, defaults.refillPerSecond];
}

export async function listServiceAccounts(
  context: RequestContext,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<ServiceAccount>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const position = after ? decodeCursor(after) : null;
  const parameters = [...scopeParameters(context), size + 1];
  if (position) parameters.push(position.at, position.id);
  const rows: AccountRow[] = await context.dataSource.query(
    `SELECT ${ACCOUNT_COLUMNS},
            (SELECT count(*) FROM users u WHERE ${IN_SCOPE}) AS total
       FROM ${ACCOUNTS}
      WHERE ${IN_SCOPE} ${position ? 'AND (u.created_at, u.id) < ($6::timestamptz, $7::uuid)' : ''}
      ORDER BY u.created_at DESC, u.id DESC
      LIMIT $5`,
    parameters,
  );
  const keys = await keysOf(
    context.dataSource.manager,
    rows.slice(0, size).map((row) => row.id),
  );
  const accounts = rows.map((row) => accountOf(row, keys.get(row.id) ?? [], context));
  return toConnection(accounts, size, Number(rows[0]?.total ?? 0), (account) => ({
    at: account.createdAt,
    id: account.id,
  }));
}

/** Sets (or, with nulls, resets to the default) the request budget of one service account. */
export function setServiceAccountBudget(
  context: RequestContext,
  input: SetServiceAccountBudgetInput,
): Promise<MutationResult<ServiceAccount>> {
  return runMutation(context, input, async (tx) => {
    const parameters = scopeParameters(context);
    const found: { id: string }[] = await tx.query(
      `SELECT u.id FROM users u WHERE u.id = $3::uuid AND ${IN_SCOPE} FOR UPDATE`,
      [...parameters.slice(0, 2), input.serviceAccountId],
    );
    if (found.length === 0) throw problem('input.serviceAccountId', NO_SUCH_ACCOUNT, ErrorCode.NOT_FOUND);
    const capacity = input.capacity ?? null;
    const refillPerSecond = input.refillPerSecond ?? null;
    // From the account's next request; a lower capacity caps what its bucket holds then.
    await tx.query(
      `INSERT INTO service_account_budgets (service_account_id, capacity, refill_per_second)
       VALUES ($1::uuid, $2::integer, $3::integer)
       ON CONFLICT (service_account_id) DO UPDATE SET capacity = $2::integer, refill_per_second = $3::integer`,
      [input.serviceAccountId, capacity, refillPerSecond],
    );
    const [row] = (await tx.query(
      `SELECT ${ACCOUNT_COLUMNS}, 1 AS total
         FROM ${ACCOUNTS}
        WHERE u.id = $5::uuid AND ${IN_SCOPE}`,
      [...parameters, input.serviceAccountId],
    )) as AccountRow[];
    if (!row) throw problem('input.serviceAccountId', NO_SUCH_ACCOUNT, ErrorCode.NOT_FOUND);
    const keys = await keysOf(tx, [row.id]);
    return {
      result: accountOf(row, keys.get(row.id) ?? [], context),
      audit: [
        {
          action: 'MUTATION',
          operation: 'setServiceAccountBudget',
          recordType: 'User',
          recordIds: [row.id],
          fields: ['budget.capacity', 'budget.refillPerSecond'],
          detail: { capacity, refillPerSecond },
        },
      ],
    };
  });
}
