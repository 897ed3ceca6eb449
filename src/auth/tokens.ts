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

export function createTokenService(secret: string, lifetimeSeconds: number, now: () => Date): TokenService {
  // A key object made once: given bytes, jose would make one on every sign and verify.
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
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
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: now(),
        });
        return typeof payload.sub === 'string' ? payload.sub : null;
      } catch {
        return null;
      }
    },
  };
}
