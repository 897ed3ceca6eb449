// Queries run compiled by graphql-jit (src/graphql/executor.ts). Here the same requests go, as every
// department and position, to the API and to a sibling that runs everything on graphql-js: the
// answers (data, masks, denials, errors) and the audit entries they leave must be the same.
import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { compiledOperationCount } from '../../src/graphql/executor';
import { buildBareSchema } from '../../src/graphql/schema';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { recordAssessment, registerDispute, registerPerson } from '../support/fixtures';

let api: TestApi;
let interpreted: Pick<TestApi, 'gql' | 'close'>;
let personId: string;
let usernames: string[];
let wholePerson: string;

function selection(type: GraphQLObjectType, depth: number): string {
  return Object.values(type.getFields())
    .filter((field) => field.args.every((arg) => arg.type.toString().endsWith('!') === false))
    .map((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) return field.name;
      return depth > 0 ? `${field.name} { ${selection(named, depth - 1)} }` : `${field.name} { __typename }`;
    })
    .join(' ');
}

beforeAll(async () => {
  api = await startTestApi();
  expect(api.config.compiledQueries).toBe(true);
  interpreted = await api.sibling({ compiledQueries: false });
  const schema = await buildBareSchema();
  wholePerson = selection(schema.getType('Person') as GraphQLObjectType, 1);
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  personId = await registerPerson(api, worker, {
    name: '对照甲',
    gridId: gridA,
    birthDate: '2009-03-01',
    idNumber: '330018200903011234',
    phone: '13812345678',
    address: '东村3组12号',
    residency: 'MIGRANT',
    specialStatuses: ['COMMUNITY_CORRECTIONS', 'DRUG_INVOLVED', 'VETERAN'],
  });
  const other = await registerPerson(api, worker, { name: '对照乙', gridId: gridA, phone: '13900001111' });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [personId, other] });
  await registerDispute(api, worker, { category: 'CONTRACT', gridId: gridA, parties: [personId, other] });
  await recordAssessment(api, worker, personId, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  const users: { username: string }[] = await api.dataSource.query(
    `SELECT username FROM users WHERE kind = 'USER' ORDER BY username`,
  );
  usernames = users.map((user) => user.username);
}, 120000);
afterAll(async () => {
  await interpreted.close();
  await api.close();
});

/** The audit entries a request left, without what differs between any two requests. */
async function auditSince(seq: string) {
  return api.dataSource.query(
    `SELECT actor_id, action, operation, record_type, record_ids, fields FROM audit_entries
      WHERE seq > $1 ORDER BY seq`,
    [seq],
  );
}

async function lastSeq(): Promise<string> {
  const rows: { seq: string | null }[] = await api.dataSource.query(
    `SELECT max(seq) AS seq FROM audit_entries`,
  );
  return rows[0]?.seq ?? '0';
}

/** The answer of both servers to one request, and the audit entries each left. */
async function both(
  query: string,
  variables: Record<string, unknown>,
  token: string,
  operationName?: string,
) {
  const answers: { body: GraphQLResponse; audit: unknown[] }[] = [];
  for (const server of [api, interpreted]) {
    const before = await lastSeq();
    const body = await server.gql(query, variables, token, operationName);
    delete body.extensions;
    answers.push({ body, audit: await auditSince(before) });
  }
  return { compiled: answers[0]!, interpreted: answers[1]! };
}

