// Verifies the audit hash chain: every entry's hash must match its content and the previous entry's
// hash. Names the first entry that breaks the chain (edited content, or a removed or inserted row).
import type { DataSource } from 'typeorm';

export interface ChainVerification {
  entries: number;
  firstBroken: { seq: string; reason: string } | null;
}

export async function verifyAuditChain(dataSource: DataSource): Promise<ChainVerification> {
  const [counted] = (await dataSource.query(`SELECT count(*)::text AS entries FROM audit_entries`)) as {
    entries: string;
  }[];
  const broken: { seq: string; content_changed: boolean }[] = await dataSource.query(`
    SELECT seq::text, hash <> audit_entry_hash(e) AS content_changed
      FROM (SELECT e, e.seq, e.hash, e.prev_hash, lag(e.hash) OVER (ORDER BY e.seq) AS expected_prev
              FROM audit_entries e) chained
     WHERE hash <> audit_entry_hash(e) OR prev_hash IS DISTINCT FROM expected_prev
     ORDER BY seq LIMIT 1`);
  const first = broken[0];
  return {
    entries: Number(counted?.entries ?? 0),
    firstBroken: first
      ? {
          seq: first.seq,
          reason: first.content_changed
            ? 'its content does not match its hash (edited)'
            : 'it does not follow the entry before it (an entry was removed, inserted or re-hashed)',
        }
      : null,
  };
}
