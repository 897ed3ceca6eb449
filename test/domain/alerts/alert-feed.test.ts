// The live alert feed outlives a lost database connection (a restart, a failover, the database
// stopping first on Ctrl-C): it reports it, listens again, and delivers the next alert.
import { ALERT_CHANNEL, AlertFeed } from '../../../src/domain/alerts/alert-feed';
import { startTestApi, type TestApi } from '../../support/api';

let api: TestApi;
let feed: AlertFeed;
const logged: string[] = [];

beforeAll(async () => {
  api = await startTestApi();
  const url = (api.dataSource.options as { url: string }).url;
  feed = new AlertFeed(url, (message) => logged.push(message));
  await feed.start();
});
afterAll(async () => {
  await feed.stop();
  await api.close();
});

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('after its connection is killed the feed listens again and delivers the next alert', async () => {
  await api.dataSource.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE application_name = 'concord-alert-feed' AND datname = current_database()`,
  );
  await until(() => logged.length > 0);
  expect(logged[0]).toMatch(/lost its database connection/);
  await until(() => feed.listening);

  const controller = new AbortController();
  const received = (async () => {
    for await (const event of feed.alertsFor('user-1', controller.signal)) return event;
    return null;
  })();
  await api.dataSource.query(`SELECT pg_notify($1, $2)`, [
    ALERT_CHANNEL,
    JSON.stringify({ alertId: 'alert-1', recipients: ['user-1'] }),
  ]);
  await expect(received).resolves.toEqual({ alertId: 'alert-1', recipients: ['user-1'] });
  controller.abort();
});
