// Verifies the audit log. Within the database: every entry's hash must match its content and the
// previous entry's hash, sequence numbers must have no gaps, and the chain head must name the last
// entry. Against the latest signed checkpoint (checkpoint.ts), which lives outside the database: the
// entry at its sequence number must still carry its hash (else the chain was rewritten and re-hashed)
// and the log must reach that far (else its tail was removed). Each finding is named in words.
import type { DataSource } from 'typeorm';
import { checkpointSignatureValid, type AuditCheckpoint, type LatestCheckpoint } from './checkpoint';

export type AuditFindingKind =
  | 'EDITED_ENTRY'
  | 'BROKEN_LINK'
  | 'GAP'
  | 'HEAD_MISMATCH'
  | 'REWRITTEN_CHAIN'
  | 'REMOVED_TAIL'
  | 'BAD_CHECKPOINT'
  | 'OTHER_CHAIN';

export interface AuditFinding {
  kind: AuditFindingKind;
  message: string;
}

export interface ChainVerification {
  entries: number;
  /** The last entry's sequence number; null for an empty log. */
  lastSeq: string | null;
  firstBroken: { seq: string; reason: string } | null;
  /** Everything found wrong, in words; empty when the log is intact. */
  findings: AuditFinding[];
  /** The latest checkpoint the log was checked against, when there was one with a valid signature. */
  checkedAgainst: AuditCheckpoint | null;
  /** Every checkpoint with a valid signature the log was checked against (one per witness at most). */
  checkedAgainstAll: AuditCheckpoint[];
}

/** The latest checkpoint of one checkpoint file (one per API replica: each appends to its own). */
export interface CheckpointWitness {
  file: string;
  latest: LatestCheckpoint | null;
}

export interface VerifyOptions {
  /** The latest checkpoint (readLatestCheckpoint); null or absent checks the database alone. */
  latest?: LatestCheckpoint | null;
  /**
   * The latest checkpoint of each of several files, instead of `latest`: every one is checked, so a
   * tail cut after the checkpoint one replica took is named even when another replica's is older.
   */
  witnesses?: readonly CheckpointWitness[];
  /** The checkpoint key; without it a checkpoint's signature cannot be checked, which is a finding. */
  key?: Buffer | null;
}

export async function verifyAuditChain(
  dataSource: DataSource,
  options: VerifyOptions = {},
): Promise<ChainVerification> {
  const findings: AuditFinding[] = [];
  const [summary] = (await dataSource.query(`
    SELECT count(*)::text AS entries, min(seq)::text AS first, max(seq)::text AS last,
           (SELECT hash FROM audit_entries ORDER BY seq DESC LIMIT 1) AS last_hash
      FROM audit_entries`)) as {
    entries: string;
    first: string | null;
    last: string | null;
    last_hash: string | null;
  }[];
  const [head] = (await dataSource.query(
    `SELECT chain_id::text, seq::text, hash, gapless_from::text FROM audit_chain_head`,
  )) as { chain_id: string; seq: string; hash: string | null; gapless_from: string }[];

  const broken: { seq: string; content_changed: boolean }[] = await dataSource.query(`
    SELECT seq::text, hash <> audit_entry_hash(e) AS content_changed
      FROM (SELECT e, e.seq, e.hash, e.prev_hash, lag(e.hash) OVER (ORDER BY e.seq) AS expected_prev
              FROM audit_entries e) chained
     WHERE hash <> audit_entry_hash(e) OR prev_hash IS DISTINCT FROM expected_prev
     ORDER BY seq LIMIT 1`);
  const first = broken[0];
  const firstBroken = first
    ? {
        seq: first.seq,
        reason: first.content_changed
          ? 'its content does not match its hash (edited)'
          : 'it does not follow the entry before it (an entry was removed, inserted or re-hashed)',
      }
    : null;
  if (firstBroken)
    findings.push({
      kind: first?.content_changed ? 'EDITED_ENTRY' : 'BROKEN_LINK',
      message: `the chain breaks at entry ${firstBroken.seq}: ${firstBroken.reason}`,
    });

  if (!head) {
    findings.push({ kind: 'HEAD_MISMATCH', message: 'the chain head (audit_chain_head) is missing' });
  } else {
    // Numbers are handed out without gaps from `gapless_from` on (migration AuditChainHead): a
    // missing one is a removed entry. Older entries kept the gaps rolled-back writes left.
    const gaps: { after: string; before: string }[] = await dataSource.query(
      `SELECT previous::text AS after, seq::text AS before
         FROM (SELECT seq, lag(seq) OVER (ORDER BY seq) AS previous FROM audit_entries) numbered
        WHERE seq - previous > 1 AND seq > $1::bigint
        ORDER BY seq LIMIT 20`,
      [head.gapless_from],
    );
    if (head.gapless_from === '1' && summary?.first && summary.first !== '1')
      gaps.unshift({ after: '0', before: summary.first });
    for (const gap of gaps) {
      const from = BigInt(gap.after) + 1n;
      const to = BigInt(gap.before) - 1n;
      findings.push({
        kind: 'GAP',
        message:
          from === to
            ? `entry ${from} is missing: the entries around it exist, so it was removed`
            : `entries ${from}–${to} are missing: the entries around them exist, so they were removed`,
      });
    }
    const last = summary?.last ?? '0';
    if (BigInt(head.seq) > BigInt(last))
      findings.push({
        kind: 'REMOVED_TAIL',
        message: `the chain head says the last entry is ${head.seq}, but the log ends at ${last}: ${entriesRemoved(BigInt(last) + 1n, BigInt(head.seq))}`,
      });
    else if (BigInt(head.seq) < BigInt(last))
      findings.push({
        kind: 'HEAD_MISMATCH',
        message: `entries after ${head.seq} (to ${last}) were written past the chain head, not by the chain trigger`,
      });
    else if (head.hash !== summary?.last_hash)
      findings.push({
        kind: 'REWRITTEN_CHAIN',
        message: `the last entry ${last} does not carry the hash the chain head recorded for it`,
      });
  }

  const witnesses: { file: string | null; latest: LatestCheckpoint | null }[] = options.witnesses
    ? [...options.witnesses]
    : [{ file: null, latest: options.latest ?? null }];
  const checkedAgainstAll: AuditCheckpoint[] = [];
  for (const witness of witnesses) {
    const checked = await compareWithCheckpoint(
      dataSource,
      witness,
      options.key,
      head?.chain_id,
      summary?.last,
      findings,
    );
    if (checked) checkedAgainstAll.push(checked);
  }
  const checkedAgainst =
    [...checkedAgainstAll].sort((a, b) =>
      BigInt(b.seq) > BigInt(a.seq) ? 1 : BigInt(b.seq) < BigInt(a.seq) ? -1 : 0,
    )[0] ?? null;
  return {
    entries: Number(summary?.entries ?? 0),
    lastSeq: summary?.last ?? null,
    firstBroken,
    findings,
    checkedAgainst,
    checkedAgainstAll,
  };
}

