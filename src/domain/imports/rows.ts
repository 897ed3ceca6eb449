// The rows of an import file as the register* inputs they stand for: each cell NFC-normalised and
// checked as input hygiene checks arguments (src/graphql/input-hygiene.ts), an empty cell absent, and
// the row fingerprinted, so a row imported before is recognised as unchanged. Pure: no I/O.
import { createHash } from 'node:crypto';
import { ErrorCode } from '../../graphql/errors';
import { textProblem } from '../../graphql/input-hygiene';
import { plainToInstance } from '../../graphql/instances';
import { inputProblems } from '../../graphql/mutation';
import { isUuid } from '../../graphql/validation';
import { RegisterHouseholdInput, RegisterPersonInput } from '../people/people.inputs';
import { Gender, Residency } from '../people/people.enums';
import { PERSON_RECORD_FIELDS } from '../people/rules';
import { ImportKind } from './import.inputs';
import type { SourceRow } from './source';

/** A problem with one row, or with the file (line null). */
export interface RowProblem {
  line: number | null;
  field: string | null;
  message: string;
  code: ErrorCode;
  existingPersonId: string | null;
}

export function rowProblem(
  line: number | null,
  field: string | null,
  message: string,
  code = ErrorCode.BAD_USER_INPUT,
  existingPersonId: string | null = null,
): RowProblem {
  return { line, field, message, code, existingPersonId };
}

export const EXTERNAL_ID_MAX = 200;

interface Candidate {
  line: number;
  /** The source's own id of the record: what makes importing the same file twice change nothing. */
  externalId: string;
  /** Fingerprint of the row as given: equal to the last import's, the row is unchanged. */
  hash: string;
}

export interface HouseholdCandidate extends Candidate {
  input: RegisterHouseholdInput;
}

export interface PersonCandidate extends Candidate {
  input: RegisterPersonInput;
  /** The household by the external id this source imported it under (instead of householdId). */
  householdExternalId: string | null;
}

/** A party of a dispute: a person this source imported (externalId), or one on record (personId). */
export interface PartyReference {
  role: string;
  externalId: string | null;
  personId: string | null;
}

export interface DisputeCandidate extends Candidate {
  category: string;
  description: string;
  source: string;
  gridId: string;
  reportedAt: Date | null;
  parties: PartyReference[];
}

export type Candidates =
  | { kind: ImportKind.HOUSEHOLDS; rows: HouseholdCandidate[] }
  | { kind: ImportKind.PERSONS; rows: PersonCandidate[] }
  | { kind: ImportKind.DISPUTES; rows: DisputeCandidate[] };

const PERSON_TEXT = PERSON_RECORD_FIELDS;

/** The columns each kind of file may have; anything else is refused (nothing is stored unasked). */
export const COLUMNS: Readonly<Record<ImportKind, readonly string[]>> = {
  [ImportKind.HOUSEHOLDS]: ['externalId', 'address', 'gridId'],
  [ImportKind.PERSONS]: ['externalId', ...PERSON_TEXT, 'householdExternalId'],
  [ImportKind.DISPUTES]: [
    'externalId',
    'category',
    'description',
    'source',
    'gridId',
    'reportedAt',
    'parties',
    'partyPersonIds',
  ],
};

/** Reads the rows of one file, noting every problem; `headerLine` is where CSV names its columns. */
export class RowReader {
  readonly problems: RowProblem[] = [];
  private readonly unknownColumns = new Set<string>();
  private readonly externalIds = new Map<string, number>();

  constructor(
    readonly kind: ImportKind,
    private readonly headerLine: number | null,
  ) {}

