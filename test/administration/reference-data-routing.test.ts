// Editing the dispute routing (issue 20 item 5): the routing decides which departments see which
// disputes (row scope, in SQL). An ADMIN's edit through one API process holds on a second process at
// its next request, with no restart; a restart does not put the file's routing back. Bad edits and
// stale ones change nothing; every edit and its audit entry commit together.
import { loadReferenceData } from '../../src/database/reference-data';
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';
import { startReplica, type Replica } from './reference-data-replica';

let api: TestApi;
let replica: Replica;
let disputeId: string;
let partyId: string;

beforeAll(async () => {
  api = await startTestApi();
  replica = await startReplica(api);
  const worker = await api.login('grid.worker');
  partyId = await registerPerson(api, worker, { name: '物业纠纷当事人', gridId: await api.node('gridA') });
  // PROPERTY_MANAGEMENT is routed to no department by default: only the coordinators see it.
  disputeId = await registerDispute(api, worker, {
    category: 'PROPERTY_MANAGEMENT',
    gridId: await api.node('gridA'),
    parties: [partyId],
  });
}, 180_000);
afterAll(async () => {
  await replica?.close();
  await api?.close();
});

const ROUTING = `{ disputeRouting { version routes { matchKind matchValue departmentCodes } } }`;
const SET = `mutation($input: SetDisputeRouteInput!) { setDisputeRoute(input: $input) {
  routing { version routes { matchKind matchValue departmentCodes } } userErrors { field message code } } }`;
const SEES = `query($id: ID!, $person: ID!) { dispute(id: $id) { id category } person(id: $person) { name }
  disputes(first: 10) { totalCount } }`;

function setRoute(token: string, input: Record<string, unknown>) {
  return api.gql(
    SET,
    { input: { matchKind: 'CATEGORY', reason: '物业纠纷交由国土所协办', ...input } },
    token,
  );
}

