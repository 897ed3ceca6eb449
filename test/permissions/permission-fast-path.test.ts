// The permission fast path (src/permissions/shield.ts): once graphql-shield has found a caller in a
// field's audience, later fields of that audience skip shield — for that request only. No answer
// leaks to the next request (another user, the same user with another department), over HTTP, on
// both engines, or between operations and subscription events on one WebSocket; and the mechanism
// stays visible: no module-level memory of callers, no casts, every field guarded or proven open.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isObjectType, type GraphQLResolveInfo } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { Identity } from '../../src/auth/identity';
import { ServerRequestContext } from '../../src/context';
import { Capability, Position } from '../../src/domain/organisation/organisation.enums';
import { buildApiSchema, buildBareSchema } from '../../src/graphql/schema';
import { planGuards, type Guard } from '../../src/permissions/guards';
import {
  allPrincipals,
  decideField,
  FIELD_POLICY,
  OPERATION_POLICY,
  PUBLIC,
  STRUCTURAL_TYPES,
  type Audience,
  type Principal,
} from '../../src/permissions/policy';
import { reachOf } from '../../src/permissions/reach';
import type { AppServices } from '../../src/request-scope';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { errorCodes, registerPerson } from '../support/fixtures';

let api: TestApi;
let minorId: string;
const ID_NUMBER = '330008201203011235';

beforeAll(async () => {
  api = await startTestApi();
  const worker = await api.login('grid.worker');
  const gridA = await api.node('gridA');
  minorId = await registerPerson(api, worker, {
    name: '小明',
    gender: 'MALE',
    gridId: gridA,
    birthDate: '2012-03-01',
    idNumber: ID_NUMBER,
    residency: 'MIGRANT',
  });
  await registerPerson(api, worker, {
    name: '小红',
    gender: 'FEMALE',
    gridId: gridA,
    birthDate: '2013-07-01',
  });
  await registerPerson(api, worker, { name: '成年', gender: 'MALE', gridId: gridA, birthDate: '1980-01-01' });
}, 120000);
afterAll(() => api.close());

// grid.worker reads all of these; comprehensive_governance.worker reads the ID number masked;
// youth_league.worker reads name and age only (Person.gender, .residency and .idNumber are denied).
const ONE = `query FastPathOne($id: ID!) { person(id: $id) { name age gender residency idNumber } }`;
const LIST = `query FastPathList { persons(first: 10) { edges { node { name age gender } } } }`;

function expectFullRead(result: GraphQLResponse): void {
  expect(result.errors).toBeUndefined();
  expect(result.data?.person).toEqual({
    name: '小明',
    age: 14,
    gender: 'MALE',
    residency: 'MIGRANT',
    idNumber: ID_NUMBER,
  });
}

function expectYouthRead(result: GraphQLResponse): void {
  expect(result.data?.person).toEqual({
    name: '小明',
    age: 14,
    gender: null,
    residency: null,
    idNumber: null,
  });
  expect(errorCodes(result)).toEqual({
    'person.gender': 'FORBIDDEN',
    'person.residency': 'FORBIDDEN',
    'person.idNumber': 'FORBIDDEN',
  });
}

