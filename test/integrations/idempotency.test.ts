// Idempotency everywhere (SPEC §5, issue 21 item 6): an integration that retries a create must not
// make a second record. Generated from the schema: every mutation takes `idempotencyKey` in its input
// unless it is listed below as creating nothing, or as creating without one for a stated reason — so
// a mutation added without a key fails here. Then, through the real API, each keyed mutation run twice
// with one key answers with the same record and creates one, and the same key with another input is a
// CONFLICT that writes nothing.
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isInputObjectType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { recordAssessment, registerDispute, registerPerson } from '../support/fixtures';

/** Mutations that create no record: they change, decide, acknowledge, sign in or out. */
const NOT_CREATING: Readonly<Record<string, string>> = {
  login: 'signs in',
  logout: 'signs out',
  changePassword: 'changes the caller’s password',
  verifySecondFactor: 'the second step of signing in',
  beginTotpEnrolment: 'starts enrolling the caller’s authenticator; a retry starts it afresh',
  confirmTotpEnrolment: 'confirms the pending enrolment once',
  resetSecondFactor: 'clears an account’s second factor; repeating it clears nothing more',
  updatePerson: 'an update (expectedVersion)',
  updateReferral: 'an update (expectedVersion)',
  updateUser: 'an update of an account',
  disableUser: 'sets a flag; repeating it changes nothing',
  enableUser: 'sets a flag; repeating it changes nothing',
  resetPassword: 'replaces a password',
  endUserSessions: 'ends sessions; repeating it ends nothing more',
  changeDisputeStatus: 'a transition (expectedVersion): a retry is a CONFLICT',
  escalateDispute: 'a transition (expectedVersion): a retry is a CONFLICT',
  decideTierChange: 'a decision (expectedVersion): a retry is a CONFLICT',
  acknowledgeAlert: 'sets the caller’s acknowledgement once',
  acknowledgeAssignment: 'sets the responsible person’s acknowledgement once',
  mergePersons: 'removes a record (expectedVersion); a retry answers with the kept record',
  revokeApiKey: 'revokes; repeating it revokes nothing more',
  setServiceAccountBudget: 'sets an account’s budget; repeating it changes nothing',
  setDisputeRoute: 'sets reference data; repeating it changes nothing',
  setAccountabilityThreshold: 'sets reference data; repeating it changes nothing (a userError)',
  setAccountabilityWeight: 'sets reference data; repeating it changes nothing (a userError)',
  reorganiseMoveGrid: 'moves a grid; a retry finds it moved',
  reorganiseMergeGrids: 'retires a grid into another; a retry finds it retired',
  recordPoliceCounts: 'sets the counts of a jurisdiction and month (an upsert)',
  savePsychologicalFile: 'one file per person: creating twice is a CONFLICT on expectedVersion',
  approveWebhook: 'activates an endpoint; a retry finds it active (a userError), nothing more',
  disableWebhook: 'disables an endpoint; a retry finds it disabled (a userError), nothing more',
  replayWebhookDelivery: 're-queues an existing delivery; a retry finds it queued (a userError)',
  correctPerson: 'a correction (expectedVersion): a retry is a CONFLICT',
  reviewBreakGlass: 'a decision (expectedVersion): a retry is a CONFLICT',
};

/** Mutations that create without an idempotencyKey, and why a retry still creates nothing twice. */
const CREATES_WITHOUT_KEY: Readonly<Record<string, string>> = {
  recordHazardSales: 'idempotent per business and receipt number: a retry adds nothing (skipped)',
  importHazardSales: 'idempotent per business and receipt number: a retry adds nothing (skipped)',
  importRecords: 'idempotent per external id: a retry finds every row unchanged and creates nothing',
  recordReturnVisit: 'one per dispute and sequence (30, 90 days): a retry is refused, never a second visit',
  breakGlass:
    'a retry opens a second grant on the same person for the same hours: both are audited and queued for review, and the access they open is the same',
  renewTierOverride:
    'renews the approved request at expectedVersion: a retry finds it superseded (CONFLICT), never a second renewal',
  createServiceAccount: 'the username is unique: a retry is refused, never a second account',
  issueApiKey:
    'the key is shown once and kept only as a hash, so no retry could be answered with it; an unused key is revoked (revokeApiKey)',
  importUsers: 'idempotent per username: an existing username is updated, never created twice',
  publishIndicatorCatalog:
    'a new catalog version is a decision an ADMIN takes, not a record an integration retries',
};

