// Reads a person's correction history for one reader: a loader (one statement per page of persons)
// and the per-field decision of the policy table on each replaced value — read (audited when the
// field is sensitive), masked, or withheld.
import DataLoader from 'dataloader';
import { principalOf } from '../../auth/identity';
import { groupBy } from '../../graphql/loader-helpers';
import { maskAddress, maskNationalId, maskPhone } from '../../permissions/masking';
import { decideField, FIELD_POLICY } from '../../permissions/policy';
import { filterValues } from '../../permissions/shield';
import type { RequestContext } from '../../request-scope';
import { CorrectedValue, PersonCorrection } from './person-correction.type';

interface CorrectionRow {
  id: string;
  person_id: string;
  corrected_at: Date;
  corrected_by_id: string;
  reason: string;
  fields: string[];
  previous: Record<string, unknown>;
  anonymised_at: Date | null;
}

/** The GraphQL field of Person that shows a stored property. */
const SHOWN_AS: Readonly<Record<string, string>> = { gridId: 'grid', householdId: 'household' };

/** Corrections by person id, newest first; the persons were loaded within row scope by the caller. */
export function createCorrectionLoader(context: RequestContext) {
  return new DataLoader<string, CorrectionRow[]>(async (personIds) => {
    const rows: CorrectionRow[] = await context.dataSource.query(
      `SELECT id, person_id, corrected_at, corrected_by_id, reason, fields, previous, anonymised_at
         FROM person_corrections WHERE person_id = ANY($1::uuid[]) ORDER BY corrected_at DESC, id`,
      [personIds],
    );
    return groupBy(rows, (row) => row.person_id, personIds);
  });
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A replaced value as this reader may see it. */
function shown(context: RequestContext, personId: string, field: string, value: unknown): CorrectedValue {
  const key = `Person.${SHOWN_AS[field] ?? field}`;
  const policy = FIELD_POLICY[key];
  const principal = principalOf(context.user);
  const decision = decideField(policy, principal);
  const answer = (previousValue: string | null, withheld = false) =>
    Object.assign(new CorrectedValue(), { field, previousValue, withheld });
  if (decision === 'denied' || !policy) return answer(null, true);
  const text = asText(value);
  if (decision === 'masked') {
    if (text === null) return answer(null);
    const kind = policy.masked?.kind;
    // The address is masked to nothing here: the village of the grid it had is not kept.
    if (kind === 'NATIONAL_ID') return answer(maskNationalId(text, context.now()));
    if (kind === 'PHONE') return answer(maskPhone(text));
    return answer(maskAddress(null));
  }
  const visible = policy.valueFilter ? filterValues(policy.valueFilter, value, principal) : value;
  const visibleText = asText(visible);
  if (policy.sensitive && visibleText) context.recordSensitiveRead('Person', personId, field);
  return answer(visibleText);
}

export function correctionsFor(context: RequestContext, rows: readonly CorrectionRow[]): PersonCorrection[] {
  return rows.map((row) =>
    Object.assign(new PersonCorrection(), {
      id: row.id,
      correctedAt: row.corrected_at,
      correctedById: row.corrected_by_id,
      reason: row.reason,
      anonymisedAt: row.anonymised_at,
      changes: row.fields.map((field) => shown(context, row.person_id, field, row.previous[field])),
    }),
  );
}
