// THE permission table (SPEC §2, §4). Every exposed Type.field and every operation names who may use
// it; everyone else is denied, or — for national ID, phone and address — gets a masked value.
// graphql-shield rules, the masking and auditing middleware, the row scope of each department and
// schema/permissions.{md,json} are all generated from this file. Nothing else decides by department.
import { IndicatorCategory } from '../domain/risk/risk.enums';
import { SpecialStatus } from '../domain/people/people.enums';
import { ImportKind } from '../domain/imports/import.inputs';

export type PositionCode = 'WORKER' | 'LEADER';

/** Who is asking, as far as permissions care. ADMIN and AUDITOR accounts see no personal data. */
export interface Principal {
  department: string;
  position: PositionCode;
  capability: 'ADMIN' | 'AUDITOR' | null;
}

export const DEPARTMENTS = [
  'COMPREHENSIVE_GOVERNANCE',
  'PETITIONS',
  'CIRCUIT_COURT',
  'PUBLICITY_OFFICE',
  'POLICE',
  'CIVIL_AFFAIRS',
  'JUSTICE',
  'ECONOMIC_DEVELOPMENT',
  'LAND_RESOURCES',
  'LAW_ENFORCEMENT',
  'DEMOLITION_OFFICE',
  'SOCIAL_AFFAIRS',
  'VETERANS',
  'YOUTH_LEAGUE',
  'WOMENS_FEDERATION',
  'DISABLED_FEDERATION',
  'EMERGENCY_MANAGEMENT',
  'MARKET_SUPERVISION',
  'GRID',
  'CITY_CENTER',
] as const;
export type DepartmentCode = (typeof DEPARTMENTS)[number];
export const POSITIONS: readonly PositionCode[] = ['WORKER', 'LEADER'];

/** A set of principals, with a name a reviewer reads in the matrix. */
export interface Audience {
  label: string;
  includes(principal: Principal): boolean;
}

const audience = (label: string, includes: (principal: Principal) => boolean): Audience => ({
  label,
  includes,
});

/** Anyone, signed in or not: only `login` and what it answers. */
export const PUBLIC = audience('anyone, signed in or not', () => true);
/** Any signed-in account, ADMIN and AUDITOR included: reference data, structure, the caller's own account. */
export const SIGNED_IN = audience('any signed-in account', () => true);
/** Department staff: every account that is not an ADMIN or AUDITOR account. */
export const STAFF = audience('department staff', (p) => p.capability === null);
export const AUDITORS = audience('AUDITOR', (p) => p.capability === 'AUDITOR');
export const ADMINS = audience('ADMIN', (p) => p.capability === 'ADMIN');

export function departments(...codes: DepartmentCode[]): Audience {
  return audience(
    codes.join(', '),
    (p) => p.capability === null && (codes as string[]).includes(p.department),
  );
}
export function leadersOf(...codes: DepartmentCode[]): Audience {
  return audience(
    `LEADER of ${codes.join(', ')}`,
    (p) => p.capability === null && p.position === 'LEADER' && (codes as string[]).includes(p.department),
  );
}
export function staffExcept(...codes: DepartmentCode[]): Audience {
  return audience(
    `staff except ${codes.join(', ')}`,
    (p) => p.capability === null && !(codes as string[]).includes(p.department),
  );
}

/** The coordinating departments: they see every person and dispute in their jurisdiction subtree. */
export const COORDINATORS: readonly DepartmentCode[] = ['GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER'];

// ---------------------------------------------------------------------------------------------
// Row scope: which persons and disputes of their subtree a department sees (applied in SQL by
// scope.ts). Dispute routing by category, source and venue is reference data (dispute_routes), read
// by that SQL on every request: the file src/database/reference-data/dispute-routes.json is its default
// and an ADMIN edits it through `setDisputeRoute`, effective on every replica from its next request.
// ---------------------------------------------------------------------------------------------
export interface RowAccess {
  /** Sees every person and dispute in the subtree. */
  everything: boolean;
  /** Sees disputes routed to it (category or source), or assigned to it, and their parties. */
  routedDisputes: boolean;
  /** Also sees disputes in these statuses, whatever their category (JUSTICE: all in mediation). */
  disputeStatuses: string[];
  /** Sees persons with these special statuses. */
  specialStatuses: SpecialStatus[];
  /** Sees persons at these tiers. */
  tiers: string[];
  /** Sees only persons younger than this, and no disputes (YOUTH_LEAGUE). */
  onlyUnderAge: number | null;
}

const NO_ROWS: RowAccess = {
  everything: false,
  routedDisputes: false,
  disputeStatuses: [],
  specialStatuses: [],
  tiers: [],
  onlyUnderAge: null,
};

/**
 * Which department owns each special status (SPEC §3): only it, and no one else, reads it — not the
 * grid, village or street staff, not COMPREHENSIVE_GOVERNANCE.
 */
export const SPECIAL_STATUS_OWNERS: Readonly<Record<SpecialStatus, DepartmentCode[]>> = {
  [SpecialStatus.COMMUNITY_CORRECTIONS]: ['JUSTICE'],
  [SpecialStatus.RELEASED_PRISONER]: ['JUSTICE'],
  [SpecialStatus.DRUG_INVOLVED]: ['POLICE'],
  [SpecialStatus.SEVERE_MENTAL_DISORDER_WITH_INCIDENT]: ['SOCIAL_AFFAIRS'],
  [SpecialStatus.NO_LIVELIHOOD]: ['CIVIL_AFFAIRS'],
  [SpecialStatus.VETERAN]: ['VETERANS'],
  [SpecialStatus.DISABILITY]: ['DISABLED_FEDERATION'],
};

/** Which departments read each indicator category: POLICE behaviour, SOCIAL_AFFAIRS character. */
export const INDICATOR_CATEGORY_READERS: Readonly<Record<IndicatorCategory, DepartmentCode[]>> = {
  [IndicatorCategory.CHARACTER]: ['GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER', 'SOCIAL_AFFAIRS'],
  [IndicatorCategory.BEHAVIOR]: ['GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER', 'POLICE'],
  [IndicatorCategory.EVENT]: ['GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER', 'POLICE', 'SOCIAL_AFFAIRS'],
};

export function rowAccess(principal: Principal): RowAccess {
  if (principal.capability !== null) return NO_ROWS;
  const department = principal.department as DepartmentCode;
  if (COORDINATORS.includes(department)) return { ...NO_ROWS, everything: true };
  if (department === 'YOUTH_LEAGUE') return { ...NO_ROWS, onlyUnderAge: 18 };
  return {
    ...NO_ROWS,
    routedDisputes: true,
    disputeStatuses: department === 'JUSTICE' ? ['IN_MEDIATION'] : [],
    specialStatuses: statusesOwnedBy(principal),
    tiers: department === 'POLICE' ? ['RED'] : [],
  };
}

// ---------------------------------------------------------------------------------------------
// Field policy.
// ---------------------------------------------------------------------------------------------
export type MaskKind = 'NATIONAL_ID' | 'PHONE' | 'ADDRESS';

/**
 * The row-scoped records an id-valued field may name (SPEC §4, no foreign ids): persons and disputes,
 * and the records that belong to one person (visible exactly when that person is). Users,
 * jurisdictions, departments, catalog entries and hazard businesses are not row-scoped.
 */
export type ReferenceKind = 'Person' | 'Dispute' | 'Assessment' | 'TierChangeRequest';

export interface FieldPolicy {
  /** Who reads the real value. */
  read: Audience;
  /** Who gets a masked value instead (everyone else: denied, null + FORBIDDEN). */
  masked?: { audience: Audience; kind: MaskKind };
  /** Reading the real value writes an audit entry (SPEC §4). */
  sensitive?: boolean;
  /** Array values filtered per reader (special statuses, indicators by category). */
  valueFilter?: 'SPECIAL_STATUS' | 'INDICATOR_CATEGORY';
  /** The value is the id (or ids) of such a record: null (left out of a list) outside the reader's row scope. */
  references?: ReferenceKind;
  note?: string;
}

const PERSON_CORE = staffExcept();
const NOT_YOUTH = staffExcept('YOUTH_LEAGUE');
const CASE_WORKERS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'POLICE',
  'JUSTICE',
  'SOCIAL_AFFAIRS',
  'CIVIL_AFFAIRS',
);
/** Who reads referrals to help: the coordinators and the departments that give the help. */
const REFERRAL_READERS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'SOCIAL_AFFAIRS',
  'CIVIL_AFFAIRS',
  'JUSTICE',
  'DISABLED_FEDERATION',
);
/** Injury reports: the health side that files them, and POLICE who receive them. */
const INJURY_READERS = departments('SOCIAL_AFFAIRS', 'POLICE');
/** The hazardous-goods registers stay with their three departments (SPEC §3). */
const HAZARD_DEPARTMENTS = departments('ECONOMIC_DEVELOPMENT', 'EMERGENCY_MANAGEMENT', 'MARKET_SUPERVISION');
/** Who reads the monthly figures: the coordinators, and the leaders of every department. */
const FIGURE_READERS = audience(
  'COMPREHENSIVE_GOVERNANCE, CITY_CENTER, and every department’s LEADER',
  (p) =>
    p.capability === null &&
    (p.position === 'LEADER' ||
      p.department === 'COMPREHENSIVE_GOVERNANCE' ||
      p.department === 'CITY_CENTER'),
);
/**
 * Who opens the case review of an extreme-violence incident (一案一倒查, issue 25): the coordinators of
 * its street and the city, and POLICE who record it. What each reads in it is decided field by field by
 * this table (src/domain/accountability/case-review.service.ts).
 */
