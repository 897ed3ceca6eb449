// Sign-in: a username and password for an access token and its session, behind the throttle
// (login-throttle.ts). Every answer that refuses is the same for an unknown username, a disabled
// account, a wrong password and a spent temporary password, and takes as long: an unknown username is
// checked against a stand-in hash. A temporary password signs in once (the session may then only
// change it); a hash made with lower argon2 parameters than today's is made again while the password
// is at hand.
//
// An account with a second factor enrolled gets no token for its password: `login` answers a challenge
// (a signed token naming the account, good for SECOND_FACTOR_CHALLENGE_SECONDS) and `verifySecondFactor`
// exchanges it with a current TOTP code — each time step once — or an unused recovery code for the
// token. Wrong codes count under the same throttle keys as wrong passwords and are audited like them.
// An account that needs a second factor (policy.ts, SECOND_FACTOR_HOLDERS) and has none signs in with
// its password to a session that may only enrol one (password-gate.ts).
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { writeAuditEntries } from '../audit/audit-log';
import type { RequestContext } from '../request-scope';
import { User } from '../domain/organisation/user.entity';
import { ErrorCode, type Bilingual, type UserError, userError } from '../graphql/errors';
import { SECOND_FACTOR_HOLDERS } from '../permissions/policy';
import { LoginThrottle, type LoginReservation } from './login-throttle';
import { hashPassword, needsRehash, verifyPassword } from './passwords';
import { principalOf } from './principal';
import { secretSealerOf } from './second-factor-key';
import { forgetExpiredSessions, openSession } from './sessions';
import { acceptedTotpStep, normalizeRecoveryCode, recoveryCodeHash } from './totp';

export interface SignInResult {
  token: string | null;
  expiresAt: Date | null;
  user: User | null;
  passwordChangeRequired: boolean;
  /** The password was right; the sign-in completes with verifySecondFactor and this challenge. */
  secondFactorRequired: boolean;
  secondFactorChallenge: string | null;
  secondFactorChallengeExpiresAt: Date | null;
  /** Signed in, but the account needs a second factor and has none: the session may only enrol one. */
  secondFactorEnrolmentRequired: boolean;
  /** After a sign-in with a recovery code: how many are left. */
  recoveryCodesLeft: number | null;
  userErrors: UserError[];
}

/** How long the challenge of a right password waits for its code. */
export const SECOND_FACTOR_CHALLENGE_SECONDS = 300;

const WRONG_CREDENTIALS: Bilingual = {
  zh: '用户名或密码错误，或账号已停用',
  en: 'Unknown username or wrong password, or the account is disabled',
};
const WRONG_CODE: Bilingual = {
  zh: '验证码错误或已用过：请输入验证器当前显示的验证码',
  en: 'The code is wrong, or was used already: enter the code your authenticator app shows now',
};
const WRONG_RECOVERY_CODE: Bilingual = {
  zh: '恢复码错误或已用过',
  en: 'The recovery code is wrong, or was used already',
};
const CHALLENGE_INVALID: Bilingual = {
  zh: '本次登录已过期或失效：请重新用密码登录',
  en: 'This sign-in has expired or is no longer valid: sign in again with your password',
};

/** One throttle for sign-in and for the current-password check of changePassword: the same keys. */
export const throttle = new LoginThrottle();

let standInHash: Promise<string> | undefined;

/** A hash of a password nobody knows, made with the same parameters as real ones (so as slow to check). */
function standIn(): Promise<string> {
  standInHash ??= hashPassword(randomBytes(32).toString('base64'));
  return standInHash;
}

const NOT_SIGNED_IN: Omit<SignInResult, 'userErrors'> = {
  token: null,
  expiresAt: null,
  user: null,
  passwordChangeRequired: false,
  secondFactorRequired: false,
  secondFactorChallenge: null,
  secondFactorChallengeExpiresAt: null,
  secondFactorEnrolmentRequired: false,
  recoveryCodesLeft: null,
};

const refused = (text: Bilingual, code: ErrorCode, field: string | null = null): SignInResult => ({
  ...NOT_SIGNED_IN,
  userErrors: [userError(field, text, code)],
});

