// Changing one's own password: the current one is required (and its check is throttled with sign-in,
// under the same keys, so it is no side door for guessing), the new one must pass the policy
// (password-policy.ts). The change ends the account's other sessions — whoever else held a token
// of this account loses it — and clears a pending "must change password".
import { MaxLength } from 'class-validator';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { writeAuditEntries } from '../audit/audit-log';
import type { RequestContext } from '../request-scope';
import { User } from '../domain/organisation/user.entity';
import { ErrorCode, type Bilingual, UserError, userError } from '../graphql/errors';
import { inputProblems, problem, runMutation, type MutationResult } from '../graphql/mutation';
import { throttle, throttledMessage } from './auth.service';
import { passwordProblem } from './password-policy';
import { hashPassword, verifyPassword } from './passwords';
import { SessionEndReason } from './session.entity';
import { endSessions } from './sessions';

@InputType({ description: '修改密码 / Change your own password' })
export class ChangePasswordInput {
  @Field({ description: '当前密码（或临时密码） / Your current (or temporary) password' })
  @MaxLength(200)
  currentPassword: string;

  @Field({
    description:
      '新密码：至少 12 个字符或至少 4 个词的短语，不是常见密码，不含用户名 / At least 12 characters or a passphrase of 4 or more words; not a common password; not containing your username',
  })
  @MaxLength(1000)
  newPassword: string;
}

@ObjectType()
export class ChangePasswordPayload {
  @Field(() => User, { nullable: true })
  user: User | null;

  @Field(() => Int, {
    nullable: true,
    description: '结束的其他会话数 / How many other sessions of yours were ended',
  })
  endedSessionCount: number | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export interface PasswordChanged {
  user: User;
  endedSessionCount: number;
}

const refusal = (field: string, text: Bilingual, code = ErrorCode.BAD_USER_INPUT) => ({
  result: null,
  userErrors: [userError(field, text, code)],
});

export async function changePassword(
  context: RequestContext,
  input: ChangePasswordInput,
): Promise<MutationResult<PasswordChanged>> {
  const problems = await inputProblems(input);
  if (problems.length > 0) return { result: null, userErrors: problems };
  const identity = context.user;
  if (identity.kind !== 'USER' || !identity.sessionId) {
    return refusal('input', {
      zh: '服务账号没有密码：它用 API 密钥登录',
      en: 'A service account has no password: it signs in with an API key',
    });
  }
  const weakness = passwordProblem(input.newPassword, identity.username);
  if (weakness)
    return refusal('input.newPassword', { zh: '新密码不符合要求', en: `newPassword ${weakness}` });
  const now = context.now();
  const { dataSource } = context;
  const reservation = await throttle.reserve(dataSource, identity.username, context.clientAddress, now);
  if (!reservation.admitted) {
    return refusal('input.currentPassword', throttledMessage(reservation), ErrorCode.FORBIDDEN);
  }
  const user = await dataSource.getRepository(User).findOneByOrFail({ id: identity.id });
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await writeAuditEntries(dataSource.manager, context, [
      {
        action: 'LOGIN_FAILED',
        operation: 'changePassword',
        recordType: 'User',
        recordIds: [user.id],
        fields: [],
        detail: { username: user.username },
      },
    ]);
    await throttle.forgetStale(dataSource, now);
    return refusal(
      'input.currentPassword',
      { zh: '当前密码错误', en: 'The current password is wrong' },
      ErrorCode.UNAUTHENTICATED,
    );
  }
  await throttle.succeeded(dataSource, reservation.keys, now);
  if (await verifyPassword(user.passwordHash, input.newPassword)) {
    return refusal('input.newPassword', {
      zh: '新密码须与当前密码不同',
      en: 'newPassword must differ from the current password',
    });
  }
  const hash = await hashPassword(input.newPassword);
  return runMutation(context, input, async (tx) => {
    // Only over the hash just checked: two changes at once cannot both pass on the same old password.
    const [, changed] = (await tx.query(
      `UPDATE users SET password_hash = $2, password_change_required = false,
                        temporary_password_expires_at = NULL, password_changed_at = $3
        WHERE id = $1 AND password_hash = $4`,
      [user.id, hash, now, user.passwordHash],
    )) as [unknown[], number];
    if (changed === 0) {
      throw problem(
        'input.currentPassword',
        { zh: '密码已在此期间被修改：请重新登录', en: 'The password was changed meanwhile: sign in again' },
        ErrorCode.CONFLICT,
      );
    }
    const ended = await endSessions(tx, user.id, SessionEndReason.PASSWORD_CHANGED, now, {
      keepSessionId: identity.sessionId,
    });
    return {
      result: {
        user: await tx.getRepository(User).findOneByOrFail({ id: user.id }),
        endedSessionCount: ended.length,
      },
      audit: [
        {
          action: 'MUTATION',
          operation: 'changePassword',
          recordType: 'User',
          recordIds: [user.id, ...ended],
          fields: ['password'],
          detail: { endedSessionCount: ended.length },
        },
      ],
    };
  });
}
