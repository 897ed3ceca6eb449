// No existence signals (SPEC §4, inference control): generated from the schema, every Query and
// Mutation field that takes an ID — as an argument or inside its input — is called, for accounts of
// every kind of scope, once with the id of a record outside the account's scope and once with a
// random id. The two answers must be equal (data, messages, codes, paths), no message may carry an
// id, and neither call may write anything. A new operation is covered without anyone writing a case.
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import { startTestApi, type GraphQLResponse, type TestApi } from '../support/api';
import { registerDispute, registerHousehold, registerPerson } from '../support/fixtures';

/** The kinds of record an ID argument can name. */
type RecordKind =
  | 'person'
  | 'dispute'
  | 'assignment'
  | 'referral'
  | 'tierChangeRequest'
  | 'alert'
  | 'household'
  | 'hazardBusiness'
  | 'jurisdiction'
  | 'user'
  | 'serviceAccount'
  | 'apiKey'
  | 'anyRecord'
  | 'webhook'
  | 'webhookDelivery'
  | 'breakGlassGrant'
  | 'incident';

/**
 * What each ID argument names: by `operation.path` where a name alone is ambiguous (`id`), else by
 * the argument's or input field's own name. An ID argument named in neither fails the test.
 */
const KIND_BY_OPERATION_PATH: Readonly<Record<string, RecordKind>> = {
  'person.id': 'person',
  'dispute.id': 'dispute',
  'updatePerson.input.id': 'person',
  'correctPerson.input.id': 'person',
  'updateReferral.input.id': 'referral',
  // The AUDITOR's access report of a person: audit facts, as auditTrail(filter.recordId) gives them.
  'personAccessReport.personId': 'anyRecord',
};
const KIND_BY_NAME: Readonly<Record<string, RecordKind>> = {
  personId: 'person',
  injuredPersonId: 'person',
  suspectPersonId: 'person',
  keepPersonId: 'person',
  mergePersonId: 'person',
  disputeId: 'dispute',
  assignmentId: 'assignment',
  referralId: 'referral',
  requestId: 'tierChangeRequest',
  alertId: 'alert',
  householdId: 'household',
  businessId: 'hazardBusiness',
  gridId: 'jurisdiction',
  jurisdictionId: 'jurisdiction',
  parentId: 'jurisdiction',
  villageId: 'jurisdiction',
  intoGridId: 'jurisdiction',
  leadLeaderId: 'user',
  responsiblePersonId: 'user',
  teamMemberIds: 'user',
  userId: 'user',
  actorId: 'user',
  serviceAccountId: 'serviceAccount',
  keyId: 'apiKey',
  recordId: 'anyRecord',
  webhookId: 'webhook',
  deliveryId: 'webhookDelivery',
  grantId: 'breakGlassGrant',
  personIds: 'person',
  disputeIds: 'dispute',
  incidentId: 'incident',
};

/**
 * Kinds not compared, because no account that may use an operation naming them has them outside
 * its scope:
 * - user: the organisation's directory; any active user may be named responsible, lead or team
 *   member (assign), and only the AUDITOR filters the trail by actor. ADMIN's user operations
 *   (updateUser, resetPassword …) answer an account outside its subtree as a random id
 *   (test/administration/users.test.ts); this test's ADMIN holds the whole city.
 * - serviceAccount, apiKey: only ADMIN uses those operations, and ADMIN sees them all.
 * - anyRecord: auditTrail's recordId and personAccessReport's personId, AUDITOR only, who reads the
 *   whole trail.
 * - webhook, webhookDelivery: owned by service accounts, none of which is among these accounts;
 *   another account's endpoint or delivery answering as a random id is compared in
 *   test/integrations/webhooks.test.ts (ADMIN oversees them all).
 * - breakGlassGrant: only the 综治办 leader of a street reviews grants, and none is among these
 *   accounts; another street's grant answering as a random id is compared in
 *   test/domain/break-glass/break-glass.test.ts.
 */
const UNSCOPED_KINDS: ReadonlySet<RecordKind> = new Set([
  'user',
  'serviceAccount',
  'apiKey',
  'anyRecord',
  'webhook',
  'webhookDelivery',
  'breakGlassGrant',
]);