/** What a throttled attempt is told: how long to wait. */
export function throttledMessage(reservation: Extract<LoginReservation, { admitted: false }>): Bilingual {
  const seconds = reservation.retryAfterSeconds;
  return {
    zh: `此用户名从您的地址登录失败次数过多：请 ${seconds} 秒后再试`,
    en: `Too many failed sign-ins with this username from your address: try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`,
  };
}

/** Whether `user` may sign in with `password` now: active, the password right, a temporary one unspent. */
async function credentialsHold(user: User | null, password: string, now: Date): Promise<boolean> {
  const hash = user?.kind === 'USER' ? user.passwordHash : await standIn();
  const matches = await verifyPassword(hash, password);
  if (!matches || !user || user.kind !== 'USER' || !user.active) return false;
  return user.temporaryPasswordExpiresAt === null || user.temporaryPasswordExpiresAt > now;
}

interface SessionOpening {
  operation: 'login' | 'verifySecondFactor';
  /** When the sign-in passed the second factor; null: the password only. */
  secondFactorAt: Date | null;
  detail: Record<string, unknown>;
  /**
   * Writes of the sign-in, in the session's transaction: the audit detail they add, or null to refuse
   * the sign-in (a code that another request used meanwhile) — then nothing is written.
   */
  writes: (tx: EntityManager) => Promise<Record<string, unknown> | null>;
  /** The session's id when the sign-in answered a challenge: the challenge's own (one use). */
  sessionId?: string;
}

/** The session row exists already: a challenge's session id, taken by an earlier answer to it. */
function sessionTaken(error: unknown): boolean {
  const { code, table } = error as { code?: string; table?: string };
  return code === '23505' && table === 'sessions';
}

/** Opens a session for `user` with its audit entry; null when `opening.writes` refused. */
async function openSignedInSession(
  context: RequestContext,
  user: User,
  opening: SessionOpening,
): Promise<{ token: string; expiresAt: Date; detail: Record<string, unknown> } | null> {
  const now = context.now();
  const issued = await context.app.tokens.issue(user.id, opening.sessionId);
  const REFUSED = Symbol('refused');
  try {
    const detail = await context.dataSource.transaction(async (tx) => {
      const added = await opening.writes(tx);
      if (added === null) throw REFUSED;
      await openSession(tx, {
        id: issued.sessionId,
        userId: user.id,
        now,
        expiresAt: issued.expiresAt,
        clientAddress: context.clientAddress,
        secondFactorAt: opening.secondFactorAt,
      });
      const detail = { ...opening.detail, ...added };
      await writeAuditEntries(tx, context, [
        {
          action: 'LOGIN',
          operation: opening.operation,
          recordType: 'User',
          recordIds: [user.id, issued.sessionId],
          fields: [],
          detail,
        },
      ]);
      return detail;
    });
    await forgetExpiredSessions(context.dataSource, now);
    return { token: issued.token, expiresAt: issued.expiresAt, detail };
  } catch (error) {
    // A second answer to one challenge, racing the first: its session exists already.
    if (error === REFUSED || sessionTaken(error)) return null;
    throw error;
  }
}

