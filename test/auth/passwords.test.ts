// Password hashing: hashes stored by the `argon2` package the project used before still verify with
// @node-rs/argon2, so no user has to reset a password after the switch; new hashes keep argon2id
// with the same cost parameters.
import { hashPassword, verifyPassword } from '../../src/auth/passwords';

// Made with the old package (argon2 0.45.1, its defaults) before it was removed:
// node -e "require('argon2').hash('correct horse battery staple', { type: 2 }).then(console.log)"
const HASH_FROM_OLD_PACKAGE =
  '$argon2id$v=19$m=65536,p=4,t=3$J/dFbeBx+xAbPmV0YS9ToQ$WFjh8Msu6I6y1GxGWUPTW+UNkBUvu97SYyPQxxmDvOg';
// The demo password, hashed the same way.
const DEMO_HASH_FROM_OLD_PACKAGE =
  '$argon2id$v=19$m=65536,p=4,t=3$ok1pX4MPYPJ2Tzr7pmhrrg$OTxrhGVfWTB/L7+ELFyCA2G1psctlJy7xdmPYDa0fSo';

test('a hash stored by the old argon2 package verifies its password and no other', async () => {
  await expect(verifyPassword(HASH_FROM_OLD_PACKAGE, 'correct horse battery staple')).resolves.toBe(true);
  await expect(verifyPassword(DEMO_HASH_FROM_OLD_PACKAGE, 'concord-demo-2026')).resolves.toBe(true);
  await expect(verifyPassword(HASH_FROM_OLD_PACKAGE, 'correct horse battery stapler')).resolves.toBe(false);
  await expect(verifyPassword(DEMO_HASH_FROM_OLD_PACKAGE, 'correct horse battery staple')).resolves.toBe(
    false,
  );
});

test('new hashes are argon2id with the old cost parameters and verify', async () => {
  const hash = await hashPassword('新的密码 2026');
  expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=4\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  await expect(verifyPassword(hash, '新的密码 2026')).resolves.toBe(true);
  await expect(verifyPassword(hash, '新的密码 2025')).resolves.toBe(false);
});

test('a malformed or empty stored hash refuses the password instead of throwing', async () => {
  await expect(verifyPassword('', 'concord-demo-2026')).resolves.toBe(false);
  await expect(verifyPassword('$argon2id$garbage', 'concord-demo-2026')).resolves.toBe(false);
});
