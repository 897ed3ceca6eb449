// The pure rules of webhook delivery: exponential backoff with jitter, the dead-letter threshold, what
// counts as delivered — and the SSRF check of a target, which needs no server.
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { isDeadLetter, isDelivered, retryDelayMs } from '../../src/domain/webhooks/rules';
import { checkTarget } from '../../src/domain/webhooks/target';

test('the wait doubles from the base up to the cap, jittered to between half and all of it', () => {
  expect([1, 2, 3, 4].map((failures) => retryDelayMs(failures, 1000, 60_000, 0.999999))).toEqual([
    1000, 2000, 4000, 8000,
  ]);
  expect([1, 2, 3, 4].map((failures) => retryDelayMs(failures, 1000, 60_000, 0))).toEqual([
    500, 1000, 2000, 4000,
  ]);
  expect(retryDelayMs(30, 1000, 60_000, 0.999999)).toBe(60_000);
  expect(retryDelayMs(30, 1000, 60_000, 0)).toBe(30_000);
});

test('a delivery is dead after the configured number of failures; only 2xx is delivered', () => {
  expect([7, 8, 9].map((failures) => isDeadLetter(failures, 8))).toEqual([false, true, true]);
  expect([199, 200, 204, 299, 301, 302, 404, 500].map(isDelivered)).toEqual([
    false,
    true,
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});

test('targets: loopback passes; allowed hosts must not resolve to private addresses unless configured', async () => {
  const base = loadConfig({ NODE_ENV: 'test' });
  const database = new DataSource({ type: 'postgres', url: 'postgres://db.internal:5432/concord' });
  const config = { ...base, databaseUrl: 'postgres://127.0.0.1:6543/concord' };
  expect(await checkTarget('http://127.0.0.1:8080/hook', config, database)).toMatchObject({
    target: { address: '127.0.0.1', port: 8080 },
  });
  expect(await checkTarget('http://[::1]:8080/hook', config, database)).toMatchObject({
    target: { address: '::1' },
  });
  expect(await checkTarget('http://127.0.0.1:6543/', config, database)).toEqual({
    refused: 'url must not name the database',
  });
  expect(await checkTarget('http://0.0.0.0:8080/', config, database)).toHaveProperty('refused');
  const allowed = { ...config, webhooks: { ...config.webhooks, allowedHosts: ['10.1.2.3'] } };
  expect(await checkTarget('http://10.1.2.3/hook', allowed, database)).toHaveProperty('refused');
  const privateAllowed = { ...allowed, webhooks: { ...allowed.webhooks, allowPrivateNetworks: true } };
  expect(await checkTarget('http://10.1.2.3/hook', privateAllowed, database)).toMatchObject({
    target: { address: '10.1.2.3' },
  });
  // Never the metadata service, allowed or not.
  const metadata = {
    ...privateAllowed,
    webhooks: { ...privateAllowed.webhooks, allowedHosts: ['169.254.169.254'] },
  };
  expect(await checkTarget('http://169.254.169.254/', metadata, database)).toHaveProperty('refused');
});
