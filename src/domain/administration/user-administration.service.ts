// User administration (issue 20, SPEC §2: ADMIN manages users and reference data, sees no personal
// data): create, update, disable and enable accounts, reset a password, end a user's sessions, import
// a staff list, list accounts. An ADMIN manages the accounts of its own jurisdiction subtree and
// assigns only nodes inside it. Every write commits with its audit entry; a password, a hash or a
// temporary password never goes into the audit detail.
//
// New accounts (created one by one or imported) get a one-time temporary password, returned once in
// the payload and stored only as its hash: the operator hands it over, the user signs in with it
// once and must choose a password of their own (src/auth/password-gate.ts).
import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '../../audit/audit-log';
import {
  generateTemporaryPassword,
  hashPassword,
  TEMPORARY_PASSWORD_LIFETIME_MS,
} from '../../auth/passwords';
import { SessionEndReason } from '../../auth/session.entity';
import { managedAccount } from '../../auth/managed-accounts';
import { endSessions } from '../../auth/sessions';
import type { RequestContext } from '../../request-scope';
import { keysetPage, pageSize, type Connection } from '../../database/paging';
import {
  badUserInput,
  ErrorCode,
  ruleRefusal,
  staleVersion,
  userError,
  UserInputProblem,
  type Bilingual,
  type UserError,
} from '../../graphql/errors';
import { textProblem } from '../../graphql/input-hygiene';
import { isUuid } from '../../graphql/validation';
import {
  createIdempotently,
  inputProblems,
  problem,
  runMutation,
  type MutationResult,
} from '../../graphql/mutation';
import { subtreeNodesSql, subtreeParams } from '../../permissions/scope';
import { Department } from '../organisation/department.entity';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { Capability, Position } from '../organisation/organisation.enums';
import { jurisdictionFilter } from '../organisation/organisation.service';
import { User } from '../organisation/user.entity';
import { parseStaffList, type StaffRecord } from './staff-csv';
import {
  USERNAME_PATTERN,
  type CreateUserInput,
  type DisableUserInput,
  type ImportUsersInput,
  type UpdateUserInput,
  type UserFilter,
  type UserIdInput,
} from './user-administration.inputs';

/** At most this many lines in one staff list. */
export const IMPORT_MAX_ROWS = 2000;
/** At most this many problems are reported for one file: the first ones, by line. */
const IMPORT_MAX_PROBLEMS = 100;
/** argon2 at 64 MiB a hash: this many at a time, whatever the size of the list. */
const HASHES_AT_ONCE = 2;

// ---------------------------------------------------------------------------------------------
// Checks shared by the mutations

/** The jurisdiction nodes of the caller's subtree with these codes (or ids), by code (or id). */
async function nodesInScope(
  tx: EntityManager,
  context: RequestContext,
  by: 'id' | 'code',
  keys: string[],
): Promise<Map<string, Jurisdiction>> {
  if (keys.length === 0) return new Map();
  const { path, descendants } = subtreeParams(context.user);
  const nodes = await tx
    .getRepository(Jurisdiction)
    .createQueryBuilder('j')
    .where(`j.${by} = ANY(:keys)`, { keys })
    .andWhere(`j.id IN (${subtreeNodesSql(':path', ':descendants')})`, { path, descendants })
    .getMany();
  return new Map(nodes.map((node) => [node[by], node]));
}

async function nodeInScope(
  tx: EntityManager,
  context: RequestContext,
  jurisdictionId: string,
  field: string,
): Promise<Jurisdiction> {
  const node = (await nodesInScope(tx, context, 'id', [jurisdictionId])).get(jurisdictionId);
  if (!node) {
    throw problem(field, {
      zh: '您的辖区内没有此编号的辖区节点',
      en: 'No jurisdiction node with this id within your jurisdiction',
    });
  }
  return node;
}

async function departmentCodes(tx: EntityManager): Promise<Set<string>> {
  const rows = await tx.getRepository(Department).find({ select: { code: true } });
  return new Set(rows.map((row) => row.code));
}

