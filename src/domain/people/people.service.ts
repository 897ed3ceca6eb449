// The people area: register, update and list persons and households, within row scope. A national ID
// number belongs to one record only (duplicates.service.ts).
import { Brackets, type EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import {
  keysetPage,
  orderedKeysetPage,
  pageSize,
  type Connection,
  type PageOrder,
} from '../../database/paging';
import { isUuid } from '../../graphql/validation';
import { badUserInput, notFound, staleVersion } from '../../graphql/errors';
import { createIdempotently, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { gridInScope, needsAssessmentScope, personScope } from '../../permissions/scope';
import { jurisdictionFilter, requireGridInScope } from '../organisation/organisation.service';
import { Household } from './household.entity';
import {
  PersonSortField,
  type HouseholdFilter,
  type PersonFilter,
  type RegisterHouseholdInput,
  type RegisterPersonInput,
  type UpdatePersonInput,
} from './people.inputs';
import { Person } from './person.entity';
import { Tier } from '../risk/risk.enums';
import { principalOf } from '../../auth/identity';
import { decideField, FIELD_POLICY, statusesOwnedBy } from '../../permissions/policy';
import { AgeGroup, type SpecialStatus } from './people.enums';
import type { SortDirection } from '../../graphql/connection';
import { followUpDueSql } from '../assignments/rules';
import { tierReviewBySql } from '../risk/review-by';
import { currentPersonId, knownIdNumber } from './duplicates.service';
import {
  bornOnOrBeforeForAge,
  idNumberAgreesWithBirthDate,
  nameSearchKey,
  normalisedIdNumber,
  PERSON_RECORD_FIELDS,
} from './rules';
import { nameContainsPredicate } from './name-search';

const TIERS: readonly Tier[] = Object.values(Tier);

const PERSON_DETAIL_FIELDS = [...PERSON_RECORD_FIELDS, 'specialStatuses'] as const;

/** The person, when the caller may see them; otherwise a userError on `field` (nothing is revealed). */
export async function requireVisiblePerson(
  tx: EntityManager,
  context: RequestContext,
  personId: string,
  field: string,
): Promise<Person> {
  const scope = personScope(context.user, 'p', context.now());
  const person = await tx
    .getRepository(Person)
    .createQueryBuilder('p')
    .where('p.id = :personId', { personId })
    .andWhere(scope.sql, scope.params)
    .getOne();
  if (!person)
    throw problem(field, {
      zh: '您的范围内没有此编号的人员',
      en: 'No person with this id within your scope',
    });
  return person;
}

async function requireHouseholdInScope(
  tx: EntityManager,
  context: RequestContext,
  householdId: string,
  field: string,
): Promise<Household> {
  const scope = gridInScope(context.user, 'h.grid_id');
  const household = await tx
    .getRepository(Household)
    .createQueryBuilder('h')
    .where('h.id = :householdId', { householdId })
    .andWhere(scope.sql, scope.params)
    .getOne();
  if (!household) {
    throw problem(field, {
      zh: '您的辖区内没有此编号的户',
      en: 'No household with this id within your jurisdiction',
    });
  }
  return household;
}

export interface PersonWriteResult {
  outcome: MutationResult<Person>;
  /** The person already on record with the ID number given, for a caller who may know (duplicates.service.ts). */
  existingPersonId: string | null;
}

export async function registerPerson(
  context: RequestContext,
  input: RegisterPersonInput,
): Promise<PersonWriteResult> {
  let existingPersonId: string | null = null;
  const outcome = await runMutation(context, input, async (tx) => {
    const { id: createdId, replayed } = await createIdempotently(
      tx,
      context,
      'registerPerson',
      input,
      async () => {
        await requireGridInScope(tx, context, input.gridId, 'input.gridId');
        if (input.householdId)
          await requireHouseholdInScope(tx, context, input.householdId, 'input.householdId');
        if (input.idNumber) {
          const known = await knownIdNumber(tx, context, input.idNumber, null);
          if (known) {
            existingPersonId = known.existingPersonId;
            throw known.problem;
          }
        }
        const name = input.name.trim();
        const inserted = await tx.getRepository(Person).insert({
          name,
          nameSearch: nameSearchKey(name),
          gender: input.gender,
          birthDate: input.birthDate ?? null,
          idNumber: input.idNumber ? normalisedIdNumber(input.idNumber) : null,
          phone: input.phone ?? null,
          address: input.address ?? null,
          householdId: input.householdId ?? null,
          gridId: input.gridId,
          residency: input.residency,
          employerName: input.employerName ?? null,
          employerContact: input.employerContact ?? null,
          landlordName: input.landlordName ?? null,
          landlordContact: input.landlordContact ?? null,
          occupation: input.occupation ?? null,
          specialStatuses: [...new Set(input.specialStatuses)],
          createdById: context.user.id,
          // the request clock, like assessments: "not assessed since the record changed" compares the two
          updatedAt: context.now(),
        });
        return (inserted.identifiers[0] as { id: string }).id;
      },
    );
    // A retry after the person was merged into another record answers with that record.
    const id = replayed ? await currentPersonId(tx, createdId) : createdId;
    const person = await tx.getRepository(Person).findOneByOrFail({ id });
    return {
      result: person,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'registerPerson',
              recordType: 'Person',
              recordIds: [id],
              fields: PERSON_DETAIL_FIELDS.filter(
                (field) => input[field] !== undefined && input[field] !== null,
              ),
            },
          ],
    };
  });
  return { outcome, existingPersonId };
}

