// Department integrations authenticate with revocable API keys and see what their department sees.
import { startTestApi, type TestApi } from '../support/api';
import { errorCodes } from '../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

test('an ADMIN creates a service account; its key works until it is revoked', async () => {
  const admin = await api.login('admin');
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id kind departmentCode } issuedKey { keyId apiKey } userErrors { field message } } }`,
    {
      input: {
        username: 'police-dispatch',
        displayName: '110接处警系统',
        departmentCode: 'POLICE',
        jurisdictionId: await api.node('street'),
      },
    },
    admin,
  );
  expect(created.data?.createServiceAccount.userErrors).toEqual([]);
  const { keyId, apiKey } = created.data?.createServiceAccount.issuedKey ?? {};
  const stored: { key_hash: string }[] = await api.dataSource.query(
    `SELECT key_hash FROM api_keys WHERE id = $1`,
    [keyId],
  );
  expect(stored[0]?.key_hash).not.toContain(apiKey);

  const call = (key: string) =>
    fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `ApiKey ${key}` },
      body: JSON.stringify({ query: `{ me { username kind departmentCode } }` }),
    }).then((r) => r.json() as Promise<any>);
  expect((await call(apiKey)).data.me).toEqual({
    username: 'police-dispatch',
    kind: 'SERVICE',
    departmentCode: 'POLICE',
  });

  const revoked = await api.gql(
    `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { revokedKeyId userErrors { message } } }`,
    { input: { keyId, reason: 'rotated' } },
    admin,
  );
  expect(revoked.data?.revokeApiKey.revokedKeyId).toBe(keyId);
  expect((await call(apiKey)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  const twice = await api.gql(
    `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { revokedKeyId userErrors { field } } }`,
    { input: { keyId } },
    admin,
  );
  expect(twice.data?.revokeApiKey.userErrors).toEqual([{ field: 'input.keyId' }]);
  expect((await call(`${apiKey.slice(0, -1)}A`)).errors[0].extensions.code).toBe('UNAUTHENTICATED');
});

test('a service account cannot sign in with a password, and only ADMIN manages service accounts', async () => {
  const login = await api.gql(
    `mutation { login(input: { username: "police-dispatch", password: "!service-account-has-no-password" }) { token } }`,
  );
  expect(login.data?.login.token).toBeNull();
  const police = await api.login('police.leader');
  const refused = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) { serviceAccount { id } } }`,
    {
      input: {
        username: 'x-tool',
        displayName: 'x',
        departmentCode: 'POLICE',
        jurisdictionId: await api.node('street'),
      },
    },
    police,
  );
  expect(errorCodes(refused)).toEqual({ createServiceAccount: 'FORBIDDEN' });
});
