// The change feed and the webhook outbox are kept for a number of days (CHANGE_FEED_DAYS,
// OUTBOX_DAYS), not for ever: src/domain/changes/prune.ts deletes what is older, as the owner, from
// `npm run retention`. record_change_head.pruned_seq is the highest commit number pruned: a feed
// cursor at or before it names changes no longer kept, and is answered CURSOR_EXPIRED.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FeedPruning1767200000000 implements MigrationInterface {
  name = 'FeedPruning1767200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE record_change_head ADD COLUMN pruned_seq bigint NOT NULL DEFAULT 0 CHECK (pruned_seq >= 0)`,
    );
    await db.query(`CREATE INDEX record_change_commits_time ON record_change_commits (committed_at)`);
    await db.query(
      `CREATE INDEX outbox_events_fanned_out ON outbox_events (fanned_out_at) WHERE fanned_out_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_events_fanned_out`);
    await db.query(`DROP INDEX record_change_commits_time`);
    await db.query(`ALTER TABLE record_change_head DROP COLUMN pruned_seq`);
  }
}
