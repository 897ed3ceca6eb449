// Inference control (SPEC §4, "No reconstruction"): for every value masked or denied to some
// accounts, the fields that carry part of it, and how many candidates what an account reads leaves
// for it. Generated from policy.ts like the rules themselves; test/permissions/reconstruction.test.ts
// holds every account to MIN_CANDIDATES, and schema/permissions.md shows the table to reviewers.
import { decideField, FIELD_POLICY, type FieldDecision, type Principal } from './policy';

/** What an account reads must leave at least this many candidates for a value masked or denied to it. */
export const MIN_CANDIDATES = 1000;

/** A piece of a protected value that some field reveals. */
export type Part =
  /** The whole value. */
  | 'ALL'
  /** ID number digits 1–6, the registration region: a grid or a village-level address gives it away. */
  | 'REGION'
  /** ID number digits 7–14. */
  | 'BIRTH_DATE'
  /** Age in whole years: one of ~366 birth dates. */
  | 'AGE'
  /** MINOR / ADULT / SENIOR. */
  | 'AGE_GROUP'
  /** ID number digit 17 is odd for men, even for women. */
  | 'GENDER'
  /** The masked ID number: digits 15–17, and the check digit unless the person is a minor. */
  | 'LAST_4'
  /** The masked phone number: the first 3 and the last 4 digits. */
  | 'PHONE_ENDS'
  /** The village (村/社区) of an address. */
  | 'VILLAGE';

/** Which parts a field reveals when read, and when read masked. */
export interface Carrier {
  read: Part[];
  masked?: Part[];
}

export interface ProtectedValue {
  /** The policy row of the value. */
  field: string;
  /** What the rule counts, in words a reviewer reads. */
  rule: string;
  /** Every field that carries part of the value, the value itself included. */
  carriers: Readonly<Record<string, Carrier>>;
  /** Candidates left for the value when `parts` are known; Infinity when no count applies. */
  candidatesLeft(parts: ReadonlySet<Part>, today: Date): number;
}

const DAY_MS = 86_400_000;

/** Calendar days from `from` to `to`. */
function daysBetween(from: Date, to: Date): number {
  return Math.round((to.getTime() - from.getTime()) / DAY_MS);
}

function yearsBefore(today: Date, years: number): Date {
  const date = new Date(today);
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return date;
}

/** Birth dates an age group spans, on `today` (birth dates range from 1900, SPEC §5). */
export function birthDatesInGroup(group: 'MINOR' | 'ADULT' | 'SENIOR', today: Date): number {
  if (group === 'MINOR') return daysBetween(yearsBefore(today, 18), today);
  if (group === 'ADULT') return daysBetween(yearsBefore(today, 60), yearsBefore(today, 18));
  return daysBetween(new Date(Date.UTC(1900, 0, 1)), yearsBefore(today, 60));
}

/** County-level divisions, each with its own region code: what an unknown region leaves. */
const REGION_CODES = 2_800;

/**
 * GB 11643: 6 region digits, 8 birth-date digits, 3 sequence digits (the last odd for men), and a
 * check digit computed from the 17 before it, which lets 1 in 11 of the candidates through. The
 * masked number shows digits 15–17 and the check digit, a minor's check digit excepted (masking.ts).
 */
function nationalIdCandidates(parts: ReadonlySet<Part>, today: Date): number {
  if (parts.has('ALL')) return 1;
  const regions = parts.has('REGION') ? 1 : REGION_CODES;
  const sequences = parts.has('LAST_4') ? 1 : parts.has('GENDER') ? 500 : 1000;
  const groups = ['MINOR', 'ADULT', 'SENIOR'] as const;
  // The worst case over the groups: the reader may know which group the person is in.
  return Math.min(
    ...groups.map((group) => {
      const birthDates = parts.has('BIRTH_DATE')
        ? 1
        : parts.has('AGE')
          ? 366
          : parts.has('AGE_GROUP')
            ? birthDatesInGroup(group, today)
            : daysBetween(new Date(Date.UTC(1900, 0, 1)), today);
      const checkDigitShown = parts.has('LAST_4') && group !== 'MINOR';
      return Math.max(1, Math.floor((regions * birthDates * sequences) / (checkDigitShown ? 11 : 1)));
    }),
  );
}

