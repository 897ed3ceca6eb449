// Writes audit entries. Mutations write theirs inside their own transaction. Reads of sensitive
// fields are buffered per request and written before the response is sent, by group commit: while
// one insert is running, the entries of the requests that finish meanwhile wait and then go in
// together, in one statement and one commit (see ReadAuditWriter).
// The database numbers each entry without gaps and chains it to the previous one (a trigger that
// advances the chain-head row, migration AuditChainHead) and refuses UPDATE and DELETE; the API's
// runtime role may only INSERT and SELECT here (src/database/database.ts).
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { Identity } from '../auth/identity';
import { queryPrepared } from '../database/prepared';
import {
  countStatement,
  currentStatementCounter,
  outsideCountedScopes,
  type Counter,
} from '../database/statement-counter';

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

const VALUES_PER_ENTRY = 10;

/** The insert of `count` entries: one row of values each. */
function insertOf(count: number): string {
  const rows = Array.from({ length: count }, (_, index) => {
    const $ = (offset: number) => `$${index * VALUES_PER_ENTRY + offset}`;
    return `(${$(1)}, ${$(2)}, ${$(3)}, ${$(4)}, ${$(5)}, ${$(6)}, ${$(7)}, ${$(8)}::text[], ${$(9)}::text[], ${$(10)}::jsonb, '')`;
  });
  return `INSERT INTO audit_entries (actor_kind, actor_id, actor_department, request_id, action, operation,
                                record_type, record_ids, fields, detail, hash)
     VALUES ${rows.join(',\n            ')}`;
}

const inserts: string[] = [];

/** The values of `records`' rows, VALUES_PER_ENTRY each, in insertOf's order. */
function valuesOf(actor: AuditActor, records: readonly AuditRecord[]): unknown[] {
  const values: unknown[] = [];
  const marked = breakGlassMark(actor);
  for (const record of records) {
    values.push(
      actor.identity ? actor.identity.kind : 'ANONYMOUS',
      actor.identity?.id ?? null,
      actor.identity?.departmentCode ?? null,
      actor.requestId,
      record.action,
      record.operation,
      record.recordType,
      record.recordIds,
      record.fields,
      JSON.stringify(marked ? { ...record.detail, ...marked } : (record.detail ?? {})),
    );
  }
  return values;
}

/**
 * What marks an entry written while the actor holds break-glass grants (src/domain/break-glass): the
 * grants in force, so the reviewer and the AUDITOR find every read and change made under them.
 */
function breakGlassMark(actor: AuditActor): { breakGlassGrantIds: string[] } | null {
  const passes = actor.identity?.breakGlass ?? [];
  return passes.length > 0 ? { breakGlassGrantIds: passes.map((pass) => pass.grantId) } : null;
}

/**
 * Inserts the rows of `values` in one statement, inside `runner`'s transaction if there is one.
 * Outside one, it is a named statement (prepared.ts): one per number of entries.
 */
async function insertEntries(
  dataSource: DataSource,
  values: unknown[],
  runner?: QueryRunner,
): Promise<string> {
  const count = values.length / VALUES_PER_ENTRY;
  const sql = (inserts[count] ??= insertOf(count));
  await queryPrepared(dataSource, sql, values, runner);
  return sql;
}

/** Writes `records` in one statement, inside `manager`'s transaction if it has one. */
export async function writeAuditEntries(
  manager: EntityManager,
  actor: AuditActor,
  records: readonly AuditRecord[],
): Promise<void> {
  if (records.length === 0) return;
  await insertEntries(manager.connection, valuesOf(actor, records), manager.queryRunner);
}

/** At most this many entries go in one statement; a request's entries are never split. */
export const READ_AUDIT_BATCH_ENTRIES = 32;

interface Waiting {
  values: unknown[];
  counter: Counter | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the read audit. The chain trigger locks the chain-head row for every writer until commit,
 * so concurrent requests' inserts ran one after another anyway, each with its own statement,
 * trigger lock and commit (a disk flush). Here at most one insert runs at a time; the entries of
 * requests that finish while it runs wait, then go in together. A lone request waits for nothing.
 * Each request's response still waits until its own entries are committed, and if the insert that
 * carries them fails, every request in it fails: the entries were not written.
 */
class ReadAuditWriter {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly dataSource: DataSource) {}

  write(actor: AuditActor, records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const counter = currentStatementCounter();
    return new Promise((resolve, reject) => {
      this.waiting.push({ values: valuesOf(actor, records), counter, resolve, reject });
      if (!this.running) outsideCountedScopes(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const batch = this.takeBatch();
      const values = batch.length === 1 ? batch[0]!.values : batch.flatMap((entry) => entry.values);
      try {
        const sql = await insertEntries(this.dataSource, values);
        for (const entry of batch) {
          countStatement(entry.counter, sql, values);
          entry.resolve();
        }
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.running = false;
  }

  /** The longest run of waiting requests, oldest first, whose entries fit in one statement. */
  private takeBatch(): Waiting[] {
    let entries = 0;
    let taken = 0;
    for (const waiting of this.waiting) {
      const count = waiting.values.length / VALUES_PER_ENTRY;
      if (taken > 0 && entries + count > READ_AUDIT_BATCH_ENTRIES) break;
      entries += count;
      taken += 1;
    }
    return this.waiting.splice(0, taken);
  }
}

const readWriters = new WeakMap<DataSource, ReadAuditWriter>();

/**
 * Writes the sensitive reads of one request, together with those of the requests finishing at the
 * same time (ReadAuditWriter); resolves once they are committed.
 */
export function writeReadAuditEntries(
  dataSource: DataSource,
  actor: AuditActor,
  records: readonly AuditRecord[],
): Promise<void> {
  let writer = readWriters.get(dataSource);
  if (!writer) {
    writer = new ReadAuditWriter(dataSource);
    readWriters.set(dataSource, writer);
  }
  return writer.write(actor, records);
}
