// Access tokens (src/auth/tokens.ts): a token seen before is not verified again, only its expiry is
// checked; it must still be accepted and refused exactly when a fresh verification would. Each token
// names its session (the jti), which the identity lookup then requires to be open.
import { createTokenService } from '../../src/auth/tokens';

const SECRET = 'a-test-secret-of-sufficient-length-0123456789';
const LIFETIME = 3600;

function clockAt(iso: string) {
  const clock = { now: new Date(iso) };
  return { clock, now: () => clock.now };
}

test('a token verified before is accepted until the second it expires, as a fresh verification decides', async () => {
  const { clock, now } = clockAt('2026-11-29T08:00:00.000Z');
  const tokens = createTokenService(SECRET, LIFETIME, now);
  const { token, expiresAt, sessionId } = await tokens.issue('user-1');
  const accepted = { userId: 'user-1', sessionId };
  expect(await tokens.verify(token)).toEqual(accepted);

  for (const [offset, expected] of [
    [-1001, accepted],
    [-1, accepted],
    [0, null],
    [999, null],
  ] as const) {
    clock.now = new Date(expiresAt.getTime() + offset);
    const fresh = createTokenService(SECRET, LIFETIME, now);
    expect([offset, await fresh.verify(token)]).toEqual([offset, expected]);
    expect([offset, await tokens.verify(token)]).toEqual([offset, expected]);
  }
});

test('a token that verified does not make a changed token, or another key, accept it', async () => {
  const { now } = clockAt('2026-11-29T08:00:00.000Z');
  const tokens = createTokenService(SECRET, LIFETIME, now);
  const { token, sessionId } = await tokens.issue('user-1');
  expect(await tokens.verify(token)).toEqual({ userId: 'user-1', sessionId });
  const [header, payload, signature = ''] = token.split('.');
  const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
  expect(await tokens.verify(`${header}.${payload}.${flipped}`)).toBeNull();
  expect(await tokens.verify(`${token}x`)).toBeNull();
  const otherKey = createTokenService(`${SECRET}-rotated`, LIFETIME, now);
  expect(await otherKey.verify(token)).toBeNull();
  expect(await tokens.verify(token)).toEqual({ userId: 'user-1', sessionId });
});

test('every token names a session of its own', async () => {
  const { now } = clockAt('2026-11-29T08:00:00.000Z');
  const tokens = createTokenService(SECRET, LIFETIME, now);
  const first = await tokens.issue('user-1');
  const second = await tokens.issue('user-1');
  expect(first.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  expect(second.sessionId).not.toBe(first.sessionId);
  expect((await tokens.verify(second.token))?.sessionId).toBe(second.sessionId);
});