export async function signIn(
  context: RequestContext,
  username: string,
  password: string,
): Promise<SignInResult> {
  const now = context.now();
  const { dataSource } = context;
  const reservation = await throttle.reserve(dataSource, username, context.clientAddress, now);
  if (!reservation.admitted) return refused(throttledMessage(reservation), ErrorCode.FORBIDDEN);
  const user = await dataSource.getRepository(User).findOneBy({ username });
  const detail = { username: username.slice(0, 100) };
  if (!(await credentialsHold(user, password, now)) || !user) {
    await writeAuditEntries(dataSource.manager, context, [
      {
        action: 'LOGIN_FAILED',
        operation: 'login',
        recordType: 'User',
        recordIds: user ? [user.id] : [],
        fields: [],
        detail,
      },
    ]);
    await throttle.forgetStale(dataSource, now);
    return refused(WRONG_CREDENTIALS, ErrorCode.UNAUTHENTICATED);
  }
  const rehashed = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
  const temporary = user.temporaryPasswordExpiresAt !== null;
  /** What the right password changes, whatever comes next: the detail it adds to the audit entry. */
  const passwordWrites = async (tx: EntityManager) => {
    // Only if the hash is still the one verified: a password changed meanwhile stays changed.
    if (rehashed) {
      await tx.query(`UPDATE users SET password_hash = $2 WHERE id = $1 AND password_hash = $3`, [
        user.id,
        rehashed,
        user.passwordHash,
      ]);
    }
    // A temporary password works once: this sign-in spends it, and its session must change it.
    if (temporary) {
      await tx.query(`UPDATE users SET temporary_password_expires_at = $2 WHERE id = $1`, [user.id, now]);
    }
    return {
      ...(rehashed ? { passwordRehashed: true } : {}),
      ...(temporary ? { temporaryPassword: true } : {}),
    };
  };

  if (user.secondFactorEnrolledAt !== null) {
    // No token for the password alone, and no throttle count given back: only the code's success
    // gives back this attempt's and its own (verifySecondFactor).
    const challenge = await context.app.tokens.issueChallenge(user.id, SECOND_FACTOR_CHALLENGE_SECONDS);
    await dataSource.transaction(async (tx) => {
      const added = await passwordWrites(tx);
      await writeAuditEntries(tx, context, [
        {
          action: 'LOGIN',
          operation: 'login',
          recordType: 'User',
          recordIds: [user.id],
          fields: [],
          detail: { ...detail, ...added, secondFactor: 'REQUIRED' },
        },
      ]);
    });
    return {
      ...NOT_SIGNED_IN,
      secondFactorRequired: true,
      secondFactorChallenge: challenge.challenge,
      secondFactorChallengeExpiresAt: challenge.expiresAt,
      userErrors: [],
    };
  }

  await throttle.succeeded(dataSource, reservation.keys, now);
  const enrolmentRequired = SECOND_FACTOR_HOLDERS.includes(principalOf(user));
  const session = await openSignedInSession(context, user, {
    operation: 'login',
    secondFactorAt: null,
    detail: { ...detail, ...(enrolmentRequired ? { secondFactorEnrolmentRequired: true } : {}) },
    writes: passwordWrites,
  });
  if (!session) throw new Error('a sign-in without a second factor was refused by its own writes');
  return {
    ...NOT_SIGNED_IN,
    token: session.token,
    expiresAt: session.expiresAt,
    user,
    passwordChangeRequired: user.passwordChangeRequired,
    secondFactorEnrolmentRequired: enrolmentRequired,
    userErrors: [],
  };
}

export interface SecondFactorAnswer {
  challenge: string;
  /** A code from the authenticator app. */
  code?: string | null;
  /** Or one of the recovery codes given at enrolment. */
  recoveryCode?: string | null;
}

/** The account a challenge names, with what checking a code needs; null unless it may still sign in. */
async function challengedUser(
  context: RequestContext,
  challenge: string,
): Promise<(User & { challengeId: string }) | null> {
  const verified = await context.app.tokens.verifyChallenge(challenge);
  if (!verified) return null;
  const { userId, challengeId } = verified;
  // A challenge signs in once: the session it opened carries its id.
  const [answered] = (await context.dataSource.query('SELECT 1 FROM sessions WHERE id = $1', [
    challengeId,
  ])) as unknown[];
  if (answered) return null;
  const user = await context.dataSource
    .getRepository(User)
    .createQueryBuilder('u')
    .addSelect(['u.totpSecretSealed', 'u.totpLastStep'])
    .where('u.id = :userId', { userId })
    .getOne();
  if (!user || user.kind !== 'USER' || !user.active || user.secondFactorEnrolledAt === null) return null;
  return user.totpSecretSealed ? Object.assign(user, { challengeId }) : null;
}

