// Bulk import of households, persons and disputes (issue 21 item 3, SPEC §5a), one code path for the
// mutation (a small file in the request) and `npm run import` (a large file, streamed). A file is
// all-or-nothing: every row is checked as its register* mutation checks it — the same input rules,
// the same row scope, one record per ID number (knownIdNumber) — every bad row is named with its line
// and column, and only a file without problems is written, in one transaction with its audit entries.
// Each row carries the source's external id: the mapping (source account, kind, external id) → record
// makes importing the same file again change nothing.
//
// What the importer learns (SPEC §4): counts of its own rows; for a known ID number, the existing
// person's id only when knownIdNumber says the caller may have it, and otherwise the answer an invalid
// number gets; for grids, households and parties outside its scope, the answer an unknown id gets.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import { writeAuditEntries, type AuditRecord } from '../../audit/audit-log';
import { principalOf } from '../../auth/identity';
import { ErrorCode, forbidden, UserInputProblem } from '../../graphql/errors';
import { instantProblem } from '../../graphql/dates';
import { plainToInstance } from '../../graphql/instances';
import { inputProblems } from '../../graphql/mutation';
import { IMPORT_KIND_OPERATIONS, OPERATION_POLICY } from '../../permissions/policy';
import { gridInScope, personScope } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import { DisputePartyInput, RegisterDisputeInput } from '../disputes/dispute.inputs';
import { requireGridInScope } from '../organisation/organisation.service';
import { knownIdNumber } from '../people/duplicates.service';
import { Household } from '../people/household.entity';
import { Person } from '../people/person.entity';
import { nameSearchKey, normalisedIdNumber, PERSON_RECORD_FIELDS } from '../people/rules';
import { recomputeTiers } from '../risk/tier.service';
import { ImportFormat, ImportKind } from './import.inputs';
import {
  rowProblem,
  RowReader,
  type DisputeCandidate,
  type HouseholdCandidate,
  type PersonCandidate,
  type RowProblem,
} from './rows';
import { readRows, UnreadableFile } from './source';

/** How far an import has got: rows read, rows checked against the database, records written. */
export type ImportPhase = 'read' | 'check' | 'write';
export type ImportProgress = (phase: ImportPhase, done: number, total: number | null) => void;

export interface ImportRequest {
  kind: ImportKind;
  format: ImportFormat;
  source: Readable;
  dryRun: boolean;
  progress?: ImportProgress;
}

export interface ImportOutcome {
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
  /** Every problem found; nothing was written when there is one. */
  problems: RowProblem[];
}

/** Advisory-lock class of "importing for this source account and kind": two imports of one source take turns. */
const IMPORT_LOCK = 7_365_202;
/** Rows per multi-row statement. */
const BATCH = 5000;
/**
 * Up to this many new ID numbers, each is checked exactly as registerPerson checks it (knownIdNumber,
 * under its lock). Beyond, one statement finds the numbers already on record and knownIdNumber answers
 * for those; a number registered by someone else meanwhile then meets the unique index (a CONFLICT).
 */
const ONE_BY_ONE_ID_NUMBERS = 200;

const MAPPING_KIND: Readonly<Record<ImportKind, string>> = {
  [ImportKind.HOUSEHOLDS]: 'HOUSEHOLD',
  [ImportKind.PERSONS]: 'PERSON',
  [ImportKind.DISPUTES]: 'DISPUTE',
};
const RECORD_TYPE: Readonly<Record<ImportKind, string>> = {
  [ImportKind.HOUSEHOLDS]: 'Household',
  [ImportKind.PERSONS]: 'Person',
  [ImportKind.DISPUTES]: 'Dispute',
};

/** Refuses an import of a kind of record the caller may not register one by one. */
export function requireImportAllowed(context: RequestContext, kind: ImportKind): void {
  const principal = principalOf(context.user);
  if (!OPERATION_POLICY['Mutation.importRecords']?.includes(principal)) throw forbidden();
  const operation = IMPORT_KIND_OPERATIONS[kind];
  if (!OPERATION_POLICY[operation]?.includes(principal)) {
    throw forbidden(
      `Importing ${kind.toLowerCase()} is for those who may ${operation.replace('Mutation.', '')}`,
    );
  }
}