/**
 * Operations that answer an out-of-scope id differently from a random one by design, with why. Only
 * the random id is asked (it must reach the lookup and write nothing); the out-of-scope one is not,
 * as it would change the account's scope for the rest of this test.
 */
const DIFFERENT_BY_DESIGN: Readonly<Record<string, string>> = {
  'breakGlass(input.personId)':
    'a grant on a person outside scope confirms that the person exists: that is breaking the glass, ' +
    'accepted because the grant and every read under it are audited and reviewed ' +
    '(src/domain/break-glass/break-glass.service.ts, test/domain/break-glass/break-glass.test.ts)',
};

/**
 * Accounts covering every kind of scope: other grids, a village, departments by routing, minors
 * only, and the ADMIN and AUDITOR capabilities.
 */
const ACCOUNTS = [
  'gridb.worker',
  'gridb.leader',
  'gridc.worker',
  'villagea.leader',
  'civil_affairs.worker',
  'civil_affairs.leader',
  'police.worker',
  'police.leader',
  'womens_federation.leader',
  'youth_league.worker',
  'justice.worker',
  'social_affairs.worker',
  'circuit_court.worker',
  'economic_development.worker',
  'petitions.leader',
  // The street's coordinator leader: the one who reaches the quarterly list of a jurisdiction.
  'comprehensive_governance.leader',
  'admin',
  'auditor',
] as const;

/**
 * Cases not compared because the account legitimately sees the record (worked out per run by
 * asking the API as that account, see `sees`):
 * - jurisdiction and household and hazardBusiness and incident of grid D: accounts at the street,
 *   whose subtree holds grid D (every department account here);
 * - alert: its recipients (COMMUNITY_POLICE — police.worker — receives an alert on a YELLOW person);
 * - person, dispute, assignment, referral, tier change request: none of these accounts, as the
 *   person is in grid D, at tier YELLOW (an open dispute), without special statuses, party to an
 *   OTHER dispute (routed to no department) and answered for by COMPREHENSIVE_GOVERNANCE.
 */

/**
 * Differences found here whose fix lies in code outside this change (reported in issue 17), as
 * `operation(path)` → where. They are still run (and must write nothing); the test fails once one
 * stops differing, so the entry is removed with the fix.
 */
const REPORTED_ELSEWHERE: Readonly<Record<string, string>> = {};

/** Strings whose input rules want a format, by input field name. */
const STRING_VALUES: Readonly<Record<string, string>> = {
  month: '2026-10',
  quarter: '2026-Q4',
  username: 'existence-probe',
  code: 'VOLATILE_TEMPER',
  occurredOn: '2026-10-01',
  birthDate: '1980-01-01',
  judicialConfirmationDate: '2026-10-01',
  responsibleDepartmentCode: 'GRID',
  departmentCode: 'GRID',
  method: 'VISIT',
  idNumber: '110101198001011232',
  buyerIdNumber: '110101198001011232',
  licenseNumber: 'LIC-0001',
  receiptNumber: 'R-0001',
  format: 'CSV',
  phone: '13800001234',
  localCode: 'G09',
  // Long enough for breakGlass, whose reviewer needs a reason of substance.
  reason: '情况紧急需要核实身份',
};

interface Account {
  username: string;
  token: string;
  userId: string;
  /** A grid inside the account's subtree, and a person there it may see (for required non-target IDs). */
  homeGrid: string;
  homePerson: string;
}

interface IdArgument {
  /** `input.parties.personId` style: argument name, then input field names. */
  path: string;
  kind: RecordKind;
}

interface Operation {
  root: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  ids: IdArgument[];
}

let api: TestApi;
let schema: GraphQLSchema;
const records = {} as Record<RecordKind, string>;
const accounts: Account[] = [];

const userIdOf = async (username: string): Promise<string> =>
  (await api.dataSource.query(`SELECT id FROM users WHERE username = $1`, [username]))[0].id;