/** Keyed mutations whose replay is tested with their own area. */
const TESTED_ELSEWHERE: Readonly<Record<string, string>> = {
  createUser: 'test/administration/users.test.ts',
  addJurisdiction: 'test/administration/jurisdictions-tree.test.ts',
  registerWebhook: 'test/integrations/webhooks.test.ts',
};

let schema: GraphQLSchema;
let api: TestApi;

function mutations(): GraphQLField<unknown, unknown>[] {
  return Object.values(schema.getMutationType()?.getFields() ?? {});
}

function takesKey(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((arg) => {
    const type = getNamedType(arg.type);
    return isInputObjectType(type) && 'idempotencyKey' in type.getFields();
  });
}

beforeAll(async () => {
  schema = await buildBareSchema();
});

test('every mutation takes an idempotencyKey, or is listed as creating nothing or as safe to retry without one', () => {
  const names = new Set(mutations().map((field) => field.name));
  const keyed = new Set(
    mutations()
      .filter(takesKey)
      .map((field) => field.name),
  );
  const exempt = { ...NOT_CREATING, ...CREATES_WITHOUT_KEY };
  expect({
    withoutKeyNorReason: [...names].filter((name) => !keyed.has(name) && !exempt[name]),
    // The lists stay honest: they name mutations that exist and take no key.
    listedButKeyed: Object.keys(exempt).filter((name) => keyed.has(name)),
    listedButGone: Object.keys(exempt).filter((name) => !names.has(name)),
    inBothLists: Object.keys(NOT_CREATING).filter((name) => CREATES_WITHOUT_KEY[name]),
  }).toEqual({ withoutKeyNorReason: [], listedButKeyed: [], listedButGone: [], inBothLists: [] });
  // The mutations issue 21 found without a key have one now.
  for (const name of [
    'createReferral',
    'raiseAlert',
    'reportInjury',
    'requestTierChange',
    'addPoliceRecord',
    'registerHazardBusiness',
  ]) {
    expect([name, keyed.has(name)]).toEqual([name, true]);
  }
});

// ---------------------------------------------------------------------------------------------------
// Through the API

interface Fixtures {
  gridA: string;
  person: string;
  policePerson: string;
  disputeInMediation: string;
  leaderId: string;
}

interface Case {
  as: string;
  input: (f: Fixtures) => Record<string, unknown>;
  /** The same input with one value changed. */
  change: (input: Record<string, unknown>) => Record<string, unknown>;
}

