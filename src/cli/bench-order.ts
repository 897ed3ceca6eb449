// The order in which `npm run bench` measures the dashboard's builds and the floor, round by round.
/**
 * Orders of `count` items (an even number), one per round, in which every item comes right after
 * every other item exactly once over `count` rounds: a Williams design, so whatever one build leaves
 * behind (a warm cache, a database still writing) falls on each of the others alike.
 */
export function balancedOrders(count: number): number[][] {
  if (count % 2 !== 0) throw new Error('balancedOrders needs an even count');
  // 0, 1, n-1, 2, n-2, …: consecutive differences cover every non-zero step once
  const steps = [0];
  for (let low = 1, high = count - 1; steps.length < count; low += 1, high -= 1) {
    steps.push(low);
    if (steps.length < count) steps.push(high);
  }
  return Array.from({ length: count }, (_, round) => steps.map((step) => (round + step) % count));
}