/**
 * An update sets the statuses the caller's department owns exactly as given; statuses it does not own
 * it may add (report), but never removes — it cannot see them, and a blind overwrite would erase them.
 */
function statusesAfterUpdate(
  current: readonly SpecialStatus[],
  given: readonly SpecialStatus[],
  context: RequestContext,
): SpecialStatus[] {
  const owned = new Set(statusesOwnedBy(principalOf(context.user)));
  const kept = current.filter((status) => !owned.has(status));
  return [...new Set([...kept, ...given])].sort();
}

/** A correction (issue 24 item 3): an update with a reason, whose replaced values the history keeps. */
export interface Correction {
  reason: string;
}

export async function updatePerson(
  context: RequestContext,
  input: UpdatePersonInput,
  correction?: Correction,
): Promise<PersonWriteResult> {
  let existingPersonId: string | null = null;
  const outcome = await runMutation(context, input, async (tx) => {
    const scope = personScope(context.user, 'p', context.now());
    const current = await tx
      .getRepository(Person)
      .createQueryBuilder('p')
      .where('p.id = :id', { id: input.id })
      .andWhere(scope.sql, scope.params)
      .setLock('pessimistic_write')
      .getOne();
    if (!current) throw notFound('Person');
    if (current.version !== input.expectedVersion) {
      throw staleVersion({ zh: '人员记录', en: 'person' }, current.version, input.expectedVersion);
    }
    const changes: Partial<Person> = {};
    for (const field of PERSON_DETAIL_FIELDS) {
      const value = input[field];
      if (value === undefined) continue;
      if (
        value === null &&
        (field === 'name' || field === 'gender' || field === 'gridId' || field === 'residency')
      ) {
        throw problem(`input.${field}`, { zh: `${field} 不能删除`, en: `${field} cannot be removed` });
      }
      Object.assign(changes, {
        [field]: field === 'name' && typeof value === 'string' ? value.trim() : value,
      });
    }
    const idNumber = 'idNumber' in changes ? changes.idNumber : current.idNumber;
    const birthDate = 'birthDate' in changes ? changes.birthDate : current.birthDate;
    if (idNumber && birthDate && !idNumberAgreesWithBirthDate(idNumber, birthDate)) {
      throw problem('idNumber' in changes ? 'input.idNumber' : 'input.birthDate', {
        zh: '身份证号码第 7–14 位须为出生日期（GB 11643）',
        en: 'The ID number’s digits 7–14 must be the birth date (GB 11643)',
      });
    }
    if (changes.specialStatuses) {
      changes.specialStatuses = statusesAfterUpdate(
        current.specialStatuses,
        changes.specialStatuses,
        context,
      );
    }
    if (changes.gridId && changes.gridId !== current.gridId) {
      await requireGridInScope(tx, context, changes.gridId, 'input.gridId');
    }
    if (changes.householdId && changes.householdId !== current.householdId) {
      await requireHouseholdInScope(tx, context, changes.householdId, 'input.householdId');
    }
    if (
      changes.idNumber &&
      normalisedIdNumber(changes.idNumber) !== normalisedIdNumber(current.idNumber ?? '')
    ) {
      const known = await knownIdNumber(tx, context, changes.idNumber, current.id);
      if (known) {
        existingPersonId = known.existingPersonId;
        throw known.problem;
      }
    }
    if (changes.idNumber) changes.idNumber = normalisedIdNumber(changes.idNumber);
    const changedFields = Object.keys(changes);
    let correctionId: string | null = null;
    if (correction) {
      if (changedFields.length === 0)
        throw problem('input', {
          zh: '请至少填写一项要更正的字段',
          en: 'Give at least one field to correct',
        });
      correctionId = await keepCorrectedValues(tx, context, current, changedFields, correction.reason);
    }
    if (changes.name !== undefined) changes.nameSearch = nameSearchKey(changes.name);
    await tx
      .getRepository(Person)
      .createQueryBuilder()
      .update()
      .set({ ...changes, version: () => 'version + 1', updatedAt: context.now() })
      .where('id = :id AND version = :version', { id: input.id, version: input.expectedVersion })
      .execute();
    const person = await tx.getRepository(Person).findOneByOrFail({ id: input.id });
    return {
      result: person,
      audit: [
        {
          action: 'MUTATION',
          operation: correction ? 'correctPerson' : 'updatePerson',
          recordType: 'Person',
          recordIds: correctionId ? [input.id, correctionId] : [input.id],
          fields: changedFields,
          // The reason stays with the correction, not in the audit: retention must be able to erase it.
          detail: correctionId
            ? { fromVersion: input.expectedVersion, correctionId }
            : { fromVersion: input.expectedVersion },
        },
      ],
    };
  });
  return { outcome, existingPersonId };
}

