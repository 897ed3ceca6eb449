// Dispute lifecycle transitions as pure rules.
import { DisputeStatus } from '../../../src/domain/disputes/disputes.enums';
import { checkTransition, isOpen } from '../../../src/domain/disputes/rules';

test('the normal path is allowed', () => {
  expect(checkTransition(DisputeStatus.REPORTED, DisputeStatus.ACCEPTED).allowed).toBe(true);
  expect(checkTransition(DisputeStatus.ACCEPTED, DisputeStatus.IN_MEDIATION).allowed).toBe(true);
  expect(checkTransition(DisputeStatus.IN_MEDIATION, DisputeStatus.RESOLVED).allowed).toBe(true);
});

test('an illegal step names the allowed ones', () => {
  const check = checkTransition(DisputeStatus.REPORTED, DisputeStatus.RESOLVED);
  expect(check).toEqual({
    allowed: false,
    allowedNext: [DisputeStatus.ACCEPTED, DisputeStatus.CLOSED_UNRESOLVED],
  });
});

test('closed disputes go nowhere and are not open', () => {
  for (const closed of [DisputeStatus.RESOLVED, DisputeStatus.REFERRED, DisputeStatus.CLOSED_UNRESOLVED]) {
    expect(isOpen(closed)).toBe(false);
    expect(checkTransition(closed, DisputeStatus.ACCEPTED).allowed).toBe(false);
  }
  expect(isOpen(DisputeStatus.IN_MEDIATION)).toBe(true);
});