async function mutate(token: string, name: string, inputType: string, input: object, pick: string) {
  const result = await api.gql(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { ${pick} { id } userErrors { field message } } }`,
    { input },
    token,
  );
  const id = result.data?.[name]?.[pick]?.id;
  if (!id) throw new Error(`${name} failed: ${JSON.stringify(result)}`);
  return id as string;
}

beforeAll(async () => {
  api = await startTestApi();
  schema = await buildBareSchema();
  const gridD = await api.node('gridD');
  const coordinator = await api.login('comprehensive_governance.worker');
  const coordinatorLeader = await api.login('comprehensive_governance.leader');
  records.jurisdiction = gridD;
  records.household = await registerHousehold(api, coordinator, gridD, '西社区二网格 8 号');
  records.person = await registerPerson(api, coordinator, {
    name: '丁某',
    gridId: gridD,
    householdId: records.household,
    birthDate: '1980-01-01',
  });
  records.dispute = await registerDispute(api, coordinator, {
    category: 'OTHER',
    gridId: gridD,
    parties: [records.person],
  });
  records.assignment = await mutate(
    coordinatorLeader,
    'assign',
    'AssignInput',
    {
      personId: records.person,
      responsibleDepartmentCode: 'COMPREHENSIVE_GOVERNANCE',
      responsiblePersonId: await userIdOf('comprehensive_governance.worker'),
      measures: '每周走访',
    },
    'assignment',
  );
  records.referral = await mutate(
    coordinator,
    'createReferral',
    'CreateReferralInput',
    { personId: records.person, kind: 'PSYCHOLOGICAL_SUPPORT', reason: '情绪低落' },
    'referral',
  );
  records.tierChangeRequest = await mutate(
    coordinator,
    'requestTierChange',
    'RequestTierChangeInput',
    { personId: records.person, toTier: 'ORANGE', reason: '近期多次争吵' },
    'request',
  );
  records.alert = await mutate(
    coordinator,
    'raiseAlert',
    'RaiseAlertInput',
    { personId: records.person, description: '情绪激动' },
    'alert',
  );
  records.hazardBusiness = await mutate(
    await api.login('economic_development.worker'),
    'registerHazardBusiness',
    'RegisterHazardBusinessInput',
    {
      name: '西社区烟花店',
      licenseNumber: 'LIC-0042',
      activities: ['SELL'],
      goods: '烟花爆竹',
      address: '西社区二网格 9 号',
      gridId: gridD,
    },
    'business',
  );
  records.incident = await mutate(
    await api.login('police.leader'),
    'recordIncident',
    'RecordIncidentInput',
    {
      gridId: gridD,
      occurredAt: '2026-10-01T00:00:00.000Z',
      place: '西社区',
      kind: 'ASSAULT',
      deaths: 0,
      injuries: 1,
      summary: '斗殴',
    },
    'incident',
  );

  // Home persons: one in each grid an account lives in, which that account may see. Grid A's is in a
  // FAMILY dispute reported by police call, so department accounts at the street see it too.
  const homeGrids: { gridId: string; personId: string }[] = [];
  for (const code of ['gridA', 'gridB', 'gridC'] as const) {
    const gridId = await api.node(code);
    const personId = await registerPerson(api, coordinator, { name: `${code} 住户`, gridId });
    if (code === 'gridA') {
      const other = await registerPerson(api, coordinator, { name: '甲方', gridId });
      await registerDispute(api, coordinator, {
        category: 'FAMILY',
        source: 'POLICE_CALL',
        gridId,
        parties: [personId, other],
      });
    }
    homeGrids.push({ gridId, personId });
  }
  for (const username of ACCOUNTS) {
    const [node]: { path: string; level: string }[] = await api.dataSource.query(
      `SELECT j.path, j.level FROM users u JOIN jurisdictions j ON j.id = u.jurisdiction_id WHERE u.username = $1`,
      [username],
    );
    const [grid]: { id: string }[] = await api.dataSource.query(
      `SELECT id FROM jurisdictions WHERE level = 'GRID' AND (path = $1 OR path LIKE $1 || '.%') ORDER BY path LIMIT 1`,
      [node?.path],
    );
    const home = homeGrids.find((candidate) => candidate.gridId === grid?.id) ?? homeGrids[0];
    if (!home) throw new Error(`no home grid for ${username}`);
    accounts.push({
      username,
      token: await api.login(username),
      userId: await userIdOf(username),
      homeGrid: home.gridId,
      homePerson: home.personId,
    });
  }
}, 120000);
afterAll(() => api.close());

/** The kind an ID argument names, or a failure naming the argument the tables do not classify. */
function kindOf(operation: string, path: string): RecordKind {
  const name = path.split('.').pop() as string;
  const kind = KIND_BY_OPERATION_PATH[`${operation}.${path}`] ?? KIND_BY_NAME[name];
  if (!kind) {
    throw new Error(
      `${operation}(${path}) takes an ID this test does not classify: add it to KIND_BY_NAME or KIND_BY_OPERATION_PATH`,
    );
  }
  return kind;
}

/** Every ID-typed argument or input field of `type`, as dotted paths below `prefix`. */
function idPaths(type: GraphQLInputType, prefix: string, seen: Set<string> = new Set()): string[] {
  const named = getNamedType(type);
  if (isScalarType(named) && named.name === 'ID') return [prefix];
  if (!isInputObjectType(named) || seen.has(named.name)) return [];
  const inner = new Set(seen).add(named.name);
  return Object.values(named.getFields()).flatMap((field) =>
    idPaths(field.type, `${prefix}.${field.name}`, inner),
  );
}

function operations(): Operation[] {
  const roots: ['query' | 'mutation', GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ];
  return roots.flatMap(([root, type]) =>
    Object.values(type?.getFields() ?? {})
      .map((field) => ({
        root,
        field,
        ids: field.args
          .flatMap((arg) => idPaths(arg.type, arg.name))
          .map((path) => ({ path, kind: kindOf(field.name, path) })),
      }))
      .filter((operation) => operation.ids.length > 0),
  );
}

/** A plausible value of an input type; `target` is the dotted path that gets `targetId`. */
function valueOf(
  operation: string,
  type: GraphQLInputType,
  path: string,
  target: string,
  targetId: string,
  account: Account,
): unknown {
  const required = isNonNullType(type);
  const inner = required ? type.ofType : type;
  if (isListType(inner)) {
    return [valueOf(operation, inner.ofType as GraphQLInputType, path, target, targetId, account)];
  }
  const named = inner as GraphQLNamedType;
  if (isInputObjectType(named)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(named.getFields())) {
      const fieldPath = `${path}.${field.name}`;
      const onTarget = target === fieldPath || target.startsWith(`${fieldPath}.`);
      const needed = isNonNullType(field.type) && field.defaultValue === undefined;
      if (onTarget || needed) {
        value[field.name] = valueOf(operation, field.type, fieldPath, target, targetId, account);
      }
    }
    return value;
  }
  if (isEnumType(named)) return named.getValues()[0]?.value;
  const name = path.split('.').pop() as string;
  switch (named.name) {
    case 'ID': {
      if (path === target) return targetId;
      const kind = kindOf(operation, path);
      if (kind === 'user') return account.userId;
      if (kind === 'jurisdiction') return account.homeGrid;
      if (kind === 'person') return account.homePerson;
      return randomUUID();
    }
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTimeISO':
      return '2026-10-01T00:00:00.000Z';
    default:
      return STRING_VALUES[name] ?? '测试';
  }
}

/** A small selection of an output type: typename, id, counts, userErrors, and one level of objects. */
function selectionOf(type: GraphQLNamedType, depth = 0): string {
  if (!isObjectType(type)) return '';
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    const target = getNamedType(field.type);
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    if (field.name === 'userErrors') parts.push('userErrors { field message code }');
    else if (field.name === 'id' || field.name === 'totalCount') parts.push(field.name);
    else if (field.name === 'edges' && isObjectType(target))
      parts.push(`edges { ${selectionOf(target, 1)} }`);
    else if (field.name === 'node' && isObjectType(target)) parts.push(`node { ${selectionOf(target, 2)} }`);
    else if (depth === 0 && isObjectType(target)) parts.push(`${field.name} { ${selectionOf(target, 2)} }`);
  }
  return parts.join(' ');
}

function documentOf(operation: Operation): string {
  const variables = operation.field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`);
  const args = operation.field.args.map((arg) => `${arg.name}: $${arg.name}`);
  const selection = selectionOf(getNamedType(operation.field.type));
  return `${operation.root}${variables.length ? `(${variables.join(', ')})` : ''} { ${operation.field.name}${
    args.length ? `(${args.join(', ')})` : ''
  }${selection ? ` { ${selection} }` : ''} }`;
}

