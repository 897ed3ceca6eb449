// Idempotent creates: the first request with a key creates the record; a retry with the same key
// (same actor, same operation) and the same input gets the same record back, while the same key with
// a different input is a CONFLICT (SPEC §5) — not the old record. An advisory lock on the key
// serialises concurrent retries inside their transactions.
// The input's fingerprint is passed in by the caller: no AsyncLocalStorage, which on Node 20 would
// turn on promise hooks for the rest of the process and slow every later request.
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ErrorCode, userError, UserInputProblem } from '../graphql/errors';

/** JSON with object keys sorted, so that the same input always gives the same text. */
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The SHA-256 of the canonical form of an input: what a retry must repeat exactly. */
export function payloadFingerprint(payload: unknown): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

export async function findIdempotentRecord(
  tx: EntityManager,
  actorId: string,
  operation: string,
  key: string,
  /** payloadFingerprint of the input; null compares with nothing (a caller outside GraphQL). */
  fingerprint: string | null,
): Promise<string | null> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${actorId}|${operation}|${key}`]);
  const rows: { record_id: string; payload_hash: string | null }[] = await tx.query(
    `SELECT record_id, payload_hash FROM idempotency_keys WHERE actor_id = $1 AND operation = $2 AND key = $3`,
    [actorId, operation, key],
  );
  const row = rows[0];
  if (!row) return null;
  // A key remembered before inputs were fingerprinted, or a caller outside GraphQL: no comparison.
  if (row.payload_hash !== null && fingerprint !== null && row.payload_hash !== fingerprint) {
    throw new UserInputProblem([
      userError(
        'input.idempotencyKey',
        {
          zh: `此幂等键已用于另一份输入的 ${operation}：新记录请用新的键`,
          en: `This idempotencyKey was already used for ${operation} with a different input: use a new key for a new record`,
        },
        ErrorCode.CONFLICT,
      ),
    ]);
  }
  return row.record_id;
}

export async function rememberIdempotentRecord(
  tx: EntityManager,
  actorId: string,
  operation: string,
  key: string,
  recordId: string,
  fingerprint: string | null,
): Promise<void> {
  await tx.query(
    `INSERT INTO idempotency_keys (actor_id, operation, key, record_id, payload_hash) VALUES ($1, $2, $3, $4, $5)`,
    [actorId, operation, key, recordId, fingerprint],
  );
}
