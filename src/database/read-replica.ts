// Where a query operation reads (SPEC §6, docs/deployment.md#read-replicas): from the streaming read
// replica unless the caller names a commit (the `Concord-LSN` a mutation answered, sent back as
// `Concord-Min-LSN`) that the replica has not replayed within READ_REPLICA_MAX_WAIT_MS; then, or when the
// replica cannot be asked, from the primary. Writes, audit entries and identity lookups never come here.
import type { DataSource } from 'typeorm';

/** A WAL position as PostgreSQL prints a pg_lsn: two hexadecimal halves, `16/B374D848`. */
const LSN = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i;

/** `text` as a comparable number, or undefined when it is no LSN. */
export function parseLsn(text: string): bigint | undefined {
  const match = LSN.exec(text.trim());
  if (!match) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/**
 * The primary's WAL position once everything committed so far is flushed: asked after a mutation
 * committed, it is at or past that commit, so a replica that replayed it sees the write. The flush
 * position, not the insert position: the walsender sends only flushed WAL, and the insert position may
 * stand past a page header the replica's replay position never names.
 */
export async function committedLsn(primary: DataSource): Promise<string> {
  const [row] = (await primary.query(`SELECT pg_current_wal_flush_lsn()::text AS lsn`)) as { lsn: string }[];
  if (!row) throw new Error('the primary reported no WAL position');
  return row.lsn;
}

const POLL_INTERVAL_MS = 10;

export class ReadRouting {
  /** The furthest replay position seen: a commit at or before it needs no question to the replica. */
  private replayed = 0n;

  constructor(
    private readonly primary: DataSource,
    private readonly replica: DataSource,
    private readonly maxWaitMs: number,
    private readonly onReplicaError: (error: unknown) => void = () => undefined,
  ) {}

  /**
   * The data source a query operation reads from. Without `minLsn`, the replica (as stale as its lag).
   * With one, the replica once it has replayed that position, else the primary after the bounded wait.
   */
  async sourceFor(minLsn: bigint | undefined): Promise<DataSource> {
    if (minLsn === undefined || minLsn <= this.replayed) return this.replica;
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      let position: bigint | undefined;
      try {
        position = await this.replayPosition();
      } catch (error) {
        // A replica that cannot answer must not stop reads: the primary serves them meanwhile.
        this.onReplicaError(error);
        return this.primary;
      }
      if (position === undefined) return this.primary;
      if (position > this.replayed) this.replayed = position;
      if (minLsn <= position) return this.replica;
      if (Date.now() + POLL_INTERVAL_MS > deadline) return this.primary;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }

  /** What the replica has replayed; undefined when it is not in recovery (a promoted or mistaken URL). */
  private async replayPosition(): Promise<bigint | undefined> {
    const [row] = (await this.replica.query(`SELECT pg_last_wal_replay_lsn()::text AS lsn`)) as {
      lsn: string | null;
    }[];
    return row?.lsn ? parseLsn(row.lsn) : undefined;
  }
}
