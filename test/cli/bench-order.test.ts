// The bench measures its builds in a balanced order: what one build leaves behind on the shared
// machine must fall on each of the others alike, not always on the same one.
import { balancedOrders } from '../../src/cli/bench-order';

test.each([2, 4, 6])('over %i rounds each item comes right after each other item once', (count) => {
  const orders = balancedOrders(count);
  expect(orders).toHaveLength(count);
  for (const order of orders) expect([...order].sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
  const successions = orders.flatMap((order) =>
    order.slice(1).map((item, index) => `${order[index]}>${item}`),
  );
  expect(new Set(successions).size).toBe(count * (count - 1));
  expect(successions).toHaveLength(count * (count - 1));
});

test('each item opens one round', () => {
  expect(balancedOrders(4).map((order) => order[0])).toEqual([0, 1, 2, 3]);
});

test('an odd count is refused', () => {
  expect(() => balancedOrders(3)).toThrow(/even/);
});
