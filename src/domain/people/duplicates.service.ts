// One record per person (SPEC §5a, "不漏一人"): a known national ID number is refused, with the
// existing person's id only for a caller who may see that person and read their number (anyone else
// gets the answer an invalid number gets: no existence signal, no oracle — SPEC §4); likely duplicates
// are found by name (characters and romanised pinyin, trigram similarity) and birth year; and the
// leader of the persons' grid merges two records of one person, keeping both histories.
import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import type { Identity } from '../../auth/identity';
import { principalOf } from '../../auth/identity';
import { pageSize } from '../../database/paging';
import {
  badUserInput,
  ErrorCode,
  forbidden,
  notFound,
  ruleRefusal,
  staleVersion,
  userError,
  UserInputProblem,
} from '../../graphql/errors';
import { constraintMessageZh, problem, runMutation, type MutationResult } from '../../graphql/mutation';
import { NAME_MAX } from '../../graphql/validation';
import { decideField, FIELD_POLICY, PERSON_MERGE_POLICY } from '../../permissions/policy';
import { personScope } from '../../permissions/scope';
import { recomputeTiers } from '../risk/tier.service';
import type { MergePersonsInput } from './people.inputs';
import { Person } from './person.entity';
import { ID_NUMBER_NOT_ACCEPTED, nameCharacters, nameSearchKey, normalisedIdNumber } from './rules';

// ---------------------------------------------------------------------------------------------------
// A known ID number

/** Advisory-lock class of "registering this ID number": two registrations of one number take turns. */
const ID_NUMBER_LOCK = 7_365_201;

/** A refusal of an ID number already on record, and the person's id when the caller may have it. */
export interface KnownIdNumber {
  problem: UserInputProblem;
  /** Only for a caller who sees the person and reads their ID number in full. */
  existingPersonId: string | null;
}

/**
 * Whether another person holds `idNumber` (in its normalised form), checked in the caller's
 * transaction after taking the number's lock, so that of two concurrent registrations of one number
 * the second sees the first once it commits. The unique index (migration OnePersonOneRecord) is the
 * database's guard; this check holds also where existing duplicates left that index non-unique.
 *
 * Who learns what: a caller who sees the person (row scope) and reads ID numbers in full gets a
 * CONFLICT naming the person; anyone else gets exactly the userError an invalid number gets. Naming
 * the person to a caller who reads the number masked would confirm a guess of it (SPEC §4, no oracle).
 */
export async function knownIdNumber(
  tx: EntityManager,
  context: RequestContext,
  idNumber: string,
  /** The person being updated, whose own number this is not a duplicate of. */
  exceptPersonId: string | null,
  field = 'input.idNumber',
): Promise<KnownIdNumber | null> {
  const normalised = normalisedIdNumber(idNumber);
  await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [ID_NUMBER_LOCK, normalised]);
  const [holder] = (await tx.query(
    `SELECT id FROM persons
      WHERE upper(btrim(id_number)) = $1 AND id_number IS NOT NULL AND btrim(id_number) <> ''
        AND id IS DISTINCT FROM $2::uuid
      ORDER BY created_at, id LIMIT 1`,
    [normalised, exceptPersonId],
  )) as { id: string }[];
  if (!holder) return null;
  const readsNumber = decideField(FIELD_POLICY['Person.idNumber'], principalOf(context.user)) === 'read';
  const visible = readsNumber && (await isVisiblePerson(tx, context, holder.id));
  if (!visible) {
    return {
      // Word for word what the input rule says of an invalid number (isRegistrableIdNumber): no signal.
      problem: new UserInputProblem([
        userError(field, { zh: constraintMessageZh('isRegistrableIdNumber'), en: ID_NUMBER_NOT_ACCEPTED }),
      ]),
      existingPersonId: null,
    };
  }
  return {
    problem: new UserInputProblem([
      userError(
        field,
        {
          zh: `此身份证号码的人员已登记（${holder.id}）：请更新该记录，或由网格长合并两条记录（mergePersons）`,
          en:
            `A person with this ID number is already on record (${holder.id}): update that record, or have ` +
            `the grid leader merge the two (mergePersons)`,
        },
        ErrorCode.CONFLICT,
      ),
    ]),
    existingPersonId: holder.id,
  };
}