export const CASE_REVIEW_READERS = departments('COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER', 'POLICE');
/** Who holds the quarterly talks and the yearly assessment (一季一约谈、一年一考核): the coordinating leaders. */
const SCORECARD_READERS = leadersOf('COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER');
/** Who reads mediation records (调解笔录、协议): JUSTICE, the court that confirms them, coordinators. */
const MEDIATION_READERS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'JUSTICE',
  'CIRCUIT_COURT',
);
/** Who works a dispute through mediation. */
const CASE_HANDLERS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'JUSTICE',
  'CIRCUIT_COURT',
);
const ASSESSMENT_READERS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'POLICE',
  'SOCIAL_AFFAIRS',
);
/** Who reads a person's household, and so may list households (SPEC §3). */
const HOUSEHOLD_READERS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'POLICE',
  'CIVIL_AFFAIRS',
);

const MIGRANT_CONTACT_READERS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'POLICE',
  'ECONOMIC_DEVELOPMENT',
);
/** Who reads a full street address, of a person or of a household (the same address): the case workers. */
const ADDRESS_READERS = CASE_WORKERS;
/** Who reads a national ID number in full; other staff but YOUTH_LEAGUE read it masked. */
const ID_NUMBER_READERS = departments(
  'POLICE',
  'JUSTICE',
  'GRID',
  'CIVIL_AFFAIRS',
  'SOCIAL_AFFAIRS',
  'DISABLED_FEDERATION',
  'VETERANS',
  'CITY_CENTER',
);
/**
 * Who reads an exact age: whoever reads the ID number in full, and YOUTH_LEAGUE, who read no ID
 * number at all. Those who read it masked get only an age group: the last 4 characters and an exact
 * age would leave ~365 candidates for the number (SPEC §4).
 */
const YOUTH_LEAGUE = departments('YOUTH_LEAGUE');
const EXACT_AGE_READERS = audience(
  `${ID_NUMBER_READERS.label}, YOUTH_LEAGUE`,
  (p) => ID_NUMBER_READERS.includes(p) || YOUTH_LEAGUE.includes(p),
);
const SPECIAL_STATUS_READERS = departments(...new Set(Object.values(SPECIAL_STATUS_OWNERS).flat()));
const masked = (kind: MaskKind): { audience: Audience; kind: MaskKind } => ({
  audience: staffExcept('YOUTH_LEAGUE'),
  kind,
});

/**
 * Webhooks (SPEC §5a): a service account registers and follows its own endpoints (staff accounts
 * reach the operations but own none); an ADMIN approves endpoints and oversees every one's deliveries,
 * which carry no payload and no record id.
 */
const WEBHOOK_USERS = audience(
  'service accounts (their own endpoints; an AUDITOR one receives audit checkpoints only), ADMIN (every endpoint)',
  () => true,
);
/** Who may register an endpoint: a department's service account, or an AUDITOR one for audit checkpoints. */
const WEBHOOK_REGISTRANTS = audience(
  'department staff, AUDITOR (audit checkpoints only)',
  (p) => p.capability === null || p.capability === 'AUDITOR',
);
export const WEBHOOK_OVERSEERS = ADMINS;

// Break-glass (issue 24 item 2): in an emergency an account opens one person outside its row scope
// for a few hours, with its reason; the 综治办 leader of the person's street confirms or flags the
// use, and the AUDITOR lists the flagged ones. The grant widens the row scope only (scope.ts,
// breakGlassClause): every field keeps its row here, so police records stay with POLICE and
// psychological files with SOCIAL_AFFAIRS whoever breaks the glass.
/**
 * Who may break the glass: the departments that act when violence threatens — POLICE (RED tier,
 * alerts), the 综治办 that coordinates everything, the 市综治中心 (city-wide, RED tier) — never ADMIN
 * or AUDITOR, whose accounts see no personal data.
 */