/** Ends the transaction without keeping anything: a dry run, or a file with problems. */
class NothingWritten extends Error {
  constructor(readonly outcome: ImportOutcome) {
    super('nothing written');
  }
}

/** What writing a file will do; `problems` empty when it may. */
interface Plan<C> {
  create: C[];
  update: (C & { recordId: string })[];
  unchanged: number;
}

export async function importRecords(context: RequestContext, request: ImportRequest): Promise<ImportOutcome> {
  requireImportAllowed(context, request.kind);
  const reader = new RowReader(request.kind, request.format === ImportFormat.CSV ? 1 : null);
  const nothing = (problems: RowProblem[]): ImportOutcome => ({
    created: 0,
    updated: 0,
    unchanged: 0,
    dryRun: request.dryRun,
    problems,
  });
  const households: HouseholdCandidate[] = [];
  const persons: PersonCandidate[] = [];
  const disputes: DisputeCandidate[] = [];
  let rows = 0;
  try {
    for await (const row of readRows(request.format, request.source)) {
      rows += 1;
      if (request.kind === ImportKind.HOUSEHOLDS) push(households, await reader.household(row));
      else if (request.kind === ImportKind.PERSONS) push(persons, await reader.person(row));
      else push(disputes, await reader.dispute(row));
      if (rows % 1000 === 0) request.progress?.('read', rows, null);
    }
  } catch (error) {
    if (error instanceof UnreadableFile) return nothing([rowProblem(error.line, null, error.message)]);
    throw error;
  }
  request.progress?.('read', rows, rows);
  if (rows === 0) return nothing([rowProblem(null, null, 'The file holds no rows')]);

  try {
    return await context.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [
        IMPORT_LOCK,
        `${context.user.id}:${request.kind}`,
      ]);
      const problems = reader.problems;
      const work = new ImportWork(tx, context, request, problems);
      let written: { plan: Plan<unknown>; audit: AuditRecord[] };
      if (request.kind === ImportKind.HOUSEHOLDS) {
        const plan = await work.planHouseholds(households);
        written = { plan, audit: problems.length || request.dryRun ? [] : await work.writeHouseholds(plan) };
      } else if (request.kind === ImportKind.PERSONS) {
        const plan = await work.planPersons(persons);
        written = { plan, audit: problems.length || request.dryRun ? [] : await work.writePersons(plan) };
      } else {
        const plan = await work.planDisputes(disputes);
        written = { plan, audit: problems.length || request.dryRun ? [] : await work.writeDisputes(plan) };
      }
      const outcome: ImportOutcome = {
        created: problems.length ? 0 : written.plan.create.length,
        updated: problems.length ? 0 : written.plan.update.length,
        unchanged: problems.length ? 0 : written.plan.unchanged,
        dryRun: request.dryRun,
        problems: [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
      };
      if (problems.length > 0 || request.dryRun) throw new NothingWritten(outcome);
      await writeAuditEntries(tx, context, written.audit);
      return outcome;
    });
  } catch (error) {
    if (error instanceof NothingWritten) return error.outcome;
    if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
      // Someone registered one of the file's ID numbers while it was being imported: run it again, and
      // the rows in question are answered as any known number is.
      return nothing([
        rowProblem(
          null,
          null,
          'A record was registered meanwhile that conflicts with this file: nothing was written; import the file again',
          ErrorCode.CONFLICT,
        ),
      ]);
    }
    throw error;
  }
}

function push<T>(list: T[], item: T | null): void {
  if (item) list.push(item);
}

interface Mapped {
  recordId: string;
  hash: string;
}

/** One import's checks and writes, inside its transaction. */
class ImportWork {
  private checked = 0;

  constructor(
    private readonly tx: EntityManager,
    private readonly context: RequestContext,
    private readonly request: ImportRequest,
    private readonly problems: RowProblem[],
  ) {}

  private tick(count: number, total: number): void {
    this.checked += count;
    this.request.progress?.('check', this.checked, total);
  }