/**
 * Households for a list page or an export: a household is listed when at least one of its members
 * is within the caller's row scope, so the list shows no household (and no address) the caller
 * knows nothing of — a household with no member in scope, or none yet, is not listed.
 */
export async function listHouseholds(
  context: RequestContext,
  filter: HouseholdFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<Household>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const subtree = filter?.jurisdictionId
    ? await jurisdictionFilter(context, filter.jurisdictionId, 'h.grid_id')
    : null;
  const grid = gridInScope(context.user, 'h.grid_id');
  const members = personScope(context.user, 'member', context.now());
  const query = context.dataSource
    .getRepository(Household)
    .createQueryBuilder('h')
    .where(grid.sql, grid.params)
    .andWhere(
      `EXISTS (SELECT 1 FROM persons member WHERE member.household_id = h.id AND ${members.sql})`,
      members.params,
    );
  if (subtree) query.andWhere(subtree.sql, subtree.params);
  return keysetPage(query, 'h', 'created_at', size, after, (row) => row.createdAt);
}

/** Keeps the values a correction replaces, who made it and why; the id of the history row. */
async function keepCorrectedValues(
  tx: EntityManager,
  context: RequestContext,
  current: Person,
  fields: readonly string[],
  reason: string,
): Promise<string> {
  const previous = Object.fromEntries(
    fields.map((field) => [field, (current as unknown as Record<string, unknown>)[field] ?? null]),
  );
  const rows: { id: string }[] = await tx.query(
    `INSERT INTO person_corrections (person_id, corrected_at, corrected_by_id, reason, fields, previous)
     VALUES ($1, $2, $3, $4, $5::text[], $6::jsonb) RETURNING id`,
    [current.id, context.now(), context.user.id, reason.trim(), fields, JSON.stringify(previous)],
  );
  return (rows[0] as { id: string }).id;
}

export async function registerHousehold(
  context: RequestContext,
  input: RegisterHouseholdInput,
): Promise<MutationResult<Household>> {
  return runMutation(context, input, async (tx) => {
    const { id, replayed } = await createIdempotently(tx, context, 'registerHousehold', input, async () => {
      await requireGridInScope(tx, context, input.gridId, 'input.gridId');
      const inserted = await tx
        .getRepository(Household)
        .insert({ address: input.address.trim(), gridId: input.gridId });
      return (inserted.identifiers[0] as { id: string }).id;
    });
    const household = await tx.getRepository(Household).findOneByOrFail({ id });
    return {
      result: household,
      audit: replayed
        ? []
        : [
            {
              action: 'MUTATION',
              operation: 'registerHousehold',
              recordType: 'Household',
              recordIds: [id],
              fields: ['address', 'gridId'],
            },
          ],
    };
  });
}

export async function findPerson(context: RequestContext, id: string): Promise<Person> {
  if (!isUuid(id)) throw badUserInput(`${id} is not an ID this API issued`, 'id');
  const person = await context.loaders.people.person.load(id);
  if (!person) throw notFound('Person');
  return person;
}

/**
 * The tiers as SQL literals, in the enum's order: written into the statement rather than bound, so
 * PostgreSQL can match the partial index on tiered persons (WHERE tier <> 'NONE') in a generic plan
 * as well (a bound list cannot prove that predicate). Only Tier's own values are ever written.
 */
function tierList(tiers: readonly Tier[]): string {
  const chosen = new Set(tiers);
  for (const tier of chosen) {
    if (!TIERS.includes(tier)) throw badUserInput(`${String(tier)} is not a tier`, 'filter.tiers');
  }
  return TIERS.filter((tier) => chosen.has(tier))
    .map((tier) => `'${tier}'`)
    .join(', ');
}

/** The orders a persons list may be sorted in; who may use each is ARGUMENT_POLICY's. */
const PERSON_ORDERS: Readonly<Record<PersonSortField, Omit<PageOrder<Person>, 'name' | 'direction'>>> = {
  NAME: { column: 'name', key: (person) => person.name },
  CREATED_AT: { column: 'created_at', key: (person) => person.createdAt },
  UPDATED_AT: { column: 'updated_at', key: (person) => person.updatedAt },
};