export const BREAK_GLASS_REQUESTERS = departments('POLICE', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER');
/** A person signed in as themselves answers for an emergency: a department's integration never breaks the glass. */
export const BREAK_GLASS_ACCOUNT_KINDS: readonly ('USER' | 'SERVICE')[] = ['USER'];
/** Who reviews a grant: a 综治办 LEADER whose node is the person's street (the street kept on the grant). */
export const BREAK_GLASS_REVIEWERS: { audience: Audience; level: 'STREET' } = {
  audience: leadersOf('COMPREHENSIVE_GOVERNANCE'),
  level: 'STREET',
};
/** Who reads a grant: its requester (the answer to breakGlass), its reviewer, the AUDITOR. */
const BREAK_GLASS_READERS = audience(
  `${BREAK_GLASS_REQUESTERS.label}, ${BREAK_GLASS_REVIEWERS.audience.label}, AUDITOR`,
  (p) =>
    BREAK_GLASS_REQUESTERS.includes(p) || BREAK_GLASS_REVIEWERS.audience.includes(p) || AUDITORS.includes(p),
);
const BREAK_GLASS_QUEUES = audience(
  `${BREAK_GLASS_REVIEWERS.audience.label}, AUDITOR`,
  (p) => BREAK_GLASS_REVIEWERS.audience.includes(p) || AUDITORS.includes(p),
);

/** Types whose every field anyone who reaches them may read: structure, not data. */
export const STRUCTURAL_TYPES: Readonly<Record<string, Audience>> = {
  PageInfo: SIGNED_IN,
  // Reachable signed out only through `login`, whose answer names the account that signed in.
  UserError: PUBLIC,
  LoginPayload: PUBLIC,
  User: PUBLIC,
  Department: PUBLIC,
  Jurisdiction: PUBLIC,
  EnumLabels: SIGNED_IN,
  EnumValueLabel: SIGNED_IN,
  PersonConnection: STAFF,
  PersonEdge: STAFF,
  DisputeConnection: STAFF,
  DisputeEdge: STAFF,
  AssignmentConnection: STAFF,
  AssignmentEdge: STAFF,
  HouseholdConnection: STAFF,
  HouseholdEdge: STAFF,
  RegisterPersonPayload: STAFF,
  UpdatePersonPayload: STAFF,
  RegisterHouseholdPayload: STAFF,
  MergePersonsPayload: STAFF,
  RegisterDisputePayload: STAFF,
  ChangeDisputeStatusPayload: STAFF,
  RecordAssessmentPayload: STAFF,
  AssignPayload: STAFF,
  RecordFollowUpPayload: STAFF,
  Indicator: SIGNED_IN,
  IndicatorCatalogVersion: SIGNED_IN,
  // The tree and reference data (issue 20): read by every account, administered by ADMIN, whose
  // reorganisation reports count records only as the small-cell rule allows (no personal data).
  DisputeRouting: SIGNED_IN,
  DisputeRouteEntry: SIGNED_IN,
  SetDisputeRoutePayload: ADMINS,
  AccountabilityCriteriaPayload: ADMINS,
  AddJurisdictionPayload: ADMINS,
  ReorganisationPayload: ADMINS,
  Reorganisation: ADMINS,
  MovedRecordCount: ADMINS,
  PublishIndicatorCatalogPayload: ADMINS,
  ServiceAccountPayload: ADMINS,
  IssuedApiKey: ADMINS,
  RevokeApiKeyPayload: ADMINS,
  // The integrations an ADMIN administers (issue 21 item 7): accounts, budgets, key prefixes and dates.
  ServiceAccount: ADMINS,
  ServiceAccountConnection: ADMINS,
  ServiceAccountEdge: ADMINS,
  ApiKey: ADMINS,
  RequestBudget: ADMINS,
  ServiceAccountBudgetPayload: ADMINS,
  // User administration (issue 20): staff accounts, no personal data of the records.
  UserConnection: ADMINS,
  UserEdge: ADMINS,
  UserPayload: ADMINS,
  CreateUserPayload: ADMINS,
  ResetPasswordPayload: ADMINS,
  ImportUsersPayload: ADMINS,
  ImportedUserPassword: ADMINS,
  EndUserSessionsPayload: ADMINS,
  // One's own account: password and sessions.
  ChangePasswordPayload: SIGNED_IN,
  LogoutPayload: SIGNED_IN,
  Session: SIGNED_IN,
  SessionConnection: SIGNED_IN,
  SessionEdge: SIGNED_IN,
  BeginTotpEnrolmentPayload: SIGNED_IN,
  ConfirmTotpEnrolmentPayload: SIGNED_IN,
  ResetSecondFactorPayload: ADMINS,
  AuditEntry: AUDITORS,
  // The access report of a person (issue 24): audit facts, records by id, no personal data.
  PersonAccessReport: AUDITORS,
  PersonAccessEntryEdge: AUDITORS,
  PersonAccessEntry: AUDITORS,
  // A person's correction history (issue 24): reached only through Person.corrections.
  PersonCorrection: STAFF,
  CorrectedValue: STAFF,
  OverdueFollowUpConnection: STAFF,
  OverdueFollowUpEdge: STAFF,
  OverdueFollowUp: STAFF,
  OverdueReviewConnection: STAFF,
  OverdueReviewEdge: STAFF,
  OverdueReview: STAFF,
  ReturnVisitDue: STAFF,
  ReturnVisitDueConnection: STAFF,
  ReturnVisitDueEdge: STAFF,
  TierChangeRequestConnection: NOT_YOUTH,
  TierChangeRequestEdge: NOT_YOUTH,
  AssessmentConnection: ASSESSMENT_READERS,
  AssessmentEdge: ASSESSMENT_READERS,
  EscalateDisputePayload: STAFF,
  RecordMediationSessionPayload: STAFF,
  RecordReturnVisitPayload: STAFF,
  TierChangePayload: STAFF,
  ReferralPayload: STAFF,
  AlertPayload: STAFF,
  ReceivedAlert: STAFF,
  ReceivedAlertConnection: STAFF,
  ReceivedAlertEdge: STAFF,
  InjuryReportPayload: INJURY_READERS,
  InjuryReportConnection: INJURY_READERS,
  InjuryReportEdge: INJURY_READERS,
  HazardBusiness: HAZARD_DEPARTMENTS,
  HazardBusinessConnection: HAZARD_DEPARTMENTS,
  HazardBusinessEdge: HAZARD_DEPARTMENTS,
  HazardSaleConnection: HAZARD_DEPARTMENTS,
  HazardSaleEdge: HAZARD_DEPARTMENTS,
  HazardBusinessPayload: HAZARD_DEPARTMENTS,
  HazardSalesPayload: HAZARD_DEPARTMENTS,
  MonthlyFigures: STAFF,
  MonthlyComparison: STAFF,
  FigureChange: STAFF,
  KeyCount: STAFF,
  FigureCount: STAFF,
  FigureShare: STAFF,
  PoliceFigures: STAFF,
  PoliceCounts: STAFF,
  PoliceCountsPayload: STAFF,
  PoliceRecordPayload: departments('POLICE'),
  IncidentPayload: departments('POLICE'),
  // The case review (issue 25): its entries and gaps are filtered by the policy rows of what they show.
  CaseReview: CASE_REVIEW_READERS,
  ReviewEntry: CASE_REVIEW_READERS,
  ReviewGap: CASE_REVIEW_READERS,
  QuarterlyFollowUp: SCORECARD_READERS,
  YearlyAssessment: SCORECARD_READERS,
  YearlyScore: SCORECARD_READERS,
  // The year's incidents as the scorecard lists them: when, what, how many, where (the unit), and the
  // id the case review opens by (its readers include SCORECARD_READERS). No place, summary or person.
  YearIncident: SCORECARD_READERS,
  // Only the ADMIN's edits answer it (setAccountabilityThreshold, setAccountabilityWeight).
  AccountabilityCriterion: ADMINS,
  QuarterlyUnit: SCORECARD_READERS,
  ScorecardMonth: SCORECARD_READERS,
  Shortfall: SCORECARD_READERS,
  PsychologicalFilePayload: departments('SOCIAL_AFFAIRS'),
  AuditTrailPage: AUDITORS,
  // Explaining an access decision (issue 24): the policy's rules for an account, no record data.
  AccessExplanation: AUDITORS,
  ExplainedAccount: AUDITORS,
  ExplainedPolicyRow: AUDITORS,
  ExplainedValueFilter: AUDITORS,
  // The change feed (SPEC §5a): its pages and edges; what a change carries is in FIELD_POLICY.
  ChangeFeed: STAFF,
  RecordChangeEdge: STAFF,
  // `viewer` (issue 22): the caller's own permissions, computed from this file; it names no record.
  Viewer: SIGNED_IN,
  ViewerType: SIGNED_IN,
  ViewerField: SIGNED_IN,
  ViewerOperation: SIGNED_IN,
  Webhook: WEBHOOK_USERS,
  WebhookDelivery: WEBHOOK_USERS,
  WebhookDeliveryConnection: WEBHOOK_USERS,
  WebhookDeliveryEdge: WEBHOOK_USERS,
  RegisterWebhookPayload: WEBHOOK_REGISTRANTS,
  WebhookPayload: WEBHOOK_USERS,
  WebhookDeliveryPayload: WEBHOOK_USERS,
  ImportRecordsPayload: STAFF,
  ImportProblem: STAFF,
  BreakGlassPayload: BREAK_GLASS_REQUESTERS,
  ReviewBreakGlassPayload: BREAK_GLASS_REVIEWERS.audience,
  BreakGlassGrantConnection: BREAK_GLASS_QUEUES,
  BreakGlassGrantEdge: BREAK_GLASS_QUEUES,
  // The staff directory (issue 22 item 6): name, department, position, jurisdiction of staff accounts,
  // no personal or sign-in data; listed on the caller's branch of the tree (staff.service.ts).
  StaffMember: STAFF,
  StaffMemberConnection: STAFF,
  StaffMemberEdge: STAFF,
};

/** Id-valued fields of structural types that name a row-scoped record (see FieldPolicy.references). */
export const STRUCTURAL_REFERENCES: Readonly<Record<string, ReferenceKind>> = {
  'RegisterPersonPayload.existingPersonId': 'Person',
  'UpdatePersonPayload.existingPersonId': 'Person',
  'OverdueReview.assessmentId': 'Assessment',
  'ImportProblem.existingPersonId': 'Person',
  // The case review (issue 25) names only linked persons and disputes in its reader's row scope.
  'CaseReview.personIds': 'Person',
  'CaseReview.disputeIds': 'Dispute',
  'ReviewEntry.personId': 'Person',
  'ReviewEntry.disputeId': 'Dispute',
  'ReviewGap.personId': 'Person',
};

export const FIELD_POLICY: Readonly<Record<string, FieldPolicy>> = {
  'Person.id': { read: PERSON_CORE },
  'Person.name': { read: PERSON_CORE },
  'Person.age': {
    read: EXACT_AGE_READERS,
    note: 'not for those who read the ID number masked: they get ageGroup (SPEC §4)',
  },
  'Person.ageGroup': { read: PERSON_CORE },
  'Person.grid': { read: PERSON_CORE },
  'Person.tier': { read: PERSON_CORE },
  'Person.reviewOverdue': {
    read: PERSON_CORE,
    note: 'governed like Person.tier: whether its review-by date has passed',
  },
  'Person.gender': { read: NOT_YOUTH },
  'Person.birthDate': {
    read: ID_NUMBER_READERS,
    note: 'digits 7–14 of the ID number: only for those who read it in full',
  },
  'Person.residency': { read: NOT_YOUTH },
  'Person.occupation': { read: NOT_YOUTH },
  'Person.version': { read: NOT_YOUTH },
  'Person.createdAt': { read: NOT_YOUTH },
  'Person.tierExplanation': { read: NOT_YOUTH },
  'Person.disputes': { read: NOT_YOUTH, note: 'only the disputes within the reader’s row scope' },
  'Person.currentAssignment': { read: NOT_YOUTH },
  'Person.lastFollowUp': { read: NOT_YOUTH },
  'Person.corrections': {
    read: NOT_YOUTH,
    note: 'each replaced value read, masked or withheld as the policy row of its own field says',
  },
  'Person.idNumber': {
    read: ID_NUMBER_READERS,
    masked: masked('NATIONAL_ID'),
    sensitive: true,
  },
  'Person.phone': {
    read: departments(
      'GRID',
      'COMPREHENSIVE_GOVERNANCE',
      'CITY_CENTER',
      'POLICE',
      'JUSTICE',
      'SOCIAL_AFFAIRS',
      'CIVIL_AFFAIRS',
      'WOMENS_FEDERATION',
    ),
    masked: masked('PHONE'),
    sensitive: true,
  },
  'Person.address': {
    read: ADDRESS_READERS,
    masked: masked('ADDRESS'),
    sensitive: true,
  },
  'Person.household': { read: HOUSEHOLD_READERS },
  'Person.employerName': { read: MIGRANT_CONTACT_READERS },
  'Person.employerContact': { read: MIGRANT_CONTACT_READERS, sensitive: true },
  'Person.landlordName': { read: MIGRANT_CONTACT_READERS },
  'Person.landlordContact': { read: MIGRANT_CONTACT_READERS, sensitive: true },
  'Person.specialStatuses': {
    read: SPECIAL_STATUS_READERS,
    sensitive: true,
    valueFilter: 'SPECIAL_STATUS',
    note: 'each reader sees only the statuses its department owns',
  },
  'Person.assessments': { read: ASSESSMENT_READERS },

  'Household.id': { read: NOT_YOUTH },
  'Household.address': {
    read: ADDRESS_READERS,
    masked: masked('ADDRESS'),
    note: 'a household’s address is its members’: the same readers as Person.address',
    sensitive: true,
  },
  'Household.grid': { read: NOT_YOUTH },
  'Household.members': { read: NOT_YOUTH, note: 'only the members within the reader’s row scope' },
  'Household.version': { read: NOT_YOUTH },

  'TierExplanation.tier': { read: NOT_YOUTH },
  'TierExplanation.categories': { read: NOT_YOUTH },
  'TierExplanation.disputeIds': { read: NOT_YOUTH, references: 'Dispute' },
  'TierExplanation.otherDisputeCount': { read: NOT_YOUTH },
  'TierExplanation.assessmentId': { read: NOT_YOUTH, references: 'Assessment' },
  'TierExplanation.catalogVersion': { read: NOT_YOUTH },
  'TierExplanation.computedAt': { read: NOT_YOUTH },
  'TierExplanation.summary': { read: NOT_YOUTH, note: 'names the categories, never the indicators' },
  'TierExplanation.indicators': {
    read: ASSESSMENT_READERS,
    sensitive: true,
    valueFilter: 'INDICATOR_CATEGORY',
    note: 'POLICE read behaviour indicators, SOCIAL_AFFAIRS character indicators',
  },
  'AppliedIndicator.code': { read: ASSESSMENT_READERS },
  'AppliedIndicator.category': { read: ASSESSMENT_READERS },
  'AppliedIndicator.nameZh': { read: ASSESSMENT_READERS },
  'AppliedIndicator.nameEn': { read: ASSESSMENT_READERS },

  'Assessment.id': { read: ASSESSMENT_READERS },
  'Assessment.personId': { read: ASSESSMENT_READERS, references: 'Person' },
  'Assessment.assessorId': { read: ASSESSMENT_READERS },
  'Assessment.assessedAt': { read: ASSESSMENT_READERS },
  'Assessment.catalogVersion': { read: ASSESSMENT_READERS },
  'Assessment.tier': { read: ASSESSMENT_READERS },
  'Assessment.reviewBy': { read: ASSESSMENT_READERS },
  'Assessment.indicators': {
    read: ASSESSMENT_READERS,
    sensitive: true,
    valueFilter: 'INDICATOR_CATEGORY',
    note: 'POLICE read behaviour indicators, SOCIAL_AFFAIRS character indicators',
  },
  'AssessmentIndicator.assessmentId': { read: ASSESSMENT_READERS, references: 'Assessment' },
  'AssessmentIndicator.code': { read: ASSESSMENT_READERS },
  'AssessmentIndicator.category': { read: ASSESSMENT_READERS },
  'AssessmentIndicator.note': { read: ASSESSMENT_READERS, sensitive: true },

  'Dispute.id': { read: NOT_YOUTH },
  'Dispute.category': { read: NOT_YOUTH },
  'Dispute.source': { read: NOT_YOUTH },
  'Dispute.status': { read: NOT_YOUTH },
  'Dispute.level': { read: NOT_YOUTH },
  'Dispute.grid': { read: NOT_YOUTH },
  'Dispute.reportedAt': { read: NOT_YOUTH },
  'Dispute.closedAt': { read: NOT_YOUTH },
  'Dispute.version': { read: NOT_YOUTH },
  'Dispute.description': { read: NOT_YOUTH },
  'Dispute.parties': { read: NOT_YOUTH, note: 'a party outside the reader’s row scope shows no person' },
  'Dispute.reportedById': { read: departments('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER') },
  'DisputeParty.disputeId': { read: NOT_YOUTH, references: 'Dispute' },
  'DisputeParty.personId': { read: NOT_YOUTH, references: 'Person' },
  'DisputeParty.role': { read: NOT_YOUTH },
  'DisputeParty.person': { read: NOT_YOUTH },

  'Assignment.id': { read: NOT_YOUTH },
  'Assignment.personId': { read: NOT_YOUTH, references: 'Person' },
  'Assignment.person': { read: NOT_YOUTH },
  'Assignment.disputeId': { read: NOT_YOUTH, references: 'Dispute' },
  'Assignment.leadLeaderId': { read: NOT_YOUTH },
  'Assignment.responsibleDepartmentCode': { read: NOT_YOUTH },
  'Assignment.responsiblePersonId': { read: NOT_YOUTH },
  'Assignment.teamMemberIds': { read: NOT_YOUTH },
  'Assignment.acknowledgedAt': { read: NOT_YOUTH },
  'Assignment.active': { read: NOT_YOUTH },
  'Assignment.version': { read: NOT_YOUTH },
  'Assignment.createdAt': { read: NOT_YOUTH },
  'Assignment.measures': { read: CASE_WORKERS },
  'Assignment.responsiblePerson': { read: NOT_YOUTH, note: 'the staff member of responsiblePersonId' },
  'Assignment.leadLeader': { read: NOT_YOUTH, note: 'the staff member of leadLeaderId' },
  'Assignment.teamMembers': { read: NOT_YOUTH, note: 'the staff members of teamMemberIds' },

  'Assignment.proposedForTier': { read: NOT_YOUTH },
  // Anyone may be made responsible and acknowledge, but YOUTH_LEAGUE reads no assignment: they get
  // the acknowledgement without the record, and the record's fields need no guard of their own.
  'AcknowledgeAssignmentPayload.userErrors': { read: STAFF },
  'AcknowledgeAssignmentPayload.assignment': { read: NOT_YOUTH },

  'TierExplanation.computedTier': { read: NOT_YOUTH },
  'TierExplanation.override': { read: NOT_YOUTH },
  'TierOverride.requestId': { read: NOT_YOUTH, references: 'TierChangeRequest' },
  'TierOverride.tier': { read: NOT_YOUTH },
  'TierOverride.reason': { read: CASE_WORKERS },
  'TierOverride.requestedById': { read: NOT_YOUTH },
  'TierOverride.decidedById': { read: NOT_YOUTH },
  'TierOverride.decidedAt': { read: NOT_YOUTH },
  'TierOverride.reviewBy': { read: NOT_YOUTH },

  'TierChangeRequest.id': { read: NOT_YOUTH },
  'TierChangeRequest.personId': { read: NOT_YOUTH, references: 'Person' },
  'TierChangeRequest.fromTier': { read: NOT_YOUTH },
  'TierChangeRequest.toTier': { read: NOT_YOUTH },
  'TierChangeRequest.reason': { read: CASE_WORKERS },
  'TierChangeRequest.requestedById': { read: NOT_YOUTH },
  'TierChangeRequest.requestedAt': { read: NOT_YOUTH },
  'TierChangeRequest.status': { read: NOT_YOUTH },
  'TierChangeRequest.decidedById': { read: NOT_YOUTH },
  'TierChangeRequest.decidedAt': { read: NOT_YOUTH },
  'TierChangeRequest.decisionNote': { read: CASE_WORKERS },
  'TierChangeRequest.version': { read: NOT_YOUTH },

  'Dispute.venue': { read: NOT_YOUTH },
  'Dispute.escalations': { read: NOT_YOUTH },
  'Dispute.mediationSessions': {
    read: MEDIATION_READERS,
    note: 'mediation records: JUSTICE, the court, coordinators',
  },
  'Dispute.returnVisits': { read: NOT_YOUTH },
  'DisputeEscalation.id': { read: NOT_YOUTH },
  'DisputeEscalation.disputeId': { read: NOT_YOUTH, references: 'Dispute' },
  'DisputeEscalation.fromLevel': { read: NOT_YOUTH },
  'DisputeEscalation.toLevel': { read: NOT_YOUTH },
  'DisputeEscalation.venue': { read: NOT_YOUTH },
  'DisputeEscalation.reason': { read: NOT_YOUTH },
  'DisputeEscalation.byId': { read: NOT_YOUTH },
  'DisputeEscalation.occurredAt': { read: NOT_YOUTH },
  'MediationSession.id': { read: MEDIATION_READERS },
  'MediationSession.disputeId': { read: MEDIATION_READERS, references: 'Dispute' },
  'MediationSession.heldAt': { read: MEDIATION_READERS },
  'MediationSession.venue': { read: MEDIATION_READERS },
  'MediationSession.mediatorName': { read: MEDIATION_READERS },
  'MediationSession.outcome': { read: MEDIATION_READERS },
  'MediationSession.agreementText': { read: MEDIATION_READERS, sensitive: true },
  'MediationSession.notes': { read: MEDIATION_READERS, sensitive: true },
  'MediationSession.judiciallyConfirmed': { read: MEDIATION_READERS },
  'MediationSession.judicialConfirmationDate': { read: MEDIATION_READERS },
  'ReturnVisit.id': { read: NOT_YOUTH },
  'ReturnVisit.disputeId': { read: NOT_YOUTH, references: 'Dispute' },
  'ReturnVisit.sequence': { read: NOT_YOUTH },
  'ReturnVisit.occurredAt': { read: NOT_YOUTH },
  'ReturnVisit.byId': { read: NOT_YOUTH },
  'ReturnVisit.method': { read: NOT_YOUTH },
  'ReturnVisit.notes': { read: CASE_WORKERS },

  'Person.referrals': { read: REFERRAL_READERS },
  'Person.policeRecords': {
    read: departments('POLICE'),
    sensitive: true,
    note: 'police records: POLICE only',
  },
  'Person.hasPoliceRecord': {
    read: departments('POLICE', 'COMPREHENSIVE_GOVERNANCE'),
    note: 'COMPREHENSIVE_GOVERNANCE sees only that a record exists',
  },
  'PoliceRecord.id': { read: departments('POLICE') },
  'PoliceRecord.personId': { read: departments('POLICE'), references: 'Person' },
  'PoliceRecord.kind': { read: departments('POLICE') },
  'PoliceRecord.summary': { read: departments('POLICE'), sensitive: true },
  'PoliceRecord.occurredOn': { read: departments('POLICE') },
  'PoliceRecord.recordedAt': { read: departments('POLICE') },
  // Extreme-violence incidents are police records (issue 25); the case review shows others its facts.
  'Incident.id': { read: departments('POLICE') },
  'Incident.gridId': { read: departments('POLICE') },
  'Incident.occurredAt': { read: departments('POLICE') },
  'Incident.place': { read: departments('POLICE') },
  'Incident.kind': { read: departments('POLICE') },
  'Incident.deaths': { read: departments('POLICE') },
  'Incident.injuries': { read: departments('POLICE') },
  'Incident.summary': { read: departments('POLICE'), sensitive: true },
  'Incident.recordedAt': { read: departments('POLICE') },
  'Incident.personIds': { read: departments('POLICE'), references: 'Person' },
  'Incident.disputeIds': { read: departments('POLICE'), references: 'Dispute' },
  'Person.psychologicalFile': {
    read: departments('SOCIAL_AFFAIRS'),
    sensitive: true,
    note: 'psychological files: SOCIAL_AFFAIRS only',
  },
  'Referral.id': { read: REFERRAL_READERS },
  'Referral.personId': { read: REFERRAL_READERS, references: 'Person' },
  'Referral.kind': { read: REFERRAL_READERS },
  'Referral.status': { read: REFERRAL_READERS },
  'Referral.reason': { read: REFERRAL_READERS },
  'Referral.outcome': { read: REFERRAL_READERS },
  'Referral.sourceAssessmentId': { read: REFERRAL_READERS, references: 'Assessment' },
  'Referral.createdAt': { read: REFERRAL_READERS },
  'Referral.version': { read: REFERRAL_READERS },
  'PsychologicalFile.id': { read: departments('SOCIAL_AFFAIRS') },
  'PsychologicalFile.personId': { read: departments('SOCIAL_AFFAIRS'), references: 'Person' },
  'PsychologicalFile.interventionPlan': { read: departments('SOCIAL_AFFAIRS'), sensitive: true },
  'PsychologicalFile.notes': { read: departments('SOCIAL_AFFAIRS'), sensitive: true },
  'PsychologicalFile.updatedAt': { read: departments('SOCIAL_AFFAIRS') },
  'PsychologicalFile.version': { read: departments('SOCIAL_AFFAIRS') },

  'Alert.id': { read: STAFF, note: 'alerts are listed only to their recipients' },
  'Alert.personId': { read: STAFF, references: 'Person' },
  'Alert.person': { read: STAFF, note: 'null when the person is outside the reader’s row scope' },
  'Alert.kind': { read: STAFF },
  'Alert.description': { read: STAFF },
  'Alert.tierAtRaise': { read: STAFF },
  'Alert.raisedAt': { read: STAFF },
  'InjuryReport.id': { read: INJURY_READERS },
  'InjuryReport.facility': { read: INJURY_READERS },
  'InjuryReport.cause': { read: INJURY_READERS },
  'InjuryReport.description': { read: INJURY_READERS, sensitive: true },
  'InjuryReport.injuredPersonId': { read: INJURY_READERS, references: 'Person' },
  'InjuryReport.suspectPersonId': { read: INJURY_READERS, references: 'Person' },
  'InjuryReport.reportedAt': { read: INJURY_READERS },
  'InjuryReport.alertId': { read: INJURY_READERS },

  'HazardSale.id': { read: HAZARD_DEPARTMENTS },
  'HazardSale.businessId': { read: HAZARD_DEPARTMENTS },
  'HazardSale.receiptNumber': { read: HAZARD_DEPARTMENTS },
  'HazardSale.buyerName': { read: HAZARD_DEPARTMENTS },
  'HazardSale.buyerIdNumber': {
    read: departments('MARKET_SUPERVISION'),
    masked: { audience: HAZARD_DEPARTMENTS, kind: 'NATIONAL_ID' },
    sensitive: true,
    note: 'the real-name register is MARKET_SUPERVISION’s; the others see it masked',
  },
  'HazardSale.item': { read: HAZARD_DEPARTMENTS },
  'HazardSale.quantity': { read: HAZARD_DEPARTMENTS },
  'HazardSale.unit': { read: HAZARD_DEPARTMENTS },
  'HazardSale.soldAt': { read: HAZARD_DEPARTMENTS },

  'FollowUp.id': { read: NOT_YOUTH },
  'FollowUp.personId': { read: NOT_YOUTH, references: 'Person' },
  'FollowUp.byId': { read: NOT_YOUTH },
  'FollowUp.occurredAt': { read: NOT_YOUTH },
  'FollowUp.method': { read: NOT_YOUTH },
  'FollowUp.notes': { read: CASE_WORKERS },
  'FollowUp.observedChange': { read: CASE_WORKERS },

  // When each record last changed (SPEC §5a): readable by whoever reads its version, or its id.
  'Person.updatedAt': { read: NOT_YOUTH },
  'Household.updatedAt': { read: NOT_YOUTH },
  'Dispute.updatedAt': { read: NOT_YOUTH },
  'Assessment.updatedAt': { read: ASSESSMENT_READERS },
  'Assignment.updatedAt': { read: NOT_YOUTH },
  'FollowUp.updatedAt': { read: NOT_YOUTH },
  'Referral.updatedAt': { read: REFERRAL_READERS },
  'TierChangeRequest.updatedAt': { read: NOT_YOUTH },
  'PoliceRecord.updatedAt': { read: departments('POLICE') },
  'Incident.updatedAt': { read: departments('POLICE') },
  'Alert.updatedAt': { read: STAFF },

  // The change feed (SPEC §5a). Each record field has the audience of the way its record is reached
  // otherwise (test/integrations/change-feed.test.ts compares them), so the feed lets nobody reach a
  // type they could not reach before; it carries a kind of record only to the readers of its field.
  'RecordChange.recordType': { read: STAFF },
  'RecordChange.recordId': {
    read: STAFF,
    note: 'a record within the reader’s row scope, or — for LEFT_SCOPE — one that was when it changed',
  },
  'RecordChange.operation': { read: STAFF },
  'RecordChange.changedAt': { read: STAFF },
  'RecordChange.person': { read: PERSON_CORE },
  'RecordChange.household': {
    read: departments('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER', 'POLICE', 'CIVIL_AFFAIRS'),
    note: 'the readers of Person.household',
  },
  'RecordChange.dispute': { read: NOT_YOUTH },
  'RecordChange.assessment': { read: ASSESSMENT_READERS },
  'RecordChange.assignment': { read: NOT_YOUTH },
  'RecordChange.followUp': { read: NOT_YOUTH },
  'RecordChange.referral': { read: REFERRAL_READERS },
  'RecordChange.tierChangeRequest': { read: NOT_YOUTH },
  'RecordChange.policeRecord': { read: departments('POLICE') },
  'RecordChange.alert': { read: STAFF, note: 'only alerts addressed to the reader' },

  // Break-glass grants: the person's id by design (its requester named it; the reviewer's street held
  // the person; the AUDITOR reads the trail that names it), the reason, the review.
  'BreakGlassGrant.id': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.personId': {
    read: BREAK_GLASS_READERS,
    note: 'the person the grant opened, named by its requester; kept as the audit trail keeps it',
  },
  'BreakGlassGrant.accountId': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.accountDepartment': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.reason': { read: BREAK_GLASS_READERS, sensitive: true },
  'BreakGlassGrant.grantedAt': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.expiresAt': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.reviewStatus': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.reviewedById': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.reviewedAt': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.reviewNote': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.version': { read: BREAK_GLASS_READERS },
  'BreakGlassGrant.updatedAt': { read: BREAK_GLASS_READERS },
};

