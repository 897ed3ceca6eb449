// Password hashing with argon2id; verification never throws on a malformed hash.
// @node-rs/argon2 ships prebuilt binaries per platform and runs no install script, so `npm ci` works
// for any user; it reads and writes the same PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) as
// the `argon2` package the project used before, so hashes stored by that package still verify. The
// PHC string records the algorithm, version and cost parameters of each hash: a hash made with lower
// ones than HASH_OPTIONS is made again at the next sign-in (`needsRehash`), when the password is at hand.
import { randomInt } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';

const ARGON2ID: argon2.Algorithm.Argon2id = 2;

/** The `argon2` package's defaults, which every stored hash was made with: 64 MiB, 3 passes, 4 lanes. */
export const HASH_OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 65536,
  timeCost: 3,
  parallelism: 4,
  outputLen: 32,
};

/** The version of Argon2 @node-rs/argon2 writes (1.3, `v=19`). */
const ARGON2_VERSION = 19;

/**
 * Passwords are hashed as NFC: the same characters typed on another keyboard (composed or decomposed
 * accents, some CJK input methods) are the same password. The GraphQL layer leaves `password` fields
 * as sent and NFC-normalises other text fields, so verification tries both forms.
 */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password.normalize('NFC'), HASH_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    if (await argon2.verify(hash, password)) return true;
    const composed = password.normalize('NFC');
    return composed !== password && (await argon2.verify(hash, composed));
  } catch {
    return false;
  }
}

export interface HashParameters {
  algorithm: string;
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** The algorithm and cost parameters a PHC string records, or null when it is not one. */
export function hashParameters(hash: string): HashParameters | null {
  const match = /^\$(argon2(?:id|i|d))\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
  if (!match) return null;
  return {
    algorithm: match[1] as string,
    version: Number(match[2] ?? 16),
    memoryCost: Number(match[3]),
    timeCost: Number(match[4]),
    parallelism: Number(match[5]),
  };
}

/**
 * Whether a hash that just verified should be made again with HASH_OPTIONS: another algorithm or an
 * older version, or less memory, fewer passes or fewer lanes than now. A hash made with more than the
 * current parameters (they were lowered) is kept: rehashing would weaken it.
 */
export function needsRehash(hash: string): boolean {
  const parameters = hashParameters(hash);
  if (!parameters) return true;
  return (
    parameters.algorithm !== 'argon2id' ||
    parameters.version < ARGON2_VERSION ||
    parameters.memoryCost < HASH_OPTIONS.memoryCost ||
    parameters.timeCost < HASH_OPTIONS.timeCost ||
    parameters.parallelism < HASH_OPTIONS.parallelism
  );
}

/** Letters and digits nobody confuses when reading them aloud or off paper (no 0/o, 1/l/i). */
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * A one-time temporary password: four groups of five characters from a 31-letter alphabet, about 99
 * bits from the system's CSPRNG, e.g. `k7m2q-…`. It is shown once and stored only as its hash.
 */
export function generateTemporaryPassword(): string {
  const groups: string[] = [];
  for (let group = 0; group < 4; group += 1) {
    let text = '';
    for (let index = 0; index < 5; index += 1)
      text += TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)];
    groups.push(text);
  }
  return groups.join('-');
}

/** How long a temporary password (a new account's, or an ADMIN's reset) may be used to sign in: 7 days. */
export const TEMPORARY_PASSWORD_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
