// The change feed and the webhook outbox keep CHANGE_FEED_DAYS and OUTBOX_DAYS of history (issue 23:
// a feed that grows for ever does not scale past one month). After pruning, a cursor that points into
// what was deleted is refused with CURSOR_EXPIRED — never answered with a silent gap — while a reader
// that starts again reads on; the outbox keeps every event a delivery still waits for.
import { randomUUID } from 'node:crypto';
import { pruneFeeds } from '../../src/domain/changes/prune';
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const FEED = `query($after: String) { changes(after: $after, first: 100) {
  edges { cursor node { recordId } } pageInfo { hasNextPage endCursor } } }`;

/** Follows the feed from `after` to its present end: the records named, and where to go on. */
async function follow(token: string, after: string | null): Promise<{ ids: string[]; cursor: string }> {
  const ids: string[] = [];
  let cursor = after;
  for (;;) {
    const page: any = await api.gql(FEED, { after: cursor }, token);
    if (page.errors) throw new Error(JSON.stringify(page.errors));
    ids.push(...page.data.changes.edges.map((edge: any) => edge.node.recordId));
    cursor = page.data.changes.pageInfo.endCursor;
    if (!page.data.changes.pageInfo.hasNextPage) return { ids, cursor: cursor as string };
  }
}

test('a cursor into pruned history is CURSOR_EXPIRED; a reader that starts again reads on from what is kept', async () => {
  const worker = await api.login('grid.worker');
  const gridId = await api.node('gridA');
  const before = await registerPerson(api, worker, { name: '剪枝之前', gridId });
  const read = await follow(worker, null);
  expect(read.ids).toContain(before);
  const another = await registerPerson(api, worker, { name: '剪枝之前二', gridId });
  const page: any = await api.gql(FEED, { after: read.cursor }, worker);
  const midCommit = page.data.changes.edges.find((edge: any) => edge.node.recordId === another)?.cursor;
  expect(midCommit).toBeTruthy();

  const pruned = await pruneFeeds(api.dataSource, {
    now: new Date(Date.now() + 60_000),
    changeFeedDays: 0,
    outboxDays: 30,
  });
  expect(pruned.commits).toBeGreaterThan(0);
  expect(await api.dataSource.query(`SELECT 1 FROM record_change_commits`)).toEqual([]);

  for (const cursor of [read.cursor, midCommit]) {
    const expired: any = await api.gql(FEED, { after: cursor }, worker);
    expect([expired.errors?.[0]?.extensions?.code, expired.data?.changes]).toEqual(['CURSOR_EXPIRED', null]);
  }
  // Starting again: nothing from before the pruning, then what is written after it.
  const restart = await follow(worker, null);
  expect(restart.ids).toEqual([]);
  const after = await registerPerson(api, worker, { name: '剪枝之后', gridId });
  const resumed = await follow(worker, restart.cursor);
  expect(resumed.ids).toContain(after);
  expect(resumed.ids).not.toContain(before);
  expect((await follow(worker, null)).ids).toEqual(resumed.ids);
});

test('the outbox drops finished events older than OUTBOX_DAYS and keeps every event a delivery still waits for', async () => {
  const [{ id: endpoint }] = await api.dataSource.query(
    `INSERT INTO webhook_endpoints (owner_id, url, events, sealed_secret, status)
     VALUES ((SELECT id FROM users WHERE username = 'admin'), 'https://example.test/hook', '{ALERT_RAISED}', 'unused', 'DISABLED')
     RETURNING id`,
  );
  const event = async (daysAgo: number, delivery: 'DELIVERED' | 'PENDING' | 'DEAD') => {
    const [{ id }] = await api.dataSource.query(
      `INSERT INTO outbox_events (event_type, record_type, record_id, fanned_out_at)
       VALUES ('ALERT_RAISED', 'Alert', $1, now() - $2 * interval '1 day') RETURNING id`,
      [randomUUID(), daysAgo],
    );
    await api.dataSource.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, status, next_attempt_at)
       VALUES ($1, $2, 'ALERT_RAISED', $3, now() + interval '1 year')`,
      [endpoint, id, delivery],
    );
    return id as string;
  };
  const delivered = await event(40, 'DELIVERED');
  const dead = await event(40, 'DEAD');
  const waiting = await event(40, 'PENDING');
  const recent = await event(1, 'DELIVERED');
  const outcome = await pruneFeeds(api.dataSource, { now: new Date(), changeFeedDays: 30, outboxDays: 30 });
  expect([outcome.outboxEvents, outcome.deliveries]).toEqual([2, 2]);
  const kept: { id: string }[] = await api.dataSource.query(
    `SELECT id FROM outbox_events WHERE id = ANY($1) ORDER BY id`,
    [[delivered, dead, waiting, recent]],
  );
  expect(kept.map((row) => row.id)).toEqual([waiting, recent].sort());
  const deliveries: { event_id: string }[] = await api.dataSource.query(
    `SELECT event_id FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY event_id`,
    [endpoint],
  );
  expect(deliveries.map((row) => row.event_id)).toEqual([waiting, recent].sort());
});