const CASES: Readonly<Record<string, Case>> = {
  registerPerson: {
    as: 'grid.worker',
    input: (f) => ({ name: '重试人员', gridId: f.gridA }),
    change: (input) => ({ ...input, name: '另一人员' }),
  },
  registerHousehold: {
    as: 'grid.worker',
    input: (f) => ({ address: '东村一网格 1 号', gridId: f.gridA }),
    change: (input) => ({ ...input, address: '东村一网格 2 号' }),
  },
  registerDispute: {
    as: 'grid.worker',
    input: (f) => ({
      category: 'NEIGHBOR',
      source: 'GRID_VISIT',
      gridId: f.gridA,
      description: '通行纠纷',
      parties: [{ personId: f.person, role: 'APPLICANT' }],
    }),
    change: (input) => ({ ...input, description: '采光纠纷' }),
  },
  recordAssessment: {
    as: 'grid.worker',
    input: (f) => ({ personId: f.person, indicators: [{ code: 'VOLATILE_TEMPER', note: '易怒' }] }),
    change: (input) => ({ ...input, indicators: [{ code: 'VOLATILE_TEMPER', note: '很易怒' }] }),
  },
  assign: {
    as: 'grid.leader',
    input: (f) => ({
      personId: f.person,
      responsibleDepartmentCode: 'GRID',
      responsiblePersonId: f.leaderId,
      measures: '每周走访',
    }),
    change: (input) => ({ ...input, measures: '每日走访' }),
  },
  recordFollowUp: {
    as: 'grid.worker',
    input: (f) => ({ personId: f.person, method: 'VISIT', notes: '情绪平稳', observedChange: '好转' }),
    change: (input) => ({ ...input, notes: '情绪激动' }),
  },
  recordMediationSession: {
    as: 'grid.worker',
    input: (f) => ({
      disputeId: f.disputeInMediation,
      venue: '村调委会',
      mediatorName: '调解员甲',
      outcome: 'ADJOURNED',
    }),
    change: (input) => ({ ...input, mediatorName: '调解员乙' }),
  },
  createReferral: {
    as: 'grid.worker',
    input: (f) => ({ personId: f.person, kind: 'LEGAL_AID', reason: '需要法律援助' }),
    change: (input) => ({ ...input, kind: 'EMPLOYMENT' }),
  },
  recordIncident: {
    as: 'police.worker',
    input: (f) => ({
      occurredAt: '2026-10-20T10:00:00.000Z',
      gridId: f.gridA,
      place: '东村一组',
      kind: 'ASSAULT',
      deaths: 0,
      injuries: 1,
      summary: '斗殴致一人受伤',
    }),
    change: (input) => ({ ...input, injuries: 2 }),
  },
  raiseAlert: {
    as: 'grid.worker',
    input: (f) => ({ personId: f.person, description: '扬言报复' }),
    change: (input) => ({ ...input, description: '情绪激动' }),
  },
  reportInjury: {
    as: 'social_affairs.worker',
    input: (f) => ({ facility: '镇卫生院', cause: 'KNIFE', description: '刀伤', gridId: f.gridA }),
    change: (input) => ({ ...input, cause: 'POISON' }),
  },
  requestTierChange: {
    as: 'grid.worker',
    input: (f) => ({ personId: f.person, toTier: 'RED', reason: '多次扬言伤人' }),
    change: (input) => ({ ...input, toTier: 'ORANGE' }),
  },
  addPoliceRecord: {
    as: 'police.worker',
    input: (f) => ({
      personId: f.policePerson,
      kind: 'POLICE_CALL',
      summary: '出警处置',
      occurredOn: '2026-10-01',
    }),
    change: (input) => ({ ...input, summary: '再次出警' }),
  },
  registerHazardBusiness: {
    as: 'economic_development.worker',
    input: (f) => ({
      name: '东村烟花店',
      licenseNumber: 'LIC-RETRY-1',
      activities: ['SELL'],
      goods: '烟花爆竹',
      address: '东村一网格 9 号',
      gridId: f.gridA,
    }),
    change: (input) => ({ ...input, licenseNumber: 'LIC-RETRY-2' }),
  },
};

/** `mutation($input: T!) { name(input: $input) { <every record's id> userErrors { … } } }`. */
function documentOf(field: GraphQLField<unknown, unknown>): { document: string; records: string[] } {
  const inputType = field.args.find((arg) => arg.name === 'input')?.type;
  const payload = getNamedType(field.type) as GraphQLObjectType;
  const records = Object.values(payload.getFields())
    .filter((inner) => {
      const type = getNamedType(inner.type);
      return isObjectType(type) && 'id' in type.getFields();
    })
    .map((inner) => inner.name);
  return {
    document: `mutation($input: ${String(inputType)}) { ${field.name}(input: $input) {
      ${records.map((name) => `${name} { id }`).join(' ')} userErrors { field message code } } }`,
    records,
  };
}

