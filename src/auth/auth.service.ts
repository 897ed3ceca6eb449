// Sign-in: a username and password for an access token and its session, behind the throttle
// (login-throttle.ts). Every answer that refuses is the same for an unknown username, a disabled
// account, a wrong password and a spent temporary password, and takes as long: an unknown username is
// checked against a stand-in hash. A temporary password signs in once (the session may then only
// change it); a hash made with lower argon2 parameters than today's is made again while the password
// is at hand.
import { randomBytes } from 'node:crypto';
import { writeAuditEntries } from '../audit/audit-log';
import type { RequestContext } from '../request-scope';
import { User } from '../domain/organisation/user.entity';
import { ErrorCode, type UserError, userError } from '../graphql/errors';
import { LoginThrottle, type LoginReservation } from './login-throttle';
import { hashPassword, needsRehash, verifyPassword } from './passwords';
import { forgetExpiredSessions, openSession } from './sessions';

export interface SignInResult {
  token: string | null;
  expiresAt: Date | null;
  user: User | null;
  passwordChangeRequired: boolean;
  userErrors: UserError[];
}

const WRONG_CREDENTIALS = 'Unknown username or wrong password, or the account is disabled';

/** One throttle for sign-in and for the current-password check of changePassword: the same keys. */
export const throttle = new LoginThrottle();

let standInHash: Promise<string> | undefined;

/** A hash of a password nobody knows, made with the same parameters as real ones (so as slow to check). */
function standIn(): Promise<string> {
  standInHash ??= hashPassword(randomBytes(32).toString('base64'));
  return standInHash;
}

const refused = (message: string, code: ErrorCode): SignInResult => ({
  token: null,
  expiresAt: null,
  user: null,
  passwordChangeRequired: false,
  userErrors: [userError(null, message, code)],
});

/** What a throttled attempt is told: how long to wait. */
export function throttledMessage(reservation: Extract<LoginReservation, { admitted: false }>): string {
  const seconds = reservation.retryAfterSeconds;
  return `Too many failed sign-ins with this username from your address: try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
}

/** Whether `user` may sign in with `password` now: active, the password right, a temporary one unspent. */
async function credentialsHold(user: User | null, password: string, now: Date): Promise<boolean> {
  const hash = user?.kind === 'USER' ? user.passwordHash : await standIn();
  const matches = await verifyPassword(hash, password);
  if (!matches || !user || user.kind !== 'USER' || !user.active) return false;
  return user.temporaryPasswordExpiresAt === null || user.temporaryPasswordExpiresAt > now;
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
  await throttle.succeeded(dataSource, reservation.keys, now);
  const rehashed = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
  const temporary = user.temporaryPasswordExpiresAt !== null;
  const issued = await context.app.tokens.issue(user.id);
  await dataSource.transaction(async (tx) => {
    await openSession(tx, {
      id: issued.sessionId,
      userId: user.id,
      now,
      expiresAt: issued.expiresAt,
      clientAddress: context.clientAddress,
    });
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
    await writeAuditEntries(tx, context, [
      {
        action: 'LOGIN',
        operation: 'login',
        recordType: 'User',
        recordIds: [user.id, issued.sessionId],
        fields: [],
        detail: {
          ...detail,
          ...(rehashed ? { passwordRehashed: true } : {}),
          ...(temporary ? { temporaryPassword: true } : {}),
        },
      },
    ]);
  });
  await forgetExpiredSessions(dataSource, now);
  return {
    token: issued.token,
    expiresAt: issued.expiresAt,
    user,
    passwordChangeRequired: user.passwordChangeRequired,
    userErrors: [],
  };
}