export async function listPersons(
  context: RequestContext,
  filter: PersonFilter | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  /** Only these properties of each person (`selectedColumns`); whole rows when undefined. */
  columns?: readonly string[],
  orderBy?: { field: PersonSortField; direction: SortDirection } | null,
): Promise<Connection<Person>> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  for (const [name, age] of [
    ['minAge', filter?.minAge],
    ['maxAge', filter?.maxAge],
  ] as const) {
    if (age !== null && age !== undefined && (age < 0 || age > 150)) {
      throw badUserInput(`${name} must be between 0 and 150`, `filter.${name}`);
    }
  }
  const { minAge, maxAge } = { minAge: filter?.minAge ?? null, maxAge: filter?.maxAge ?? null };
  if (minAge !== null && maxAge !== null && minAge > maxAge) {
    throw badUserInput('minAge must not exceed maxAge', 'filter.minAge');
  }
  const subtree = filter?.jurisdictionId
    ? await jurisdictionFilter(context, filter.jurisdictionId, 'p.grid_id')
    : null;
  const scope = personScope(context.user, 'p', context.now(), subtree?.path);
  const query = context.dataSource
    .getRepository(Person)
    .createQueryBuilder('p')
    .where(scope.sql, scope.params);
  if (filter?.tiers?.length) query.andWhere(`p.tier IN (${tierList(filter.tiers)})`);
  if (filter?.residency) query.andWhere('p.residency = :residency', { residency: filter.residency });
  if (subtree) query.andWhere(subtree.sql, subtree.params);
  if (filter?.needsAssessment) {
    const assessing = needsAssessmentScope(context.user, 'p');
    query.andWhere(
      `(${assessing.sql}) AND NOT EXISTS (
         SELECT 1 FROM assessments na WHERE na.person_id = p.id AND na.assessed_at >= p.updated_at)`,
      assessing.params,
    );
  }
  if (filter?.nameContains) {
    const byName = nameContainsPredicate(filter.nameContains);
    query.andWhere(byName.sql, byName.params);
  }
  const now = context.now();
  if (filter?.followUpOverdue) query.andWhere(`${followUpDueSql('p')} < :overdueAt`, { overdueAt: now });
  if (filter?.reviewOverdue) query.andWhere(`${tierReviewBySql('p')} <= :reviewAt`, { reviewAt: now });
  // An age narrows to persons of known birth date; the boundaries are ageOn's, as days.
  if (minAge !== null) {
    query.andWhere('p.birth_date <= :bornByMin', { bornByMin: bornOnOrBeforeForAge(minAge, now) });
  }
  if (maxAge !== null) {
    query.andWhere('p.birth_date > :bornAfterMax', { bornAfterMax: bornOnOrBeforeForAge(maxAge + 1, now) });
  }
  if (filter?.ageGroups?.length) query.andWhere(ageGroupsPredicate(filter.ageGroups, now));
  if (filter?.specialStatuses?.length) {
    query.andWhere('p.special_statuses && :filterStatuses::text[]', {
      filterStatuses: filter.specialStatuses,
    });
  }
  // The default order is by registration time; whoever may not read that time gets the list by name,
  // or the order itself would tell them who was registered first.
  const chosen =
    orderBy ??
    (decideField(FIELD_POLICY['Person.createdAt'], principalOf(context.user)) === 'denied'
      ? { field: PersonSortField.NAME, direction: 'ASC' as const }
      : null);
  const order = chosen ? { ...PERSON_ORDERS[chosen.field], ...chosen, name: chosen.field } : null;
  return orderedKeysetPage(
    query,
    'p',
    order,
    { column: 'created_at', key: (row) => row.createdAt },
    size,
    after,
    columns,
  );
}

/** Persons of known birth date in any of these age groups (ageGroupOf's boundaries: 18 and 60). */
function ageGroupsPredicate(groups: readonly AgeGroup[], now: Date): Brackets {
  const adult = bornOnOrBeforeForAge(18, now);
  const senior = bornOnOrBeforeForAge(60, now);
  return new Brackets((where) => {
    if (groups.includes(AgeGroup.MINOR)) where.orWhere('p.birth_date > :adultBorn', { adultBorn: adult });
    if (groups.includes(AgeGroup.ADULT)) {
      where.orWhere('(p.birth_date <= :adultBorn AND p.birth_date > :seniorBorn)', {
        adultBorn: adult,
        seniorBorn: senior,
      });
    }
    if (groups.includes(AgeGroup.SENIOR))
      where.orWhere('p.birth_date <= :seniorBorn', { seniorBorn: senior });
  });
}
