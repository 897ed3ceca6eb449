// Access tokens: HS256 JWTs signed and verified with jose. Only HS256 is accepted, with a fixed
// issuer and audience; anything else is treated as no credential at all.
import { createSecretKey, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'concord';
const AUDIENCE = 'concord-api';

export interface TokenService {
  issue(userId: string): Promise<{ token: string; expiresAt: Date }>;
  /** The user id the token was issued to, or null when it is forged, expired or malformed. */
  verify(token: string): Promise<string | null>;
}

/**
 * How many verified tokens a token service remembers. Every request carries its token, and verifying
 * it again (HMAC, base64 and JSON decoding, claim checks in jose) is a visible share of a dashboard's
 * server CPU (docs/performance.md#verified-tokens). A token's bytes verify the same way every time under the same key, so a
 * token seen before needs only its expiry checked. Only tokens that verified are kept; past this many
 * the oldest is forgotten and verified again when it comes back.
 */
export const VERIFIED_TOKENS_KEPT = 10_000;

export function createTokenService(secret: string, lifetimeSeconds: number, now: () => Date): TokenService {
  // A key object made once: given bytes, jose would make one on every sign and verify.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  /** Tokens that verified under `key`: the subject and the expiry (seconds), oldest first. */
  const verified = new Map<string, { subject: string; expiresAt: number }>();
  return {
    async issue(userId) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const expiresAt = new Date((issuedAt + lifetimeSeconds) * 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setJti(randomUUID())
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + lifetimeSeconds)
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      const currentDate = now();
      const known = verified.get(token);
      // As jose decides: expired once `exp` is at or before the current second.
      if (known) return known.expiresAt > Math.floor(currentDate.getTime() / 1000) ? known.subject : null;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate,
          requiredClaims: ['exp'],
        });
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return null;
        if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value as string);
        verified.set(token, { subject: payload.sub, expiresAt: payload.exp });
        return payload.sub;
      } catch {
        return null;
      }
    },
  };
}