async function requireDepartment(tx: EntityManager, code: string, field: string): Promise<void> {
  if (!(await departmentCodes(tx)).has(code))
    throw problem(field, { zh: `没有部门 ${code}`, en: `No department ${code}` });
}

const capabilitySet = (capabilities: readonly Capability[] | null | undefined): Capability[] =>
  [...new Set(capabilities ?? [])].sort();

function refuseSelf(context: RequestContext, user: User, what: Bilingual): void {
  if (user.id === context.user.id) throw ruleRefusal('input.userId', what);
}

function temporaryPasswordExpiry(context: RequestContext): Date {
  return new Date(context.now().getTime() + TEMPORARY_PASSWORD_LIFETIME_MS);
}

/** `work` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------
// The users list

export async function listUsers(
  context: RequestContext,
  filter: UserFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<User>> {
  {
    const size = pageSize(first, context.app.config.limits.maxPageSize);
    const { path, descendants } = subtreeParams(context.user);
    const query = context.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .where(`u.kind = 'USER'`)
      .andWhere(`u.jurisdiction_id IN (${subtreeNodesSql(':scopePath', ':scopeDescendants')})`, {
        scopePath: path,
        scopeDescendants: descendants,
      });
    if (filter?.jurisdictionId) {
      if (!isUuid(filter.jurisdictionId)) {
        throw badUserInput('jurisdictionId is not an ID this API issued', 'filter');
      }
      const within = await jurisdictionFilter(context, filter.jurisdictionId, 'u.jurisdiction_id');
      query.andWhere(within.sql, within.params);
    }
    if (filter?.departmentCode) {
      query.andWhere('u.department_code = :department', { department: filter.departmentCode });
    }
    if (filter?.position) query.andWhere('u.position = :position', { position: filter.position });
    if (filter?.active !== undefined && filter.active !== null) {
      query.andWhere('u.active = :active', { active: filter.active });
    }
    if (filter?.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere('(u.username ILIKE :search OR u.display_name ILIKE :search)', { search: pattern });
    }
    return keysetPage(query, 'u', 'created_at', size, after, (row) => row.createdAt);
  }
}

// ---------------------------------------------------------------------------------------------
// One account at a time

export interface CreatedUser {
  user: User;
  temporaryPassword: string | null;
  temporaryPasswordExpiresAt: Date | null;
}

export async function createUser(
  context: RequestContext,
  input: CreateUserInput,
): Promise<MutationResult<CreatedUser>> {
  const problems = await inputProblems(input);
  if (problems.length > 0) return { result: null, userErrors: problems };
  // Hashed before the transaction opens: argon2 takes a while and needs no rows.
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const expiresAt = temporaryPasswordExpiry(context);
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'createUser', input, async () => {
      await requireDepartment(tx, input.departmentCode, 'input.departmentCode');
      await nodeInScope(tx, context, input.jurisdictionId, 'input.jurisdictionId');
      if (await tx.getRepository(User).existsBy({ username: input.username })) {
        throw problem(
          'input.username',
          { zh: `${input.username} 已被占用`, en: `${input.username} is taken` },
          ErrorCode.CONFLICT,
        );
      }
      const inserted = await tx.getRepository(User).insert({
        kind: 'USER',
        username: input.username,
        displayName: input.displayName.trim(),
        departmentCode: input.departmentCode,
        position: input.position,
        jurisdictionId: input.jurisdictionId,
        capabilities: capabilitySet(input.capabilities),
        passwordHash,
        passwordChangeRequired: true,
        temporaryPasswordExpiresAt: expiresAt,
      });
      return (inserted.identifiers[0] as { id: string }).id;
    });
    const user = await tx.getRepository(User).findOneByOrFail({ id });
    return {
      // A retry returns the account, not a password: the first answer was the only one to show it.
      result: replayed
        ? { user, temporaryPassword: null, temporaryPasswordExpiresAt: null }
        : { user, temporaryPassword, temporaryPasswordExpiresAt: expiresAt },
      audit: [
        {
          action: 'MUTATION',
          operation: 'createUser',
          recordType: 'User',
          recordIds: [id],
          fields: replayed
            ? []
            : [
                'username',
                'displayName',
                'departmentCode',
                'position',
                'jurisdictionId',
                'capabilities',
                'password',
              ],
          detail: replayed
            ? { replayed: true }
            : {
                username: user.username,
                departmentCode: user.departmentCode,
                position: user.position,
                jurisdictionId: user.jurisdictionId,
                capabilities: user.capabilities,
              },
        },
      ],
    };
  });
}

export function updateUser(context: RequestContext, input: UpdateUserInput): Promise<MutationResult<User>> {
  return runMutation(context, input, async (tx) => {
    const user = await managedAccount(tx, context, input.userId);
    if (user.version !== input.expectedVersion) {
      throw staleVersion(
        { zh: `用户 ${user.username}`, en: `user ${user.username}` },
        user.version,
        input.expectedVersion,
      );
    }
    const changes: Partial<User> = {};
    const changed: Record<string, { from: unknown; to: unknown }> = {};
    const note = <K extends keyof User>(field: K, value: User[K]) => {
      if (JSON.stringify(value) === JSON.stringify(user[field])) return;
      changes[field] = value;
      changed[field] = { from: user[field], to: value };
    };
    if (input.displayName !== undefined && input.displayName !== null)
      note('displayName', input.displayName.trim());
    if (input.departmentCode) {
      await requireDepartment(tx, input.departmentCode, 'input.departmentCode');
      note('departmentCode', input.departmentCode);
    }
    if (input.position) note('position', input.position);
    if (input.jurisdictionId) {
      await nodeInScope(tx, context, input.jurisdictionId, 'input.jurisdictionId');
      note('jurisdictionId', input.jurisdictionId);
    }
    if (input.capabilities !== undefined && input.capabilities !== null) {
      const capabilities = capabilitySet(input.capabilities);
      if (user.id === context.user.id && !capabilities.includes(Capability.ADMIN)) {
        throw ruleRefusal('input.capabilities', {
          zh: '不能取消自己的管理员权限：请另一位管理员操作',
          en: 'You cannot take ADMIN from yourself: ask another ADMIN',
        });
      }
      note('capabilities', capabilities);
    }
    const fields = Object.keys(changes);
    if (fields.length > 0) {
      await tx
        .getRepository(User)
        .createQueryBuilder()
        .update()
        .set({ ...changes, version: () => 'version + 1' })
        .where('id = :id AND version = :version', { id: user.id, version: input.expectedVersion })
        .execute();
    }
    return {
      result: await tx.getRepository(User).findOneByOrFail({ id: user.id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'updateUser',
          recordType: 'User',
          recordIds: [user.id],
          fields,
          detail: { fromVersion: input.expectedVersion, changes: changed },
        },
      ],
    };
  });
}

export function disableUser(context: RequestContext, input: DisableUserInput): Promise<MutationResult<User>> {
  return runMutation(context, input, async (tx) => {
    const user = await managedAccount(tx, context, input.userId);
    refuseSelf(context, user, {
      zh: '不能停用自己的账号：请另一位管理员操作',
      en: 'You cannot disable your own account: ask another ADMIN',
    });
    if (user.active) {
      await tx.query(`UPDATE users SET active = false, version = version + 1 WHERE id = $1`, [user.id]);
    }
    // Its tokens already stop working (the identity lookup reads `active`); ended sessions also stay
    // ended should the account be enabled again.
    const ended = await endSessions(tx, user.id, SessionEndReason.ACCOUNT_DISABLED, context.now());
    return {
      result: await tx.getRepository(User).findOneByOrFail({ id: user.id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'disableUser',
          recordType: 'User',
          recordIds: [user.id, ...ended],
          fields: user.active ? ['active'] : [],
          detail: { reason: input.reason ?? null, endedSessionCount: ended.length },
        },
      ],
    };
  });
}

export function enableUser(context: RequestContext, input: UserIdInput): Promise<MutationResult<User>> {
  return runMutation(context, input, async (tx) => {
    const user = await managedAccount(tx, context, input.userId);
    if (!user.active) {
      await tx.query(`UPDATE users SET active = true, version = version + 1 WHERE id = $1`, [user.id]);
    }
    return {
      result: await tx.getRepository(User).findOneByOrFail({ id: user.id }),
      audit: [
        {
          action: 'MUTATION',
          operation: 'enableUser',
          recordType: 'User',
          recordIds: [user.id],
          fields: user.active ? [] : ['active'],
        },
      ],
    };
  });
}

export interface PasswordReset extends CreatedUser {
  endedSessionCount: number;
}

export async function resetPassword(
  context: RequestContext,
  input: UserIdInput,
): Promise<MutationResult<PasswordReset>> {
  const problems = await inputProblems(input);
  if (problems.length > 0) return { result: null, userErrors: problems };
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const expiresAt = temporaryPasswordExpiry(context);
  return runMutation(context, input, async (tx) => {
    const user = await managedAccount(tx, context, input.userId);
    refuseSelf(context, user, {
      zh: '自己的密码请用 changePassword 修改',
      en: 'Change your own password with changePassword',
    });
    await tx.query(
      `UPDATE users SET password_hash = $2, password_change_required = true, temporary_password_expires_at = $3
        WHERE id = $1`,
      [user.id, passwordHash, expiresAt],
    );
    // Whoever held the account's tokens (the reason for a reset, often) loses them now.
    const ended = await endSessions(tx, user.id, SessionEndReason.PASSWORD_RESET, context.now());
    return {
      result: {
        user: await tx.getRepository(User).findOneByOrFail({ id: user.id }),
        temporaryPassword,
        temporaryPasswordExpiresAt: expiresAt,
        endedSessionCount: ended.length,
      },
      audit: [
        {
          action: 'MUTATION',
          operation: 'resetPassword',
          recordType: 'User',
          recordIds: [user.id, ...ended],
          fields: ['password', 'passwordChangeRequired'],
          detail: { endedSessionCount: ended.length, temporaryPasswordExpiresAt: expiresAt.toISOString() },
        },
      ],
    };
  });
}

export function endUserSessions(
  context: RequestContext,
  input: UserIdInput,
): Promise<MutationResult<number>> {
  return runMutation(context, input, async (tx) => {
    const user = await managedAccount(tx, context, input.userId);
    const ended = await endSessions(tx, user.id, SessionEndReason.ENDED_BY_ADMIN, context.now());
    return {
      result: ended.length,
      audit: [
        {
          action: 'MUTATION',
          operation: 'endUserSessions',
          recordType: 'Session',
          recordIds: [user.id, ...ended],
          fields: ['endedAt'],
          detail: { endedSessionCount: ended.length },
        },
      ],
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Importing a staff list

export interface ImportOutcome {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  temporaryPasswords: { username: string; temporaryPassword: string }[];
  temporaryPasswordsExpireAt: Date | null;
}

/** One line of the list, checked: what it asks for, in the database's terms. */
interface PlannedAccount {
  line: number;
  username: string;
  displayName: string;
  departmentCode: string;
  position: Position;
  jurisdictionId: string;
  /** The account of that username as it was read, or null for a new one. */
  existing: User | null;
}

