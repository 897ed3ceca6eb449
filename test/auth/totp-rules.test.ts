// The second factor's pure parts: base32 as authenticator apps read it, TOTP codes against RFC 6238's
// own test vectors (a code works once, a step either side of now is accepted), recovery codes, the
// sealing of secrets, and the gate that keeps a session without its second factor to enrolment.
import { parse } from 'graphql';
import { base32Decode, base32Encode } from '../../src/auth/base32';
import type { Identity } from '../../src/auth/identity';
import {
  PASSWORD_CHANGE_REQUIRED,
  refusedUntilSignInCompletes,
  SECOND_FACTOR_REQUIRED,
} from '../../src/auth/password-gate';
import { createSecretSealer } from '../../src/auth/second-factor-key';
import {
  acceptedTotpStep,
  newRecoveryCodes,
  normalizeRecoveryCode,
  recoveryCodeHash,
  totpCode,
  totpUri,
} from '../../src/auth/totp';
import { buildBareSchema } from '../../src/graphql/schema';
import { SECOND_FACTOR_ENROLMENT_OPERATIONS } from '../../src/permissions/policy';

/** RFC 6238 appendix B: the SHA-1 seed, and 8-digit codes whose last 6 digits are the 6-digit code. */
const RFC_SECRET = new TextEncoder().encode('12345678901234567890');
const at = (seconds: number) => new Date(seconds * 1000);

test('base32 is RFC 4648’s, read as people type it', () => {
  const bytes = new TextEncoder().encode('foobar');
  expect(base32Encode(bytes)).toBe('MZXW6YTBOI');
  expect(base32Decode('mzxw 6ytb-oi======')).toEqual(bytes);
  expect(base32Decode('MZXW1')).toBeNull();
  expect(base32Decode(base32Encode(RFC_SECRET))).toEqual(RFC_SECRET);
});

test('codes are RFC 6238’s; each time step is accepted once, and one step either side of now', () => {
  // 94287082 at T = 59 s (step 1), 07081804 at T = 1111111109 s.
  expect(totpCode(base32Encode(RFC_SECRET), at(59))).toBe('287082');
  expect(totpCode(base32Encode(RFC_SECRET), at(1111111109))).toBe('081804');
  expect(acceptedTotpStep(RFC_SECRET, '287082', at(59), null)).toBe(1);
  expect(acceptedTotpStep(RFC_SECRET, '287 082', at(59), null)).toBe(1);
  // Used once: not again, not even within its step.
  expect(acceptedTotpStep(RFC_SECRET, '287082', at(59), 1)).toBeNull();
  // A phone a step behind or ahead is fine; two steps is not.
  expect(acceptedTotpStep(RFC_SECRET, '287082', at(89), null)).toBe(1);
  expect(acceptedTotpStep(RFC_SECRET, '287082', at(29), null)).toBe(1);
  expect(acceptedTotpStep(RFC_SECRET, '287082', at(120), null)).toBeNull();
  for (const junk of ['', '28708', '2870822', 'abcdef', '287O82']) {
    expect(acceptedTotpStep(RFC_SECRET, junk, at(59), null)).toBeNull();
  }
  expect(totpUri('grid.leader', RFC_SECRET)).toBe(
    `otpauth://totp/Concord:grid.leader?secret=${base32Encode(RFC_SECRET)}&issuer=Concord`,
  );
});

test('recovery codes: ten distinct 80-bit codes, typed loosely, stored as hashes bound to the account', () => {
  const codes = newRecoveryCodes();
  expect(codes).toHaveLength(10);
  expect(new Set(codes).size).toBe(10);
  for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  const [code] = codes as [string];
  const stored = normalizeRecoveryCode(code) as string;
  expect(normalizeRecoveryCode(code.toLowerCase().replace(/-/g, ' '))).toBe(stored);
  expect(normalizeRecoveryCode('ABCD-EFGH-JKMN-PQR')).toBeNull();
  expect(normalizeRecoveryCode('oooo-iiii-llll-0000')).toBe('0000111111110000');
  const hash = recoveryCodeHash('3f2b8a1e-0000-4000-8000-000000000001', stored);
  expect(hash).toMatch(/^[0-9a-f]{64}$/);
  expect(hash).not.toContain(stored);
  expect(recoveryCodeHash('3f2b8a1e-0000-4000-8000-000000000002', stored)).not.toBe(hash);
});

