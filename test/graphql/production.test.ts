// In production: no introspection, no field suggestions, no internals in errors.
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ nodeEnv: 'production', exposeSqlStatementCount: false });
});
afterAll(() => api.close());

test('introspection is refused', async () => {
  const token = await api.login('grid.worker');
  const result = await api.gql(`{ __schema { types { name } } }`, {}, token);
  expect(result.data).toBeUndefined();
  expect(result.errors?.[0]?.message).toMatch(/introspection/i);
});

test('a misspelt field gets no suggestion', async () => {
  const token = await api.login('grid.worker');
  const result = await api.gql(`{ persns(first: 1) { totalCount } }`, {}, token);
  expect(result.errors?.[0]?.message).not.toMatch(/Did you mean/);
  expect(JSON.stringify(result)).not.toMatch(/persons/);
});

test('SQL statement counts are not exposed', async () => {
  const token = await api.login('grid.worker');
  const result = await api.gql(`{ me { username } }`, {}, token);
  expect(result.extensions?.sqlStatements).toBeUndefined();
});
