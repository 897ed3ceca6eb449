// Idempotent creates: the first request with a key creates the record; a retry with the same key
// (same actor, same operation) gets the same record back. An advisory lock on the key serialises
// concurrent retries inside their transactions.
import type { EntityManager } from 'typeorm';

export async function findIdempotentRecord(
  tx: EntityManager,
  actorId: string,
  operation: string,
  key: string,
): Promise<string | null> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${actorId}|${operation}|${key}`]);
  const rows: { record_id: string }[] = await tx.query(
    `SELECT record_id FROM idempotency_keys WHERE actor_id = $1 AND operation = $2 AND key = $3`,
    [actorId, operation, key],
  );
  return rows[0]?.record_id ?? null;
}

export async function rememberIdempotentRecord(
  tx: EntityManager,
  actorId: string,
  operation: string,
  key: string,
  recordId: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO idempotency_keys (actor_id, operation, key, record_id) VALUES ($1, $2, $3, $4)`,
    [actorId, operation, key, recordId],
  );
}
