// An ADMIN lists the service accounts of its jurisdiction with their budgets and keys (issue 21 item
// 7): a key's prefix, issue date, last use (stamped on use, at most once a minute) and revocation —
// never the key or its hash. Nobody else may list them; an ADMIN of a village sees its village's only.
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.login('admin');
});
afterAll(() => api.close());

const LIST = `query Accounts($first: Int, $after: String) { serviceAccounts(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node {
    id username displayName departmentCode jurisdictionId createdAt active
    budget { capacity refillPerSecond custom available }
    keys { id prefix createdAt lastUsedAt revokedAt }
  } } } }`;

interface Listed {
  id: string;
  username: string;
  keys: {
    id: string;
    prefix: string;
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
  }[];
  [field: string]: unknown;
}

async function list(token = admin, first = 100): Promise<Listed[]> {
  const answer = await api.gql(LIST, { first }, token);
  expect(answer.errors).toBeUndefined();
  return answer.data?.serviceAccounts.edges.map((edge: { node: Listed }) => edge.node);
}

async function create(username: string, node: 'street' | 'gridA' | 'gridC') {
  const created = await api.gql(
    `mutation($input: CreateServiceAccountInput!) { createServiceAccount(input: $input) {
       serviceAccount { id } issuedKey { keyId apiKey } userErrors { message } } }`,
    {
      input: {
        username,
        displayName: `${username} 系统`,
        departmentCode: 'POLICE',
        jurisdictionId: await api.node(node),
      },
    },
    admin,
  );
  expect(created.data?.createServiceAccount.userErrors).toEqual([]);
  return {
    id: created.data?.createServiceAccount.serviceAccount.id as string,
    keyId: created.data?.createServiceAccount.issuedKey.keyId as string,
    apiKey: created.data?.createServiceAccount.issuedKey.apiKey as string,
  };
}

const me = (apiKey: string) =>
  fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `ApiKey ${apiKey}` },
    body: JSON.stringify({ query: `{ me { username } }` }),
  }).then(
    (response) =>
      response.json() as Promise<{ data?: { me: { username: string } | null }; errors?: unknown[] }>,
  );

const lastUsed = async (keyId: string): Promise<Date | null> =>
  (await api.dataSource.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [keyId]))[0].last_used_at;

test('lists accounts with budget and keys; last use appears after use, at most one write a minute', async () => {
  const dispatch = await create('police-dispatch', 'street');
  const rotated = await api.gql(
    `mutation($input: IssueApiKeyInput!) { issueApiKey(input: $input) { issuedKey { keyId apiKey } } }`,
    { input: { serviceAccountId: dispatch.id } },
    admin,
  );
  const second = rotated.data?.issueApiKey.issuedKey as { keyId: string; apiKey: string };
  await api.gql(
    `mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { revokedKeyId } }`,
    { input: { keyId: dispatch.keyId } },
    admin,
  );

  let [account] = (await list()).filter((node) => node.username === 'police-dispatch');
  expect(account).toMatchObject({
    id: dispatch.id,
    displayName: 'police-dispatch 系统',
    departmentCode: 'POLICE',
    jurisdictionId: await api.node('street'),
    active: true,
    budget: {
      ...api.config.serviceAccountBudget,
      custom: false,
      available: api.config.serviceAccountBudget.capacity,
    },
  });
  expect(account?.keys.map((key) => key.id)).toEqual([second.keyId, dispatch.keyId]);
  expect(account?.keys[0]).toMatchObject({
    prefix: second.apiKey.split('_')[1],
    lastUsedAt: null,
    revokedAt: null,
  });
  expect(account?.keys[1]?.revokedAt).toEqual(expect.any(String));

  // A wrong secret under the right prefix is refused and does not count as a use.
  const wrong = `cnc_${second.apiKey.split('_')[1]}_${'A'.repeat(43)}`;
  expect((await me(wrong)).data?.me ?? null).toBeNull();
  expect(await lastUsed(second.keyId)).toBeNull();

  expect((await me(second.apiKey)).data?.me?.username).toBe('police-dispatch');
  const firstUse = api.clock.now.toISOString();
  [account] = (await list()).filter((node) => node.username === 'police-dispatch');
  expect(account?.keys[0]?.lastUsedAt).toBe(firstUse);

  // Within a minute of the last stamp another use writes nothing; past it, the stamp moves.
  const start = api.clock.now;
  try {
    api.clock.now = new Date(start.getTime() + 30_000);
    await me(second.apiKey);
    expect((await lastUsed(second.keyId))?.toISOString()).toBe(firstUse);
    api.clock.now = new Date(start.getTime() + 61_000);
    await me(second.apiKey);
    expect((await lastUsed(second.keyId))?.toISOString()).toBe(api.clock.now.toISOString());
  } finally {
    api.clock.now = start;
  }
});