// ---------------------------------------------------------------------------------------------
// Operations: who may run each query and mutation (row scope then limits what they touch).
// ---------------------------------------------------------------------------------------------

const REGISTRARS = departments(
  'GRID',
  'COMPREHENSIVE_GOVERNANCE',
  'CITY_CENTER',
  'POLICE',
  'JUSTICE',
  'CIVIL_AFFAIRS',
  'SOCIAL_AFFAIRS',
);

/**
 * Merging two records of one person (SPEC §5a): decided by the leader of the persons' own grid (网格长),
 * who knows them; records in two grids are first brought into one. Enforced by the people area.
 */
export const PERSON_MERGE_POLICY: TransitionRule = {
  audience: audience('LEADER of GRID, of both persons’ own grid (网格长)', (p) =>
    leadersOf('GRID').includes(p),
  ),
  ownGridOnly: true,
};

/** Bulk import (issue 21 item 3): each kind of record to whoever may register it one by one. */
export const IMPORT_KIND_OPERATIONS: Readonly<Record<ImportKind, string>> = {
  [ImportKind.HOUSEHOLDS]: 'Mutation.registerHousehold',
  [ImportKind.PERSONS]: 'Mutation.registerPerson',
  [ImportKind.DISPUTES]: 'Mutation.registerDispute',
};