  /** The records this source imported under these external ids (a merged person: the kept record). */
  private async mapped(kind: ImportKind, externalIds: string[]): Promise<Map<string, Mapped>> {
    const rows = (await this.tx.query(
      `SELECT m.external_id, coalesce(pm.kept_person_id, m.record_id) AS record_id, m.content_hash
         FROM import_records m
         LEFT JOIN person_merges pm ON m.kind = 'PERSON' AND pm.merged_person_id = m.record_id
        WHERE m.source_account_id = $1 AND m.kind = $2 AND m.external_id = ANY($3)`,
      [this.context.user.id, MAPPING_KIND[kind], externalIds],
    )) as { external_id: string; record_id: string; content_hash: string }[];
    return new Map(rows.map((row) => [row.external_id, { recordId: row.record_id, hash: row.content_hash }]));
  }

  /** Splits rows into new, changed (with their record) and unchanged. */
  private async sorted<C extends { externalId: string; hash: string }>(
    kind: ImportKind,
    candidates: C[],
  ): Promise<{ fresh: C[]; changed: (C & { recordId: string })[]; unchanged: number }> {
    const mapping = await this.mapped(
      kind,
      candidates.map((candidate) => candidate.externalId),
    );
    const fresh: C[] = [];
    const changed: (C & { recordId: string })[] = [];
    let unchanged = 0;
    for (const candidate of candidates) {
      const known = mapping.get(candidate.externalId);
      if (!known) fresh.push(candidate);
      else if (known.hash === candidate.hash) unchanged += 1;
      else changed.push({ ...candidate, recordId: known.recordId });
    }
    return { fresh, changed, unchanged };
  }

  /** Each grid named, checked as registerPerson checks it: outside scope answers as unknown. */
  private async checkGrids(candidates: { line: number; input?: { gridId: string }; gridId?: string }[]) {
    const byGrid = new Map<string, number[]>();
    for (const candidate of candidates) {
      const gridId = candidate.input?.gridId ?? candidate.gridId ?? '';
      const lines = byGrid.get(gridId);
      if (lines) lines.push(candidate.line);
      else byGrid.set(gridId, [candidate.line]);
    }
    const refused = new Set<number>();
    for (const [gridId, lines] of byGrid) {
      try {
        await requireGridInScope(this.tx, this.context, gridId, 'gridId');
      } catch (error) {
        if (!(error instanceof UserInputProblem)) throw error;
        for (const line of lines) {
          refused.add(line);
          for (const problem of error.userErrors) {
            this.problems.push(rowProblem(line, 'gridId', problem.message, problem.code));
          }
        }
      }
    }
    return refused;
  }

  /** Which of these persons the caller sees (row scope), in one statement. */
  private async visiblePersons(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const scope = personScope(this.context.user, 'p', this.context.now());
    const rows = await this.tx
      .getRepository(Person)
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where('p.id = ANY(:importedIds)', { importedIds: [...new Set(ids)] })
      .andWhere(scope.sql, scope.params)
      .getRawMany<{ id: string }>();
    return new Set(rows.map((row) => row.id));
  }

