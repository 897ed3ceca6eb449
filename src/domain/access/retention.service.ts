// Retention (issue 24 item 4, PIPL Art. 47): closed disputes, and persons at tier NONE with no open
// matter, untouched for the configured years, are anonymised — names, ID numbers, phones, addresses
// and free text go; the rows, their categories, statuses, tiers and dates stay, so the monthly
// figures count the same. Idempotent (anonymised rows are never picked again), one transaction per
// run, audited with the ids it anonymised. The audit itself holds record ids and field names, never
// values, so no audit row is touched and the hash chain still verifies; person_corrections keeps
// previous values and dispute_status_changes the notes of status changes, so those go too.
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { writeAuditEntries } from '../../audit/audit-log';

const CLOSED = `('RESOLVED', 'REFERRED', 'CLOSED_UNRESOLVED')`;

/** What a person's anonymised name reads as. */
export const ANONYMISED_NAME = '已匿名 / anonymised';
/** Free text that must be non-empty once anonymised (a police record's summary). */
const REMOVED = '—';

export interface RetentionOptions {
  now: Date;
  years: number;
  dryRun: boolean;
}

export interface RetentionOutcome {
  cutoff: Date;
  dryRun: boolean;
  personIds: string[];
  disputeIds: string[];
  householdIds: string[];
}

/** The last moment a matter may have been touched for its record to be anonymised. */
export function retentionCutoff(now: Date, years: number): Date {
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  return cutoff;
}

async function ids(tx: EntityManager, sql: string, params: unknown[]): Promise<string[]> {
  const rows: { id: string }[] = await tx.query(sql, params);
  return rows.map((row) => row.id);
}

/** Closed disputes whose closing is older than the cutoff, not yet anonymised. */
function disputesDue(tx: EntityManager, cutoff: Date): Promise<string[]> {
  return ids(
    tx,
    `SELECT id FROM disputes
      WHERE anonymised_at IS NULL AND status IN ${CLOSED} AND closed_at < $1
      ORDER BY id FOR UPDATE`,
    [cutoff],
  );
}

/**
 * Persons at NONE, not yet anonymised, with no open matter: no dispute open or closed since the
 * cutoff, no assessment, follow-up, active assignment, open referral or pending tier request since,
 * and no change of their own record since.
 */
function personsDue(tx: EntityManager, cutoff: Date): Promise<string[]> {
  return ids(
    tx,
    `SELECT p.id FROM persons p
      WHERE p.anonymised_at IS NULL AND p.tier = 'NONE' AND p.updated_at < $1
        AND NOT EXISTS (SELECT 1 FROM dispute_parties dp JOIN disputes d ON d.id = dp.dispute_id
                         WHERE dp.person_id = p.id AND (d.status NOT IN ${CLOSED} OR d.closed_at >= $1))
        AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.person_id = p.id AND a.assessed_at >= $1)
        AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.person_id = p.id AND f.occurred_at >= $1)
        AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.person_id = p.id AND s.active)
        AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = p.id AND r.status IN ('OPEN', 'IN_PROGRESS'))
        AND NOT EXISTS (SELECT 1 FROM tier_change_requests t WHERE t.person_id = p.id AND t.status = 'PENDING')
      ORDER BY p.id FOR UPDATE OF p`,
    [cutoff],
  );
}

async function anonymiseDisputes(tx: EntityManager, disputeIds: string[], now: Date): Promise<void> {
  if (disputeIds.length === 0) return;
  await tx.query(`UPDATE disputes SET description = '', anonymised_at = $2 WHERE id = ANY($1::uuid[])`, [
    disputeIds,
    now,
  ]);
  await tx.query(
    `UPDATE mediation_sessions SET agreement_text = '', notes = '' WHERE dispute_id = ANY($1::uuid[])`,
    [disputeIds],
  );
  await tx.query(`UPDATE dispute_escalations SET reason = '' WHERE dispute_id = ANY($1::uuid[])`, [
    disputeIds,
  ]);
  await tx.query(`UPDATE return_visits SET notes = '' WHERE dispute_id = ANY($1::uuid[])`, [disputeIds]);
  await tx.query(
    `UPDATE dispute_status_changes SET note = NULL, anonymised_at = $2
      WHERE dispute_id = ANY($1::uuid[]) AND anonymised_at IS NULL`,
    [disputeIds, now],
  );
}

