// Adding villages and grids (issue 20 item 5): an ADMIN adds a village under a street and a grid under
// it through the API; the tree's rules hold (CITY > STREET > VILLAGE > GRID, a unique code, a Chinese
// name); the new grid is in the scope of whoever's subtree holds it from the next request and of no
// one else; bad input changes nothing; each addition and its audit entry commit together.
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const ADD = `mutation($input: AddJurisdictionInput!) { addJurisdiction(input: $input) {
  jurisdiction { id code name level parentId } userErrors { field message code } } }`;

function add(token: string, input: Record<string, unknown>) {
  return api.gql(ADD, { input }, token);
}

async function treeState() {
  return {
    nodes: await api.dataSource.query(`SELECT code, name, level FROM jurisdictions ORDER BY code`),
    audit: await api.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_entries WHERE operation = 'addJurisdiction'`,
    ),
  };
}

test('bad additions are refused with the field named, and change nothing', async () => {
  const admin = await api.login('admin');
  const [street, villageA, gridA] = [
    await api.node('street'),
    await api.node('villageA'),
    await api.node('gridA'),
  ];
  const before = await treeState();
  const cases: [Record<string, unknown>, string, RegExp, string][] = [
    [
      { parentId: street, level: 'GRID', localCode: 'G09', name: '街道直属网格' },
      'input.parentId',
      /GRID goes under a VILLAGE.*和平街道 is a STREET/,
      'BAD_USER_INPUT',
    ],
    [
      { parentId: villageA, level: 'VILLAGE', localCode: 'V09', name: '村中村' },
      'input.parentId',
      /VILLAGE goes under a STREET.*东村 is a VILLAGE/,
      'BAD_USER_INPUT',
    ],
    [
      { parentId: gridA, level: 'GRID', localCode: 'G09', name: '网格下网格' },
      'input.parentId',
      /GRID goes under a VILLAGE/,
      'BAD_USER_INPUT',
    ],
    [
      { parentId: street, level: 'VILLAGE', localCode: 'V01', name: '重复村' },
      'input.localCode',
      /C01\.S01\.V01 is taken/,
      'CONFLICT',
    ],
    [
      { parentId: street, level: 'VILLAGE', localCode: 'V09', name: '东村' },
      'input.name',
      /already has a 东村/,
      'CONFLICT',
    ],
    [
      { parentId: street, level: 'VILLAGE', localCode: 'V09', name: 'North Village' },
      'input.name',
      /Chinese name/,
      'BAD_USER_INPUT',
    ],
    [
      { parentId: street, level: 'VILLAGE', localCode: 'v.09', name: '北村' },
      'input.localCode',
      /capital letters or digits/,
      'BAD_USER_INPUT',
    ],
    [
      { parentId: '00000000-0000-4000-8000-000000000009', level: 'VILLAGE', localCode: 'V09', name: '北村' },
      'input.parentId',
      /No jurisdiction with this id/,
      'BAD_USER_INPUT',
    ],
  ];
  for (const [input, field, message, code] of cases) {
    const result = await add(admin, input);
    expect(result.errors).toBeUndefined();
    expect(result.data?.addJurisdiction.jurisdiction).toBeNull();
    expect(result.data?.addJurisdiction.userErrors).toEqual([
      { field, code, message: expect.stringMatching(message) },
    ]);
  }
  // Cities and streets come with the deployment: the schema offers VILLAGE and GRID only.
  const streetLevel = await add(admin, {
    parentId: street,
    level: 'STREET',
    localCode: 'S09',
    name: '新街道',
  });
  expect(streetLevel.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  for (const username of [
    'comprehensive_governance.leader',
    'city_center.leader',
    'grid.leader',
    'auditor',
  ]) {
    const result = await add(await api.login(username), {
      parentId: street,
      level: 'VILLAGE',
      localCode: 'V09',
      name: '北村',
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
  expect(await treeState()).toEqual(before);
});

test('a new village and grid are in the scope of the street above them at once, and of no one else', async () => {
  const admin = await api.login('admin');
  const street = await api.node('street');
  const village = await add(admin, {
    parentId: street,
    level: 'VILLAGE',
    localCode: 'V03',
    name: '北村',
    idempotencyKey: 'north-village',
  });
  expect(village.data?.addJurisdiction).toEqual({
    jurisdiction: {
      id: expect.any(String),
      code: 'C01.S01.V03',
      name: '北村',
      level: 'VILLAGE',
      parentId: street,
    },
    userErrors: [],
  });
  const villageId = village.data?.addJurisdiction.jurisdiction.id;
  // A retry with the same key is the same village, added once.
  const retried = await add(admin, {
    parentId: street,
    level: 'VILLAGE',
    localCode: 'V03',
    name: '北村',
    idempotencyKey: 'north-village',
  });
  expect(retried.data?.addJurisdiction.jurisdiction.id).toBe(villageId);
  const grid = await add(admin, {
    parentId: villageId,
    level: 'GRID',
    localCode: 'G01',
    name: '北村第一网格',
  });
  expect(grid.data?.addJurisdiction.jurisdiction).toMatchObject({ code: 'C01.S01.V03.G01', level: 'GRID' });
  const gridId = grid.data?.addJurisdiction.jurisdiction.id;

  const tree = `{ jurisdictions { id code } }`;
  const streetWorker = await api.login('comprehensive_governance.worker');
  const streetTree = await api.gql(tree, {}, streetWorker);
  expect(streetTree.data?.jurisdictions.map((node: any) => node.code)).toEqual(
    expect.arrayContaining(['C01.S01.V03', 'C01.S01.V03.G01']),
  );
  const gridWorker = await api.login('grid.worker');
  const gridTree = await api.gql(tree, {}, gridWorker);
  expect(gridTree.data?.jurisdictions.map((node: any) => node.code)).not.toContain('C01.S01.V03.G01');

  // The street's staff register people in it; gridA's worker cannot, as for any grid outside its scope.
  const personId = await registerPerson(api, streetWorker, { name: '北村居民', gridId });
  const outside = await api.gql(
    `mutation($input: RegisterPersonInput!) { registerPerson(input: $input) { person { id } userErrors { field message } } }`,
    { input: { name: '越界登记', gridId } },
    gridWorker,
  );
  expect(outside.data?.registerPerson.userErrors).toEqual([
    {
      field: 'input.gridId',
      message: '您的辖区内没有此编号的网格 / No grid with this id within your jurisdiction',
    },
  ]);
  const page = `query($j: ID!) { persons(first: 10, filter: { jurisdictionId: $j }) { totalCount edges { node { id } } } }`;
  const listed = await api.gql(page, { j: gridId }, streetWorker);
  expect(listed.data?.persons.edges.map((edge: any) => edge.node.id)).toEqual([personId]);
  const hidden = await api.gql(page, { j: gridId }, gridWorker);
  expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

  const entries = await api.dataSource.query(
    `SELECT action, record_ids, detail FROM audit_entries WHERE operation = 'addJurisdiction' ORDER BY seq`,
  );
  expect(entries).toEqual([
    {
      action: 'MUTATION',
      record_ids: [villageId, street],
      detail: { code: 'C01.S01.V03', name: '北村', level: 'VILLAGE' },
    },
    {
      action: 'MUTATION',
      record_ids: [gridId, villageId],
      detail: { code: 'C01.S01.V03.G01', name: '北村第一网格', level: 'GRID' },
    },
  ]);
});

test('when its audit entry cannot be written, no node is added', async () => {
  const admin = await api.login('admin');
  const before = await treeState();
  await api.dataSource.query(
    `ALTER TABLE audit_entries ADD CONSTRAINT refuse_node CHECK (operation <> 'addJurisdiction') NOT VALID`,
  );
  try {
    const result = await add(admin, {
      parentId: await api.node('villageB'),
      level: 'GRID',
      localCode: 'G07',
      name: '西社区第七网格',
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  } finally {
    await api.dataSource.query(`ALTER TABLE audit_entries DROP CONSTRAINT refuse_node`);
  }
  expect(await treeState()).toEqual(before);
});
