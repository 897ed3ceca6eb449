// Writes audit entries. Mutations write theirs inside their own transaction; reads of sensitive
// fields are buffered per request and written in one batched insert before the response is sent.
// The database chains each entry to the previous one (trigger) and refuses UPDATE and DELETE.
import type { EntityManager } from 'typeorm';
import type { Identity } from '../auth/identity';
import { queryPrepared } from '../database/prepared';

export type AuditAction = 'MUTATION' | 'READ' | 'LOGIN' | 'LOGIN_FAILED';

export interface AuditRecord {
  action: AuditAction;
  operation: string;
  recordType: string;
  recordIds: string[];
  fields: string[];
  detail?: Record<string, unknown>;
}

export interface AuditActor {
  requestId: string;
  identity: Identity | null;
}

/** The insert of `count` entries: one row of values each, after the four the request shares. */
function insertOf(count: number): string {
  const rows = Array.from({ length: count }, (_, index) => {
    const at = 5 + index * 6;
    return `($1, $2, $3, $4, $${at}, $${at + 1}, $${at + 2}, $${at + 3}::text[], $${at + 4}::text[], $${at + 5}::jsonb, '')`;
  });
  return `INSERT INTO audit_entries (actor_kind, actor_id, actor_department, request_id, action, operation,
                                record_type, record_ids, fields, detail, hash)
     VALUES ${rows.join(',\n            ')}`;
}

const inserts: string[] = [];

/**
 * Writes `records` in one statement, inside `manager`'s transaction if it has one. Outside one (the
 * reads of a request), it is a named statement (prepared.ts): one per number of entries.
 */
export async function writeAuditEntries(
  manager: EntityManager,
  actor: AuditActor,
  records: readonly AuditRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const sql = (inserts[records.length] ??= insertOf(records.length));
  const parameters: unknown[] = [
    actor.identity ? actor.identity.kind : 'ANONYMOUS',
    actor.identity?.id ?? null,
    actor.identity?.departmentCode ?? null,
    actor.requestId,
  ];
  for (const record of records) {
    parameters.push(
      record.action,
      record.operation,
      record.recordType,
      record.recordIds,
      record.fields,
      JSON.stringify(record.detail ?? {}),
    );
  }
  await queryPrepared(manager.connection, sql, parameters, manager.queryRunner);
}
