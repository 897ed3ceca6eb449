// The second factor of one's own account, and an ADMIN's reset of another's (issue 20 item 4).
// Enrolment is two steps: beginTotpEnrolment makes a secret and shows it this once (base32 and an
// otpauth:// URI for the authenticator app); it is stored sealed (second-factor-key.ts) and never shown
// again. confirmTotpEnrolment takes a current code of it — proof the app holds it — enrols it, marks the
// session as having passed the second factor and returns ten recovery codes, shown this once and stored
// as SHA-256 hashes (totp.ts). An account with a second factor enrolled cannot begin another: an ADMIN
// resets it (a lost phone), which ends the account's sessions; it enrols anew at its next sign-in.
// Every change is audited in its transaction; no secret, code or hash goes into an audit entry.
import { MaxLength } from 'class-validator';
import { IsUUID } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../request-scope';
import { User } from '../domain/organisation/user.entity';
import { ErrorCode, UserError, userError, UserInputProblem } from '../graphql/errors';
import { problem, runMutation, type MutationResult } from '../graphql/mutation';
import { UUID_MESSAGE } from '../graphql/validation';
import { base32Encode } from './base32';
import { managedAccount } from './managed-accounts';
import { secretSealerOf } from './second-factor-key';
import { SessionEndReason } from './session.entity';
import { endSessions } from './sessions';
import {
  acceptedTotpStep,
  newRecoveryCodes,
  newTotpSecret,
  normalizeRecoveryCode,
  recoveryCodeHash,
  totpUri,
} from './totp';

@ObjectType({
  description:
    '开始绑定动态验证码：密钥仅此一次可见 / A second factor to enrol: the secret is shown this once',
})
export class BeginTotpEnrolmentPayload {
  @Field(() => String, {
    nullable: true,
    description:
      '密钥（Base32），在身份验证器应用中手动输入 / The secret in base32, to type into an authenticator app; shown this once',
  })
  secret: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'otpauth:// 链接，可生成二维码供扫描 / The otpauth:// URI, for a QR code the app scans; shown this once',
  })
  otpauthUri: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType({ description: '确认绑定动态验证码 / Confirm the enrolment with a code the app shows' })
export class ConfirmTotpEnrolmentInput {
  @Field({ description: '验证器显示的 6 位验证码 / The 6-digit code the authenticator app shows now' })
  @MaxLength(20)
  code: string;
}

@ObjectType({
  description:
    '动态验证码已启用：恢复码仅此一次可见 / The second factor is enrolled: recovery codes shown this once',
})
export class ConfirmTotpEnrolmentPayload {
  @Field(() => User, { nullable: true })
  user: User | null;

  @Field(() => [String], {
    nullable: true,
    description:
      '恢复码：手机丢失时每个可代替验证码登录一次，请妥善保存 / Recovery codes: each signs in once instead of a code (a lost phone); keep them somewhere safe, they are shown this once',
  })
  recoveryCodes: string[] | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType({ description: '重置某账号的动态验证码 / Reset the second factor of an account' })
export class ResetSecondFactorInput {
  @Field(() => ID)
  @IsUUID('all', { message: `userId ${UUID_MESSAGE}` })
  userId: string;
}

@ObjectType({ description: '动态验证码已重置 / The second factor was reset; the account enrols anew' })
export class ResetSecondFactorPayload {
  @Field(() => User, { nullable: true })
  user: User | null;

