// No foreign ids (SPEC §4, inference control): an answer never names a record outside the caller's
// row scope. Every id-valued field is classified — it names a row-scoped record (its policy row says
// which kind, and the permission layer answers null outside scope) or a kind of thing that is not
// row-scoped (the list below) — and, through the API, accounts that cannot see some records find no
// id of those records anywhere in their lists and explanations.
import { getNamedType, GraphQLID, isObjectType } from 'graphql';
import { buildBareSchema } from '../../src/graphql/schema';
import { FIELD_POLICY, STRUCTURAL_REFERENCES } from '../../src/permissions/policy';
import { startTestApi, type TestApi } from '../support/api';
import { registerDispute, registerPerson } from '../support/fixtures';

/**
 * Id-valued fields that name nothing row-scoped, by what they name. A new id field fails the first
 * test until it is given `references` in its policy row or is listed here with a reason.
 */
const NOT_ROW_SCOPED: Readonly<Record<string, readonly string[]>> = {
  // Staff accounts: the organisation, not personal records under management; every signed-in
  // account reads User (STRUCTURAL_TYPES).
  USER: [
    'Assessment.assessorId',
    'Assignment.leadLeaderId',
    'Assignment.responsiblePersonId',
    'Assignment.teamMemberIds',
    'Dispute.reportedById',
    'DisputeEscalation.byId',
    'FollowUp.byId',
    'ReturnVisit.byId',
    'TierChangeRequest.requestedById',
    'TierChangeRequest.decidedById',
    'TierOverride.requestedById',
    'TierOverride.decidedById',
    'AuditEntry.actorId',
    'BreakGlassGrant.accountId',
    'BreakGlassGrant.reviewedById',
    'PersonAccessEntry.accountId',
    'PersonCorrection.correctedById',
  ],
  // The jurisdiction tree: reference data every signed-in account reads.
  JURISDICTION: [
    'Jurisdiction.parentId',
    'User.jurisdictionId',
    'ServiceAccount.jurisdictionId',
    'StaffMember.jurisdictionId',
    'Incident.gridId',
  ],
  // The hazardous-goods register of businesses (not persons), which its three departments read whole.
  BUSINESS: ['HazardSale.businessId'],
  // An ADMIN's own API keys.
  CREDENTIAL: ['IssuedApiKey.keyId', 'RevokeApiKeyPayload.revokedKeyId'],
  // A service account's own webhook endpoints and their deliveries (the owner and ADMIN read them):
  // the endpoint's owner, the endpoint a delivery went to, and the outbox event it carried — sent as
  // Concord-Event-Id for the receiver's dedupe; the event itself is never served, and a delivery
  // exists only for a record the receiving account could read.
  WEBHOOK: ['Webhook.ownerId', 'WebhookDelivery.webhookId', 'WebhookDelivery.eventId'],
  // The audit trail names the records it is about by design; only AUDITOR reads it, without row scope.
  AUDIT: ['AuditEntry.recordIds', 'PersonAccessReport.personId', 'PersonAccessEntry.recordIds'],
  // The alert an injury report raised: its filer raised it and POLICE received it; an alert itself is
  // listed only to its recipients (myAlerts), so its id opens nothing.
  ALERT: ['InjuryReport.alertId'],
  // The change feed names the record each change is about: one within the reader's row scope, or —
  // as LEFT_SCOPE, with nothing else — one that was within it when it changed, which the reader held.
  CHANGE_FEED: ['RecordChange.recordId'],
  // A break-glass grant names the person it opened by design: its requester gave the id, the reviewer's
  // street held the person at the grant, and the AUDITOR reads the trail that names it anyway; once
  // the grant expires the requester reads it only in breakGlass's own answer.
  BREAK_GLASS: ['BreakGlassGrant.personId'],
  // The yearly assessment lists the year's incidents under the reader's jurisdiction by the id their
  // case review opens by: incidents are police records no list serves by id, and caseReview answers an
  // incident outside the reader's jurisdiction as a random id (NOT_FOUND).
  INCIDENT: ['YearIncident.incidentId'],
};

test('every id-valued field names a row-scoped record its policy declares, or a kind listed as not row-scoped', async () => {
  const schema = await buildBareSchema();
  const allowed = new Set(Object.values(NOT_ROW_SCOPED).flat());
  const unclassified: string[] = [];
  const both: string[] = [];
  const idFields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.name === 'id' || getNamedType(field.type) !== GraphQLID) continue;
      const key = `${type.name}.${field.name}`;
      idFields.add(key);
      const referenced = FIELD_POLICY[key]?.references ?? STRUCTURAL_REFERENCES[key];
      if (!referenced && !allowed.has(key)) unclassified.push(key);
      if (referenced && allowed.has(key)) both.push(key);
    }
  }
  expect(unclassified).toEqual([]);
  expect(both).toEqual([]);
  // The list stays honest: it names only id fields that exist.
  expect([...allowed].filter((key) => !idFields.has(key))).toEqual([]);
  const declared = [
    ...Object.keys(FIELD_POLICY).filter((key) => FIELD_POLICY[key]?.references),
    ...Object.keys(STRUCTURAL_REFERENCES),
  ];
  expect(declared.filter((key) => !idFields.has(key))).toEqual([]);
  // The fields that started it (issue 17) are covered.
  expect(FIELD_POLICY['TierExplanation.disputeIds']?.references).toBe('Dispute');
  expect(FIELD_POLICY['DisputeParty.personId']?.references).toBe('Person');
});

