// Sessions: opened by a sign-in, ended by logout, by an ADMIN, by a password change or reset, by a
// reset of the second factor, or by disabling the account. Every request's identity lookup requires
// its session to be open (identity-store.ts), so ending one here refuses its token from the next
// request on, on every replica; nothing in a process's memory has to be told.
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../request-scope';
import { keysetPage, pageSize, type Connection } from '../database/paging';
import { ConnectionType } from '../graphql/connection';
import { UserError, userError, UserInputProblem } from '../graphql/errors';
import { runMutation, type MutationResult } from '../graphql/mutation';
import { Session, SessionEndReason } from './session.entity';

export const SessionConnection = ConnectionType(Session, 'Session', '登录会话列表 / Sessions');

@InputType({ description: '退出登录 / Sign out' })
export class LogoutInput {
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: '退出所有设备 / End every session of yours, not only this one',
  })
  everywhere?: boolean | null;
}

@ObjectType()
export class LogoutPayload {
  @Field(() => Int, { description: '结束的会话数 / How many sessions were ended' })
  endedSessionCount: number;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export interface OpenedSession {
  id: string;
  userId: string;
  now: Date;
  expiresAt: Date;
  clientAddress: string;
  /** The sign-in passed the second factor (a code) at this time; null or absent: the password only. */
  secondFactorAt?: Date | null;
}

export async function openSession(tx: EntityManager, session: OpenedSession): Promise<void> {
  await tx.query(
    `INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at, client_address, second_factor_at)
     VALUES ($1, $2, $3, $3, $4, $5, $6)`,
    [
      session.id,
      session.userId,
      session.now,
      session.expiresAt,
      session.clientAddress.slice(0, 100),
      session.secondFactorAt ?? null,
    ],
  );
}

/**
 * Ends the open sessions of `userId` (all of them, or only `onlySessionId`, or all but
 * `keepSessionId`); returns the ids ended. Runs in the caller's transaction, beside its audit entry.
 */
export async function endSessions(
  tx: EntityManager,
  userId: string,
  reason: SessionEndReason,
  now: Date,
  which: { onlySessionId?: string; keepSessionId?: string | null } = {},
): Promise<string[]> {
  const [rows] = (await tx.query(
    `UPDATE sessions SET ended_at = $3, end_reason = $4
      WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $3
        AND ($2::uuid IS NULL OR id = $2::uuid) AND ($5::uuid IS NULL OR id <> $5::uuid)
      RETURNING id`,
    [userId, which.onlySessionId ?? null, now, reason, which.keepSessionId ?? null],
  )) as [{ id: string }[], number];
  return rows.map((row) => row.id).sort();
}

/**
 * Deletes a batch of sessions whose tokens have expired: they refuse themselves now, open or ended.
 * Rows another transaction holds are skipped, so this never waits.
 */
export async function forgetExpiredSessions(dataSource: DataSource, now: Date): Promise<void> {
  await dataSource.query(
    `DELETE FROM sessions WHERE id IN (
       SELECT id FROM sessions WHERE expires_at <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)`,
    [now],
  );
}

/** The caller's open sessions, newest first; the caller's own token's session among them. */
export async function listOwnSessions(
  context: RequestContext,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<Session>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const query = context.dataSource
    .getRepository(Session)
    .createQueryBuilder('s')
    .where('s.user_id = :userId', { userId: context.user.id })
    .andWhere('s.ended_at IS NULL')
    .andWhere('s.expires_at > :now', { now: context.now() });
  const page = await keysetPage(query, 's', 'created_at', size, after, (row) => row.createdAt);
  for (const { node } of page.edges) node.current = node.id === context.user.sessionId;
  return page;
}

/** Ends the caller's session, or every session of theirs. */
export function logout(context: RequestContext, input: LogoutInput): Promise<MutationResult<number>> {
  return runMutation(context, input, async (tx) => {
    const { id, sessionId } = context.user;
    if (!sessionId) {
      throw new UserInputProblem([
        userError(null, {
          zh: 'API 密钥没有会话：由管理员用 revokeApiKey 吊销',
          en: 'An API key has no session: an ADMIN revokes it with revokeApiKey',
        }),
      ]);
    }
    const ended = await endSessions(
      tx,
      id,
      SessionEndReason.LOGOUT,
      context.now(),
      input.everywhere ? {} : { onlySessionId: sessionId },
    );
    return {
      result: ended.length,
      audit: [
        {
          action: 'MUTATION',
          operation: 'logout',
          recordType: 'Session',
          recordIds: ended,
          fields: ['endedAt'],
          detail: { everywhere: Boolean(input.everywhere) },
        },
      ],
    };
  });
}
