// The password policy (src/auth/password-policy.ts) and the hash parameters (src/auth/passwords.ts):
// pure rules, no database.
import * as argon2 from '@node-rs/argon2';
import { commonPasswordList, passwordProblem } from '../../src/auth/password-policy';
import {
  generateTemporaryPassword,
  hashParameters,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../../src/auth/passwords';

test('the common-password list is the 10,000 most common passwords', () => {
  const list = commonPasswordList();
  // Compared lower-cased: the list's case variants ("Password", "password") fold into one.
  expect(list.size).toBeGreaterThanOrEqual(9_900);
  expect(list.size).toBeLessThanOrEqual(10_000);
  for (const common of ['123456', 'password', 'qwerty', 'iloveyou', 'qwerty123456'])
    expect(list.has(common)).toBe(true);
});

test.each([
  ['short', 'Tr0ub4dor&3', 'at least 12 characters'],
  ['twelve characters', 'lantern-orbit-77', null],
  ['a passphrase of four words, under 12 characters', '红 日 高 照 ab cd ef gh', null],
  ['four short Chinese words', '春风 夏雨 秋月 冬雪', null],
  ['three words only', 'ab cd ef', 'passphrase'],
  ['the same word four times', 'ab ab ab ab', 'passphrase'],
  ['a common password of 12 characters', 'qwerty123456', '10,000 most common'],
  ['a common password in capitals', 'QWERTY123456', '10,000 most common'],
  ['the username inside', 'my-name-is-grid.worker!', 'username'],
  ['the username in capitals', 'XXGRID.WORKERxx', 'username'],
  ['one character repeated', 'aaaaaaaaaaaaaaaa', 'different characters'],
  ['too long', 'x'.repeat(150) + 'y'.repeat(60), 'at most 200'],
])('%s', (_label, password, expected) => {
  const problem = passwordProblem(password, 'grid.worker');
  if (expected === null) expect(problem).toBeNull();
  else expect(problem).toContain(expected);
});

test('a hash records its algorithm and cost parameters, and one made with lower ones is due for a rehash', async () => {
  const current = await hashPassword('lantern-orbit-77');
  expect(hashParameters(current)).toEqual({
    algorithm: 'argon2id',
    version: 19,
    memoryCost: 65536,
    timeCost: 3,
    parallelism: 4,
  });
  expect(needsRehash(current)).toBe(false);
  const weaker = await argon2.hash('lantern-orbit-77', {
    algorithm: 2,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  expect(hashParameters(weaker)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  expect(needsRehash(weaker)).toBe(true);
  const argon2i = await argon2.hash('lantern-orbit-77', {
    algorithm: 1,
    memoryCost: 65536,
    timeCost: 3,
    parallelism: 4,
  });
  expect(needsRehash(argon2i)).toBe(true);
  // Stronger than today's: kept, a rehash would weaken it.
  const stronger = await argon2.hash('x', { algorithm: 2, memoryCost: 131072, timeCost: 4, parallelism: 4 });
  expect(needsRehash(stronger)).toBe(false);
  expect(needsRehash('not a hash')).toBe(true);
});

test('a password is the same password composed or decomposed', async () => {
  const composed = 'Café-au-lait-2026';
  const decomposed = composed.normalize('NFD');
  expect(decomposed).not.toBe(composed);
  const hash = await hashPassword(decomposed);
  await expect(verifyPassword(hash, composed)).resolves.toBe(true);
  await expect(verifyPassword(hash, decomposed)).resolves.toBe(true);
});

test('temporary passwords are random, readable and pass the policy', () => {
  const passwords = new Set(Array.from({ length: 50 }, generateTemporaryPassword));
  expect(passwords.size).toBe(50);
  for (const password of passwords) {
    expect(password).toMatch(/^[a-hj-km-np-z2-9]{5}(-[a-hj-km-np-z2-9]{5}){3}$/);
    expect(passwordProblem(password, 'someone')).toBeNull();
  }
});
