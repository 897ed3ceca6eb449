// Access tokens: HS256 JWTs signed and verified with jose. Only HS256 is accepted, with a fixed
// issuer and audience; anything else is treated as no credential at all. Each token names its session
// (the `jti` claim, a row of `sessions`): a valid signature is not enough, the identity lookup also
// requires that session to be open (identity-store.ts), so logout and the like stop a token at once.
// The same key signs the short-lived challenge of a sign-in that waits for its second factor, with an
// audience of its own: a challenge is no access token, and an access token no challenge.
import { createSecretKey, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'concord';
const AUDIENCE = 'concord-api';
const CHALLENGE_AUDIENCE = 'concord-second-factor';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  /** The token's `jti`: the id of the session row the sign-in writes. */
  sessionId: string;
}

export interface VerifiedToken {
  userId: string;
  sessionId: string;
}

export interface IssuedChallenge {
  challenge: string;
  expiresAt: Date;
}

export interface VerifiedChallenge {
  userId: string;
  /**
   * The challenge's `jti`, which becomes the id of the session its sign-in opens: a challenge opens
   * one session, so answering it a second time collides with the first (sessions' primary key).
   */
  challengeId: string;
}

export interface TokenService {
  /** A token for a new session of `userId`; the session id is given when a challenge chose it. */
  issue(userId: string, sessionId?: string): Promise<IssuedToken>;
  /** A challenge naming `userId`, whose password was right, for verifySecondFactor. */
  issueChallenge(userId: string, lifetimeSeconds: number): Promise<IssuedChallenge>;
  /** The account a challenge names and its id, or null when it is forged, expired or malformed. */
  verifyChallenge(challenge: string): Promise<VerifiedChallenge | null>;
  /**
   * Whom the token was issued to and for which session, or null when it is forged, expired or
   * malformed. Says nothing of whether the session is still open: that is the database's to say.
   */
  verify(token: string): Promise<VerifiedToken | null>;
}

/**
 * How many verified tokens a token service remembers. Every request carries its token, and verifying
 * it again (HMAC, base64 and JSON decoding, claim checks in jose) is a visible share of a dashboard's
 * server CPU (docs/performance.md#verified-tokens). A token's bytes verify the same way every time under the same key, so a
 * token seen before needs only its expiry checked. Only tokens that verified are kept; past this many
 * the oldest is forgotten and verified again when it comes back. Revocation does not depend on this
 * cache: the session is looked up in PostgreSQL on every request, with the identity.
 */
export const VERIFIED_TOKENS_KEPT = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createTokenService(secret: string, lifetimeSeconds: number, now: () => Date): TokenService {
  // A key object made once: given bytes, jose would make one on every sign and verify.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  /** Tokens that verified under `key`: subject, session and expiry (seconds), oldest first. */
  const verified = new Map<string, VerifiedToken & { expiresAt: number }>();
  return {
    async issue(userId, sessionId = randomUUID()) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const expiresAt = new Date((issuedAt + lifetimeSeconds) * 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setJti(sessionId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetimeSeconds)
        .sign(key);
      return { token, expiresAt, sessionId };
    },
    async issueChallenge(userId, challengeLifetimeSeconds) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const challenge = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(CHALLENGE_AUDIENCE)
        .setJti(randomUUID())
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + challengeLifetimeSeconds)
        .sign(key);
      return { challenge, expiresAt: new Date((issuedAt + challengeLifetimeSeconds) * 1000) };
    },
    async verifyChallenge(challenge) {
      try {
        const { payload } = await jwtVerify(challenge, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: CHALLENGE_AUDIENCE,
          currentDate: now(),
          requiredClaims: ['exp'],
        });
        const { sub, jti } = payload;
        return typeof sub === 'string' && UUID.test(sub) && typeof jti === 'string' && UUID.test(jti)
          ? { userId: sub, challengeId: jti }
          : null;
      } catch {
        return null;
      }
    },
    async verify(token) {
      const currentDate = now();
      const known = verified.get(token);
      // As jose decides: expired once `exp` is at or before the current second.
      if (known) {
        if (known.expiresAt <= Math.floor(currentDate.getTime() / 1000)) return null;
        return { userId: known.userId, sessionId: known.sessionId };
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate,
          requiredClaims: ['exp', 'jti'],
        });
        const { sub, jti, exp } = payload;
        if (typeof sub !== 'string' || typeof exp !== 'number' || typeof jti !== 'string') return null;
        // The session id goes into a uuid column: anything else could only fail there.
        if (!UUID.test(jti)) return null;
        if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value as string);
        verified.set(token, { userId: sub, sessionId: jti, expiresAt: exp });
        return { userId: sub, sessionId: jti };
      } catch {
        return null;
      }
    },
  };
}
