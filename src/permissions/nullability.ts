// Which fields of the schema may answer null, and why: the permission layer's nulls, derived from
// policy.ts by the code that enforces it (reach.ts, guards.ts, arguments.ts), and values absent in the
// data itself. A field some caller who reaches it may be refused must be nullable in GraphQL, or the
// refusal's null blanks its parent — and a root field's null blanks the whole response; every other
// field is non-null, so a front-end need not guess. test/permissions/policy-coverage.test.ts holds the
// schema to both.
import { getNullableType, isListType, isObjectType, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { getMetadataArgsStorage } from 'typeorm';
import { argumentPaths, filteredType, reaches } from './arguments';
import { allPrincipals, FIELD_POLICY, mayUseArgument, STRUCTURAL_REFERENCES, type Principal } from './policy';
import { needsGuard, reachOf } from './reach';

/** Why the permission layer may answer null for a field. */
export type PolicyNull =
  /** Some account that reaches the field's type may not use the field: null and FORBIDDEN. */
  | 'DENIED'
  /** Some account that may use the field may not use one of its arguments: null and FORBIDDEN. */
  | 'ARGUMENT_REFUSED'
  /** The value is the id of a record; outside the reader's row scope it reads null (references.ts). */
  | 'FOREIGN_ID';

/** The root types: their fields are what an account runs, so only accounts count (not the signed-out). */
export function rootTypeNames(schema: GraphQLSchema): Set<string> {
  return new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) =>
      type ? [type.name] : [],
    ),
  );
}

/**
 * Every `Type.field` the permission layer can answer with null, and why. A signed-out caller is
 * refused every root field but `login` and its kind as a whole (UNAUTHENTICATED), so root fields count
 * accounts only; below the root the signed-out caller reaches only what PUBLIC lets it, all of which it
 * may read.
 */
export function policyNulls(schema: GraphQLSchema): Map<string, PolicyNull> {
  const reach = reachOf(schema);
  const roots = rootTypeNames(schema);
  const accounts = new Map(allPrincipals().map(({ label, principal }) => [label, principal]));
  const reachingAccounts = (typeName: string): Principal[] =>
    [...(reach.get(typeName) ?? [])].flatMap((label) => {
      const principal = accounts.get(label);
      return principal ? [principal] : [];
    });
  const nulls = new Map<string, PolicyNull>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const reachers = reachingAccounts(type.name);
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const denied = roots.has(type.name)
        ? reachers.some((principal) => !reaches(type.name, field.name, principal))
        : needsGuard(reach, type.name, field.name);
      if (denied) {
        nulls.set(key, 'DENIED');
        continue;
      }
      if (filteredType(type)) {
        const users = reachers.filter((principal) => reaches(type.name, field.name, principal));
        const refused = argumentPaths(type.name, field).some((path) =>
          users.some((principal) => !mayUseArgument(path.key, principal)),
        );
        if (refused) {
          nulls.set(key, 'ARGUMENT_REFUSED');
          continue;
        }
      }
      // A list of ids leaves a foreign one out; a single id becomes null.
      const single = !isListType(getNullableType(field.type));
      if (single && (FIELD_POLICY[key]?.references || STRUCTURAL_REFERENCES[key]))
        nulls.set(key, 'FOREIGN_ID');
    }
  }
  return nulls;
}

/**
 * Values absent in the data whoever reads them, for fields that are neither a column (TypeORM's
 * `nullable` says for those) nor the record a mutation's payload returns (absent when the payload
 * carries userErrors). Why each may be absent is the front-end's business too, so it is written here.
 */