test('a field denied to one caller stays denied right after a caller who reads it, and the other way round', async () => {
  const grid = await api.login('grid.worker');
  const governance = await api.login('comprehensive_governance.worker');
  const youth = await api.login('youth_league.worker');
  // Three rounds of the same documents: the first on graphql-js, the later ones compiled by graphql-jit
  // (one compiled operation serves every caller).
  for (let round = 0; round < 3; round += 1) {
    expectFullRead(await api.gql(ONE, { id: minorId }, grid));
    expectYouthRead(await api.gql(ONE, { id: minorId }, youth));
    // COMPREHENSIVE_GOVERNANCE: the ID number masked, so no exact age (an age group instead).
    const masked = await api.gql(ONE, { id: minorId }, governance);
    expect(masked.data?.person).toEqual({
      name: '小明',
      age: null,
      gender: 'MALE',
      residency: 'MIGRANT',
      idNumber: '**************123*',
    });
    expect(errorCodes(masked)).toEqual({ 'person.age': 'FORBIDDEN' });
    expectFullRead(await api.gql(ONE, { id: minorId }, grid));

    const gridList = await api.gql(LIST, {}, grid);
    expect(gridList.errors).toBeUndefined();
    const gridRows = gridList.data?.persons.edges.map((edge: any) => edge.node);
    expect(gridRows).toHaveLength(3);
    expect(gridRows.every((row: any) => row.gender !== null)).toBe(true);

    const youthList = await api.gql(LIST, {}, youth);
    const youthRows = youthList.data?.persons.edges.map((edge: any) => edge.node);
    expect(youthRows.map((row: any) => row.name).sort()).toEqual(['小明', '小红'].sort());
    expect(youthRows.every((row: any) => row.gender === null && row.age !== null)).toBe(true);
    expect(Object.values(errorCodes(youthList))).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(Object.keys(errorCodes(youthList)).every((path) => path.endsWith('.gender'))).toBe(true);
  }
});

test('within one request, an allowed audience lets nothing else through, and a refusal blocks nothing else', async () => {
  const youth = await api.login('youth_league.worker');
  const query = `query FastPathAliases($id: ID!) {
    allowedFirst: person(id: $id) { name age }
    deniedAfter: person(id: $id) { gender residency }
    deniedFirst: person(id: $id) { a: gender b: name c: residency d: age e: gender }
    allowedAgain: person(id: $id) { name }
  }`;
  for (let round = 0; round < 3; round += 1) {
    const result = await api.gql(query, { id: minorId }, youth);
    expect(result.data).toEqual({
      allowedFirst: { name: '小明', age: 14 },
      deniedAfter: { gender: null, residency: null },
      deniedFirst: { a: null, b: '小明', c: null, d: 14, e: null },
      allowedAgain: { name: '小明' },
    });
    expect(errorCodes(result)).toEqual({
      'deniedAfter.gender': 'FORBIDDEN',
      'deniedAfter.residency': 'FORBIDDEN',
      'deniedFirst.a': 'FORBIDDEN',
      'deniedFirst.c': 'FORBIDDEN',
      'deniedFirst.e': 'FORBIDDEN',
    });
  }
});

// ---------------------------------------------------------------------------------------------
// One WebSocket connection: every operation and every subscription event has a fresh context.
// ---------------------------------------------------------------------------------------------

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await new Promise((resolve) => setTimeout(resolve, 100));
});