export const OPERATION_POLICY: Readonly<Record<string, Audience>> = {
  'Mutation.login': PUBLIC,
  'Query.me': SIGNED_IN,
  'Query.viewer': SIGNED_IN,
  'Query.jurisdictions': SIGNED_IN,
  'Query.departments': SIGNED_IN,
  'Query.indicatorCatalog': SIGNED_IN,
  'Query.disputeRouting': SIGNED_IN,
  'Query.labels': SIGNED_IN,
  'Query.staff': STAFF,
  'Mutation.addJurisdiction': ADMINS,
  'Mutation.reorganiseMoveGrid': ADMINS,
  'Mutation.reorganiseMergeGrids': ADMINS,
  'Mutation.setDisputeRoute': ADMINS,
  'Mutation.setAccountabilityThreshold': ADMINS,
  'Mutation.setAccountabilityWeight': ADMINS,
  'Mutation.publishIndicatorCatalog': ADMINS,
  'Query.person': STAFF,
  'Query.persons': STAFF,
  'Query.households': HOUSEHOLD_READERS,
  'Query.dispute': NOT_YOUTH,
  'Query.disputes': NOT_YOUTH,
  'Query.assessments': ASSESSMENT_READERS,
  'Query.assignments': NOT_YOUTH,
  'Mutation.registerPerson': REGISTRARS,
  'Mutation.updatePerson': REGISTRARS,
  'Mutation.correctPerson': REGISTRARS,
  'Mutation.registerHousehold': REGISTRARS,
  'Query.similarPersons': REGISTRARS,
  'Mutation.mergePersons': PERSON_MERGE_POLICY.audience,
  'Mutation.registerDispute': staffExcept('YOUTH_LEAGUE'),
  // Whoever may make at least one transition: the operation and the transitions table cannot disagree.
  'Mutation.changeDisputeStatus': audience('whoever DISPUTE_TRANSITION_POLICY lets make a transition', (p) =>
    Object.values(DISPUTE_TRANSITION_POLICY).some((rule) => rule.audience.includes(p)),
  ),
  'Mutation.recordAssessment': departments(
    'GRID',
    'COMPREHENSIVE_GOVERNANCE',
    'CITY_CENTER',
    'POLICE',
    'SOCIAL_AFFAIRS',
  ),
  'Mutation.assign': leadersOf('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER'),
  'Mutation.recordFollowUp': CASE_WORKERS,
  'Mutation.createServiceAccount': ADMINS,
  'Mutation.issueApiKey': ADMINS,
  'Mutation.revokeApiKey': ADMINS,
  'Query.serviceAccounts': ADMINS,
  'Mutation.setServiceAccountBudget': ADMINS,
  'Query.users': ADMINS,
  'Mutation.createUser': ADMINS,
  'Mutation.updateUser': ADMINS,
  'Mutation.disableUser': ADMINS,
  'Mutation.enableUser': ADMINS,
  'Mutation.importUsers': ADMINS,
  'Mutation.resetPassword': ADMINS,
  'Mutation.endUserSessions': ADMINS,
  'Mutation.changePassword': SIGNED_IN,
  'Mutation.logout': SIGNED_IN,
  'Query.mySessions': SIGNED_IN,
  // The second factor: the code completes a sign-in (so no token yet); enrolment is one's own; an ADMIN resets it.
  'Mutation.verifySecondFactor': PUBLIC,
  'Mutation.beginTotpEnrolment': SIGNED_IN,
  'Mutation.confirmTotpEnrolment': SIGNED_IN,
  'Mutation.resetSecondFactor': ADMINS,
  'Query.auditTrail': AUDITORS,
  'Query.explainAccess': AUDITORS,
  'Query.personAccessReport': AUDITORS,
  'Mutation.escalateDispute': leadersOf('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER'),
  'Mutation.recordMediationSession': CASE_HANDLERS,
  'Mutation.recordReturnVisit': departments('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER', 'JUSTICE'),
  'Query.returnVisitsDue': NOT_YOUTH,
  'Mutation.acknowledgeAssignment': STAFF,
  'Query.overdueFollowUps': NOT_YOUTH,
  'Query.overdueReviews': ASSESSMENT_READERS,
  'Mutation.requestTierChange': departments(
    'GRID',
    'COMPREHENSIVE_GOVERNANCE',
    'CITY_CENTER',
    'POLICE',
    'SOCIAL_AFFAIRS',
  ),
  'Mutation.decideTierChange': leadersOf('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER'),
  'Mutation.renewTierOverride': leadersOf('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER'),
  'Query.tierChangeRequests': NOT_YOUTH,
  'Mutation.createReferral': REFERRAL_READERS,
  'Mutation.updateReferral': REFERRAL_READERS,
  'Mutation.savePsychologicalFile': departments('SOCIAL_AFFAIRS'),
  'Query.myAlerts': STAFF,
  'Subscription.alertReceived': STAFF,
  'Mutation.raiseAlert': NOT_YOUTH,
  'Mutation.acknowledgeAlert': STAFF,
  'Mutation.reportInjury': departments('SOCIAL_AFFAIRS'),
  'Query.injuryReports': INJURY_READERS,
  'Query.hazardBusinesses': HAZARD_DEPARTMENTS,
  'Query.hazardSales': HAZARD_DEPARTMENTS,
  'Mutation.registerHazardBusiness': HAZARD_DEPARTMENTS,
  'Mutation.recordHazardSales': HAZARD_DEPARTMENTS,
  'Mutation.importHazardSales': HAZARD_DEPARTMENTS,
  'Query.monthlyFigures': FIGURE_READERS,
  'Query.monthlyComparison': FIGURE_READERS,
  'Mutation.recordPoliceCounts': leadersOf('POLICE'),
  'Mutation.addPoliceRecord': departments('POLICE'),
  'Mutation.recordIncident': departments('POLICE'),
  'Query.caseReview': CASE_REVIEW_READERS,
  'Query.quarterlyFollowUp': SCORECARD_READERS,
  'Query.yearlyAssessment': SCORECARD_READERS,
  // Department integrations follow what changed in their scope (SPEC §5a); ADMIN and AUDITOR read no records.
  'Query.changes': STAFF,
  'Query.webhooks': WEBHOOK_USERS,
  'Query.webhookDeliveries': WEBHOOK_USERS,
  'Mutation.registerWebhook': WEBHOOK_REGISTRANTS,
  'Mutation.approveWebhook': WEBHOOK_OVERSEERS,
  'Mutation.disableWebhook': WEBHOOK_USERS,
  'Mutation.replayWebhookDelivery': WEBHOOK_USERS,
  'Mutation.importRecords': audience('whoever may register households, persons or disputes', (p) =>
    Object.values(IMPORT_KIND_OPERATIONS).some((operation) => OPERATION_POLICY[operation]?.includes(p)),
  ),
  'Mutation.breakGlass': BREAK_GLASS_REQUESTERS,
  'Query.breakGlassReviews': BREAK_GLASS_REVIEWERS.audience,
  'Mutation.reviewBreakGlass': BREAK_GLASS_REVIEWERS.audience,
  'Query.flaggedBreakGlass': AUDITORS,
};