const lineProblem = (line: number, message: string): UserError =>
  userError(`input.csv.${line}`, { zh: `第 ${line} 行有误`, en: `Line ${line}: ${message}` });

/** Checks every line against the rules and the database; the plan, or every problem by line. */
async function planImport(
  tx: EntityManager,
  context: RequestContext,
  records: StaffRecord[],
): Promise<{ plan: PlannedAccount[]; problems: UserError[] }> {
  const problems: UserError[] = [];
  const departments = await departmentCodes(tx);
  const nodes = await nodesInScope(tx, context, 'code', [
    ...new Set(records.map((r) => r.values.jurisdictionCode)),
  ]);
  const usernames = [...new Set(records.map((r) => r.values.username))];
  const existingRows = await tx
    .getRepository(User)
    .createQueryBuilder('u')
    .where('u.username = ANY(:usernames)', { usernames })
    .getMany();
  const existing = new Map(existingRows.map((user) => [user.username, user]));
  const inScope = await nodesInScope(tx, context, 'id', [
    ...new Set(existingRows.map((user) => user.jurisdictionId)),
  ]);
  const seen = new Map<string, number>();
  const plan: PlannedAccount[] = [];
  for (const { line, values, shapeProblem } of records) {
    const before = problems.length;
    if (shapeProblem) problems.push(lineProblem(line, shapeProblem));
    const { username, displayName, departmentCode, position, jurisdictionCode } = values;
    if (!USERNAME_PATTERN.test(username)) {
      problems.push(
        lineProblem(
          line,
          `username "${username.slice(0, 70)}" must be 3–63 lowercase letters, digits, . _ -`,
        ),
      );
    } else if (seen.has(username)) {
      problems.push(
        lineProblem(line, `username ${username} is listed already on line ${seen.get(username)}`),
      );
    }
    seen.set(username, seen.get(username) ?? line);
    const nameProblem =
      displayName === ''
        ? 'must not be empty'
        : displayName.length > 100
          ? 'must be at most 100 characters'
          : textProblem(displayName);
    if (nameProblem) problems.push(lineProblem(line, `displayName ${nameProblem}`));
    if (!departments.has(departmentCode))
      problems.push(lineProblem(line, `no department ${departmentCode.slice(0, 70)}`));
    if (!(Object.values(Position) as string[]).includes(position)) {
      problems.push(lineProblem(line, `position must be WORKER or LEADER, not ${position.slice(0, 30)}`));
    }
    const node = nodes.get(jurisdictionCode);
    if (!node)
      problems.push(
        lineProblem(line, `no jurisdiction node ${jurisdictionCode.slice(0, 70)} within your jurisdiction`),
      );
    const account = existing.get(username) ?? null;
    if (account && (account.kind !== 'USER' || !inScope.has(account.jurisdictionId))) {
      problems.push(
        lineProblem(
          line,
          `${username} is an account you do not manage here (a service account, or outside your jurisdiction)`,
        ),
      );
    }
    if (problems.length > before || !node) continue;
    plan.push({
      line,
      username,
      displayName: displayName.normalize('NFC'),
      departmentCode,
      position: position as Position,
      jurisdictionId: node.id,
      existing: account,
    });
  }
  return { plan, problems };
}