function connect(token: string): Client {
  const client = createClient({
    url: api.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

type Result = FormattedExecutionResult<Record<string, any>, unknown>;

function run(client: Client, query: string, variables?: Record<string, unknown>): Promise<Result> {
  return new Promise((resolve, reject) => {
    let result: Result = {};
    client.subscribe<Record<string, any>>(
      { query, variables },
      {
        next: (value) => {
          result = value;
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => resolve(result),
      },
    );
  });
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** grid.worker's department, as the identity of its next operation will read it. */
async function moveGridWorkerTo(department: string): Promise<void> {
  await api.dataSource.query(`UPDATE users SET department_code = $1 WHERE username = 'grid.worker'`, [
    department,
  ]);
}

test('on one WebSocket, each operation and each subscription event asks afresh', async () => {
  const token = await api.login('grid.worker');
  const [{ id: workerId }] = await api.dataSource.query(
    `SELECT id FROM users WHERE username = 'grid.worker'`,
  );
  const client = connect(token);
  const events: Result[] = [];
  const stop = client.subscribe<Record<string, any>>(
    { query: `subscription { alertReceived { alert { id person { name gender } } } }` },
    { next: (value) => events.push(value), error: () => undefined, complete: () => undefined },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const event = async (count: number) => {
    await api.dataSource.query(`SELECT pg_notify('concord_alerts', $1)`, [
      JSON.stringify({ alertId, recipients: [workerId] }),
    ]);
    await until(() => events.length === count, `event ${count}`);
    return events[count - 1]!;
  };
  const raised = await api.gql(
    `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`,
    { input: { personId: minorId, description: '快路径' } },
    token,
  );
  const alertId: string = raised.data?.raiseAlert.alert.id;
  expect(alertId).toBeTruthy();
  await until(() => events.length >= 1, 'the first event');
  events.splice(0);

  try {
    expect((await run(client, ONE, { id: minorId })).data?.person.gender).toBe('MALE');
    expect((await event(1)).data?.alertReceived.alert.person).toEqual({ name: '小明', gender: 'MALE' });

    // The same connection and token; the identity each operation re-reads is now YOUTH_LEAGUE's.
    await moveGridWorkerTo('YOUTH_LEAGUE');
    const asYouth = await run(client, ONE, { id: minorId });
    expect(asYouth.data?.person).toEqual({
      name: '小明',
      age: 14,
      gender: null,
      residency: null,
      idNumber: null,
    });
    expect(errorCodes(asYouth as GraphQLResponse)).toEqual({
      'person.gender': 'FORBIDDEN',
      'person.residency': 'FORBIDDEN',
      'person.idNumber': 'FORBIDDEN',
    });
    const youthEvent = await event(2);
    expect(youthEvent.data?.alertReceived.alert.person).toEqual({ name: '小明', gender: null });
    expect(errorCodes(youthEvent as GraphQLResponse)).toEqual({
      'alertReceived.alert.person.gender': 'FORBIDDEN',
    });

    // And back: a refusal is not remembered either.
    await moveGridWorkerTo('GRID');
    expect((await run(client, ONE, { id: minorId })).data?.person.gender).toBe('MALE');
    expect((await event(3)).data?.alertReceived.alert.person).toEqual({ name: '小明', gender: 'MALE' });
  } finally {
    await moveGridWorkerTo('GRID');
    stop();
  }
});

// ---------------------------------------------------------------------------------------------
// The mechanism, read from the source and the schema.
// ---------------------------------------------------------------------------------------------

const PERMISSION_SOURCES = ['shield.ts', 'reach.ts', 'guards.ts', 'arguments.ts', 'references.ts'].map(
  (file) => ({
    file,
    text: readFileSync(join(__dirname, '../../src/permissions', file), 'utf8'),
  }),
);

test('the permission layer keeps no module-level state and needs no casts through unknown', () => {
  for (const { file, text } of PERMISSION_SOURCES) {
    expect({ file, casts: text.match(/as unknown as/g) ?? [] }).toEqual({ file, casts: [] });
    // A top-level collection could only remember something across requests.
    const moduleState = text.match(
      /^(export\s+)?(const|let|var)\s+\w+[^=\n]*=\s*new\s+(Weak)?(Map|Set)\b.*$/gm,
    );
    expect({ file, moduleState: moduleState ?? [] }).toEqual({ file, moduleState: [] });
    expect({ file, weakMaps: text.match(/WeakMap/g) ?? [] }).toEqual({ file, weakMaps: [] });
  }
});

/** Whether `caller` (null: no credentials) may use Type.field, read straight from policy.ts. */
function mayUse(typeName: string, field: string, caller: Principal | null): boolean {
  const key = `${typeName}.${field}`;
  const audience = OPERATION_POLICY[key] ?? STRUCTURAL_TYPES[typeName];
  if (audience) return caller === null ? audience === PUBLIC : audience.includes(caller);
  return caller !== null && decideField(FIELD_POLICY[key], caller) !== 'denied';
}

const CALLERS: { label: string; caller: Principal | null }[] = [
  ...allPrincipals().map(({ label, principal }) => ({ label, caller: principal as Principal | null })),
  { label: 'ANONYMOUS', caller: null },
];

test('every field is guarded by exactly its policy, denied without a row, or proven open by reach', async () => {
  const schema = await buildBareSchema();
  const plan = planGuards(schema);
  const reach = reachOf(schema);
  const wrong: string[] = [];
  let fields = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) {
      fields += 1;
      const key = `${type.name}.${field}`;
      const guard: Guard | undefined = plan.get(key);
      const hasRow = Boolean(OPERATION_POLICY[key] ?? FIELD_POLICY[key] ?? STRUCTURAL_TYPES[type.name]);
      if (!guard) wrong.push(`${key}: not in the plan`);
      else if (!hasRow && guard.kind !== 'deny') wrong.push(`${key}: no policy row, but ${guard.kind}`);
      else if (guard.kind === 'open') {
        // Open only when every caller who can reach the type may use the field.
        const refused = CALLERS.filter(
          ({ label, caller }) => reach.get(type.name)?.has(label) && !mayUse(type.name, field, caller),
        );
        if (refused.length > 0)
          wrong.push(`${key}: open, but ${refused.map((c) => c.label).join(', ')} reach it`);
      } else if (guard.kind === 'audience') {
        // The audience lets in exactly those the policy lets use the field.
        const disagree = allPrincipals().filter(
          ({ principal }) => guard.audience.includes(principal) !== mayUse(type.name, field, principal),
        );
        if (disagree.length > 0) wrong.push(`${key}: audience disagrees for ${disagree[0]!.label}`);
      }
    }
  }
  expect(wrong).toEqual([]);
  expect(plan.size).toBe(fields);
  // The plan is not trivial: the sensitive fields keep guards, plain ones under a guarded parent don't.
  expect(plan.get('Person.idNumber')?.kind).toBe('audience');
  expect(plan.get('Person.gender')?.kind).toBe('audience');
  expect(plan.get('Person.name')?.kind).toBe('open');
});

/** A signed-in identity for a principal of the policy table (what the rules read of it, and who it is). */
function identityOf(principal: Principal): Identity {
  const identity: Partial<Identity> = {
    kind: 'USER',
    id: '00000000-0000-4000-8000-000000000001',
    username: 'probe',
    displayName: 'probe',
    departmentCode: principal.department,
    position: Position[principal.position],
    jurisdictionId: '00000000-0000-4000-8000-000000000002',
    jurisdictionPath: 'C01',
    jurisdictionLevel: 'CITY',
    capabilities: principal.capability ? [Capability[principal.capability]] : [],
  };
  return identity as Identity;
}

test('in the served schema, every guarded field refuses a caller outside its audience, whatever else was granted', async () => {
  const schema = await buildApiSchema();
  const plan = planGuards(await buildBareSchema());
  const audiences = new Set<Audience>();
  for (const guard of plan.values()) if (guard.kind === 'audience') audiences.add(guard.audience);
  const app = {} as AppServices;
  const info = {} as GraphQLResolveInfo;
  const leaked: string[] = [];
  let probed = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const guard = plan.get(key);
      if (!guard || guard.kind === 'open') continue;
      const outsider =
        guard.kind === 'audience'
          ? allPrincipals().find(({ principal }) => !guard.audience.includes(principal))?.principal
          : allPrincipals()[0]?.principal;
      if (guard.kind === 'audience' && guard.audience === PUBLIC) continue;
      // A caller outside the audience whose request already holds every other audience's yes.
      const context = new ServerRequestContext(app, 'probe', outsider ? identityOf(outsider) : null);
      for (const other of audiences)
        if (guard.kind === 'deny' || other !== guard.audience) context.grantedAudiences.add(other);
      const resolve = field.resolve;
      if (!resolve) {
        leaked.push(`${key}: no resolver`);
        continue;
      }
      probed += 1;
      const answer = await Promise.resolve(resolve({}, {}, context, info)).catch((error: unknown) => error);
      const code =
        answer instanceof Error ? (answer as { extensions?: { code?: string } }).extensions?.code : null;
      if (code !== 'FORBIDDEN' && code !== 'UNAUTHENTICATED')
        leaked.push(`${key}: answered ${String(answer)}`);
      if (guard.kind === 'audience' && context.grantedAudiences.has(guard.audience)) {
        leaked.push(`${key}: a refusal was noted as a grant`);
      }
    }
  }
  expect(leaked).toEqual([]);
  // Every field the plan guards (but those open to anyone, login's) was probed in the served schema.
  const guarded = [...plan.values()].filter(
    (guard) => guard.kind === 'deny' || (guard.kind === 'audience' && guard.audience !== PUBLIC),
  );
  expect(probed).toBe(guarded.length);
  expect(probed).toBeGreaterThan(50);
});