/** Name, query, its variables, and how many callers at least get data back (the rest are out of scope). */
const REQUESTS: [
  string,
  string,
  (ids: { person: string; street: string }) => Record<string, unknown>,
  number?,
][] = [
  [
    'every field of a person',
    'query($id: ID!) { person(id: $id) { WHOLE } }',
    ({ person }) => ({ id: person }),
  ],
  [
    'the dashboard',
    `query($j: ID!, $first: Int = 20) { persons(first: $first, filter: { jurisdictionId: $j }) {
       totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name tier idNumber phone
         tierExplanation { summary categories indicators { code } }
         disputes(open: true) { id category status parties { role person { id name } } }
         currentAssignment { id measures } lastFollowUp { occurredAt } } } } }`,
    ({ street }) => ({ j: street }),
  ],
  [
    'fragments, aliases, directives and __typename',
    `query($id: ID!, $withPhone: Boolean!, $noAge: Boolean!) {
       a: person(id: $id) { ...who phone @include(if: $withPhone) age @skip(if: $noAge) }
       b: person(id: $id) { __typename ... on Person { name address } }
       missing: person(id: "00000000-0000-4000-8000-000000000000") { id } }
     fragment who on Person { id name tier specialStatuses }`,
    ({ person }) => ({ id: person, withPhone: true, noAge: false }),
  ],
  [
    'an operation some may not run, beside one they may',
    `query($id: ID!) { person(id: $id) { id name psychologicalFile { __typename } } auditTrail(first: 1, before: "3") { __typename } }`,
    ({ person }) => ({ id: person }),
    1,
  ],
  [
    'introspection',
    `{ __schema { queryType { name } types { name kind fields { name args { name defaultValue } } } } }`,
    () => ({}),
  ],
  [
    'a variable left out (left to graphql-js)',
    `query($j: ID!, $tiers: [Tier!], $first: Int) { persons(first: $first, filter: { jurisdictionId: $j, tiers: $tiers }) {
       totalCount edges { node { id name tier } } } }`,
    ({ street }) => ({ j: street }),
  ],
  [
    'an input-object variable (left to graphql-js)',
    `query($filter: PersonFilter!) { persons(first: 5, filter: $filter) { totalCount edges { node { id name } } } }`,
    ({ street }) => ({ filter: { jurisdictionId: street } }),
  ],
];

test.each(REQUESTS)(
  '%s: the same answer and the same audit entries for every caller',
  async (name, text, vars, minimumAnswered = 10) => {
    const query = text.replace('WHOLE', wholePerson);
    const variables = vars({ person: personId, street: await api.node('street') });
    const compiledBefore = compiledOperationCount();
    let answered = 0;
    for (const username of usernames) {
      const token = await api.login(username);
      const { compiled, interpreted: reference } = await both(query, variables, token);
      if (reference.body.data === null && reference.body.errors) {
        // A non-null root field failed, so there is no data. graphql-js stops collecting errors at
        // that one; graphql-jit also reports its siblings' errors. Both are allowed by the spec.
        expect(compiled.body.errors).toEqual(expect.arrayContaining(reference.body.errors));
        compiled.body.errors = reference.body.errors;
      }
      expect({ username, ...compiled }).toEqual({ username, ...reference });
      if (compiled.body.data && Object.values(compiled.body.data).some((value) => value !== null))
        answered += 1;
    }
    // Not a comparison of empty answers.
    expect(answered).toBeGreaterThanOrEqual(minimumAnswered);
    // And not of graphql-js with itself: the query was compiled (from its second run on), unless
    // it is one of those left to graphql-js.
    expect(compiledOperationCount() - compiledBefore).toBe(name.includes('left to graphql-js') ? 0 : 1);
  },
);

test('a document with two operations: each, chosen by name, is compiled on its own and answers the same', async () => {
  const document = `query Names($id: ID!) { person(id: $id) { id name } }
    query Contacts($id: ID!) { person(id: $id) { name phone idNumber } }`;
  const compiledBefore = compiledOperationCount();
  const token = await api.login('grid.leader');
  for (const operationName of ['Names', 'Contacts', 'Names', 'Contacts', 'Contacts']) {
    const { compiled, interpreted: reference } = await both(document, { id: personId }, token, operationName);
    expect(compiled).toEqual(reference);
    expect(Object.keys(compiled.body.data?.person ?? {})).toEqual(
      operationName === 'Names' ? ['id', 'name'] : ['name', 'phone', 'idNumber'],
    );
  }
  expect(compiledOperationCount() - compiledBefore).toBe(2);
});