async function isVisiblePerson(tx: EntityManager, context: RequestContext, id: string): Promise<boolean> {
  const scope = personScope(context.user, 'p', context.now());
  const count = await tx
    .getRepository(Person)
    .createQueryBuilder('p')
    .where('p.id = :visibleId', { visibleId: id })
    .andWhere(scope.sql, scope.params)
    .getCount();
  return count > 0;
}

/** The record a person id now stands for: itself, or the record it was merged into. */
export async function currentPersonId(tx: EntityManager, id: string): Promise<string> {
  const [merged] = (await tx.query(`SELECT kept_person_id FROM person_merges WHERE merged_person_id = $1`, [
    id,
  ])) as { kept_person_id: string }[];
  return merged?.kept_person_id ?? id;
}

// ---------------------------------------------------------------------------------------------------
// Likely duplicates

/** How alike two names must be, as pg_trgm's `%` operator judges them (its default threshold, 0.3). */
export async function similarPersons(
  context: RequestContext,
  name: string,
  birthYear: number | null | undefined,
  first: number | null | undefined,
  /** The columns of each person the selection reads (`selectedColumns`); whole rows when undefined. */
  columns?: readonly string[],
): Promise<Person[]> {
  const size = pageSize(first, context.app.config.limits.maxPageSize);
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > NAME_MAX) {
    throw badUserInput(`name must be 1–${NAME_MAX} characters`, 'name');
  }
  const now = context.now();
  const thisYear = now.getUTCFullYear();
  if (birthYear !== null && birthYear !== undefined && (birthYear < 1900 || birthYear > thisYear)) {
    throw badUserInput(`birthYear must be between 1900 and ${thisYear}`, 'birthYear');
  }
  const characters = nameCharacters(trimmed);
  const scope = personScope(context.user, 'p', now);
  // Alike by pinyin (trigrams of the romanised names: homophones and near-homophones), or by
  // characters (the share of the name's characters the other name holds); the better of the two ranks.
  const score = `greatest(
      similarity(coalesce(p.name_search, ''), :searchKey),
      (SELECT count(*) FROM unnest(:searchCharacters::text[]) c WHERE strpos(lower(p.name), c) > 0)::real
        / greatest(char_length(p.name), :searchLength))`;
  const query = context.dataSource
    .getRepository(Person)
    .createQueryBuilder('p')
    .select('p.id', 'id')
    .where(scope.sql, scope.params)
    .andWhere('(p.name_search % :searchKey OR p.name = :searchName)', {
      searchKey: nameSearchKey(trimmed),
      searchName: trimmed,
      searchCharacters: characters,
      searchLength: Math.max(characters.length, 1),
    });
  if (birthYear !== null && birthYear !== undefined) {
    // A record without a birth date may be the same person: it is listed, after those of the year.
    query.andWhere('(p.birth_date IS NULL OR (p.birth_date >= :bornFrom AND p.birth_date < :bornBefore))', {
      bornFrom: `${birthYear}-01-01`,
      bornBefore: `${birthYear + 1}-01-01`,
    });
  }
  const rows = (await query
    .orderBy(score, 'DESC')
    .addOrderBy('p.birth_date IS NULL', 'ASC')
    .addOrderBy('p.created_at', 'ASC')
    .addOrderBy('p.id', 'ASC')
    .limit(size)
    .getRawMany()) as { id: string }[];
  const persons = await context.loaders.people.person.loadMany(
    rows.map((row) => row.id),
    columns,
  );
  return persons.filter((person): person is Person => person instanceof Person);
}

// ---------------------------------------------------------------------------------------------------
// Merging two records of one person

/**
 * Every column that refers to a person, and how a merge carries it over. The merged record is then
 * deleted: its foreign keys make that fail if anything still refers to it, so a table added later
 * that is not listed here stops merges rather than losing history (a test compares this list with
 * the database's foreign keys).
 */
export const PERSON_REFERENCES: readonly { table: string; column: string; key: string }[] = [
  { table: 'dispute_parties', column: 'person_id', key: 'dispute_id' },
  { table: 'assessments', column: 'person_id', key: 'id' },
  { table: 'assignments', column: 'person_id', key: 'id' },
  { table: 'follow_ups', column: 'person_id', key: 'id' },
  { table: 'referrals', column: 'person_id', key: 'id' },
  { table: 'psychological_files', column: 'person_id', key: 'id' },
  { table: 'alerts', column: 'person_id', key: 'id' },
  { table: 'injury_reports', column: 'injured_person_id', key: 'id' },
  { table: 'injury_reports', column: 'suspect_person_id', key: 'id' },
  { table: 'tier_change_requests', column: 'person_id', key: 'id' },
  { table: 'police_records', column: 'person_id', key: 'id' },
  { table: 'incident_persons', column: 'person_id', key: 'incident_id' },
  { table: 'person_corrections', column: 'person_id', key: 'id' },
  { table: 'person_merges', column: 'kept_person_id', key: 'merged_person_id' },
];

