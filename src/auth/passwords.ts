// Password hashing with argon2id; verification never throws on a malformed hash.
// @node-rs/argon2 ships prebuilt binaries per platform and runs no install script, so `npm ci` works
// for any user; it reads and writes the same PHC strings (`$argon2id$v=19$m=…`) as the `argon2`
// package the project used before, so hashes stored by that package still verify.
import * as argon2 from '@node-rs/argon2';

const ARGON2ID: argon2.Algorithm.Argon2id = 2;

/** The `argon2` package's defaults, which every stored hash was made with: 64 MiB, 3 passes, 4 lanes. */
const HASH_OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 65536,
  timeCost: 3,
  parallelism: 4,
  outputLen: 32,
};

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