/**
 * What a session that signed in with a temporary password may run until the password is changed
 * (the request lifecycle refuses every other root field: src/auth/password-gate.ts).
 */
export const PASSWORD_CHANGE_OPERATIONS: readonly string[] = [
  'Mutation.changePassword',
  'Query.me',
  'Mutation.logout',
];

/** Who signs in with a second factor (a TOTP code) besides the password: LEADER positions, ADMIN, AUDITOR. */
export const SECOND_FACTOR_HOLDERS = audience(
  'LEADER, ADMIN, AUDITOR',
  (p) => p.position === 'LEADER' || p.capability !== null,
);

/**
 * What a session of a SECOND_FACTOR_HOLDERS account may run when it has not passed the second factor
 * (none enrolled yet, or the account became a holder after it signed in): enrol one, read itself, change
 * its password, sign out (src/auth/password-gate.ts).
 */
export const SECOND_FACTOR_ENROLMENT_OPERATIONS: readonly string[] = [
  'Mutation.beginTotpEnrolment',
  'Mutation.confirmTotpEnrolment',
  'Query.me',
  'Query.mySessions',
  'Mutation.changePassword',
  'Mutation.logout',
];

// ---------------------------------------------------------------------------------------------
// Decisions inside workflows: who may move a dispute to each status, and who decides tier changes.
// ---------------------------------------------------------------------------------------------
export interface TransitionRule {
  audience: Audience;
  /** Only for the dispute's own grid: the user's jurisdiction node is the dispute's grid (网格长初审). */
  ownGridOnly: boolean;
}