/** Completes a sign-in that answered a challenge: a code (or recovery code) for a token. */
export async function verifySecondFactor(
  context: RequestContext,
  answer: SecondFactorAnswer,
): Promise<SignInResult> {
  const now = context.now();
  const { dataSource } = context;
  const byRecoveryCode = Boolean(answer.recoveryCode);
  if (byRecoveryCode === Boolean(answer.code)) {
    return refused(
      {
        zh: '请提供验证器显示的验证码（code）或一个恢复码（recoveryCode），二选一',
        en: 'Send either the code your authenticator app shows (code) or one of your recovery codes (recoveryCode)',
      },
      ErrorCode.BAD_USER_INPUT,
      'input',
    );
  }
  const user = await challengedUser(context, answer.challenge);
  if (!user?.totpSecretSealed)
    return refused(CHALLENGE_INVALID, ErrorCode.UNAUTHENTICATED, 'input.challenge');
  const reservation = await throttle.reserve(dataSource, user.username, context.clientAddress, now);
  if (!reservation.admitted) return refused(throttledMessage(reservation), ErrorCode.FORBIDDEN);
  const method = byRecoveryCode ? 'RECOVERY_CODE' : 'TOTP';
  const detail = { username: user.username, method };

  let consume: (tx: EntityManager) => Promise<Record<string, unknown> | null>;
  if (byRecoveryCode) {
    const normalized = normalizeRecoveryCode(answer.recoveryCode ?? '');
    const hash = normalized ? recoveryCodeHash(user.id, normalized) : null;
    // Removing the hash is the check: of two requests with one code, one removes it.
    consume = async (tx) => {
      if (!hash) return null;
      const [rows] = (await tx.query(
        `UPDATE users SET recovery_code_hashes = array_remove(recovery_code_hashes, $2)
          WHERE id = $1 AND $2 = ANY(recovery_code_hashes)
          RETURNING cardinality(recovery_code_hashes) AS left`,
        [user.id, hash],
      )) as [{ left: number }[], number];
      return rows[0] ? { recoveryCodesLeft: rows[0].left } : null;
    };
  } else {
    const secret = (await secretSealerOf(context.app.config)).open(user.id, user.totpSecretSealed);
    const lastStep = user.totpLastStep === null ? null : Number(user.totpLastStep);
    const step = secret ? acceptedTotpStep(secret, answer.code ?? '', now, lastStep) : null;
    // Moving the last step forward is the check: of two requests with one code, one moves it.
    consume = async (tx) => {
      if (step === null) return null;
      const [rows] = (await tx.query(
        `UPDATE users SET totp_last_step = $2
          WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
        [user.id, step],
      )) as [unknown[], number];
      return rows.length > 0 ? {} : null;
    };
  }

  const session = await openSignedInSession(context, user, {
    operation: 'verifySecondFactor',
    secondFactorAt: now,
    detail,
    writes: consume,
    sessionId: user.challengeId,
  });
  if (!session) {
    await writeAuditEntries(dataSource.manager, context, [
      {
        action: 'LOGIN_FAILED',
        operation: 'verifySecondFactor',
        recordType: 'User',
        recordIds: [user.id],
        fields: [],
        detail,
      },
    ]);
    await throttle.forgetStale(dataSource, now);
    return byRecoveryCode
      ? refused(WRONG_RECOVERY_CODE, ErrorCode.UNAUTHENTICATED, 'input.recoveryCode')
      : refused(WRONG_CODE, ErrorCode.UNAUTHENTICATED, 'input.code');
  }
  // The password's attempt and this one: the sign-in is complete.
  await throttle.succeeded(dataSource, reservation.keys, now, 2);
  const recoveryCodesLeft = session.detail.recoveryCodesLeft;
  // The answer names the account: nothing of its secret goes with it.
  user.totpSecretSealed = null;
  user.totpLastStep = null;
  return {
    ...NOT_SIGNED_IN,
    token: session.token,
    expiresAt: session.expiresAt,
    user,
    passwordChangeRequired: user.passwordChangeRequired,
    recoveryCodesLeft: typeof recoveryCodesLeft === 'number' ? recoveryCodesLeft : null,
    userErrors: [],
  };
}