test('a sealed secret opens only with its key and for its account, and shows nothing of the secret', () => {
  const sealer = createSecretSealer('k'.repeat(40));
  const alice = '3f2b8a1e-0000-4000-8000-000000000001';
  const sealed = sealer.seal(alice, RFC_SECRET);
  expect(sealed).toMatch(/^v1\./);
  expect(sealed).not.toContain(base32Encode(RFC_SECRET));
  expect(sealer.seal(alice, RFC_SECRET)).not.toBe(sealed);
  expect(sealer.open(alice, sealed)).toEqual(RFC_SECRET);
  expect(sealer.open('3f2b8a1e-0000-4000-8000-000000000002', sealed)).toBeNull();
  expect(createSecretSealer('j'.repeat(40)).open(alice, sealed)).toBeNull();
  const [version, iv, body, tag] = sealed.split('.') as [string, string, string, string];
  const flipped = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
  expect(sealer.open(alice, [version, iv, flipped, tag].join('.'))).toBeNull();
  expect(sealer.open(alice, 'not sealed')).toBeNull();
});

describe('the gate of a session without its second factor', () => {
  const identity = (overrides: Partial<Identity>): Identity => ({
    kind: 'USER',
    id: '3f2b8a1e-0000-4000-8000-000000000001',
    username: 'grid.leader',
    displayName: 'grid.leader',
    departmentCode: 'GRID',
    position: 'LEADER' as Identity['position'],
    jurisdictionId: '3f2b8a1e-0000-4000-8000-000000000002',
    jurisdictionPath: 'C01',
    jurisdictionLevel: 'CITY',
    capabilities: [],
    sessionId: '3f2b8a1e-0000-4000-8000-000000000003',
    passwordChangeRequired: false,
    secondFactorEnrolled: false,
    secondFactorPending: true,
    ...overrides,
  });

  test('refuses every root field of the schema but enrolment, me, mySessions, changePassword and logout', async () => {
    const schema = await buildBareSchema();
    const roots = [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
      ['subscription', schema.getSubscriptionType()],
    ] as const;
    const allowed: string[] = [];
    let refused = 0;
    for (const [keyword, type] of roots) {
      for (const field of Object.keys(type?.getFields() ?? {})) {
        const document = parse(`${keyword} { ${field} }`);
        const answer = refusedUntilSignInCompletes(identity({}), document, null);
        if (answer) {
          expect(answer.extensions).toMatchObject({ code: 'FORBIDDEN', reason: SECOND_FACTOR_REQUIRED });
          refused += 1;
        } else {
          allowed.push(`${type?.name}.${field}`);
        }
      }
    }
    expect(allowed.sort()).toEqual([...SECOND_FACTOR_ENROLMENT_OPERATIONS].sort());
    expect(refused).toBeGreaterThan(40);
    // Through fragments and aliases too; introspection stays open.
    const sneaky = parse(`{ me { id } ...F } fragment F on Query { p: persons(first: 1) { totalCount } }`);
    expect(refusedUntilSignInCompletes(identity({}), sneaky, null)?.extensions.reason).toBe(
      SECOND_FACTOR_REQUIRED,
    );
    expect(
      refusedUntilSignInCompletes(identity({}), parse(`{ __typename me { id } }`), null),
    ).toBeUndefined();
  });

  test('a temporary password is changed first; a session that passed the factor is not gated', () => {
    const persons = parse(`{ persons(first: 1) { totalCount } }`);
    const both = identity({ passwordChangeRequired: true });
    expect(refusedUntilSignInCompletes(both, persons, null)?.extensions.reason).toBe(
      PASSWORD_CHANGE_REQUIRED,
    );
    const enrolled = identity({ secondFactorEnrolled: true });
    expect(refusedUntilSignInCompletes(enrolled, persons, null)?.message).toMatch(/sign in again/);
    expect(
      refusedUntilSignInCompletes(identity({ secondFactorPending: false }), persons, null),
    ).toBeUndefined();
  });
});