const NOBODY = audience('nobody', () => false);

/**
 * CIRCUIT_COURT is a case handler (SPEC §2): it mediates in its 驻庭调解室 and confirms agreements
 * (司法确认), so it moves the disputes it handles into mediation, to RESOLVED and to REFERRED.
 */
export const DISPUTE_TRANSITION_POLICY: Readonly<Record<string, TransitionRule>> = {
  REPORTED: { audience: NOBODY, ownGridOnly: false },
  ACCEPTED: { audience: leadersOf('GRID'), ownGridOnly: true },
  IN_MEDIATION: { audience: CASE_HANDLERS, ownGridOnly: false },
  RESOLVED: { audience: CASE_HANDLERS, ownGridOnly: false },
  REFERRED: { audience: CASE_HANDLERS, ownGridOnly: false },
  CLOSED_UNRESOLVED: {
    audience: leadersOf('GRID', 'COMPREHENSIVE_GOVERNANCE', 'CITY_CENTER'),
    ownGridOnly: false,
  },
};

// ---------------------------------------------------------------------------------------------
// The needs-(re)assessment list (SPEC §3): it shows no reason. The grid team of the person's own grid,
// who do the assessment, sees everyone in its grid on it; each owning department, the persons holding
// its statuses. Nobody else may ask for it (see ARGUMENT_POLICY).
// ---------------------------------------------------------------------------------------------
export const NEEDS_ASSESSMENT_READERS = departments(
  'GRID',
  ...new Set(Object.values(SPECIAL_STATUS_OWNERS).flat()),
);

export interface NeedsAssessmentAccess {
  /** Every person on the list whose grid is the reader's own jurisdiction node (a grid). */
  ownGrid: boolean;
  /** The persons holding these statuses, within the reader's row scope. */
  statuses: SpecialStatus[];
}

export function needsAssessmentAccess(principal: Principal): NeedsAssessmentAccess {
  if (!NEEDS_ASSESSMENT_READERS.includes(principal)) return { ownGrid: false, statuses: [] };
  return { ownGrid: principal.department === 'GRID', statuses: statusesOwnedBy(principal) };
}

/**
 * The special statuses a principal's department owns: the only ones it reads, and the only ones an
 * update by it may take away (others it may report, never remove: it cannot see them).
 */
export function statusesOwnedBy(principal: Principal): SpecialStatus[] {
  if (principal.capability !== null) return [];
  return (Object.keys(SPECIAL_STATUS_OWNERS) as SpecialStatus[]).filter((status) =>
    SPECIAL_STATUS_OWNERS[status].includes(principal.department as DepartmentCode),
  );
}

// ---------------------------------------------------------------------------------------------
// Arguments (SPEC §4, "Filters and sorts only over values the caller may read"): what each argument
// of a query or a field narrows its answer by. A filter on a value the caller may not read would
// answer "which of these has it" — an oracle — so it is refused with FORBIDDEN. Every argument in the
// schema has a row here (a test walks the schema); input objects have one row per input field.
// ---------------------------------------------------------------------------------------------
export type ArgumentRule =
  /** Page size and cursors. */
  | { kind: 'page' }
  /** An id looked up within row scope: out of scope answers as a random id does (NOT_FOUND). */
  | { kind: 'lookup' }
  /** Narrows by the value of `field`: only for those who read it unmasked. */
  | { kind: 'narrows'; field: string }
  /** Allowed to `audience` only, for a reason a reviewer reads. */
  | { kind: 'audience'; audience: Audience; note: string }
  /**
   * Each value its own audience (an enum: which field a list is sorted by, which special statuses it
   * is narrowed by); a value without one is refused to everyone.
   */
  | { kind: 'perValue'; audiences: Readonly<Record<string, Audience>>; note: string };

const page: ArgumentRule = { kind: 'page' };
const lookup: ArgumentRule = { kind: 'lookup' };
const narrows = (field: string): ArgumentRule => ({ kind: 'narrows', field });

/** Whether `principal` reads `field` unmasked: only then may they narrow or order by it. */
function readsUnmasked(field: string, principal: Principal): boolean {
  const structural = STRUCTURAL_TYPES[field.split('.')[0] ?? ''];
  if (structural) return structural.includes(principal);
  return decideField(FIELD_POLICY[field], principal) === 'read';
}

/** `orderBy.field` of a list: each sortable field only for those who read it (SPEC §4). */
const sortsBy = (fields: Readonly<Record<string, string>>): ArgumentRule => ({
  kind: 'perValue',
  audiences: Object.fromEntries(
    Object.entries(fields).map(([value, field]) => [
      value,
      audience(`readers of ${field}`, (principal) => readsUnmasked(field, principal)),
    ]),
  ),
  note: 'sorts only by a field its reader reads unmasked: the order of a value you may not read reveals it',
});

/** `filter.specialStatuses`: each status only for its owning department, the only one that reads it. */
const byOwnedStatus: ArgumentRule = {
  kind: 'perValue',
  audiences: Object.fromEntries(
    Object.entries(SPECIAL_STATUS_OWNERS).map(([status, owners]) => [status, departments(...owners)]),
  ),
  note: 'each status only by its owning department, which alone reads it (SPEC §3)',
};