  @Field(() => Int, { nullable: true, description: '结束的会话数 / Sessions of the account that were ended' })
  endedSessionCount: number | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

const ALREADY_ENROLLED = {
  zh: '已登记动态验证码：如需更换（新手机或手机丢失），请管理员重置（resetSecondFactor）',
  en: 'A second factor is enrolled already: to replace it (a new or lost phone), ask an ADMIN to reset it (resetSecondFactor)',
};

/** The signed-in user account (not an API key), locked, with the enrolment columns. */
async function ownAccount(tx: EntityManager, context: RequestContext): Promise<User> {
  const identity = context.user;
  if (identity.kind !== 'USER' || !identity.sessionId) {
    throw new UserInputProblem([
      userError(null, {
        zh: '服务账号用 API 密钥登录，没有动态验证码',
        en: 'A service account signs in with an API key and has no second factor',
      }),
    ]);
  }
  return tx
    .getRepository(User)
    .createQueryBuilder('u')
    .addSelect('u.totpSecretSealed')
    .where('u.id = :id', { id: identity.id })
    .setLock('pessimistic_write')
    .getOneOrFail();
}

export async function beginTotpEnrolment(
  context: RequestContext,
): Promise<MutationResult<{ secret: string; otpauthUri: string }>> {
  const sealer = await secretSealerOf(context.app.config);
  return runMutation(context, {}, async (tx) => {
    const user = await ownAccount(tx, context);
    if (user.secondFactorEnrolledAt !== null) {
      throw new UserInputProblem([userError(null, ALREADY_ENROLLED, ErrorCode.CONFLICT)]);
    }
    // A new secret each time: one begun before and not confirmed is replaced, never shown again.
    const secret = newTotpSecret();
    await tx.query(`UPDATE users SET totp_secret_sealed = $2, totp_last_step = NULL WHERE id = $1`, [
      user.id,
      sealer.seal(user.id, secret),
    ]);
    return {
      result: { secret: base32Encode(secret), otpauthUri: totpUri(user.username, secret) },
      audit: [
        {
          action: 'MUTATION',
          operation: 'beginTotpEnrolment',
          recordType: 'User',
          recordIds: [user.id],
          fields: ['secondFactor'],
          detail: {},
        },
      ],
    };
  });
}

export async function confirmTotpEnrolment(
  context: RequestContext,
  input: ConfirmTotpEnrolmentInput,
): Promise<MutationResult<{ user: User; recoveryCodes: string[] }>> {
  const sealer = await secretSealerOf(context.app.config);
  return runMutation(context, input, async (tx) => {
    const user = await ownAccount(tx, context);
    if (user.secondFactorEnrolledAt !== null)
      throw problem('input.code', ALREADY_ENROLLED, ErrorCode.CONFLICT);
    if (!user.totpSecretSealed) {
      throw problem('input.code', {
        zh: '没有进行中的登记：请先调用 beginTotpEnrolment',
        en: 'No enrolment is under way: start it with beginTotpEnrolment',
      });
    }
    const now = context.now();
    const secret = sealer.open(user.id, user.totpSecretSealed);
    const step = secret ? acceptedTotpStep(secret, input.code, now, null) : null;
    if (step === null) {
      throw problem('input.code', {
        zh: '这不是 beginTotpEnrolment 所给密钥的当前验证码：请检查手机时间，并输入应用当前显示的验证码',
        en: 'This is not a current code of the secret from beginTotpEnrolment: check that the phone’s clock is right, and enter the code the app shows now',
      });
    }
    const recoveryCodes = newRecoveryCodes();
    const hashes = recoveryCodes.map((code) =>
      recoveryCodeHash(user.id, normalizeRecoveryCode(code) ?? code),
    );
    await tx.query(
      `UPDATE users SET second_factor_enrolled_at = $2, totp_last_step = $3, recovery_code_hashes = $4
        WHERE id = $1`,
      [user.id, now, step, hashes],
    );
    // This session has passed it now: the password at sign-in, the code here.
    const sessionId = context.user.sessionId as string;
    await tx.query(`UPDATE sessions SET second_factor_at = $2 WHERE id = $1`, [sessionId, now]);
    return {
      result: {
        user: await tx.getRepository(User).findOneByOrFail({ id: user.id }),
        recoveryCodes,
      },
      audit: [
        {
          action: 'MUTATION',
          operation: 'confirmTotpEnrolment',
          recordType: 'User',
          recordIds: [user.id, sessionId],
          fields: ['secondFactor', 'recoveryCodes'],
          detail: { recoveryCodeCount: recoveryCodes.length },
        },
      ],
    };
  });
}

export function resetSecondFactor(
  context: RequestContext,
  input: ResetSecondFactorInput,
): Promise<MutationResult<{ user: User; endedSessionCount: number }>> {
  return runMutation(context, input, async (tx) => {
    const user = await managedAccount(tx, context, input.userId);
    if (user.id === context.user.id) {
      throw problem('input.userId', {
        zh: '您的动态验证码由另一位管理员（或 user:create-admin）重置',
        en: 'Another ADMIN resets your second factor (or user:create-admin does)',
      });
    }
    await tx.query(
      `UPDATE users SET totp_secret_sealed = NULL, totp_last_step = NULL, second_factor_enrolled_at = NULL,
                        recovery_code_hashes = '{}'
        WHERE id = $1`,
      [user.id],
    );
    // Whoever signed in with the lost phone loses the session now.
    const ended = await endSessions(tx, user.id, SessionEndReason.SECOND_FACTOR_RESET, context.now());
    return {
      result: {
        user: await tx.getRepository(User).findOneByOrFail({ id: user.id }),
        endedSessionCount: ended.length,
      },
      audit: [
        {
          action: 'MUTATION',
          operation: 'resetSecondFactor',
          recordType: 'User',
          recordIds: [user.id, ...ended],
          fields: ['secondFactor', 'recoveryCodes'],
          detail: { hadSecondFactor: user.secondFactorEnrolledAt !== null, endedSessionCount: ended.length },
        },
      ],
    };
  });
}