// ---------------------------------------------------------------------------------------------
// Through the API.
// ---------------------------------------------------------------------------------------------

let api: TestApi;
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
  // A street-level coordinator registers across grids: grid A and grid B of village A.
  const street = await api.login('comprehensive_governance.worker');
  const gridA = await api.node('gridA');
  const gridB = await api.node('gridB');
  ids.pA = await registerPerson(api, street, { name: '甲方', gridId: gridA, birthDate: '1975-04-02' });
  ids.pB = await registerPerson(api, street, { name: '乙方', gridId: gridB, birthDate: '1978-06-03' });
  ids.pC = await registerPerson(api, street, { name: '丙方', gridId: gridA, birthDate: '1982-08-04' });
  // LABOR_WAGES routes to ECONOMIC_DEVELOPMENT only; MARRIAGE_RELATIONSHIP to CIVIL_AFFAIRS,
  // WOMENS_FEDERATION and CIRCUIT_COURT; NEIGHBOR to CIRCUIT_COURT.
  ids.labor = await registerDispute(api, street, {
    category: 'LABOR_WAGES',
    gridId: gridA,
    parties: [ids.pA, ids.pC],
  });
  // A grid-A dispute with a party who lives in grid B.
  ids.marriage = await registerDispute(api, street, {
    category: 'MARRIAGE_RELATIONSHIP',
    gridId: gridA,
    parties: [ids.pA, ids.pB],
  });
  ids.neighbor = await registerDispute(api, street, {
    category: 'NEIGHBOR',
    gridId: gridB,
    parties: [ids.pB],
  });
  // POLICE see a dispute that came in as a police call, and its party.
  ids.pD = await registerPerson(api, street, { name: '丁方', gridId: gridB, birthDate: '1990-09-05' });
  ids.policeCall = await registerDispute(api, street, {
    category: 'OTHER',
    source: 'POLICE_CALL',
    gridId: gridB,
    parties: [ids.pD],
  });
  // An alert about a YELLOW person reaches community police, who do not see YELLOW persons.
  const raised = await api.gql(
    `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`,
    { input: { personId: ids.pC, description: '扬言讨薪不成就闹事' } },
    await api.login('grid.worker'),
  );
  ids.alert = raised.data?.raiseAlert.alert?.id;
  if (!ids.alert) throw new Error(`raiseAlert failed: ${JSON.stringify(raised)}`);
}, 120000);
afterAll(() => api.close());

const EXPLANATION = `query($id: ID!) { person(id: $id) { tierExplanation { disputeIds otherDisputeCount } } }`;

async function explanationOf(username: string, personId: string) {
  const result = await api.gql(EXPLANATION, { id: personId }, await api.login(username));
  expect(result.errors).toBeUndefined();
  return result.data?.person.tierExplanation;
}

test('a tier explanation lists only the disputes the reader sees, and counts the others', async () => {
  // Everyone who reads pA's tier knows both open disputes count toward it.
  expect(await explanationOf('comprehensive_governance.worker', ids.pA!)).toEqual({
    disputeIds: [ids.labor, ids.marriage].sort(),
    otherDisputeCount: 0,
  });
  // CIVIL_AFFAIRS sees the marriage dispute (routed to it), not the labour one.
  expect(await explanationOf('civil_affairs.worker', ids.pA!)).toEqual({
    disputeIds: [ids.marriage],
    otherDisputeCount: 1,
  });
  expect(await explanationOf('womens_federation.worker', ids.pA!)).toEqual({
    disputeIds: [ids.marriage],
    otherDisputeCount: 1,
  });
  // A grid-B worker sees grid B's dispute of pB, not grid A's.
  expect(await explanationOf('gridb.worker', ids.pB!)).toEqual({
    disputeIds: [ids.neighbor],
    otherDisputeCount: 1,
  });
});

test('a dispute party outside the reader’s row scope shows neither a person nor a person id', async () => {
  const worker = await api.login('grid.worker');
  const result = await api.gql(
    `query($id: ID!) { dispute(id: $id) { parties { role personId person { id } } } }`,
    { id: ids.marriage },
    worker,
  );
  expect(result.errors).toBeUndefined();
  const parties = result.data?.dispute.parties as { role: string; personId: string | null }[];
  expect(parties).toHaveLength(2);
  expect(parties.map((party) => party.personId).sort()).toEqual([ids.pA, null].sort());
  expect(parties.find((party) => party.personId === null)).toEqual({
    role: expect.any(String),
    personId: null,
    person: null,
  });
});

