// No N+1: the SQL statements of a nested persons query do not grow with the page size.
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  const workerId: string = (
    await api.dataSource.query(`SELECT id FROM users WHERE username = 'grid.worker'`)
  )[0].id;
  await api.dataSource.query(
    `INSERT INTO households (address, grid_id) SELECT '东村' || n || '号', $1 FROM generate_series(1, 60) n`,
    [gridA],
  );
  await api.dataSource.query(
    `INSERT INTO persons (name, gender, grid_id, residency, household_id, created_at)
     SELECT '居民' || n, 'MALE', $1, 'REGISTERED',
            (SELECT id FROM households ORDER BY address OFFSET (n % 60) LIMIT 1),
            date_trunc('milliseconds', now()) - n * interval '1 second'
       FROM generate_series(1, 120) n`,
    [gridA],
  );
  const persons: { id: string }[] = await api.dataSource.query(
    `SELECT id FROM persons ORDER BY created_at DESC`,
  );
  for (let i = 0; i + 1 < persons.length; i += 2) {
    await api.gql(
      `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { userErrors { message } } }`,
      {
        input: {
          category: 'NEIGHBOR',
          description: '邻里纠纷',
          source: 'GRID_VISIT',
          gridId: gridA,
          parties: [
            { personId: persons[i]?.id, role: 'APPLICANT' },
            { personId: persons[i + 1]?.id, role: 'RESPONDENT' },
          ],
        },
      },
      worker,
    );
  }
  await api.dataSource.query(
    `INSERT INTO follow_ups (person_id, by_id, occurred_at, method) SELECT id, $1, now(), 'VISIT' FROM persons`,
    [workerId],
  );
  for (const person of persons.slice(0, 100)) {
    await api.gql(
      `mutation($input: RecordAssessmentInput!) { recordAssessment(input: $input) { userErrors { message } } }`,
      { input: { personId: person.id, indicators: [{ code: 'WITHDRAWN', note: '' }] } },
      worker,
    );
  }
}, 120000);
afterAll(() => api.close());

const NESTED = `query($first: Int!) { persons(first: $first) { totalCount edges { node {
  id name tier grid { name } household { address members { id } }
  tierExplanation { summary }
  disputes { id status parties { role person { id name } } grid { code } }
  assessments { tier indicators { code } }
  currentAssignment { id } lastFollowUp { occurredAt }
} } } }`;

test('persons(first: 10) and persons(first: 100) with nested relations run the same number of statements', async () => {
  const worker = await api.login('grid.worker');
  // Jurisdiction nodes are kept by the process once read (organisation.loaders.ts): read them first,
  // so both pages find them in memory.
  await api.gql(NESTED, { first: 100 }, worker);
  const small = await api.gql(NESTED, { first: 10 }, worker);
  const large = await api.gql(NESTED, { first: 100 }, worker);
  expect(small.errors).toBeUndefined();
  expect(large.errors).toBeUndefined();
  expect(small.data?.persons.edges).toHaveLength(10);
  expect(large.data?.persons.edges).toHaveLength(100);
  expect(large.data?.persons.edges[0].node.assessments[0].indicators).toEqual([{ code: 'WITHDRAWN' }]);
  expect(large.data?.persons.edges.some((e: any) => e.node.disputes.length > 0)).toBe(true);
  expect(small.extensions?.sqlStatements).toBeGreaterThan(0);
  expect(large.extensions?.sqlStatements).toBe(small.extensions?.sqlStatements);
});

test('the names of a list’s dispute parties come with the parties, in the same statement', async () => {
  const worker = await api.login('grid.worker');
  const query = (party: string) =>
    `query { persons(first: 50) { edges { node { id disputes { id parties { ${party} } } } } } }`;
  const withoutNames = await api.gql(query('role personId'), {}, worker);
  const withNames = await api.gql(query('role person { id name }'), {}, worker);
  expect(withNames.errors).toBeUndefined();
  const parties = withNames.data?.persons.edges.flatMap((e: any) =>
    e.node.disputes.flatMap((d: any) => d.parties),
  );
  expect(parties.length).toBeGreaterThan(40);
  expect(parties.every((party: any) => typeof party.person?.name === 'string')).toBe(true);
  expect(withNames.extensions?.sqlStatements).toBe(withoutNames.extensions?.sqlStatements);
});
