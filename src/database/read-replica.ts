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

/** What a client says when its Concord-Min-LSN header is no position. */
export const MIN_LSN_REFUSAL =
  'Concord-Min-LSN must be the Concord-LSN a mutation answered, such as 0/16B3748';

/**
 * The commit a request asks to read after, from its `Concord-Min-LSN` header: undefined without the
 * header, 'invalid' when it is no position (the request is refused: it must not read what it cannot
 * name).
 */
export function requestedMinLsn(header: string | string[] | undefined): bigint | undefined | 'invalid' {
  if (header === undefined) return undefined;
  const lsn = typeof header === 'string' ? parseLsn(header) : undefined;
  return lsn ?? 'invalid';
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
/** How long a probe of the replica (alive? replayed how far?) stands before a query asks again. */
const PROBE_INTERVAL_MS = 1000;

export class ReadRouting {
  /** The furthest replay position seen: a commit at or before it needs no question to the replica. */
  private replayed = 0n;
  /** Whether the last probe reached a replica in recovery; reads go to the primary while it did not. */
  private available = true;
  private probedAt = 0;
  /** A probe under way, shared by the queries that arrive meanwhile. */
  private probing: Promise<void> | undefined;

  constructor(
    private readonly primary: DataSource,
    private readonly replica: DataSource,
    private readonly maxWaitMs: number,
    private readonly onReplicaError: (error: unknown) => void = () => undefined,
  ) {}

  /**
   * The data source a query operation reads from. Without `minLsn`, the replica (as stale as its lag).
   * With one, the replica once it has replayed that position, else the primary after the bounded wait.
   * A replica that did not answer its last probe (at most a second ago) is skipped for the primary.
   */
  async sourceFor(minLsn: bigint | undefined): Promise<DataSource> {
    if (Date.now() - this.probedAt >= PROBE_INTERVAL_MS) await this.probe();
    if (!this.available) return this.primary;
    if (minLsn === undefined || minLsn <= this.replayed) return this.replica;
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      if (Date.now() + POLL_INTERVAL_MS > deadline) return this.primary;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      await this.probe();
      if (!this.available) return this.primary;
      if (minLsn <= this.replayed) return this.replica;
    }
  }

  private probe(): Promise<void> {
    this.probing ??= this.replayPosition()
      .then(
        (position) => {
          // Not in recovery (a promoted or mistaken URL): its data need not be the primary's.
          this.available = position !== undefined;
          if (position !== undefined && position > this.replayed) this.replayed = position;
        },
        (error: unknown) => {
          // A replica that cannot answer must not stop reads: the primary serves them meanwhile.
          if (this.available) this.onReplicaError(error);
          this.available = false;
        },
      )
      .finally(() => {
        this.probedAt = Date.now();
        this.probing = undefined;
      });
    return this.probing;
  }

  /** What the replica has replayed; undefined when it is not in recovery. */
  private async replayPosition(): Promise<bigint | undefined> {
    const [row] = (await this.replica.query(
      `SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS lsn`,
    )) as { lsn: string | null }[];
    return row?.lsn ? parseLsn(row.lsn) : undefined;
  }
}