export const ABSENT_VALUES: Readonly<Record<string, string>> = {
  'PageInfo.endCursor': 'an empty page has no last cursor',
  'AuditTrailPage.nextBefore': 'the last page has no next one',
  'AuditEntry.actorId': 'an entry written by the system (a checkpoint, a job) has no actor',
  'AuditEntry.actorDepartment': 'an entry written by the system has no actor',
  'PersonAccessReport.anonymisedAt': 'a record retention has not anonymised',
  'PersonAccessEntry.accountId':
    'an entry written by an operator command (retention, a printed report) has no account',
  'PersonAccessEntry.accountUsername': 'an entry written by an operator command has no account',
  'PersonAccessEntry.department': 'an entry written by an operator command has no account',
  'PersonAccessEntry.position': 'an entry written by an operator command, or by a service account',
  'PersonAccessEntry.reason': 'most reads and changes give no reason',
  'PersonCorrection.anonymisedAt': 'a correction retention has not erased',
  'CorrectedValue.previousValue': 'a field that was empty, or one the reader may not read (withheld)',
  'ExplainedAccount.capability': 'department staff hold no ADMIN or AUDITOR capability',
  'ExplainedPolicyRow.maskedFor': 'a policy row that masks for nobody',
  'ExplainedPolicyRow.maskKind': 'a policy row that masks for nobody',
  'ExplainedPolicyRow.note': 'a policy row without a note',
  'AccessExplanation.valueFilter': 'a field no department filter applies to, or one the account may not read',
  'UserError.field': 'a problem of the whole input names no field',
  'UserError.currentVersion': 'only a stale expectedVersion (CONFLICT) names the current version',
  'ImportProblem.line': 'a problem of the whole file has no line',
  'ImportProblem.field': 'a problem of a whole row or file names no column',
  'ImportProblem.existingPersonId': 'only a known ID number of a person the caller may see names one',
  'Person.ageGroup': 'a person registered without a birth date',
  'Assignment.person': 'an assignment for an escalated dispute has no person; outside row scope, none',
  'Assignment.leadLeader': 'an assignment made without a lead leader',
  'DisputeParty.person': 'a party outside the reader’s row scope shows no person',
  'Alert.person': 'a person outside the reader’s row scope',
  'TierExplanation.override': 'a tier nobody overrode',
  'TierExplanation.catalogVersion': 'a tier from open disputes alone, with no assessment',
  'OverdueFollowUp.lastFollowUpAt': 'a person never followed up',
  'ReceivedAlert.acknowledgedAt': 'an alert not yet acknowledged',
  'RecordChange.person': 'a change of another kind of record',
  'RecordChange.alert': 'a change of another kind of record',
  'Reorganisation.id': 'a dry run is not recorded',
  'Reorganisation.successorGrid': 'a dry run of a move has not made the grid yet',
  'MovedRecordCount.count': 'small cells: a count below 5 is shown as <5 (SPEC §4)',
  'KeyCount.count': 'small cells: a count below 5 is shown as <5 (SPEC §4)',
  'FigureCount.count': 'small cells: a count below 5 is shown as <5 (SPEC §4)',
  'FigureShare.share': 'a share of a small cell, or of nothing',
  'FigureChange.current': 'small cells',
  'FigureChange.previous': 'small cells, or no previous month',
  'FigureChange.change': 'small cells, or no previous month',
  'MonthlyFigures.disputesReported': 'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'MonthlyFigures.disputesByCategory': 'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'MonthlyFigures.disputesByLevel': 'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'MonthlyFigures.disputesByStatus': 'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'MonthlyFigures.disputesClosed': 'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'MonthlyFigures.disputesResolved': 'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'MonthlyFigures.resolutionRate': 'no dispute figures for accounts that see no disputes, or none closed',
  'MonthlyFigures.escalations': 'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'MonthlyFigures.policeCounts': 'a month POLICE have not entered yet',
  'MonthlyFigures.multiFatalityIncidents':
    'no dispute figures for accounts that see no disputes (YOUTH_LEAGUE)',
  'ReviewEntry.actor': 'an entry the system made (an alert raised by a hazardous purchase) has no actor',
  'ReviewGap.closedAt': 'a gap not made good before the incident',
  'Shortfall.value': 'a figure with nothing to measure in the quarter (no managed person, nothing closed)',
  'YearlyScore.score': 'withheld from a reader who sees small cells suppressed: made of the exact figures',
  'YearlyScore.rank': 'withheld with the score it is made of',
  'LoginPayload.token': 'a refused sign-in, or one waiting for its second factor',
  'LoginPayload.expiresAt': 'no token',
  'LoginPayload.secondFactorChallenge': 'a sign-in that needs no second factor',
  'LoginPayload.secondFactorChallengeExpiresAt': 'a sign-in that needs no second factor',
  'LoginPayload.recoveryCodesLeft': 'a sign-in that used no recovery code',
  'BeginTotpEnrolmentPayload.secret': 'a refused enrolment',
  'BeginTotpEnrolmentPayload.otpauthUri': 'a refused enrolment',
  'ConfirmTotpEnrolmentPayload.recoveryCodes': 'a refused confirmation',
  'ResetSecondFactorPayload.endedSessionCount': 'a refused reset',
  'ChangePasswordPayload.endedSessionCount': 'a refused change',
  'RevokeApiKeyPayload.revokedKeyId': 'a refused revocation',
  'ApiKey.lastUsedAt': 'a key never used',
  'ApiKey.revokedAt': 'a key not revoked',
  'CreateUserPayload.temporaryPassword': 'a refused creation',
  'CreateUserPayload.temporaryPasswordExpiresAt': 'a refused creation',
  'ResetPasswordPayload.temporaryPassword': 'a refused reset',
  'ResetPasswordPayload.temporaryPasswordExpiresAt': 'a refused reset',
  'ResetPasswordPayload.endedSessionCount': 'a refused reset',
  'EndUserSessionsPayload.endedSessionCount': 'a refused request',
  'ImportUsersPayload.temporaryPasswordsExpireAt': 'an import that set no temporary password',
  'Webhook.approvedAt': 'an endpoint not approved yet',
  'Webhook.disabledAt': 'an endpoint not disabled',
  'WebhookDelivery.nextAttemptAt': 'a delivery no longer waiting (DELIVERED or DEAD)',
  'WebhookDelivery.lastAttemptAt': 'a delivery not attempted yet',
  'WebhookDelivery.lastError': 'a delivery that has not failed',
  'WebhookDelivery.lastResponseStatus': 'a delivery with no answer yet (or a connection that failed)',
  'WebhookDelivery.deliveredAt': 'a delivery not delivered yet',
  'RegisterWebhookPayload.signingSecret': 'a refused registration',
  'AccountabilityCriteriaPayload.criteria': 'a refused edit',
  'QuarterlyUnit.unit': 'a department’s row (it names the department instead)',
  'QuarterlyUnit.department': 'a village’s row (it names the village instead)',
  'YearlyScore.unit': 'a department’s row (it names the department instead)',
  'YearlyScore.department': 'a village’s row (it names the village instead)',
};