const differs = (planned: PlannedAccount, user: User) =>
  planned.displayName !== user.displayName ||
  planned.departmentCode !== user.departmentCode ||
  planned.position !== user.position ||
  planned.jurisdictionId !== user.jurisdictionId;

/**
 * Imports a staff list, all or nothing: every line is checked first and every problem comes back,
 * named by line, with nothing written. A username that exists is updated to what its line says
 * (display name, department, position, jurisdiction; never its password, capabilities or active
 * flag); a new one is created with a one-time temporary password, returned once in the payload.
 * Importing the same list again changes nothing and issues no password. A dry run checks and
 * counts and writes nothing.
 */
export async function importUsers(
  context: RequestContext,
  input: ImportUsersInput,
): Promise<MutationResult<ImportOutcome>> {
  const inputErrors = await inputProblems(input);
  if (inputErrors.length > 0) return { result: null, userErrors: inputErrors };
  const dryRun = Boolean(input.dryRun);
  const parsed = parseStaffList(input.csv);
  if ('error' in parsed) return { result: null, userErrors: [lineProblem(parsed.line, parsed.error)] };
  if (parsed.records.length === 0) {
    return {
      result: null,
      userErrors: [
        userError('input.csv', { zh: '名单只有表头，没有用户', en: 'The list has a header but no users' }),
      ],
    };
  }
  if (parsed.records.length > IMPORT_MAX_ROWS) {
    return {
      result: null,
      userErrors: [
        userError('input.csv', {
          zh: `每个文件最多 ${IMPORT_MAX_ROWS} 个用户：请拆分名单`,
          en: `At most ${IMPORT_MAX_ROWS} users a file: split the list`,
        }),
      ],
    };
  }
  // Checked once outside the transaction, so the passwords of new accounts can be hashed before it
  // opens; checked again inside it, where a difference means someone changed the users meanwhile.
  const first = await planImport(context.dataSource.manager, context, parsed.records);
  if (first.problems.length > 0)
    return { result: null, userErrors: first.problems.slice(0, IMPORT_MAX_PROBLEMS) };
  const newcomers = first.plan.filter((planned) => !planned.existing);
  const passwords = dryRun ? [] : newcomers.map(() => generateTemporaryPassword());
  const hashes = await mapLimited(passwords, HASHES_AT_ONCE, hashPassword);
  const expiresAt = dryRun || newcomers.length === 0 ? null : temporaryPasswordExpiry(context);
  return runMutation(context, input, async (tx) => {
    const { plan, problems } = await planImport(tx, context, parsed.records);
    if (problems.length > 0) throw new UserInputProblem(problems.slice(0, IMPORT_MAX_PROBLEMS));
    const fresh = plan.filter((planned) => !planned.existing);
    if (fresh.map((p) => p.username).join('\n') !== newcomers.map((p) => p.username).join('\n')) {
      throw problem(
        'input.csv',
        {
          zh: '导入期间名单上的账号被新建或修改：请重新导入',
          en: 'Accounts on this list were created or changed while it was imported: import it again',
        },
        ErrorCode.CONFLICT,
      );
    }
    const changes = plan.filter((planned) => planned.existing && differs(planned, planned.existing));
    const unchanged = plan.length - fresh.length - changes.length;
    const ids: string[] = [];
    if (!dryRun) {
      if (fresh.length > 0) {
        const inserted = await tx.getRepository(User).insert(
          fresh.map((planned, index) => ({
            kind: 'USER' as const,
            username: planned.username,
            displayName: planned.displayName,
            departmentCode: planned.departmentCode,
            position: planned.position,
            jurisdictionId: planned.jurisdictionId,
            capabilities: [],
            passwordHash: hashes[index] as string,
            passwordChangeRequired: true,
            temporaryPasswordExpiresAt: expiresAt,
          })),
        );
        ids.push(...inserted.identifiers.map((identifier) => (identifier as { id: string }).id));
      }
      for (const planned of changes) {
        const existing = planned.existing as User;
        await tx.query(
          `UPDATE users SET display_name = $2, department_code = $3, position = $4, jurisdiction_id = $5,
                            version = version + 1
            WHERE id = $1`,
          [
            existing.id,
            planned.displayName,
            planned.departmentCode,
            planned.position,
            planned.jurisdictionId,
          ],
        );
        ids.push(existing.id);
      }
    }
    const audit: AuditRecord[] = [
      {
        action: 'MUTATION',
        operation: 'importUsers',
        recordType: 'User',
        recordIds: ids,
        fields: dryRun ? [] : ['username', 'displayName', 'departmentCode', 'position', 'jurisdictionId'],
        detail: { dryRun, lines: plan.length, created: fresh.length, updated: changes.length, unchanged },
      },
    ];
    return {
      result: {
        dryRun,
        created: fresh.length,
        updated: changes.length,
        unchanged,
        temporaryPasswords: dryRun
          ? []
          : fresh.map((planned, index) => ({
              username: planned.username,
              temporaryPassword: passwords[index] as string,
            })),
        temporaryPasswordsExpireAt: expiresAt,
      },
      audit,
    };
  });
}