function variablesOf(operation: Operation, target: string, targetId: string, account: Account) {
  const variables: Record<string, unknown> = {};
  for (const arg of operation.field.args) {
    const onTarget = target === arg.name || target.startsWith(`${arg.name}.`);
    if (onTarget || (isNonNullType(arg.type) && arg.defaultValue === undefined)) {
      variables[arg.name] = valueOf(operation.field.name, arg.type, arg.name, target, targetId, account);
    }
  }
  return variables;
}

/** What a caller observes of an answer. */
function observed(result: GraphQLResponse) {
  return {
    status: result.status,
    data: result.data ?? null,
    errors: (result.errors ?? []).map((error) => ({
      message: error.message,
      code: error.extensions?.code ?? null,
      path: error.path ?? null,
    })),
  };
}

/** Every message of an answer: errors' and userErrors'. */
function messagesOf(result: GraphQLResponse): string[] {
  const found: string[] = (result.errors ?? []).map((error) => error.message);
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'message' && typeof inner === 'string') found.push(inner);
        else walk(inner);
      }
    }
  };
  walk(result.data);
  return found;
}

/** Whether the random-id answer came from looking the target up (not a permission or input refusal). */
function reachedLookup(result: GraphQLResponse, target: string): boolean {
  const codes = (result.errors ?? []).map((error) => error.extensions?.code);
  if (codes.includes('NOT_FOUND')) return true;
  if (codes.length > 0) return false;
  const payload = Object.values(result.data ?? {})[0] as { userErrors?: { field: string | null }[] } | null;
  const userErrors = payload?.userErrors ?? [];
  if (userErrors.length === 0) return true; // a list or filter answering with nothing
  const field = target.replace(/^input\.parties\./, 'input.parties.0.');
  return userErrors.some((error) => error.field === field || error.field === target);
}