/** The fields that say something about the digits of a person's national ID number. */
const PERSON_ID_CARRIERS: Readonly<Record<string, Carrier>> = {
  'Person.idNumber': { read: ['ALL'], masked: ['LAST_4'] },
  'Person.birthDate': { read: ['BIRTH_DATE'] },
  'Person.age': { read: ['AGE'] },
  'Person.ageGroup': { read: ['AGE_GROUP'] },
  'Person.gender': { read: ['GENDER'] },
  'Person.grid': { read: ['REGION'] },
  'Person.address': { read: ['REGION'], masked: ['REGION'] },
  'Household.address': { read: ['REGION'], masked: ['REGION'] },
  'Household.grid': { read: ['REGION'] },
};

const ADDRESS_CARRIERS: Readonly<Record<string, Carrier>> = {
  'Person.address': { read: ['ALL'], masked: ['VILLAGE'] },
  'Household.address': { read: ['ALL'], masked: ['VILLAGE'] },
  'Person.grid': { read: ['VILLAGE'] },
  'Household.grid': { read: ['VILLAGE'] },
};

/** An address's rule is its village: nothing an account reads may place the person more closely. */
const villageAtMost = (parts: ReadonlySet<Part>) => (parts.has('ALL') ? 1 : Infinity);

export const PROTECTED_VALUES: readonly ProtectedValue[] = [
  {
    field: 'Person.idNumber',
    rule: 'national ID numbers consistent with what the account reads (check digit included)',
    carriers: PERSON_ID_CARRIERS,
    candidatesLeft: nationalIdCandidates,
  },
  {
    field: 'HazardSale.buyerIdNumber',
    rule: 'as Person.idNumber: a buyer may be a person on record, whose other fields the account reads',
    carriers: {
      ...PERSON_ID_CARRIERS,
      'HazardSale.buyerIdNumber': { read: ['ALL'], masked: ['LAST_4'] },
    },
    candidatesLeft: nationalIdCandidates,
  },
  {
    field: 'Person.phone',
    rule: 'mobile numbers consistent with what the account reads',
    carriers: { 'Person.phone': { read: ['ALL'], masked: ['PHONE_ENDS'] } },
    candidatesLeft: (parts) => (parts.has('ALL') ? 1 : parts.has('PHONE_ENDS') ? 10_000 : 100_000_000),
  },
  {
    field: 'Person.address',
    rule: 'the village at most (counted as unbounded unless a field gives the full address)',
    carriers: ADDRESS_CARRIERS,
    candidatesLeft: villageAtMost,
  },
  {
    field: 'Household.address',
    rule: 'the village at most (counted as unbounded unless a field gives the full address)',
    carriers: ADDRESS_CARRIERS,
    candidatesLeft: villageAtMost,
  },
];

/**
 * Fields whose names suggest they carry part of a protected value but do not, with the reason: a
 * test fails when such a field is neither a carrier nor listed here, so a new one gets a decision.
 */
export const NOT_CARRIERS: Readonly<Record<string, string>> = {
  'Person.employerContact': 'the employer’s number, not the person’s',
  'Person.landlordContact': 'the landlord’s number, not the person’s',
  'Dispute.grid': 'the grid of the dispute: the persons’ own grids are already counted as REGION',
  'HazardSale.buyerName': 'a name: the carriers of the person on record are counted in full',
  'HazardBusiness.address': 'a business’s address, not a person’s',
  'Reorganisation.retiredGrid': 'a node of the tree an ADMIN reorganised, not a person’s grid',
  'Reorganisation.successorGrid': 'a node of the tree an ADMIN reorganised, not a person’s grid',
};

export interface Inference {
  /** Whether the account reaches the record at all: one it never sees leaves nothing to rebuild. */
  reachesRecord: boolean;
  decision: FieldDecision;
  /** The carriers the account reads (itself included), with what each gives. */
  reads: { field: string; parts: Part[] }[];
  candidates: number;
}

/** What `principal` reads of `value` and its carriers, and the candidates that leaves. */
export function inferenceOf(value: ProtectedValue, principal: Principal, today: Date): Inference {
  const reads: Inference['reads'] = [];
  for (const [field, carrier] of Object.entries(value.carriers)) {
    const decision = decideField(FIELD_POLICY[field], principal);
    const parts = decision === 'read' ? carrier.read : decision === 'masked' ? (carrier.masked ?? []) : [];
    if (parts.length > 0) reads.push({ field, parts });
  }
  const known = new Set(reads.flatMap((read) => read.parts));
  const recordType = value.field.split('.')[0] ?? '';
  return {
    reachesRecord: decideField(FIELD_POLICY[`${recordType}.id`], principal) !== 'denied',
    decision: decideField(FIELD_POLICY[value.field], principal),
    reads,
    candidates: value.candidatesLeft(known, today),
  };
}