const entriesRemoved = (from: bigint, to: bigint) =>
  from === to ? `entry ${from} was removed` : `entries ${from}–${to} were removed`;

async function compareWithCheckpoint(
  dataSource: DataSource,
  witness: { file: string | null; latest: LatestCheckpoint | null },
  key: Buffer | null | undefined,
  chainId: string | undefined,
  lastSeq: string | null | undefined,
  findings: AuditFinding[],
): Promise<AuditCheckpoint | null> {
  const latest = witness.latest;
  if (!latest) return null;
  if ('malformed' in latest) {
    findings.push({
      kind: 'BAD_CHECKPOINT',
      message: `the checkpoint file${witness.file ? ` ${witness.file}` : ''} cannot be read: ${latest.malformed}`,
    });
    return null;
  }
  const checkpoint = latest.checkpoint;
  const taken = `the checkpoint of ${checkpoint.at}${witness.file ? ` in ${witness.file}` : ''}`;
  if (!key) {
    findings.push({
      kind: 'BAD_CHECKPOINT',
      message: `${taken} cannot be checked: no checkpoint key (AUDIT_CHECKPOINT_KEY, or audit-checkpoint-key in the data directory)`,
    });
    return null;
  }
  if (!checkpointSignatureValid(key, checkpoint)) {
    findings.push({
      kind: 'BAD_CHECKPOINT',
      message: `${taken} has a bad signature: the file was edited, or another key signed it — what it says proves nothing`,
    });
    return null;
  }
  if (chainId !== checkpoint.chainId) {
    findings.push({
      kind: 'OTHER_CHAIN',
      message: `${taken} belongs to audit chain ${checkpoint.chainId}, this database's chain is ${chainId ?? 'missing'}: the chain was replaced, or this is another database`,
    });
    return null;
  }
  const last = BigInt(lastSeq ?? '0');
  if (last < BigInt(checkpoint.seq)) {
    findings.push({
      kind: 'REMOVED_TAIL',
      message: `${taken} saw entries up to ${checkpoint.seq}, but the log ends at ${last}: ${entriesRemoved(last + 1n, BigInt(checkpoint.seq))}`,
    });
    return checkpoint;
  }
  if (checkpoint.seq === '0') return checkpoint;
  const [entry] = (await dataSource.query(`SELECT hash FROM audit_entries WHERE seq = $1::bigint`, [
    checkpoint.seq,
  ])) as { hash: string }[];
  // A missing entry there is already a gap.
  if (entry && entry.hash !== checkpoint.hash)
    findings.push({
      kind: 'REWRITTEN_CHAIN',
      message: `entry ${checkpoint.seq} no longer has the hash ${taken} recorded: the chain up to it was rewritten and re-hashed`,
    });
  return checkpoint;
}
