// The small-cell rule (SPEC §4) as pure functions: counts below 5 are suppressed outside the exact
// view, a share goes with its counts, and every key is listed so that a key's presence says nothing.
import { EXACT_VIEW, shownCount, shownKeyCounts, shownShare } from '../../../src/domain/reports/rules';

const SUPPRESSED_VIEW = { exact: false, disputes: true };

test('a count below 5 is <5 outside the exact view, and exact inside it', () => {
  expect(shownCount(1, SUPPRESSED_VIEW)).toEqual({ count: null, suppressed: true });
  expect(shownCount(0, SUPPRESSED_VIEW)).toEqual({ count: null, suppressed: true });
  expect(shownCount(5, SUPPRESSED_VIEW)).toEqual({ count: 5, suppressed: false });
  expect(shownCount(1, EXACT_VIEW)).toEqual({ count: 1, suppressed: false });
});

test('a share is suppressed when its part, whole or rest is a small cell', () => {
  expect(shownShare(1, 20, SUPPRESSED_VIEW)).toEqual({ share: null, suppressed: true });
  expect(shownShare(19, 20, SUPPRESSED_VIEW)).toEqual({ share: null, suppressed: true });
  expect(shownShare(3, 4, SUPPRESSED_VIEW)).toEqual({ share: null, suppressed: true });
  expect(shownShare(10, 20, SUPPRESSED_VIEW)).toEqual({ share: 0.5, suppressed: false });
  expect(shownShare(1, 2, EXACT_VIEW)).toEqual({ share: 0.5, suppressed: false });
  expect(shownShare(0, 0, EXACT_VIEW)).toEqual({ share: null, suppressed: false });
});

test('outside the exact view every key is listed, so an absent key and a key of 1 read alike', () => {
  const keys = ['FAMILY', 'NEIGHBOR', 'OTHER'];
  expect(
    shownKeyCounts(
      [
        { key: 'OTHER', count: 1 },
        { key: 'NEIGHBOR', count: 6 },
      ],
      keys,
      SUPPRESSED_VIEW,
    ),
  ).toEqual([
    { key: 'FAMILY', count: null, suppressed: true },
    { key: 'NEIGHBOR', count: 6, suppressed: false },
    { key: 'OTHER', count: null, suppressed: true },
  ]);
  expect(shownKeyCounts([{ key: 'OTHER', count: 1 }], keys, EXACT_VIEW)).toEqual([
    { key: 'OTHER', count: 1, suppressed: false },
  ]);
});