/** A mutation's answer: the record it returns is absent when it answers with userErrors instead. */
function isPayloadRecord(schema: GraphQLSchema, typeName: string, field: string): boolean {
  const type = schema.getType(typeName);
  if (!typeName.endsWith('Payload') || !isObjectType(type) || field === 'userErrors') return false;
  const fieldType = type.getFields()[field]?.type;
  return fieldType !== undefined && isObjectType(getNullableType(fieldType));
}

/**
 * Every `Type.field` whose value may be absent in the data, and why: a nullable column of the entity
 * behind the type, the record a payload returns, or a row of ABSENT_VALUES.
 */
export function dataNulls(schema: GraphQLSchema): Map<string, string> {
  const objectTypes = getMetadataStorage().objectTypes;
  const columns = getMetadataArgsStorage().columns;
  const nulls = new Map<string, string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const target = objectTypes.find((objectType) => objectType.name === type.name)?.target;
    for (const field of Object.keys(type.getFields())) {
      const key = `${type.name}.${field}`;
      const column = columns.find((entry) => entry.target === target && entry.propertyName === field);
      if (column?.options.nullable) nulls.set(key, 'a nullable column');
      else if (isPayloadRecord(schema, type.name, field))
        nulls.set(key, 'absent when the payload has userErrors');
      else if (ABSENT_VALUES[key]) nulls.set(key, ABSENT_VALUES[key]);
    }
  }
  return nulls;
}