test('never shows a key or its hash', async () => {
  const account = await create('market-register', 'gridA');
  await me(account.apiKey);
  const [{ key_hash: hash }] = await api.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [
    account.keyId,
  ]);
  const answer = JSON.stringify(await api.gql(LIST, { first: 100 }, admin));
  expect(answer).toContain(account.keyId);
  expect(answer).not.toContain(hash);
  expect(answer).not.toContain(account.apiKey);
  // The secret part follows `cnc_<prefix>_`; it may itself contain '_' (base64url).
  const secret = account.apiKey.slice(`cnc_${account.apiKey.split('_')[1]}_`.length);
  expect(secret.length).toBeGreaterThan(20);
  expect(answer).not.toContain(secret);
  // The type has no field that could carry either.
  const type = await api.gql(`{ __type(name: "ApiKey") { fields { name } } }`, {}, admin);
  expect(type.data?.__type.fields.map((field: { name: string }) => field.name).sort()).toEqual([
    'createdAt',
    'id',
    'lastUsedAt',
    'prefix',
    'revokedAt',
  ]);
});

test('pages by cursor with the total in scope', async () => {
  await create('page-one', 'gridA');
  await create('page-two', 'gridA');
  const everything = await list();
  const firstPage = await api.gql(LIST, { first: 1 }, admin);
  const connection = firstPage.data?.serviceAccounts;
  expect(connection.totalCount).toBe(everything.length);
  expect(connection.edges).toHaveLength(1);
  expect(connection.pageInfo.hasNextPage).toBe(true);
  const next = await api.gql(LIST, { first: 100, after: connection.pageInfo.endCursor }, admin);
  const rest: Listed[] = (next.data?.serviceAccounts.edges ?? []).map((edge: { node: Listed }) => edge.node);
  expect([connection.edges[0].node.id, ...rest.map((node) => node.id)]).toEqual(
    everything.map((node) => node.id),
  );
  const tooMany = await api.gql(LIST, { first: 101 }, admin);
  expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('only an ADMIN lists service accounts, and a village ADMIN only those of its village', async () => {
  for (const username of ['police.leader', 'grid.worker', 'auditor']) {
    const answer = await api.gql(LIST, { first: 10 }, await api.login(username));
    expect([username, answer.errors?.[0]?.extensions?.code]).toEqual([username, 'FORBIDDEN']);
    expect(answer.data?.serviceAccounts ?? null).toBeNull();
  }
  const integration = await create('own-listing', 'gridA');
  const asIntegration = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `ApiKey ${integration.apiKey}` },
    body: JSON.stringify({ query: LIST, variables: { first: 10 } }),
  }).then((response) => response.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>);
  expect(asIntegration.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  // An ADMIN of village A: the accounts of grid A only, and another's answers as an unknown id.
  await api.dataSource.query(
    `INSERT INTO users (kind, username, display_name, department_code, position, jurisdiction_id, capabilities, password_hash)
     SELECT kind, 'village.admin', '东村管理员', department_code, position, $1, capabilities, password_hash
       FROM users WHERE username = 'admin'`,
    [await api.node('villageA')],
  );
  const villageAdmin = await api.login('village.admin');
  const outsider = await create('village-c-tool', 'gridC');
  const seen = (await list(villageAdmin)).map((node) => node.username);
  expect(seen).toContain('own-listing');
  expect(seen).not.toContain('village-c-tool');
  expect(seen).not.toContain('police-dispatch');
  const set = (serviceAccountId: string) =>
    api.gql(
      `mutation($input: SetServiceAccountBudgetInput!) { setServiceAccountBudget(input: $input) {
         serviceAccount { id } userErrors { field message code } } }`,
      { input: { serviceAccountId, capacity: 5 } },
      villageAdmin,
    );
  const outside = await set(outsider.id);
  const unknown = await set('00000000-0000-4000-8000-000000000000');
  expect(outside.data).toEqual(unknown.data);
  expect(outside.data?.setServiceAccountBudget.userErrors[0].code).toBe('NOT_FOUND');
  expect(
    await api.dataSource.query(`SELECT 1 FROM service_account_budgets WHERE service_account_id = $1`, [
      outsider.id,
    ]),
  ).toEqual([]);
});