  /** The cell as text: NFC, trimmed; null when empty or absent; a problem when not text or not clean. */
  private text(row: SourceRow, column: string): string | null {
    const value = row.values[column];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') {
      this.problems.push(rowProblem(row.line, column, `${column} must be text`));
      return null;
    }
    const normalised = value.normalize('NFC').trim();
    if (normalised === '') return null;
    const problem = textProblem(normalised);
    if (problem) {
      this.problems.push(rowProblem(row.line, column, `${column} ${problem}`));
      return null;
    }
    return normalised;
  }

  /** The row's external id, when it has a usable one that no earlier row of the file has. */
  private externalId(row: SourceRow): string | null {
    const allowed = COLUMNS[this.kind];
    for (const column of Object.keys(row.values)) {
      if (allowed.includes(column) || this.unknownColumns.has(column)) continue;
      this.unknownColumns.add(column);
      this.problems.push(
        rowProblem(
          this.headerLine ?? row.line,
          column,
          `${column} is not a column of a ${this.kind.toLowerCase()} file (columns: ${allowed.join(', ')})`,
        ),
      );
    }
    const externalId = this.text(row, 'externalId');
    if (externalId === null) {
      this.problems.push(
        rowProblem(row.line, 'externalId', 'externalId is required: your system’s id of the record'),
      );
      return null;
    }
    if (externalId.length > EXTERNAL_ID_MAX) {
      this.problems.push(
        rowProblem(row.line, 'externalId', `externalId must be at most ${EXTERNAL_ID_MAX} characters`),
      );
      return null;
    }
    const earlier = this.externalIds.get(externalId);
    if (earlier !== undefined) {
      this.problems.push(rowProblem(row.line, 'externalId', `externalId repeats line ${earlier}`));
      return null;
    }
    this.externalIds.set(externalId, row.line);
    return externalId;
  }

  private async validated<T extends object>(row: SourceRow, input: T): Promise<boolean> {
    const problems = await inputProblems(input, 'row');
    for (const problem of problems) {
      this.problems.push(rowProblem(row.line, problem.field?.replace(/^row\./, '') ?? null, problem.message));
    }
    return problems.length === 0;
  }

  async household(row: SourceRow): Promise<HouseholdCandidate | null> {
    const before = this.problems.length;
    const externalId = this.externalId(row);
    const values = { address: this.text(row, 'address'), gridId: this.text(row, 'gridId') };
    const input = plainToInstance(RegisterHouseholdInput, {
      address: values.address ?? '',
      gridId: values.gridId ?? '',
    });
    if (!(await this.validated(row, input)) || externalId === null || this.problems.length > before)
      return null;
    return { line: row.line, externalId, hash: fingerprint(this.kind, values), input };
  }

  async person(row: SourceRow): Promise<PersonCandidate | null> {
    const before = this.problems.length;
    const externalId = this.externalId(row);
    const values = Object.fromEntries(
      PERSON_TEXT.map((column) => [column, this.text(row, column)]),
    ) as Record<(typeof PERSON_TEXT)[number], string | null>;
    const householdExternalId = this.text(row, 'householdExternalId');
    if (values.householdId !== null && householdExternalId !== null) {
      this.problems.push(
        rowProblem(row.line, 'householdExternalId', 'Give householdId or householdExternalId, not both'),
      );
    }
    const input = plainToInstance(RegisterPersonInput, {
      ...values,
      name: values.name ?? '',
      gender: values.gender ?? Gender.UNKNOWN,
      gridId: values.gridId ?? '',
      residency: values.residency ?? Residency.REGISTERED,
      // Special statuses are each a department's own record: they are reported one by one, never imported.
      specialStatuses: [],
    });
    if (!(await this.validated(row, input)) || externalId === null || this.problems.length > before)
      return null;
    return {
      line: row.line,
      externalId,
      hash: fingerprint(this.kind, { ...values, householdExternalId }),
      input,
      householdExternalId,
    };
  }

  async dispute(row: SourceRow): Promise<DisputeCandidate | null> {
    const before = this.problems.length;
    const externalId = this.externalId(row);
    const category = this.text(row, 'category');
    const description = this.text(row, 'description');
    const source = this.text(row, 'source');
    const gridId = this.text(row, 'gridId');
    const reportedAtText = this.text(row, 'reportedAt');
    let reportedAt: Date | null = null;
    if (reportedAtText !== null) {
      reportedAt = new Date(reportedAtText);
      if (Number.isNaN(reportedAt.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(reportedAtText)) {
        this.problems.push(
          rowProblem(row.line, 'reportedAt', 'reportedAt must be a date and time (ISO 8601)'),
        );
      }
    }
    const parties = this.parties(row);
    if (externalId === null || this.problems.length > before) return null;
    return {
      line: row.line,
      externalId,
      hash: fingerprint(this.kind, {
        category,
        description,
        source,
        gridId,
        reportedAt: reportedAtText,
        parties,
      }),
      category: category ?? '',
      description: description ?? '',
      source: source ?? '',
      gridId: gridId ?? '',
      reportedAt,
      parties,
    };
  }

  /**
   * NDJSON: `parties: [{ role, externalId } | { role, personId }]`. CSV: `parties` as
   * `APPLICANT:P-1;RESPONDENT:P-2` (external ids) and `partyPersonIds` as `ROLE:<person id>;…`.
   */
  private parties(row: SourceRow): PartyReference[] {
    const given = row.values.parties;
    const references: PartyReference[] = [];
    if (Array.isArray(given)) {
      for (const [index, entry] of given.entries()) {
        const party = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
        const text = (value: unknown) =>
          typeof value === 'string' && value.trim() !== '' ? value.normalize('NFC').trim() : null;
        const reference = {
          role: text(party.role) ?? '',
          externalId: text(party.externalId),
          personId: text(party.personId),
        };
        if ((reference.externalId === null) === (reference.personId === null)) {
          this.problems.push(
            rowProblem(row.line, `parties.${index}`, 'A party is { role, externalId } or { role, personId }'),
          );
        }
        references.push(reference);
      }
    } else {
      const cells: [string, 'externalId' | 'personId'][] = [
        ['parties', 'externalId'],
        ['partyPersonIds', 'personId'],
      ];
      for (const [column, key] of cells) {
        const cell = this.text(row, column);
        if (cell === null) continue;
        for (const entry of cell.split(';')) {
          const [role, reference] = entry.split(/:(.*)/s).map((part) => part.trim());
          if (!role || !reference) {
            this.problems.push(
              rowProblem(
                row.line,
                column,
                `${column} lists ROLE:${key === 'externalId' ? 'externalId' : 'personId'} entries separated by ";"`,
              ),
            );
            continue;
          }
          references.push({
            role,
            externalId: key === 'externalId' ? reference : null,
            personId: key === 'personId' ? reference : null,
          });
        }
      }
    }
    references.forEach((reference, index) => {
      if (reference.personId !== null && !isUuid(reference.personId)) {
        this.problems.push(
          rowProblem(row.line, `parties.${index}`, 'personId must be an ID this API issued (a UUID)'),
        );
      }
      if (reference.externalId !== null && reference.externalId.length > EXTERNAL_ID_MAX) {
        this.problems.push(
          rowProblem(
            row.line,
            `parties.${index}`,
            `externalId must be at most ${EXTERNAL_ID_MAX} characters`,
          ),
        );
      }
    });
    return references;
  }
}

function fingerprint(kind: ImportKind, values: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, values]))
    .digest('base64url');
}
