// The change feed and the webhook outbox keep CHANGE_FEED_DAYS and OUTBOX_DAYS of history: older
// commits of the feed, and outbox events fanned out longer ago whose deliveries are all finished
// (DELIVERED or DEAD), are deleted. Run as the database owner (the API's role may not delete feed
// history), from `npm run retention`, in one transaction.
//
// A reader whose cursor points into what was pruned is answered CURSOR_EXPIRED (changes.service.ts):
// record_change_head.pruned_seq is the highest commit number deleted. Pruning takes the head's row
// lock last and holds nothing a writer waits for before it, so writers only wait for that one update.
import type { DataSource } from 'typeorm';

export interface PruneOptions {
  now: Date;
  changeFeedDays: number;
  outboxDays: number;
}

export interface PruneOutcome {
  /** The highest commit number of the feed now pruned; null when nothing was old enough. */
  prunedThroughSeq: string | null;
  commits: number;
  changes: number;
  outboxEvents: number;
  deliveries: number;
}

const DAY = 86_400_000;

export function pruneFeeds(owner: DataSource, options: PruneOptions): Promise<PruneOutcome> {
  const feedHorizon = new Date(options.now.getTime() - options.changeFeedDays * DAY);
  const outboxHorizon = new Date(options.now.getTime() - options.outboxDays * DAY);
  return owner.transaction(async (tx) => {
    const [{ cut } = { cut: null }] = (await tx.query(
      `SELECT max(seq)::text AS cut FROM record_change_commits WHERE committed_at < $1`,
      [feedHorizon],
    )) as { cut: string | null }[];
    let commits = 0;
    let changes = 0;
    if (cut !== null) {
      const [, changed] = (await tx.query(
        `DELETE FROM record_changes c USING record_change_commits k WHERE k.xid = c.xid AND k.seq <= $1`,
        [cut],
      )) as [unknown, number];
      const [, committed] = (await tx.query(`DELETE FROM record_change_commits WHERE seq <= $1`, [cut])) as [
        unknown,
        number,
      ];
      await tx.query(`UPDATE record_change_head SET pruned_seq = greatest(pruned_seq, $1::bigint)`, [cut]);
      changes = changed;
      commits = committed;
    }
    const old = `SELECT e.id FROM outbox_events e
                  WHERE e.fanned_out_at < $1
                    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'PENDING')`;
    const [, deliveries] = (await tx.query(`DELETE FROM webhook_deliveries WHERE event_id IN (${old})`, [
      outboxHorizon,
    ])) as [unknown, number];
    const [, outboxEvents] = (await tx.query(`DELETE FROM outbox_events WHERE id IN (${old})`, [
      outboxHorizon,
    ])) as [unknown, number];
    return { prunedThroughSeq: cut, commits, changes, outboxEvents, deliveries };
  });
}

export function describePruning(outcome: PruneOutcome, options: PruneOptions): string {
  return [
    outcome.prunedThroughSeq === null
      ? `change feed: nothing older than ${options.changeFeedDays} days`
      : `change feed: ${outcome.commits} commits (${outcome.changes} changes) older than ${options.changeFeedDays} days pruned, through commit ${outcome.prunedThroughSeq}`,
    `outbox: ${outcome.outboxEvents} events and ${outcome.deliveries} finished deliveries older than ${options.outboxDays} days pruned`,
  ].join('\n');
}