async function routingState() {
  return {
    routes: await api.dataSource.query(
      `SELECT match_kind, match_value, department_code FROM dispute_routes ORDER BY 1, 2, 3`,
    ),
    changes: await api.dataSource.query(`SELECT count(*)::int AS count FROM dispute_route_changes`),
    audit: await api.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_entries WHERE operation = 'setDisputeRoute'`,
    ),
  };
}

test('every account reads the routing, at version 0 as shipped', async () => {
  for (const username of ['land_resources.worker', 'admin', 'youth_league.worker']) {
    const result = await api.gql(ROUTING, {}, await api.login(username));
    expect(result.errors).toBeUndefined();
    expect(result.data?.disputeRouting.version).toBe(0);
    expect(result.data?.disputeRouting.routes).toContainEqual({
      matchKind: 'CATEGORY',
      matchValue: 'LAND_REQUISITION_DEMOLITION',
      departmentCodes: ['DEMOLITION_OFFICE', 'LAND_RESOURCES', 'LAW_ENFORCEMENT'],
    });
    expect(result.data?.disputeRouting.routes).toContainEqual({
      matchKind: 'CATEGORY',
      matchValue: 'PROPERTY_MANAGEMENT',
      departmentCodes: [],
    });
  }
});

test('bad, stale and unauthorised edits are refused and change nothing', async () => {
  const admin = await api.login('admin');
  const before = await routingState();
  const cases: [Record<string, unknown>, string, RegExp, string][] = [
    [
      { matchValue: 'NOT_A_CATEGORY', departmentCodes: [], expectedVersion: 0 },
      'input.matchValue',
      /not a category/,
      'BAD_USER_INPUT',
    ],
    [
      { matchKind: 'SOURCE', matchValue: 'LAND_FOREST', departmentCodes: [], expectedVersion: 0 },
      'input.matchValue',
      /not a source/,
      'BAD_USER_INPUT',
    ],
    [
      {
        matchValue: 'PROPERTY_MANAGEMENT',
        departmentCodes: ['LAND_RESOURCES', 'YOUTH_LEAGUE'],
        expectedVersion: 0,
      },
      'input.departmentCodes.1',
      /YOUTH_LEAGUE is not routed disputes/,
      'BAD_USER_INPUT',
    ],
    [
      { matchValue: 'PROPERTY_MANAGEMENT', departmentCodes: ['GRID'], expectedVersion: 0 },
      'input.departmentCodes.0',
      /GRID is not routed disputes/,
      'BAD_USER_INPUT',
    ],
    [
      { matchValue: 'PROPERTY_MANAGEMENT', departmentCodes: ['POLICE', 'POLICE'], expectedVersion: 0 },
      'input.departmentCodes',
      /twice/,
      'BAD_USER_INPUT',
    ],
    [
      { matchValue: 'LAND_FOREST', departmentCodes: ['LAND_RESOURCES'], expectedVersion: 0 },
      'input.departmentCodes',
      /already/,
      'BAD_USER_INPUT',
    ],
    [
      { matchValue: 'PROPERTY_MANAGEMENT', departmentCodes: ['LAND_RESOURCES'], expectedVersion: 3 },
      'input.expectedVersion',
      /at version 0, not 3/,
      'CONFLICT',
    ],
    [
      {
        matchValue: 'PROPERTY_MANAGEMENT',
        departmentCodes: ['LAND_RESOURCES'],
        expectedVersion: 0,
        reason: ' ',
      },
      'input.reason',
      /spaces|reason/,
      'BAD_USER_INPUT',
    ],
  ];
  for (const [input, field, message, code] of cases) {
    const result = await setRoute(admin, input);
    expect(result.errors).toBeUndefined();
    expect(result.data?.setDisputeRoute.routing).toBeNull();
    expect(result.data?.setDisputeRoute.userErrors).toEqual([
      { field, code, message: expect.stringMatching(message) },
    ]);
  }
  // A department code is an enum: one not in it is refused before anything runs.
  const unknown = await setRoute(admin, {
    matchValue: 'PROPERTY_MANAGEMENT',
    departmentCodes: ['NO_SUCH_OFFICE'],
    expectedVersion: 0,
  });
  expect([unknown.errors?.[0]?.extensions?.code, unknown.data?.setDisputeRoute]).toEqual([
    'BAD_USER_INPUT',
    undefined,
  ]);
  for (const username of ['comprehensive_governance.leader', 'city_center.leader', 'auditor']) {
    const result = await setRoute(await api.login(username), {
      matchValue: 'PROPERTY_MANAGEMENT',
      departmentCodes: ['LAND_RESOURCES'],
      expectedVersion: 0,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
  expect(await routingState()).toEqual(before);
});

test('when its audit entry cannot be written, the routing stays as it was', async () => {
  const admin = await api.login('admin');
  const before = await routingState();
  await api.dataSource.query(
    `ALTER TABLE audit_entries ADD CONSTRAINT refuse_routing CHECK (operation <> 'setDisputeRoute') NOT VALID`,
  );
  try {
    const result = await setRoute(admin, {
      matchValue: 'PROPERTY_MANAGEMENT',
      departmentCodes: ['LAND_RESOURCES'],
      expectedVersion: 0,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  } finally {
    await api.dataSource.query(`ALTER TABLE audit_entries DROP CONSTRAINT refuse_routing`);
  }
  expect(await routingState()).toEqual(before);
});

test('a routing change takes effect on a second server process at its next request, without restart', async () => {
  const landAtReplica = await replica.login('land_resources.worker');
  const before = await replica.gql(SEES, { id: disputeId, person: partyId }, landAtReplica);
  expect(before.errors?.map((e) => `${e.path?.[0]} ${e.extensions?.code}`).sort()).toEqual([
    'dispute NOT_FOUND',
    'person NOT_FOUND',
  ]);

  const admin = await api.login('admin');
  const routed = await setRoute(admin, {
    matchValue: 'PROPERTY_MANAGEMENT',
    departmentCodes: ['LAND_RESOURCES'],
    expectedVersion: 0,
  });
  expect(routed.data?.setDisputeRoute.userErrors).toEqual([]);
  expect(routed.data?.setDisputeRoute.routing.version).toBe(1);
  expect(routed.data?.setDisputeRoute.routing.routes).toContainEqual({
    matchKind: 'CATEGORY',
    matchValue: 'PROPERTY_MANAGEMENT',
    departmentCodes: ['LAND_RESOURCES'],
  });

  // The replica, which answered NOT_FOUND a moment ago, now lists and shows the dispute and its party.
  const after = await replica.gql(SEES, { id: disputeId, person: partyId }, landAtReplica);
  expect(after.errors).toBeUndefined();
  expect(after.data?.dispute).toEqual({ id: disputeId, category: 'PROPERTY_MANAGEMENT' });
  expect(after.data?.person).toEqual({ name: '物业纠纷当事人' });
  expect(after.data?.disputes.totalCount).toBe(before.data?.disputes.totalCount + 1);
  expect((await replica.gql(ROUTING, {}, landAtReplica)).data?.disputeRouting.version).toBe(1);

  // And back: routed to no department again, it leaves the department's scope at once.
  const unrouted = await setRoute(admin, {
    matchValue: 'PROPERTY_MANAGEMENT',
    departmentCodes: [],
    expectedVersion: 1,
    reason: '恢复原分流',
  });
  expect(unrouted.data?.setDisputeRoute.userErrors).toEqual([]);
  const gone = await replica.gql(SEES, { id: disputeId, person: partyId }, landAtReplica);
  expect(gone.errors?.map((e) => `${e.path?.[0]} ${e.extensions?.code}`).sort()).toEqual([
    'dispute NOT_FOUND',
    'person NOT_FOUND',
  ]);

  const entries = await api.dataSource.query(
    `SELECT action, record_ids, detail FROM audit_entries WHERE operation = 'setDisputeRoute' ORDER BY seq`,
  );
  expect(entries).toEqual([
    {
      action: 'MUTATION',
      record_ids: ['1'],
      detail: expect.objectContaining({
        matchValue: 'PROPERTY_MANAGEMENT',
        departmentCodes: ['LAND_RESOURCES'],
        previousDepartmentCodes: [],
      }),
    },
    {
      action: 'MUTATION',
      record_ids: ['2'],
      detail: expect.objectContaining({ departmentCodes: [], previousDepartmentCodes: ['LAND_RESOURCES'] }),
    },
  ]);
});

test('a restart keeps the edited routing: the file is only the default', async () => {
  const admin = await api.login('admin');
  const edited = await setRoute(admin, {
    matchValue: 'OTHER',
    departmentCodes: ['JUSTICE'],
    expectedVersion: 2,
    reason: '其他类纠纷由司法所协办',
  });
  expect(edited.data?.setDisputeRoute.userErrors).toEqual([]);
  const before = await routingState();
  await loadReferenceData(api.dataSource); // what every start does
  expect(await routingState()).toEqual(before);
  const routing = await api.gql(ROUTING, {}, admin);
  expect(routing.data?.disputeRouting.version).toBe(3);
  expect(routing.data?.disputeRouting.routes).toContainEqual({
    matchKind: 'CATEGORY',
    matchValue: 'OTHER',
    departmentCodes: ['JUSTICE'],
  });
});

test('the routing history cannot be rewritten', async () => {
  // The API's role may not delete at all; the owner is stopped by the trigger.
  await expect(api.runtimeDataSource.query(`DELETE FROM dispute_route_changes`)).rejects.toThrow(
    /permission denied/,
  );
  await expect(api.dataSource.query(`DELETE FROM dispute_route_changes`)).rejects.toThrow(/append-only/);
  await expect(
    api.runtimeDataSource.query(`UPDATE dispute_route_changes SET department_codes = '{}'`),
  ).rejects.toThrow(/append-only/);
});