test('an alert about a person the recipient cannot see names no person', async () => {
  const police = await api.login('police.worker');
  const result = await api.gql(
    `query { myAlerts { edges { node { alert { id personId person { id } } } } } }`,
    {},
    police,
  );
  expect(result.errors).toBeUndefined();
  const received = result.data?.myAlerts.edges
    .map((edge: any) => edge.node)
    .find((item: any) => item.alert.id === ids.alert);
  expect(received?.alert).toEqual({ id: ids.alert, personId: null, person: null });
});

/** Which record an id-valued field names, by field name: independent of the policy under test. */
const NAMES: Readonly<Record<string, 'person' | 'dispute'>> = {
  personId: 'person',
  injuredPersonId: 'person',
  suspectPersonId: 'person',
  disputeId: 'dispute',
  disputeIds: 'dispute',
};

/** Every person and dispute id anywhere in a response's data. */
function namedIds(data: unknown, found = { person: new Set<string>(), dispute: new Set<string>() }) {
  if (Array.isArray(data)) data.forEach((item) => namedIds(item, found));
  else if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data)) {
      const kind = NAMES[key];
      if (kind && typeof value === 'string') found[kind].add(value);
      else if (kind && Array.isArray(value)) value.forEach((id) => found[kind].add(String(id)));
      else namedIds(value, found);
    }
  }
  return found;
}

const PARTIES = `parties { disputeId personId }`;
const DISPUTE = `id ${PARTIES} escalations { disputeId } returnVisits { disputeId } mediationSessions { disputeId }`;
const READS = [
  `query { persons(first: 100) { edges { node {
     id tierExplanation { disputeIds assessmentId override { requestId } }
     disputes { ${DISPUTE} }
     assessments { personId } currentAssignment { personId disputeId } lastFollowUp { personId }
     referrals { personId sourceAssessmentId }
   } } } }`,
  `query { disputes(first: 100) { edges { node { ${DISPUTE} } } } }`,
  `query { assignments(first: 100) { edges { node { personId disputeId person { id } } } } }`,
  `query { myAlerts { edges { node { alert { personId } } } } }`,
  `query { tierChangeRequests(first: 100) { edges { node { personId } } } }`,
  `query { changes(first: 100) { edges { node {
     dispute { ${DISPUTE} } assessment { personId } assignment { personId disputeId } followUp { personId }
     referral { personId sourceAssessmentId } tierChangeRequest { personId } alert { personId }
   } } } }`,
];

test.each([
  'civil_affairs.worker',
  'womens_federation.worker',
  'gridb.worker',
  'police.worker',
  'grid.worker',
  'economic_development.worker',
])('%s finds no id of a person or dispute it cannot open', async (username) => {
  const token = await api.login(username);
  const found = { person: new Set<string>(), dispute: new Set<string>() };
  const explanations = ['pA', 'pB', 'pC', 'pD'].map(
    (name) => `query { person(id: "${ids[name]}") { tierExplanation { disputeIds } } }`,
  );
  for (const query of [...READS, ...explanations]) {
    // A field the account may not read answers FORBIDDEN and an out-of-scope person NOT_FOUND; the
    // rest of the answer is still checked.
    const result = await api.gql(query, {}, token);
    namedIds(result.data, found);
  }
  // Each account sees some of these records: the check is not vacuous.
  expect(found.person.size + found.dispute.size).toBeGreaterThan(0);
  const foreign: string[] = [];
  for (const kind of ['person', 'dispute'] as const) {
    for (const id of found[kind]) {
      const opened = await api.gql(`query($id: ID!) { ${kind}(id: $id) { id } }`, { id }, token);
      if (opened.data?.[kind]?.id !== id) foreign.push(`${kind} ${id}`);
    }
  }
  expect(foreign).toEqual([]);
});

test('checking the ids of a page costs the same statements for one row as for every row', async () => {
  const street = await api.login('comprehensive_governance.worker');
  const query = (first: number) => `query { persons(first: ${first}) { edges { node {
    id tierExplanation { disputeIds otherDisputeCount assessmentId }
    disputes { ${DISPUTE} } assessments { personId } currentAssignment { personId disputeId }
  } } } }`;
  const one = await api.gql(query(1), {}, street);
  const all = await api.gql(query(100), {}, street);
  expect(all.errors).toBeUndefined();
  expect(all.data?.persons.edges.length).toBeGreaterThanOrEqual(4);
  expect(one.extensions?.sqlStatements).toBeGreaterThan(0);
  expect(all.extensions?.sqlStatements).toBe(one.extensions?.sqlStatements);
});
