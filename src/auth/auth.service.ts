// Sign-in: a username and password for an access token, behind the throttle (login-throttle.ts).
// Every answer that refuses is the same for an unknown username, a disabled account and a wrong
// password, and takes as long: an unknown username is checked against a stand-in hash.
import { randomBytes } from 'node:crypto';
import { writeAuditEntries } from '../audit/audit-log';
import type { RequestContext } from '../request-scope';
import { User } from '../domain/organisation/user.entity';
import { ErrorCode, type UserError, userError } from '../graphql/errors';
import { LoginThrottle } from './login-throttle';
import { hashPassword, verifyPassword } from './passwords';

export interface SignInResult {
  token: string | null;
  expiresAt: Date | null;
  user: User | null;
  userErrors: UserError[];
}

const WRONG_CREDENTIALS = 'Unknown username or wrong password, or the account is disabled';

const throttle = new LoginThrottle();

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
  userErrors: [userError(null, message, code)],
});

export async function signIn(
  context: RequestContext,
  username: string,
  password: string,
): Promise<SignInResult> {
  const now = context.now();
  const { dataSource } = context;
  const reservation = await throttle.reserve(dataSource, username, context.clientAddress, now);
  if (!reservation.admitted) {
    const seconds = reservation.retryAfterSeconds;
    return refused(
      `Too many failed sign-ins with this username from your address: try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}`,
      ErrorCode.FORBIDDEN,
    );
  }
  const user = await dataSource.getRepository(User).findOneBy({ username });
  const hash = user?.kind === 'USER' ? user.passwordHash : await standIn();
  const passwordMatches = await verifyPassword(hash, password);
  const valid = passwordMatches && user !== null && user.kind === 'USER' && user.active;
  await writeAuditEntries(dataSource.manager, context, [
    {
      action: valid ? 'LOGIN' : 'LOGIN_FAILED',
      operation: 'login',
      recordType: 'User',
      recordIds: user ? [user.id] : [],
      fields: [],
      detail: { username: username.slice(0, 100) },
    },
  ]);
  if (!valid || !user) {
    await throttle.forgetStale(dataSource, now);
    return refused(WRONG_CREDENTIALS, ErrorCode.UNAUTHENTICATED);
  }
  await throttle.succeeded(dataSource, reservation.keys, now);
  const { token, expiresAt } = await context.app.tokens.issue(user.id);
  return { token, expiresAt, user, userErrors: [] };
}
