// Writes audit entries. Mutations write theirs inside their own transaction; reads of sensitive
// fields are buffered per request and written in one batched insert before the response is sent.
// The database chains each entry to the previous one (trigger) and refuses UPDATE and DELETE.
import type { EntityManager } from 'typeorm';
import type { Identity } from '../auth/identity';

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

export async function writeAuditEntries(
  manager: EntityManager,
  actor: AuditActor,
  records: readonly AuditRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await manager.query(
    `INSERT INTO audit_entries (actor_kind, actor_id, actor_department, request_id, action, operation,
                                record_type, record_ids, fields, detail, hash)
     SELECT $1, $2, $3, $4, r.action, r.operation, r.record_type,
            ARRAY(SELECT json_array_elements_text(r.record_ids)),
            ARRAY(SELECT json_array_elements_text(r.fields)), r.detail, ''
       FROM json_to_recordset($5::json)
         AS r(action text, operation text, record_type text, record_ids json, fields json, detail jsonb)`,
    [
      actor.identity ? actor.identity.kind : 'ANONYMOUS',
      actor.identity?.id ?? null,
      actor.identity?.departmentCode ?? null,
      actor.requestId,
      JSON.stringify(
        records.map((r) => ({
          action: r.action,
          operation: r.operation,
          record_type: r.recordType,
          record_ids: r.recordIds,
          fields: r.fields,
          detail: r.detail ?? {},
        })),
      ),
    ],
  );
}