/**
 * A fingerprint of every table a request could write to (audit trail included). Not sessions: any request stamps its session's last use at most
 * once a minute (src/auth/identity-store.ts), a bookkeeping write on no record, whichever id was asked.
 */
async function databaseFingerprint(): Promise<string> {
  const tables: { table_name: string }[] = await api.dataSource.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        AND table_name NOT IN ('login_failures', 'migrations', 'sessions') ORDER BY table_name`,
  );
  const parts = tables.map(
    ({ table_name }) =>
      `SELECT '${table_name}' AS t, count(*) AS n, md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) AS h FROM "${table_name}" x`,
  );
  const rows: { t: string; n: string; h: string }[] = await api.dataSource.query(parts.join(' UNION ALL '));
  return rows.map((row) => `${row.t}:${row.n}:${row.h}`).join('|');
}

/** Whether `account` may legitimately see the record of `kind` (then the case is not compared). */
async function sees(account: Account, kind: RecordKind): Promise<boolean> {
  const id = records[kind];
  const ask = async (query: string, variables: Record<string, unknown>) =>
    (await api.gql(query, variables, account.token)).data;
  switch (kind) {
    case 'person':
    case 'referral':
      return Boolean(
        (await ask(`query($id: ID!) { person(id: $id) { id } }`, { id: records.person }))?.person,
      );
    case 'dispute':
      return Boolean((await ask(`query($id: ID!) { dispute(id: $id) { id } }`, { id }))?.dispute);
    case 'assignment': {
      const data = await ask(
        `query($p: ID!) { assignments(first: 10, filter: { personId: $p }) { edges { node { id } } } }`,
        {
          p: records.person,
        },
      );
      return Boolean(data?.assignments?.edges.some((edge: any) => edge.node.id === id));
    }
    case 'tierChangeRequest': {
      const data = await ask(
        `query($p: ID!) { tierChangeRequests(personId: $p, first: 100) { edges { node { id } } } }`,
        {
          p: records.person,
        },
      );
      return Boolean(data?.tierChangeRequests?.edges.some((edge: any) => edge.node.id === id));
    }
    case 'alert': {
      const data = await ask(`{ myAlerts(first: 100) { edges { node { alert { id } } } } }`, {});
      return Boolean(data?.myAlerts?.edges.some((edge: any) => edge.node.alert.id === id));
    }
    case 'jurisdiction':
    case 'household':
    case 'hazardBusiness':
    case 'incident': {
      // Grid-scoped records: seen when grid D lies in the account's subtree.
      const [row]: { inside: boolean }[] = await api.dataSource.query(
        `SELECT d.path = j.path OR d.path LIKE j.path || '.%' AS inside
           FROM users u JOIN jurisdictions j ON j.id = u.jurisdiction_id, jurisdictions d
          WHERE u.username = $1 AND d.id = $2`,
        [account.username, records.jurisdiction],
      );
      return Boolean(row?.inside);
    }
    default:
      return true;
  }
}

test('every operation answers an out-of-scope id exactly as a random id, and writes nothing', async () => {
  const all = operations();
  const compared = new Set<string>();
  const reached = new Set<string>();
  /** An answer to a random id that did not come from a lookup (not a refusal, if any): to tell why. */
  const refusals = new Map<string, string>();
  const differences: string[] = [];
  const idsInMessages: string[] = [];
  const writes: string[] = [];
  const stillDiffering = new Set<string>();
  const seen = new Map<string, boolean>();
  for (const account of accounts) {
    for (const kind of Object.keys(records) as RecordKind[]) {
      seen.set(`${account.username}|${kind}`, await sees(account, kind));
    }
  }
  let before = await databaseFingerprint();
  for (const operation of all) {
    const document = documentOf(operation);
    for (const { path, kind } of operation.ids) {
      if (UNSCOPED_KINDS.has(kind)) continue;
      const name = `${operation.field.name}(${path})`;
      compared.add(name);
      for (const account of accounts) {
        const random = await api.gql(
          document,
          variablesOf(operation, path, randomUUID(), account),
          account.token,
        );
        if (reachedLookup(random, path)) reached.add(name);
        else if (!refusals.has(name) || random.errors?.[0]?.extensions?.code !== 'FORBIDDEN') {
          refusals.set(name, JSON.stringify(observed(random)));
        }
        if (seen.get(`${account.username}|${kind}`) || DIFFERENT_BY_DESIGN[name]) continue;
        const outOfScope = await api.gql(
          document,
          variablesOf(operation, path, records[kind], account),
          account.token,
        );
        const a = observed(outOfScope);
        const b = observed(random);
        const idInMessage = [...messagesOf(outOfScope), ...messagesOf(random)].find((message) =>
          /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i.test(message),
        );
        if (REPORTED_ELSEWHERE[name]) {
          if (idInMessage || JSON.stringify(a) !== JSON.stringify(b)) stillDiffering.add(name);
        } else if (JSON.stringify(a) !== JSON.stringify(b)) {
          differences.push(
            `${account.username} ${name}:\n  out of scope: ${JSON.stringify(a)}\n  random:       ${JSON.stringify(b)}`,
          );
        }
        if (idInMessage && !REPORTED_ELSEWHERE[name]) {
          idsInMessages.push(`${account.username} ${name}: ${idInMessage}`);
        }
        let after = await databaseFingerprint();
        if (after !== before) {
          // A change seen once may be another request's late bookkeeping landing now; an operation
          // that writes on these ids writes again when asked again, so it is asked again.
          await new Promise((resolve) => setTimeout(resolve, 200));
          const settled = await databaseFingerprint();
          await api.gql(document, variablesOf(operation, path, randomUUID(), account), account.token);
          await api.gql(document, variablesOf(operation, path, records[kind], account), account.token);
          after = await databaseFingerprint();
          if (after !== settled) writes.push(`${account.username} ${name}`);
        }
        before = after;
      }
    }
  }
  expect({
    differences,
    idsInMessages,
    writes,
    // The arguments built from the schema reach the lookup of every target for some account: a
    // random id is NOT_FOUND, a userError on that very field, or an empty list.
    lookupNotReached: [...compared]
      .filter((name) => !reached.has(name))
      .map((name) => `${name}: ${refusals.get(name)}`),
    fixedSoRemoveFromReportedElsewhere: Object.keys(REPORTED_ELSEWHERE).filter(
      (name) => !stillDiffering.has(name),
    ),
  }).toEqual({
    differences: [],
    idsInMessages: [],
    writes: [],
    lookupNotReached: [],
    fixedSoRemoveFromReportedElsewhere: [],
  });
  expect(compared.size).toBeGreaterThan(20);
}, 600000);
