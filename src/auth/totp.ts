// The second factor's rules, without I/O: TOTP (RFC 6238) by otplib with the parameters every
// authenticator app reads from an otpauth:// URI (SHA-1, 6 digits, 30-second steps), and one-time
// recovery codes. The service (second-factor.ts) keeps the secret sealed, the last time step accepted
// (a code works once) and the recovery codes' hashes.
import { createHash, randomBytes } from 'node:crypto';
import { crypto } from '@otplib/plugin-crypto-node';
import { generateSync, verifySync } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import { base32Decode, base32Encode } from './base32';

/** What authenticator apps show above the code. */
export const TOTP_ISSUER = 'Concord';
export const TOTP_PERIOD_SECONDS = 30;
/** 160 bits, RFC 4226's recommended length for the shared secret. */
export const TOTP_SECRET_BYTES = 20;
/**
 * Codes of the step before and the step after the current one are accepted too (RFC 6238 §5.2): a
 * phone's clock is often a few seconds off, and a code typed in its last seconds arrives in the next.
 */
const ACCEPTED_DRIFT_SECONDS = TOTP_PERIOD_SECONDS;

const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

export function newTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(TOTP_SECRET_BYTES));
}

/** The otpauth:// URI an authenticator app scans (as a QR code) or takes as a link. */
export function totpUri(username: string, secret: Uint8Array): string {
  return generateTOTP({
    issuer: TOTP_ISSUER,
    label: username,
    secret: base32Encode(secret),
    algorithm: 'sha1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
  });
}

/**
 * The time step of `code` if it is the code of a step accepted at `now` and later than `lastStep` (the
 * last one this account used: a code is good once), else null.
 */
export function acceptedTotpStep(
  secret: Uint8Array,
  code: string,
  now: Date,
  lastStep: number | null,
): number | null {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const result = verifySync({
    secret,
    token,
    crypto,
    epoch: epochSeconds(now),
    period: TOTP_PERIOD_SECONDS,
    epochTolerance: ACCEPTED_DRIFT_SECONDS,
  });
  if (!result.valid) return null;
  return lastStep !== null && result.timeStep <= lastStep ? null : result.timeStep;
}

/** The code an authenticator app shows at `at` for a base32 secret: for tests, the bench and the demo. */
export function totpCode(secretBase32: string, at: Date): string {
  const secret = base32Decode(secretBase32);
  if (!secret || secret.length === 0) throw new Error('the TOTP secret is not base32');
  return generateSync({ secret, crypto, epoch: epochSeconds(at), period: TOTP_PERIOD_SECONDS });
}

/** Seconds until the code shown at `at` changes. */
export function secondsLeftOfStep(at: Date): number {
  return TOTP_PERIOD_SECONDS - (epochSeconds(at) % TOTP_PERIOD_SECONDS);
}

// ---------------------------------------------------------------------------------------------
// Recovery codes: for a lost or broken phone, each good for one sign-in.

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand comes out right. */
const RECOVERY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RFC_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 10 random bytes: 80 bits, 16 characters. */
const RECOVERY_CODE_BYTES = 10;

/** Fresh codes, `XXXX-XXXX-XXXX-XXXX`: shown once, stored only as recoveryCodeHash. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const characters = [...base32Encode(randomBytes(RECOVERY_CODE_BYTES))].map(
      (character) => RECOVERY_ALPHABET[RFC_ALPHABET.indexOf(character)],
    );
    return characters.join('').replace(/(.{4})(?=.)/g, '$1-');
  });
}

/** A code as typed (any case, spaces, dashes; O for 0, I or L for 1) in its stored form, or null. */
export function normalizeRecoveryCode(text: string): string | null {
  const code = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (code.length !== 16 || [...code].some((character) => !RECOVERY_ALPHABET.includes(character)))
    return null;
  return code;
}

/**
 * SHA-256 of the account and the normalised code. A fast hash is enough here, unlike for passwords:
 * a code has 80 random bits, so even a leaked table cannot be searched (2^80 guesses), and argon2's
 * cost would buy nothing but 64 MiB and a second per code at enrolment and at each use. The account
 * id keeps two accounts' hashes of one code apart.
 */
export function recoveryCodeHash(userId: string, normalizedCode: string): string {
  return createHash('sha256').update(`concord recovery code v1:${userId}:${normalizedCode}`).digest('hex');
}