  /** Which of these households are in the caller's jurisdiction, in one statement. */
  private async visibleHouseholds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const scope = gridInScope(this.context.user, 'h.grid_id');
    const rows = await this.tx
      .getRepository(Household)
      .createQueryBuilder('h')
      .select('h.id', 'id')
      .where('h.id = ANY(:importedIds)', { importedIds: [...new Set(ids)] })
      .andWhere(scope.sql, scope.params)
      .getRawMany<{ id: string }>();
    return new Set(rows.map((row) => row.id));
  }

  private notInScope(candidates: { line: number; recordId: string }[], visible: Set<string>): Set<number> {
    const lines = new Set<number>();
    for (const candidate of candidates) {
      if (visible.has(candidate.recordId)) continue;
      lines.add(candidate.line);
      // The importer's own mapping: but whether the record still exists elsewhere is not for it to learn.
      this.problems.push(
        rowProblem(
          candidate.line,
          'externalId',
          'The record imported under this externalId is not within your scope',
        ),
      );
    }
    return lines;
  }

  // ---------------------------------------------------------------------------------------------------
  // Households

  async planHouseholds(candidates: HouseholdCandidate[]): Promise<Plan<HouseholdCandidate>> {
    const { fresh, changed, unchanged } = await this.sorted(ImportKind.HOUSEHOLDS, candidates);
    const outOfScope = this.notInScope(changed, await this.visibleHouseholds(changed.map((c) => c.recordId)));
    const refused = await this.checkGrids([...fresh, ...changed]);
    this.tick(candidates.length, candidates.length);
    const kept = <C extends { line: number }>(list: C[]) =>
      list.filter((c) => !refused.has(c.line) && !outOfScope.has(c.line));
    return { create: kept(fresh), update: kept(changed), unchanged };
  }

  async writeHouseholds(plan: Plan<HouseholdCandidate>): Promise<AuditRecord[]> {
    const created = plan.create.map(() => randomUUID());
    for (let start = 0; start < plan.create.length; start += BATCH) {
      const batch = plan.create.slice(start, start + BATCH);
      await this.tx.query(
        `INSERT INTO households (id, address, grid_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[])`,
        [
          created.slice(start, start + BATCH),
          batch.map((c) => c.input.address),
          batch.map((c) => c.input.gridId),
        ],
      );
      this.request.progress?.('write', start + batch.length, plan.create.length + plan.update.length);
    }
    for (let start = 0; start < plan.update.length; start += BATCH) {
      const batch = plan.update.slice(start, start + BATCH);
      await this.tx.query(
        `UPDATE households h SET address = v.address, grid_id = v.grid_id, version = h.version + 1
           FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS v(id, address, grid_id) WHERE h.id = v.id`,
        [batch.map((c) => c.recordId), batch.map((c) => c.input.address), batch.map((c) => c.input.gridId)],
      );
    }
    await this.remember(ImportKind.HOUSEHOLDS, plan, created);
    return this.audit(ImportKind.HOUSEHOLDS, plan, created, ['address', 'gridId']);
  }

  // ---------------------------------------------------------------------------------------------------
  // Persons

  async planPersons(candidates: PersonCandidate[]): Promise<Plan<PersonCandidate>> {
    const { fresh, changed, unchanged } = await this.sorted(ImportKind.PERSONS, candidates);
    const rest = [...fresh, ...changed];
    const outOfScope = this.notInScope(changed, await this.visiblePersons(changed.map((c) => c.recordId)));
    const refused = await this.checkGrids(rest);
    this.tick(0, rest.length);

    // Households: by the external id this source imported them under, or by id; within jurisdiction.
    const householdMapping = await this.mapped(
      ImportKind.HOUSEHOLDS,
      rest.flatMap((c) => (c.householdExternalId ? [c.householdExternalId] : [])),
    );
    const householdOf = (c: PersonCandidate) =>
      c.householdExternalId
        ? (householdMapping.get(c.householdExternalId)?.recordId ?? null)
        : (c.input.householdId ?? null);
    const visibleHouseholds = await this.visibleHouseholds(
      rest.flatMap((c) => {
        const id = householdOf(c);
        return id ? [id] : [];
      }),
    );
    for (const candidate of rest) {
      if (!candidate.householdExternalId && !candidate.input.householdId) continue;
      const id = householdOf(candidate);
      if (id && visibleHouseholds.has(id)) {
        candidate.input.householdId = id;
        continue;
      }
      refused.add(candidate.line);
      this.problems.push(
        candidate.householdExternalId
          ? rowProblem(
              candidate.line,
              'householdExternalId',
              'No household within your jurisdiction was imported under this externalId',
            )
          : rowProblem(candidate.line, 'householdId', 'No household with this id within your jurisdiction'),
      );
    }

    await this.checkIdNumbers(candidates, new Set(changed.map((c) => c.externalId)));
    const refusedLines = new Set(this.problems.map((problem) => problem.line));
    const kept = <C extends { line: number }>(list: C[]) =>
      list.filter((c) => !refused.has(c.line) && !outOfScope.has(c.line) && !refusedLines.has(c.line));
    return { create: kept(fresh), update: kept(changed), unchanged };
  }

  /**
   * One record per person: a number repeated in the file is named by the line that has it first; a
   * number on record for another person is answered by knownIdNumber (with the person's id only for a
   * caller who may have it, and otherwise as an invalid number is).
   */
  private async checkIdNumbers(candidates: PersonCandidate[], changedIds: Set<string>): Promise<void> {
    const firstLine = new Map<string, number>();
    const toCheck: { candidate: PersonCandidate; number: string }[] = [];
    for (const candidate of candidates) {
      if (!candidate.input.idNumber) continue;
      const number = normalisedIdNumber(candidate.input.idNumber);
      const earlier = firstLine.get(number);
      if (earlier !== undefined) {
        this.problems.push(
          rowProblem(
            candidate.line,
            'idNumber',
            `idNumber repeats the ID number of line ${earlier}: one record per person`,
            ErrorCode.CONFLICT,
          ),
        );
        continue;
      }
      firstLine.set(number, candidate.line);
      toCheck.push({ candidate, number });
    }
    // The person a row already stands for holds its own number: not a duplicate.
    const mapping = await this.mapped(
      ImportKind.PERSONS,
      toCheck.map(({ candidate }) => candidate.externalId),
    );
    const ownId = (candidate: PersonCandidate) => mapping.get(candidate.externalId)?.recordId ?? null;
    // Unchanged rows were checked when they were imported.
    const pending = toCheck.filter(
      ({ candidate }) => !mapping.has(candidate.externalId) || changedIds.has(candidate.externalId),
    );
    let suspects = pending;
    if (pending.length > ONE_BY_ONE_ID_NUMBERS) {
      const held = (await this.tx.query(
        `SELECT upper(btrim(id_number)) AS number, id FROM persons
          WHERE upper(btrim(id_number)) = ANY($1) AND id_number IS NOT NULL AND btrim(id_number) <> ''`,
        [pending.map(({ number }) => number)],
      )) as { number: string; id: string }[];
      const holders = new Map<string, string[]>();
      for (const row of held) {
        const ids = holders.get(row.number);
        if (ids) ids.push(row.id);
        else holders.set(row.number, [row.id]);
      }
      suspects = pending.filter(({ candidate, number }) =>
        (holders.get(number) ?? []).some((id) => id !== ownId(candidate)),
      );
    }
    for (const [index, { candidate, number }] of suspects.entries()) {
      const known = await knownIdNumber(this.tx, this.context, number, ownId(candidate), 'idNumber');
      if (known) {
        for (const problem of known.problem.userErrors) {
          this.problems.push(
            rowProblem(candidate.line, problem.field, problem.message, problem.code, known.existingPersonId),
          );
        }
      }
      if (index % 500 === 499) this.tick(500, suspects.length);
    }
  }

  async writePersons(plan: Plan<PersonCandidate>): Promise<AuditRecord[]> {
    const now = this.context.now();
    const created = plan.create.map(() => randomUUID());
    const total = plan.create.length + plan.update.length;
    const columns = (batch: PersonCandidate[]) => {
      const of = <K extends keyof PersonCandidate['input']>(key: K) => batch.map((c) => c.input[key] ?? null);
      return [
        of('name'),
        batch.map((c) => nameSearchKey(c.input.name)),
        of('gender'),
        of('birthDate'),
        batch.map((c) => (c.input.idNumber ? normalisedIdNumber(c.input.idNumber) : null)),
        of('phone'),
        of('address'),
        of('householdId'),
        of('gridId'),
        of('residency'),
        of('employerName'),
        of('employerContact'),
        of('landlordName'),
        of('landlordContact'),
        of('occupation'),
      ];
    };
    const unnest = `unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[],
              $8::text[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[],
              $15::text[], $16::text[])
           AS v(id, name, name_search, gender, birth_date, id_number, phone, address, household_id, grid_id,
                residency, employer_name, employer_contact, landlord_name, landlord_contact, occupation)`;
    let written = 0;
    for (let start = 0; start < plan.create.length; start += BATCH) {
      const batch = plan.create.slice(start, start + BATCH);
      // As registerPerson writes a person: tier NONE until assessed, the request clock as updated_at.
      await this.tx.query(
        `INSERT INTO persons (id, name, name_search, gender, birth_date, id_number, phone, address, household_id,
                              grid_id, residency, employer_name, employer_contact, landlord_name, landlord_contact,
                              occupation, created_by_id, updated_at)
         SELECT v.*, $17::uuid, $18::timestamptz FROM ${unnest}`,
        [created.slice(start, start + BATCH), ...columns(batch), this.context.user.id, now],
      );
      written += batch.length;
      this.request.progress?.('write', written, total);
    }
    for (let start = 0; start < plan.update.length; start += BATCH) {
      const batch = plan.update.slice(start, start + BATCH);
      // Every column the file holds is set as the row gives it; special statuses are not the file's.
      await this.tx.query(
        `UPDATE persons p SET name = v.name, name_search = v.name_search, gender = v.gender, birth_date = v.birth_date,
                id_number = v.id_number, phone = v.phone, address = v.address, household_id = v.household_id,
                grid_id = v.grid_id, residency = v.residency, employer_name = v.employer_name,
                employer_contact = v.employer_contact, landlord_name = v.landlord_name,
                landlord_contact = v.landlord_contact, occupation = v.occupation,
                version = p.version + 1, updated_at = $17
           FROM ${unnest} WHERE p.id = v.id`,
        [batch.map((c) => c.recordId), ...columns(batch), now],
      );
      written += batch.length;
      this.request.progress?.('write', written, total);
    }
    await this.remember(ImportKind.PERSONS, plan, created);
    const given = (key: keyof PersonCandidate['input']) =>
      [...plan.create, ...plan.update].some((c) => c.input[key] !== undefined && c.input[key] !== null);
    const fields = PERSON_RECORD_FIELDS;
    return this.audit(ImportKind.PERSONS, plan, created, fields.filter(given));
  }

  // ---------------------------------------------------------------------------------------------------
  // Disputes

  async planDisputes(
    candidates: DisputeCandidate[],
  ): Promise<Plan<DisputeCandidate & { input: RegisterDisputeInput }>> {
    const { fresh, changed, unchanged } = await this.sorted(ImportKind.DISPUTES, candidates);
    for (const candidate of changed) {
      this.problems.push(
        rowProblem(
          candidate.line,
          'externalId',
          'A dispute was imported under this externalId with other content: a registered dispute changes through its ' +
            'lifecycle (changeDisputeStatus, escalateDispute), not by importing it again',
          ErrorCode.CONFLICT,
        ),
      );
    }
    const refused = await this.checkGrids(fresh);
    const personMapping = await this.mapped(
      ImportKind.PERSONS,
      fresh.flatMap((c) => c.parties.flatMap((party) => (party.externalId ? [party.externalId] : []))),
    );
    const resolved = (externalId: string | null, personId: string | null) =>
      externalId ? (personMapping.get(externalId)?.recordId ?? null) : personId;
    const visible = await this.visiblePersons(
      fresh.flatMap((c) =>
        c.parties.flatMap((party) => {
          const id = resolved(party.externalId, party.personId);
          return id ? [id] : [];
        }),
      ),
    );
    const planned: (DisputeCandidate & { input: RegisterDisputeInput })[] = [];
    const now = this.context.now();
    for (const candidate of fresh) {
      let usable = !refused.has(candidate.line);
      const parties = candidate.parties.map((party, index) => {
        const personId = resolved(party.externalId, party.personId);
        if (!personId || !visible.has(personId)) {
          usable = false;
          this.problems.push(
            rowProblem(
              candidate.line,
              `parties.${index}`,
              party.externalId
                ? 'No person within your scope was imported under this externalId'
                : 'No person with this id within your scope',
            ),
          );
        }
        return plainToInstance(DisputePartyInput, { personId: personId ?? '', role: party.role });
      });
      const personIds = parties.map((party) => party.personId);
      if (usable && new Set(personIds).size !== personIds.length) {
        usable = false;
        this.problems.push(rowProblem(candidate.line, 'parties', 'a person can be a party only once'));
      }
      if (candidate.reportedAt) {
        const problem = instantProblem('pastInstant', candidate.reportedAt, now);
        if (problem) {
          usable = false;
          this.problems.push(rowProblem(candidate.line, 'reportedAt', `reportedAt ${problem}`));
        }
      }
      const input = plainToInstance(RegisterDisputeInput, {
        category: candidate.category,
        description: candidate.description,
        source: candidate.source,
        gridId: candidate.gridId,
        reportedAt: candidate.reportedAt,
        parties,
      });
      for (const problem of await inputProblems(input, 'row')) {
        // A party whose person was not found is named above already.
        if (!usable && /^row\.parties\.\d+\.personId$/.test(problem.field ?? '')) continue;
        usable = false;
        this.problems.push(
          rowProblem(candidate.line, problem.field?.replace(/^row\./, '') ?? null, problem.message),
        );
      }
      if (usable) planned.push({ ...candidate, input });
    }
    this.tick(candidates.length, candidates.length);
    return { create: planned, update: [], unchanged };
  }

  async writeDisputes(
    plan: Plan<DisputeCandidate & { input: RegisterDisputeInput }>,
  ): Promise<AuditRecord[]> {
    const now = this.context.now();
    const created = plan.create.map(() => randomUUID());
    const partyIds = new Set<string>();
    for (let start = 0; start < plan.create.length; start += BATCH) {
      const batch = plan.create.slice(start, start + BATCH);
      const ids = created.slice(start, start + BATCH);
      await this.tx.query(
        `INSERT INTO disputes (id, category, description, source, grid_id, reported_by_id, reported_at)
         SELECT v.id, v.category, v.description, v.source, v.grid_id, $6, v.reported_at
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $7::timestamptz[])
             AS v(id, category, description, source, grid_id, reported_at)`,
        [
          ids,
          batch.map((c) => c.input.category),
          batch.map((c) => c.input.description),
          batch.map((c) => c.input.source),
          batch.map((c) => c.input.gridId),
          this.context.user.id,
          batch.map((c) => c.input.reportedAt ?? now),
        ],
      );
      const parties = batch.flatMap((c, index) =>
        c.input.parties.map((party) => ({ disputeId: ids[index] ?? '', ...party })),
      );
      await this.tx.query(
        `INSERT INTO dispute_parties (dispute_id, person_id, role)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])`,
        [parties.map((p) => p.disputeId), parties.map((p) => p.personId), parties.map((p) => p.role)],
      );
      for (const party of parties) partyIds.add(party.personId);
      this.request.progress?.('write', start + batch.length, plan.create.length);
    }
    // An open dispute is the EVENT element of its parties' tiers (SPEC §3), as registerDispute recomputes.
    const everyone = [...partyIds];
    for (let start = 0; start < everyone.length; start += BATCH) {
      await recomputeTiers(this.tx, everyone.slice(start, start + BATCH), now);
    }
    await this.remember(ImportKind.DISPUTES, plan, created);
    return this.audit(
      ImportKind.DISPUTES,
      plan,
      created,
      ['category', 'description', 'source', 'gridId', 'parties'],
      everyone,
    );
  }

  // ---------------------------------------------------------------------------------------------------

  /** Keeps external id → record for every row written, with the row's fingerprint. */
  private async remember(
    kind: ImportKind,
    plan: Plan<{ externalId: string; hash: string }>,
    created: string[],
  ): Promise<void> {
    const rows = [
      ...plan.create.map((c, index) => ({
        externalId: c.externalId,
        hash: c.hash,
        recordId: created[index] ?? '',
      })),
      ...plan.update.map((c) => ({ externalId: c.externalId, hash: c.hash, recordId: c.recordId })),
    ];
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      await this.tx.query(
        `INSERT INTO import_records (source_account_id, kind, external_id, record_id, content_hash, imported_at, updated_at)
         SELECT $1, $2, v.external_id, v.record_id, v.content_hash, $3, $3
           FROM unnest($4::text[], $5::uuid[], $6::text[]) AS v(external_id, record_id, content_hash)
         ON CONFLICT (source_account_id, kind, external_id)
         DO UPDATE SET record_id = EXCLUDED.record_id, content_hash = EXCLUDED.content_hash, updated_at = EXCLUDED.updated_at`,
        [
          this.context.user.id,
          MAPPING_KIND[kind],
          this.context.now(),
          batch.map((row) => row.externalId),
          batch.map((row) => row.recordId),
          batch.map((row) => row.hash),
        ],
      );
    }
  }

  /** One audit entry for the records created and one for those updated, each naming every record. */
  private audit(
    kind: ImportKind,
    plan: Plan<unknown>,
    created: string[],
    fields: string[],
    alsoNamed: string[] = [],
  ): AuditRecord[] {
    const entry = (outcome: 'CREATED' | 'UPDATED', ids: string[]): AuditRecord => ({
      action: 'MUTATION',
      operation: 'importRecords',
      recordType: RECORD_TYPE[kind],
      recordIds: [...ids, ...alsoNamed],
      fields,
      detail: { kind, format: this.request.format, outcome, count: ids.length, unchanged: plan.unchanged },
    });
    return [
      ...(created.length ? [entry('CREATED', created)] : []),
      ...(plan.update.length
        ? [
            entry(
              'UPDATED',
              (plan.update as { recordId: string }[]).map((c) => c.recordId),
            ),
          ]
        : []),
    ];
  }
}