export const ARGUMENT_POLICY: Readonly<Record<string, ArgumentRule>> = {
  'Query.person(id)': lookup,
  'Query.dispute(id)': lookup,
  'Query.assessments(personId)': lookup,
  'Query.hazardSales(businessId)': lookup,
  'Query.indicatorCatalog(version)': narrows('IndicatorCatalogVersion.version'),
  'Query.labels(enum)': narrows('EnumLabels.enum'),
  'Query.monthlyFigures(jurisdictionId)': lookup,
  'Query.monthlyFigures(month)': narrows('MonthlyFigures.month'),
  'Query.monthlyComparison(jurisdictionId)': lookup,
  'Query.caseReview(incidentId)': lookup,
  'Query.quarterlyFollowUp(jurisdictionId)': lookup,
  'Query.quarterlyFollowUp(quarter)': narrows('QuarterlyFollowUp.quarter'),
  'Query.yearlyAssessment(jurisdictionId)': lookup,
  'Query.yearlyAssessment(year)': narrows('YearlyAssessment.year'),
  'Query.monthlyComparison(month)': narrows('MonthlyComparison.current'),
  'Query.persons(first)': page,
  'Query.persons(after)': page,
  'Query.persons(filter.tiers)': narrows('Person.tier'),
  'Query.persons(filter.jurisdictionId)': narrows('Person.grid'),
  'Query.persons(filter.residency)': narrows('Person.residency'),
  'Query.persons(filter.nameContains)': narrows('Person.name'),
  'Query.households(first)': page,
  'Query.households(after)': page,
  'Query.households(filter.jurisdictionId)': narrows('Household.grid'),
  'Query.similarPersons(name)': narrows('Person.name'),
  'Query.similarPersons(birthYear)': narrows('Person.birthDate'),
  'Query.similarPersons(first)': page,
  'Query.persons(orderBy.field)': sortsBy({
    NAME: 'Person.name',
    CREATED_AT: 'Person.createdAt',
    UPDATED_AT: 'Person.updatedAt',
  }),
  'Query.persons(orderBy.direction)': page,
  'Query.persons(filter.followUpOverdue)': narrows('Person.lastFollowUp'),
  'Query.persons(filter.reviewOverdue)': narrows('Person.reviewOverdue'),
  'Query.persons(filter.minAge)': narrows('Person.age'),
  'Query.persons(filter.maxAge)': narrows('Person.age'),
  'Query.persons(filter.ageGroups)': narrows('Person.ageGroup'),
  'Query.persons(filter.specialStatuses)': byOwnedStatus,
  'Query.persons(filter.needsAssessment)': {
    kind: 'audience',
    audience: NEEDS_ASSESSMENT_READERS,
    note: 'the grid team of the person’s own grid and the status’s own department (SPEC §3)',
  },
  'Query.disputes(first)': page,
  'Query.disputes(after)': page,
  'Query.disputes(filter.categories)': narrows('Dispute.category'),
  'Query.disputes(filter.statuses)': narrows('Dispute.status'),
  'Query.disputes(filter.jurisdictionId)': narrows('Dispute.grid'),
  'Query.disputes(filter.levels)': narrows('Dispute.level'),
  'Query.disputes(filter.sources)': narrows('Dispute.source'),
  'Query.disputes(filter.reportedFrom)': narrows('Dispute.reportedAt'),
  'Query.disputes(filter.reportedBefore)': narrows('Dispute.reportedAt'),
  'Query.disputes(filter.text)': narrows('Dispute.description'),
  'Query.disputes(orderBy.field)': sortsBy({
    REPORTED_AT: 'Dispute.reportedAt',
    UPDATED_AT: 'Dispute.updatedAt',
  }),
  'Query.disputes(orderBy.direction)': page,
  'Query.assignments(first)': page,
  'Query.assignments(after)': page,
  'Query.assignments(filter.personId)': narrows('Assignment.personId'),
  'Query.assignments(filter.responsiblePersonId)': narrows('Assignment.responsiblePersonId'),
  'Query.assignments(filter.unacknowledged)': narrows('Assignment.acknowledgedAt'),
  'Query.assignments(filter.leadLeaderId)': narrows('Assignment.leadLeaderId'),
  'Query.assignments(filter.proposed)': narrows('Assignment.proposedForTier'),
  'Query.assignments(orderBy.field)': sortsBy({
    CREATED_AT: 'Assignment.createdAt',
    UPDATED_AT: 'Assignment.updatedAt',
  }),
  'Query.assignments(orderBy.direction)': page,
  'Query.serviceAccounts(first)': page,
  'Query.serviceAccounts(after)': page,
  'Query.users(first)': page,
  'Query.users(after)': page,
  'Query.users(filter.departmentCode)': narrows('User.departmentCode'),
  'Query.users(filter.position)': narrows('User.position'),
  'Query.users(filter.jurisdictionId)': narrows('User.jurisdictionId'),
  'Query.users(filter.active)': narrows('User.active'),
  'Query.users(filter.search)': narrows('User.username'),
  'Query.staff(first)': page,
  'Query.staff(after)': page,
  'Query.staff(filter.departmentCode)': narrows('StaffMember.departmentCode'),
  'Query.staff(filter.position)': narrows('StaffMember.position'),
  'Query.staff(filter.jurisdictionId)': narrows('StaffMember.jurisdictionId'),
  'Query.staff(filter.nameContains)': narrows('StaffMember.displayName'),
  'Query.mySessions(first)': page,
  'Query.mySessions(after)': page,
  'Query.auditTrail(first)': page,
  'Query.auditTrail(before)': page,
  'Query.auditTrail(filter.action)': narrows('AuditEntry.action'),
  'Query.auditTrail(filter.actorId)': narrows('AuditEntry.actorId'),
  'Query.auditTrail(filter.recordId)': narrows('AuditEntry.recordIds'),
  'Query.auditTrail(filter.from)': narrows('AuditEntry.occurredAt'),
  'Query.auditTrail(filter.to)': narrows('AuditEntry.occurredAt'),
  'Query.personAccessReport(personId)': {
    kind: 'audience',
    audience: AUDITORS,
    note: 'names the person whose audit entries are listed: record ids and audit facts only, no record data',
  },
  'Query.personAccessReport(from)': narrows('PersonAccessEntry.occurredAt'),
  'Query.personAccessReport(to)': narrows('PersonAccessEntry.occurredAt'),
  'Query.personAccessReport(first)': page,
  'Query.personAccessReport(after)': page,
  'Query.explainAccess(account)': {
    kind: 'audience',
    audience: AUDITORS,
    note: 'names the account whose rules are explained: accounts and policy only, no record data',
  },
  'Query.explainAccess(field)': {
    kind: 'audience',
    audience: AUDITORS,
    note: 'names the Type.field explained: the policy table, no record data',
  },
  'Query.assessments(first)': page,
  'Query.assessments(after)': page,
  'Query.hazardBusinesses(first)': page,
  'Query.hazardBusinesses(after)': page,
  'Query.hazardSales(first)': page,
  'Query.hazardSales(after)': page,
  'Query.myAlerts(first)': page,
  'Query.myAlerts(unacknowledgedOnly)': narrows('ReceivedAlert.acknowledgedAt'),
  'Query.myAlerts(after)': page,
  'Query.myAlerts(orderBy.field)': sortsBy({ RAISED_AT: 'Alert.raisedAt' }),
  'Query.myAlerts(orderBy.direction)': page,
  'Query.overdueFollowUps(first)': page,
  'Query.overdueFollowUps(after)': page,
  'Query.overdueFollowUps(jurisdictionId)': narrows('Person.grid'),
  'Query.overdueReviews(first)': page,
  'Query.overdueReviews(after)': page,
  'Query.overdueReviews(jurisdictionId)': narrows('Person.grid'),
  'Query.returnVisitsDue(first)': page,
  'Query.returnVisitsDue(after)': page,
  'Query.returnVisitsDue(withinDays)': narrows('ReturnVisitDue.dueAt'),
  'Query.tierChangeRequests(personId)': narrows('TierChangeRequest.personId'),
  'Query.tierChangeRequests(status)': narrows('TierChangeRequest.status'),
  'Query.tierChangeRequests(first)': page,
  'Query.tierChangeRequests(after)': page,
  'Query.injuryReports(first)': page,
  'Query.injuryReports(after)': page,
  'Query.injuryReports(filter.causes)': narrows('InjuryReport.cause'),
  'Query.injuryReports(filter.reportedFrom)': narrows('InjuryReport.reportedAt'),
  'Query.injuryReports(filter.reportedBefore)': narrows('InjuryReport.reportedAt'),
  'Person.disputes(open)': narrows('Dispute.status'),
  'Query.changes(after)': page,
  'Query.changes(first)': page,
  'Query.webhookDeliveries(first)': page,
  'Query.webhookDeliveries(after)': page,
  'Query.webhookDeliveries(status)': narrows('WebhookDelivery.status'),
  'Query.webhookDeliveries(webhookId)': narrows('Webhook.id'),
  'Query.breakGlassReviews(status)': narrows('BreakGlassGrant.reviewStatus'),
  'Query.breakGlassReviews(first)': page,
  'Query.breakGlassReviews(after)': page,
  'Query.flaggedBreakGlass(first)': page,
  'Query.flaggedBreakGlass(after)': page,
};

/** Whether `principal` reads `Type.field` unmasked: a structural type's audience, else the field's row. */
export function mayReadField(key: string, principal: Principal): boolean {
  const structural = STRUCTURAL_TYPES[key.split('.')[0] ?? ''];
  if (structural) return structural.includes(principal);
  return decideField(FIELD_POLICY[key], principal) === 'read';
}

/** Whether `principal` may narrow by the argument `key`; unknown arguments are refused. */
/**
 * Whether `principal` may narrow by the argument `key` whatever its value (with per-value rules:
 * with every value); unknown arguments are refused.
 */
export function mayUseArgument(key: string, principal: Principal): boolean {
  const rule = ARGUMENT_POLICY[key];
  if (!rule) return false;
  if (rule.kind === 'page' || rule.kind === 'lookup') return true;
  if (rule.kind === 'audience') return rule.audience.includes(principal);
  if (rule.kind === 'perValue') {
    return Object.values(rule.audiences).every((allowed) => allowed.includes(principal));
  }
  return readsUnmasked(rule.field, principal);
}

/** Whether `principal` may narrow by the argument `key` with this value (a list: with each of its items). */
export function mayUseArgumentValue(key: string, principal: Principal, value: unknown): boolean {
  const rule = ARGUMENT_POLICY[key];
  if (rule?.kind !== 'perValue') return mayUseArgument(key, principal);
  const values = Array.isArray(value) ? value : [value];
  return values.every((item) => Boolean(rule.audiences[String(item)]?.includes(principal)));
}

export interface TierDecider {
  audience: Audience;
  /** The level of the decider's jurisdiction node. */
  level: 'GRID' | 'STREET' | 'CITY';
}

/** YELLOW: the grid leader; ORANGE: a street-level 综治办 leader (街道主要领导); RED: a 市综治中心 leader. */
export const TIER_CHANGE_DECIDERS: Readonly<Record<'YELLOW' | 'ORANGE' | 'RED', TierDecider>> = {
  YELLOW: { audience: leadersOf('GRID'), level: 'GRID' },
  ORANGE: { audience: leadersOf('COMPREHENSIVE_GOVERNANCE'), level: 'STREET' },
  RED: { audience: leadersOf('CITY_CENTER'), level: 'CITY' },
};

/** Every principal a reviewer should see in the matrix: each department × position, then ADMIN, AUDITOR. */
export function allPrincipals(): { label: string; principal: Principal }[] {
  const rows = DEPARTMENTS.flatMap((department) =>
    POSITIONS.map((position) => ({
      label: `${department}/${position}`,
      principal: { department, position, capability: null } as Principal,
    })),
  );
  rows.push({
    label: 'ADMIN',
    principal: { department: 'COMPREHENSIVE_GOVERNANCE', position: 'WORKER', capability: 'ADMIN' },
  });
  rows.push({
    label: 'AUDITOR',
    principal: { department: 'COMPREHENSIVE_GOVERNANCE', position: 'WORKER', capability: 'AUDITOR' },
  });
  return rows;
}

export type FieldDecision = 'read' | 'masked' | 'denied';

export function decideField(policy: FieldPolicy | undefined, principal: Principal): FieldDecision {
  if (!policy) return 'denied';
  if (policy.read.includes(principal)) return 'read';
  if (policy.masked?.audience.includes(principal)) return 'masked';
  return 'denied';
}