/** Rows per table: a replay and a refused reuse change none of them. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = (await api.dataSource.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        AND table_name NOT IN ('login_failures', 'migrations', 'schema_migrations')
      ORDER BY table_name`,
  )) as { table_name: string }[];
  const rows = (await api.dataSource.query(
    tables
      .map(({ table_name }) => `SELECT '${table_name}' AS t, count(*)::int AS n FROM "${table_name}"`)
      .join(' UNION ALL '),
  )) as { t: string; n: number }[];
  return Object.fromEntries(rows.map((row) => [row.t, row.n]));
}

describe('through the API', () => {
  const fixtures = {} as Fixtures;

  beforeAll(async () => {
    api = await startTestApi();
    fixtures.gridA = await api.node('gridA');
    const worker = await api.login('grid.worker');
    fixtures.person = await registerPerson(api, worker, { name: '重试对象', gridId: fixtures.gridA });
    const other = await registerPerson(api, worker, { name: '对方', gridId: fixtures.gridA });
    // A dispute makes the person YELLOW (EVENT), and a police call makes another visible to POLICE.
    await registerDispute(api, worker, {
      category: 'NEIGHBOR',
      gridId: fixtures.gridA,
      parties: [fixtures.person],
    });
    fixtures.policePerson = await registerPerson(api, worker, { name: '警情对象', gridId: fixtures.gridA });
    await registerDispute(api, worker, {
      category: 'OTHER',
      source: 'POLICE_CALL',
      gridId: fixtures.gridA,
      parties: [fixtures.policePerson],
    });
    await recordAssessment(api, worker, other, []);
    fixtures.disputeInMediation = await registerDispute(api, worker, {
      category: 'FAMILY',
      gridId: fixtures.gridA,
      parties: [other],
    });
    const leader = await api.login('grid.leader');
    for (const [status, token] of [
      ['ACCEPTED', leader],
      ['IN_MEDIATION', worker],
    ] as const) {
      const moved = await api.gql(
        `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) { dispute { version } userErrors { message } } }`,
        {
          input: {
            disputeId: fixtures.disputeInMediation,
            status,
            expectedVersion: status === 'ACCEPTED' ? 1 : 2,
          },
        },
        token,
      );
      if (!moved.data?.changeDisputeStatus.dispute)
        throw new Error(`changeDisputeStatus: ${JSON.stringify(moved)}`);
    }
    const [{ id }] = (await api.dataSource.query(`SELECT id FROM users WHERE username = 'grid.leader'`)) as [
      { id: string },
    ];
    fixtures.leaderId = id;
  }, 120000);
  afterAll(() => api.close());

  test('every keyed mutation has a case here or in its own area’s tests', () => {
    const keyed = mutations()
      .filter(takesKey)
      .map((field) => field.name);
    expect(keyed.filter((name) => !CASES[name] && !TESTED_ELSEWHERE[name])).toEqual([]);
  });

  test.each(Object.keys(CASES))(
    '%s twice with one key creates one record and answers with it; the key with another input is a CONFLICT',
    async (name) => {
      const field = schema.getMutationType()?.getFields()[name];
      if (!field) throw new Error(`no mutation ${name}`);
      const { document, records } = documentOf(field);
      const testCase = CASES[name]!;
      const token = await api.login(testCase.as);
      const input = { ...testCase.input(fixtures), idempotencyKey: `retry-${name}-${randomUUID()}` };
      const recordOf = (result: GraphQLResponse) => {
        const payload = result.data?.[name] as Record<string, { id: string } | null> | undefined;
        return records.map((record) => payload?.[record]?.id).find(Boolean);
      };

      const before = await rowCounts();
      const first = await api.gql(document, { input }, token);
      expect(first.errors).toBeUndefined();
      expect(first.data?.[name].userErrors).toEqual([]);
      const id = recordOf(first);
      expect(id).toEqual(expect.any(String));
      const created = await rowCounts();
      expect(created).not.toEqual(before);

      const again = await api.gql(document, { input }, token);
      expect(again.errors).toBeUndefined();
      expect(again.data?.[name].userErrors).toEqual([]);
      expect(recordOf(again)).toBe(id);
      expect(await rowCounts()).toEqual(created);

      const reused = await api.gql(document, { input: testCase.change(input) }, token);
      expect(reused.errors).toBeUndefined();
      expect(reused.data?.[name].userErrors).toEqual([
        {
          field: 'input.idempotencyKey',
          code: 'CONFLICT',
          message: expect.stringMatching(/idempotencyKey was already used/),
        },
      ]);
      expect(await rowCounts()).toEqual(created);
    },
  );
});