/** Anonymises the persons and what is written about them; the households all of whose members now are. */
async function anonymisePersons(tx: EntityManager, personIds: string[], now: Date): Promise<string[]> {
  if (personIds.length === 0) return [];
  const params = [personIds];
  await tx.query(
    `UPDATE persons SET name = $2, name_search = NULL, id_number = NULL, phone = NULL, address = NULL,
            employer_name = NULL, employer_contact = NULL, landlord_name = NULL, landlord_contact = NULL,
            occupation = NULL, anonymised_at = $3, updated_at = $3, version = version + 1
      WHERE id = ANY($1::uuid[])`,
    [personIds, ANONYMISED_NAME, now],
  );
  const byPerson = `person_id = ANY($1::uuid[])`;
  await tx.query(`UPDATE follow_ups SET notes = '', observed_change = '' WHERE ${byPerson}`, params);
  await tx.query(
    `UPDATE assessment_indicators SET note = ''
      WHERE assessment_id IN (SELECT id FROM assessments WHERE ${byPerson})`,
    params,
  );
  await tx.query(`UPDATE assignments SET measures = '' WHERE ${byPerson}`, params);
  await tx.query(`UPDATE referrals SET reason = '', outcome = '' WHERE ${byPerson}`, params);
  await tx.query(
    `UPDATE psychological_files SET intervention_plan = '', notes = '' WHERE ${byPerson}`,
    params,
  );
  await tx.query(`UPDATE alerts SET description = '' WHERE ${byPerson}`, params);
  await tx.query(`UPDATE police_records SET summary = '${REMOVED}' WHERE ${byPerson}`, params);
  await tx.query(
    `UPDATE tier_change_requests SET reason = '', decision_note = NULL WHERE ${byPerson}`,
    params,
  );
  await tx.query(
    `UPDATE injury_reports SET description = ''
      WHERE injured_person_id = ANY($1::uuid[]) OR suspect_person_id = ANY($1::uuid[])`,
    params,
  );
  await tx.query(
    `UPDATE person_corrections SET previous = '{}'::jsonb, reason = '', anonymised_at = $2
      WHERE ${byPerson} AND anonymised_at IS NULL`,
    [personIds, now],
  );
  // A delivered webhook keeps the body it sent; the receiver has its copy, ours goes.
  await tx.query(
    `UPDATE webhook_deliveries SET body = NULL WHERE record_id = ANY($1::uuid[]) AND status <> 'PENDING'`,
    params,
  );
  return ids(
    tx,
    `UPDATE households h SET address = $2
      WHERE h.id IN (SELECT household_id FROM persons WHERE id = ANY($1::uuid[]))
        AND NOT EXISTS (SELECT 1 FROM persons m WHERE m.household_id = h.id AND m.anonymised_at IS NULL)
      RETURNING h.id`,
    [personIds, ANONYMISED_NAME],
  );
}

/** One run: what is due is anonymised (or, dry, only named) and the run audited, in one transaction. */
export async function runRetention(
  dataSource: DataSource,
  options: RetentionOptions,
): Promise<RetentionOutcome> {
  const cutoff = retentionCutoff(options.now, options.years);
  return dataSource.transaction(async (tx) => {
    const disputeIds = await disputesDue(tx, cutoff);
    const personIds = await personsDue(tx, cutoff);
    if (options.dryRun) return { cutoff, dryRun: true, personIds, disputeIds, householdIds: [] };
    await anonymiseDisputes(tx, disputeIds, options.now);
    const householdIds = await anonymisePersons(tx, personIds, options.now);
    const actor = { requestId: `cli:retention:${randomUUID()}`, identity: null };
    const reason = `retention: no open matter for ${options.years} years (before ${cutoff.toISOString()})`;
    await writeAuditEntries(tx, actor, [
      {
        action: 'MUTATION',
        operation: 'retention',
        recordType: 'Person',
        recordIds: personIds,
        fields: ['anonymised'],
        detail: { via: 'retention', reason, households: householdIds.length },
      },
      {
        action: 'MUTATION',
        operation: 'retention',
        recordType: 'Dispute',
        recordIds: disputeIds,
        fields: ['anonymised'],
        detail: { via: 'retention', reason },
      },
    ]);
    return { cutoff, dryRun: false, personIds, disputeIds, householdIds };
  });
}

export function describeRetention(outcome: RetentionOutcome): string {
  const verb = outcome.dryRun ? 'would anonymise' : 'anonymised';
  return `retention (untouched since ${outcome.cutoff.toISOString()}): ${verb} ${outcome.personIds.length} persons, ${outcome.disputeIds.length} disputes${outcome.dryRun ? '' : `, ${outcome.householdIds.length} households`}`;
}
