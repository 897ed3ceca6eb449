// The cost estimate: lists multiply what is under them by `first` (literal or variable) or by an
// assumed size; a connection's edges are counted by its `first`; fragments count where spread.
import { parse } from 'graphql';
import { operationCost } from '../../src/graphql/limits';

const lists = new Set(['persons', 'disputes']);

test('first multiplies, lists without first assume a size, fragments count where they are spread', () => {
  const document = parse(`
    query Page($n: Int!) { persons(first: $n) { totalCount edges { node { ...Who disputes { id } } } } }
    fragment Who on Person { id name }`);
  // persons 1 + (totalCount 5 + edges 5 + node 5 + id 5 + name 5 + disputes 5 + id 5×10)
  expect(operationCost(document, 'Page', { n: 5 }, 10, lists)).toBe(1 + 5 * 6 + 50);
  expect(operationCost(document, 'Page', { n: 50 }, 10, lists)).toBe(1 + 50 * 6 + 500);
});