/** Person columns the kept record takes from the merged one where it has none itself. */
const FILLED_FROM_MERGED = [
  ['birthDate', 'birth_date'],
  ['idNumber', 'id_number'],
  ['phone', 'phone'],
  ['address', 'address'],
  ['householdId', 'household_id'],
  ['employerName', 'employer_name'],
  ['employerContact', 'employer_contact'],
  ['landlordName', 'landlord_name'],
  ['landlordContact', 'landlord_contact'],
  ['occupation', 'occupation'],
] as const;

/** Refuses a merge to anyone but PERSON_MERGE_POLICY's deciders: the leader of both persons' own grid. */
function requireMergeDecider(identity: Identity, gridIds: readonly string[]): void {
  const rule = PERSON_MERGE_POLICY;
  if (!rule.audience.includes(principalOf(identity))) {
    throw forbidden(`Merging two records of one person is for ${rule.audience.label}`);
  }
  if (rule.ownGridOnly && gridIds.some((gridId) => gridId !== identity.jurisdictionId)) {
    throw ruleRefusal('input.mergePersonId', {
      zh: '只有人员所在网格的网格长可以合并其记录；两个网格的记录须先调整到同一网格（updatePerson gridId）',
      en: 'Only the leader of the persons’ own grid may merge their records (网格长); records in two grids are first brought into one (updatePerson gridId)',
    });
  }
}

/** The ids an UPDATE or DELETE … RETURNING answered (TypeORM gives those as [rows, count]). */
function ids(result: unknown): string[] {
  const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as { id: string }[];
  return rows.map((row) => row.id);
}

