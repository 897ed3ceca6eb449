// Live alerts over graphql-ws: a grid worker of grid A receives the alert for a person in grid A and
// not the one in grid B — a subscriber never receives an alert it could not query.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApi, type TestApi } from '../../support/api';
import { registerPerson } from '../../support/fixtures';

let api: TestApi;
let client: Client | undefined;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await client?.dispose();
  await api.close();
});

const RAISE = `mutation($input: RaiseAlertInput!) { raiseAlert(input: $input) { alert { id } userErrors { message } } }`;

test('a grid-A worker receives the grid-A alert live and not the grid-B one', async () => {
  const workerA = await api.login('grid.worker');
  const workerB = await api.login('gridb.worker');
  const inA = await registerPerson(api, workerA, { name: '甲网格', gridId: await api.node('gridA') });
  const inB = await registerPerson(api, workerB, { name: '乙网格', gridId: await api.node('gridB') });

  client = createClient({
    url: api.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${workerA}` },
    retryAttempts: 0,
  });
  const received: { id: string; description: string }[] = [];
  const subscribed = new Promise<void>((resolve, reject) => {
    client?.on('connected', () => setTimeout(resolve, 200));
    client?.on('error', reject);
  });
  const stop = client.subscribe<{ alertReceived: { alert: { id: string; description: string } } }>(
    { query: `subscription { alertReceived { alert { id description } } }` },
    {
      next: (message) => {
        const alert = message.data?.alertReceived.alert;
        if (alert) received.push(alert);
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await subscribed;

  const fromB = await api.gql(RAISE, { input: { personId: inB, description: '乙网格苗头' } }, workerB);
  const fromA = await api.gql(RAISE, { input: { personId: inA, description: '甲网格苗头' } }, workerA);
  const idA = fromA.data?.raiseAlert.alert.id;
  expect(fromB.data?.raiseAlert.alert.id).toBeTruthy();
  const deadline = Date.now() + 5000;
  while (!received.some((alert) => alert.id === idA) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  stop();
  expect(received).toEqual([{ id: idA, description: '甲网格苗头' }]);
});

test('a subscription without a valid token is refused', async () => {
  const refused = createClient({
    url: api.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: 'Bearer forged' },
    retryAttempts: 0,
  });
  const outcome = await new Promise<string>((resolve) => {
    refused.subscribe(
      { query: `subscription { alertReceived { alert { id } } }` },
      { next: () => resolve('data'), error: () => resolve('refused'), complete: () => resolve('complete') },
    );
  });
  await refused.dispose();
  expect(outcome).toBe('refused');
});
