// The access report of one person (issue 24 item 1, PIPL Art. 44–45): every read and change of the
// person's record and of the records that are about them, read from the audit table — so it is exactly
// as complete as the audit — with who (account, department, position), when, which fields, through
// which operation and transport, and the reason where one was given. It names records by id only.
import type { DataSource } from 'typeorm';
import { badUserInput, notFound } from '../../graphql/errors';
import { isUuid } from '../../graphql/validation';

/** How the data left or came in: read from what the audit entry records. */
export type AccessTransport = 'HTTP' | 'WEBSOCKET' | 'EXPORT' | 'WEBHOOK' | 'COMMAND' | 'GRAPHQL';

export interface AccessReportEntry {
  seq: string;
  occurredAt: Date;
  action: string;
  operation: string;
  transport: AccessTransport;
  recordType: string;
  /** Only the ids of this person's records among those the entry names. */
  recordIds: string[];
  fields: string[];
  accountId: string | null;
  accountUsername: string | null;
  department: string | null;
  position: string | null;
  reason: string | null;
}

export interface AccessReportPage {
  personId: string;
  anonymisedAt: Date | null;
  entries: AccessReportEntry[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface AccessReportRequest {
  personId: string;
  from?: Date | null;
  to?: Date | null;
  first: number;
  /** A seq this report issued as a cursor: the page starts after (older than) it. */
  after?: string | null;
}

/**
 * The ids of the records that are about the person: the person, its merged-in records, and the
 * person's own children and disputes. Each child table is indexed by person_id.
 */
const PERSON_RECORDS = `
  SELECT $1::text AS id
  UNION ALL SELECT merged_person_id::text FROM person_merges WHERE kept_person_id = $1::uuid
  UNION ALL SELECT id::text FROM assessments WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM follow_ups WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM assignments WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM tier_change_requests WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM referrals WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM psychological_files WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM alerts WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM police_records WHERE person_id = $1::uuid
  UNION ALL SELECT dispute_id::text FROM dispute_parties WHERE person_id = $1::uuid
  UNION ALL SELECT id::text FROM person_corrections WHERE person_id = $1::uuid`;

interface EntryRow {
  seq_text: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string | null;
  actor_department: string | null;
  action: string;
  operation: string;
  record_type: string;
  own_ids: string[];
  fields: string[];
  detail: Record<string, unknown>;
  username: string | null;
  position: string | null;
  correction_reason: string | null;
}

const MAX_SEQUENCE = 9223372036854775807n;

function sequenceCursor(value: string): string {
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > MAX_SEQUENCE)
    throw badUserInput('after must be a cursor this report issued', 'after');
  return BigInt(value).toString();
}

export function transportOf(entry: {
  operation: string;
  actor_kind: string;
  detail: Record<string, unknown>;
}): AccessTransport {
  if (entry.operation.startsWith('export ')) return 'EXPORT';
  if (entry.operation === 'webhookDelivery') return 'WEBHOOK';
  const transport = entry.detail.transport;
  if (transport === 'HTTP' || transport === 'WEBSOCKET') return transport;
  if (typeof entry.detail.via === 'string' || entry.actor_kind === 'ANONYMOUS') return 'COMMAND';
  return 'GRAPHQL';
}

/** The reason the writer gave: a correction's (kept with the correction, erased by retention), or the entry's own. */
function reasonOf(row: EntryRow): string | null {
  if (row.correction_reason !== null) return row.correction_reason || null;
  const reason = row.detail.reason;
  return typeof reason === 'string' && reason !== '' ? reason : null;
}

/** When the person's data was anonymised, or null; NOT_FOUND when no such person was ever recorded. */
async function anonymisedAtOf(dataSource: DataSource, personId: string): Promise<Date | null> {
  const rows: { anonymised_at: Date | null }[] = await dataSource.query(
    `SELECT anonymised_at FROM persons WHERE id = $1::uuid
     UNION ALL SELECT p.anonymised_at FROM person_merges m JOIN persons p ON p.id = m.kept_person_id
      WHERE m.merged_person_id = $1::uuid
     LIMIT 1`,
    [personId],
  );
  const row = rows[0];
  if (!row) throw notFound('Person');
  return row.anonymised_at;
}

/** One page of the report, newest first, with the total within from/to. */
export async function personAccessReport(
  dataSource: DataSource,
  request: AccessReportRequest,
): Promise<AccessReportPage> {
  if (!isUuid(request.personId))
    throw badUserInput(`${request.personId} is not an ID this API issued`, 'personId');
  if (request.from && request.to && request.from >= request.to)
    throw badUserInput('from must be before to', 'from');
  const anonymisedAt = await anonymisedAtOf(dataSource, request.personId);
  const params: unknown[] = [request.personId, request.from ?? null, request.to ?? null];
  const window = `e.record_ids && (SELECT array_agg(id) FROM person_records)
       AND ($2::timestamptz IS NULL OR e.occurred_at >= $2)
       AND ($3::timestamptz IS NULL OR e.occurred_at < $3)`;
  const counted: { count: string }[] = await dataSource.query(
    `WITH person_records AS (${PERSON_RECORDS})
     SELECT count(*)::text AS count FROM audit_entries e WHERE ${window}`,
    params,
  );
  const after = request.after ? sequenceCursor(request.after) : null;
  const rows: EntryRow[] = await dataSource.query(
    `WITH person_records AS (${PERSON_RECORDS})
     SELECT e.seq::text AS seq_text, e.occurred_at, e.actor_kind, e.actor_id, e.actor_department, e.action,
            e.operation, e.record_type, e.fields, e.detail, u.username, u.position,
            ARRAY(SELECT unnest(e.record_ids) INTERSECT SELECT id FROM person_records ORDER BY 1) AS own_ids,
            c.reason AS correction_reason
       FROM audit_entries e
       LEFT JOIN users u ON u.id = e.actor_id
       LEFT JOIN person_corrections c ON c.id::text = e.detail ->> 'correctionId'
      WHERE ${window} AND ($4::bigint IS NULL OR e.seq < $4::bigint)
      ORDER BY e.seq DESC LIMIT $5`,
    [...params, after, request.first + 1],
  );
  const page = rows.slice(0, request.first);
  return {
    personId: request.personId,
    anonymisedAt,
    totalCount: Number(counted[0]?.count ?? 0),
    hasNextPage: rows.length > request.first,
    entries: page.map((row) => ({
      seq: row.seq_text,
      occurredAt: row.occurred_at,
      action: row.action,
      operation: row.operation,
      transport: transportOf(row),
      recordType: row.record_type,
      recordIds: row.own_ids,
      fields: row.fields,
      accountId: row.actor_id,
      accountUsername: row.username,
      department: row.actor_department,
      position: row.position,
      reason: reasonOf(row),
    })),
  };
}