export function mergePersons(
  context: RequestContext,
  input: MergePersonsInput,
): Promise<MutationResult<Person>> {
  return runMutation(context, input, async (tx) => {
    const keepId = input.keepPersonId;
    const mergeId = input.mergePersonId;
    if (keepId === mergeId) {
      throw problem('input.mergePersonId', {
        zh: '记录不能合并到自身',
        en: 'A record cannot be merged into itself',
      });
    }
    const scope = personScope(context.user, 'p', context.now());
    // Both rows locked, in id order (two merges of the same pair never wait on each other in a circle).
    const found = await tx
      .getRepository(Person)
      .createQueryBuilder('p')
      .where('p.id IN (:...mergeIds)', { mergeIds: [keepId, mergeId] })
      .andWhere(scope.sql, scope.params)
      .orderBy('p.id')
      .setLock('pessimistic_write')
      .getMany();
    const keep = found.find((person) => person.id === keepId);
    const merged = found.find((person) => person.id === mergeId);
    if (keep && !merged && (await currentPersonId(tx, mergeId)) === keepId) {
      // A retry of a merge that went through: the same answer, nothing more to do.
      requireMergeDecider(context.user, [keep.gridId]);
      return { result: keep, audit: [] };
    }
    if (!keep || !merged) throw notFound('Person');
    requireMergeDecider(context.user, [keep.gridId, merged.gridId]);
    for (const [person, expected, record, field] of [
      [keep, input.keepExpectedVersion, { zh: '保留的记录', en: 'kept record' }, 'input.keepExpectedVersion'],
      [
        merged,
        input.mergeExpectedVersion,
        { zh: '并入的记录', en: 'merged record' },
        'input.mergeExpectedVersion',
      ],
    ] as const) {
      if (person.version !== expected) throw staleVersion(record, person.version, expected, field);
    }
    if (
      keep.idNumber &&
      merged.idNumber &&
      normalisedIdNumber(keep.idNumber) !== normalisedIdNumber(merged.idNumber)
    ) {
      throw problem('input.mergePersonId', {
        zh: '两条记录的身份证号码不同：请先更正错误的一条（updatePerson）再合并',
        en: 'The two records hold different ID numbers: correct the wrong one (updatePerson) before merging',
      });
    }
    const now = context.now();
    const moved: Record<string, string[]> = {};
    const move = async (table: string, column: string, key: string) => {
      const rows = await tx.query(
        `UPDATE ${table} SET ${column} = $1 WHERE ${column} = $2 RETURNING ${key} AS id`,
        [keepId, mergeId],
      );
      const label = column === 'person_id' ? table : `${table}.${column}`;
      moved[label] = [...(moved[label] ?? []), ...ids(rows)];
    };

    // An incident linked to both records keeps one link, the kept record's.
    await tx.query(
      `DELETE FROM incident_persons m WHERE m.person_id = $1
          AND EXISTS (SELECT 1 FROM incident_persons k WHERE k.incident_id = m.incident_id AND k.person_id = $2)`,
      [mergeId, keepId],
    );
    // A dispute both records are party to keeps the kept record's role.
    const droppedParties = ids(
      await tx.query(
        `DELETE FROM dispute_parties m
          WHERE m.person_id = $2
            AND EXISTS (SELECT 1 FROM dispute_parties k WHERE k.dispute_id = m.dispute_id AND k.person_id = $1)
        RETURNING m.dispute_id AS id`,
        [keepId, mergeId],
      ),
    );
    // One current assignment per person: the kept record's, when it has one.
    const endedAssignments = ids(
      await tx.query(
        `UPDATE assignments m SET active = false, version = version + 1
          WHERE m.person_id = $2 AND m.active
            AND EXISTS (SELECT 1 FROM assignments k WHERE k.person_id = $1 AND k.active)
        RETURNING m.id`,
        [keepId, mergeId],
      ),
    );
    // Overrides asked for or decided on one half of the history lapse: the rule speaks on the whole.
    const supersededRequests = ids(
      await tx.query(
        `UPDATE tier_change_requests SET status = 'SUPERSEDED', version = version + 1
          WHERE person_id = $1 AND status IN ('PENDING', 'APPROVED')
        RETURNING id`,
        [mergeId],
      ),
    );
    // One psychological file per person: the merged record's is written into the kept one's notes.
    const foldedFiles = ids(
      await tx.query(
        `WITH folded AS (
           UPDATE psychological_files k
              SET notes = k.notes || E'\\n\\n【合并档案 / From the merged record】\\n' || m.intervention_plan
                          || CASE WHEN m.notes = '' THEN '' ELSE E'\\n' || m.notes END,
                  updated_by_id = $3, updated_at = $4, version = k.version + 1
             FROM psychological_files m
            WHERE k.person_id = $1 AND m.person_id = $2
           RETURNING m.id)
         DELETE FROM psychological_files d USING folded WHERE d.id = folded.id RETURNING d.id`,
        [keepId, mergeId, context.user.id, now],
      ),
    );
    for (const reference of PERSON_REFERENCES) await move(reference.table, reference.column, reference.key);
    await tx.query(
      `INSERT INTO person_merges (merged_person_id, kept_person_id, merged_at, merged_by_id)
       VALUES ($1, $2, $3, $4)`,
      [mergeId, keepId, now, context.user.kind === 'USER' ? context.user.id : null],
    );

    await tx.query(`DELETE FROM persons WHERE id = $1`, [mergeId]);
    const filled = FILLED_FROM_MERGED.filter(
      ([property]) => keep[property] === null && merged[property] !== null,
    );
    const statuses = [...new Set([...keep.specialStatuses, ...merged.specialStatuses])].sort();
    const statusesAdded = statuses.length !== new Set(keep.specialStatuses).size;
    await tx.query(
      `UPDATE persons SET ${filled.map(([, column], index) => `${column} = $${index + 5}, `).join('')}
              special_statuses = $2::text[],
              gender = CASE WHEN gender = 'UNKNOWN' THEN $3 ELSE gender END,
              version = version + 1, updated_at = $4
        WHERE id = $1`,
      [keepId, statuses, merged.gender, now, ...filled.map(([property]) => merged[property])],
    );
    await recomputeTiers(tx, [keepId], now);
    const result = await tx.getRepository(Person).findOneByOrFail({ id: keepId });
    const movedIds = Object.values(moved).flat();
    return {
      result,
      audit: [
        {
          action: 'MUTATION',
          operation: 'mergePersons',
          recordType: 'Person',
          recordIds: [keepId, mergeId, ...new Set([...movedIds, ...foldedFiles, ...endedAssignments])],
          fields: [
            ...filled.map(([property]) => property),
            ...(statusesAdded ? ['specialStatuses'] : []),
            ...(keep.gender === 'UNKNOWN' && merged.gender !== 'UNKNOWN' ? ['gender'] : []),
          ],
          detail: {
            keptPersonId: keepId,
            mergedPersonId: mergeId,
            fromVersions: { keep: keep.version, merge: merged.version },
            moved: Object.fromEntries(
              Object.entries(moved)
                .filter(([, rows]) => rows.length > 0)
                .map(([table, rows]) => [table, rows.length]),
            ),
            disputesBothWerePartyTo: droppedParties,
            endedAssignments,
            supersededTierChangeRequests: supersededRequests,
            foldedPsychologicalFiles: foldedFiles,
            tier: { keep: keep.tier, merge: merged.tier, after: result.tier },
          },
        },
      ],
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Existing duplicates (the command line)

export interface DuplicateGroup {
  /** The last 4 characters of the shared number: enough to tell groups apart in a report. */
  idNumberEnding: string;
  persons: { id: string; gridPath: string; createdAt: Date; tier: string }[];
}

/** Every group of persons sharing a national ID number (normalised), largest first. */
export async function findDuplicateIdNumbers(manager: EntityManager): Promise<DuplicateGroup[]> {
  const rows = (await manager.query(
    `SELECT upper(btrim(p.id_number)) AS number, p.id, j.path AS grid_path, p.created_at, p.tier
       FROM persons p JOIN jurisdictions j ON j.id = p.grid_id
      WHERE p.id_number IS NOT NULL AND btrim(p.id_number) <> ''
        AND upper(btrim(p.id_number)) IN (
          SELECT upper(btrim(id_number)) FROM persons
           WHERE id_number IS NOT NULL AND btrim(id_number) <> ''
           GROUP BY 1 HAVING count(*) > 1)
      ORDER BY 1, p.created_at, p.id`,
  )) as { number: string; id: string; grid_path: string; created_at: Date; tier: string }[];
  const groups = new Map<string, DuplicateGroup>();
  for (const row of rows) {
    const group = groups.get(row.number) ?? { idNumberEnding: row.number.slice(-4), persons: [] };
    group.persons.push({
      id: row.id,
      gridPath: row.grid_path,
      createdAt: new Date(row.created_at),
      tier: row.tier,
    });
    groups.set(row.number, group);
  }
  return [...groups.values()].sort((a, b) => b.persons.length - a.persons.length);
}

/** Whether the ID number index (migration OnePersonOneRecord) is unique yet. */
export async function idNumberIndexIsUnique(manager: EntityManager): Promise<boolean> {
  const [index] = (await manager.query(
    `SELECT i.indisunique AS "unique" FROM pg_index i
      WHERE i.indexrelid = to_regclass('persons_id_number_normalised')`,
  )) as { unique: boolean }[];
  return index?.unique ?? false;
}

/**
 * Makes the ID number index unique, as the owner of the table, once no two persons share a number:
 * building the unique index fails by itself if a duplicate is left. Returns false when it already was.
 */
export async function enforceUniqueIdNumbers(owner: DataSource): Promise<boolean> {
  return owner.transaction(async (tx) => {
    if (await idNumberIndexIsUnique(tx)) return false;
    await tx.query(
      `CREATE UNIQUE INDEX persons_id_number_unique ON persons ((upper(btrim(id_number))))
        WHERE id_number IS NOT NULL AND btrim(id_number) <> ''`,
    );
    await tx.query(`DROP INDEX IF EXISTS persons_id_number_normalised`);
    await tx.query(`ALTER INDEX persons_id_number_unique RENAME TO persons_id_number_normalised`);
    return true;
  });
}

/**
 * Writes the romanised search name of every person that has none (rows written by SQL rather than
 * by the API: the demo data, the scale seeder, an operator's import), in batches. Returns how many.
 */
export async function fillMissingNameSearch(dataSource: DataSource, batch = 5000): Promise<number> {
  let filled = 0;
  for (;;) {
    const rows = (await dataSource.query(
      `SELECT id, name FROM persons WHERE name_search IS NULL ORDER BY id LIMIT $1`,
      [batch],
    )) as { id: string; name: string }[];
    if (rows.length === 0) return filled;
    await dataSource.query(
      `UPDATE persons p SET name_search = v.name_search
         FROM unnest($1::uuid[], $2::text[]) AS v(id, name_search) WHERE p.id = v.id`,
      [rows.map((row) => row.id), rows.map((row) => nameSearchKey(row.name))],
    );
    filled += rows.length;
  }
}
