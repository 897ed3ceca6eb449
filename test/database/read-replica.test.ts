// A read replica (DATABASE_READ_URL) against a real streaming standby (src/database/standby.ts, test/support/standby.ts): queries
// read from it, a caller that sends back its mutation's Concord-LSN reads its own write even while the
// standby stands still, and the audit entries of reads the standby served land on the primary.
import 'reflect-metadata';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { DEMO_PASSWORD } from '../../src/database/demo-data';
import { startReplicatedCity, type ReplicatedCity, type Standby } from '../support/standby';

jest.setTimeout(120_000);

const MAX_WAIT_MS = 400;

let city: ReplicatedCity;
let standby: Standby;
let readDataSource: DataSource;
let url: string;
let gridId: string;

interface Answer {
  status: number;
  lsnHeader: string | null;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[]; extensions?: any };
}

async function post(
  query: string,
  variables: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    lsnHeader: response.headers.get('concord-lsn'),
    body: (await response.json()) as Answer['body'],
  };
}

const tokens = new Map<string, string>();
async function login(username: string): Promise<string> {
  const cached = tokens.get(username);
  if (cached) return cached;
  const answer = await post(`mutation($input: LoginInput!) { login(input: $input) { token } }`, {
    input: { username, password: DEMO_PASSWORD },
  });
  const token = answer.body.data?.login?.token as string | undefined;
  if (!token) throw new Error(`login ${username}: ${JSON.stringify(answer.body)}`);
  tokens.set(username, token);
  return token;
}

const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { person { id } userErrors { field message } } }`;
const COUNT_BY_NAME = `query Count($name: String!) { persons(filter: { nameContains: $name }) { totalCount } }`;

async function register(name: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const answer = await post(REGISTER, { input: { name, gridId, ...extra } }, await login('grid.worker'));
  expect(answer.body.data?.registerPerson?.userErrors).toEqual([]);
  return answer;
}

async function countByName(name: string, headers: Record<string, string> = {}): Promise<number> {
  const answer = await post(COUNT_BY_NAME, { name }, await login('grid.worker'), headers);
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data.persons.totalCount as number;
}

beforeAll(async () => {
  city = await startReplicatedCity({ readReplicaMaxWaitMs: MAX_WAIT_MS });
  ({ standby, readDataSource, gridId } = city);
  url = await city.serve(true);
});

afterAll(async () => {
  await city?.stop();
});

test('the read connection is a hot standby streaming from the primary, as the runtime role', async () => {
  const [state] = (await readDataSource.query(
    `SELECT pg_is_in_recovery() AS recovering, current_user AS role`,
  )) as { recovering: boolean; role: string }[];
  expect(state).toEqual({ recovering: true, role: 'concord_api' });
  // pg_stat_replication shows its rows to superusers only: asked as the primary's superuser.
  const admin = new Client({ connectionString: city.database.embedded!.adminUrl });
  await admin.connect();
  try {
    const senders = await admin.query(
      `SELECT state FROM pg_stat_replication WHERE application_name = 'concord_standby'`,
    );
    expect(senders.rows).toEqual([{ state: 'streaming' }]);
  } finally {
    await admin.end();
  }
});

test('a mutation answers its commit position; a query without it reads the replica, stale while replay stands still', async () => {
  await standby.pauseReplay();
  try {
    const written = await register('副本甲');
    const lsn = written.body.extensions?.lsn as string;
    expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(written.lsnHeader).toBe(lsn);
    // The standby has not replayed the registration: a query served by it does not see the person.
    expect(await countByName('副本甲')).toBe(0);
    // Sent back, the position makes the query wait for the replica, then read from the primary.
    const started = Date.now();
    expect(await countByName('副本甲', { 'concord-min-lsn': lsn })).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(MAX_WAIT_MS - 20);
  } finally {
    await standby.resumeReplay();
  }
  await standby.catchUp();
  // Replayed: the replica itself now answers, with the position or without it.
  expect(await countByName('副本甲')).toBe(1);
});

test('a query whose commit the replica already replayed reads the replica without waiting for the primary', async () => {
  const written = await register('副本乙');
  const lsn = written.body.extensions?.lsn as string;
  await standby.catchUp();
  await standby.pauseReplay();
  try {
    // A later write the replica has not replayed: a read from the replica misses it, one from the primary would not.
    await register('副本乙');
    expect(await countByName('副本乙', { 'concord-min-lsn': lsn })).toBe(1);
  } finally {
    await standby.resumeReplay();
  }
});

test('the audit entry of a sensitive read the replica served is written on the primary', async () => {
  const registered = await register('副本丙', { idNumber: '330102198001191234' });
  await standby.catchUp();
  const personId = registered.body.data.registerPerson.person.id as string;
  await standby.pauseReplay();
  try {
    await register('副本丙'); // unreplayed: proves which database answers below
    const answer = await post(
      `query ReadOnReplica($id: ID!, $name: String!) {
         person(id: $id) { idNumber }
         persons(filter: { nameContains: $name }) { totalCount } }`,
      { id: personId, name: '副本丙' },
      await login('grid.worker'),
      { 'x-request-id': 'replica-read-1' },
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.person.idNumber).toBe('330102198001191234');
    expect(answer.body.data.persons.totalCount).toBe(1); // the replica: the second 副本丙 is not there yet
    const onPrimary = (await city.database.dataSource.query(
      `SELECT action, operation, record_type, record_ids, fields FROM audit_entries WHERE request_id = 'replica-read-1'`,
    )) as {
      action: string;
      operation: string;
      record_type: string;
      record_ids: string[];
      fields: string[];
    }[];
    expect(onPrimary).toEqual([
      expect.objectContaining({
        action: 'READ',
        operation: 'ReadOnReplica',
        record_type: 'Person',
        fields: ['idNumber'],
      }),
    ]);
    expect(onPrimary[0]!.record_ids).toContain(personId);
    // Not replayed yet: the entry was never the replica's to hold.
    const onReplica = await standby.query<{ count: string }>(
      'concord',
      `SELECT count(*) FROM audit_entries WHERE request_id = 'replica-read-1'`,
    );
    expect(Number(onReplica[0]!.count)).toBe(0);
  } finally {
    await standby.resumeReplay();
  }
});

test('an export reads from the replica as a query does: after the commit its caller names', async () => {
  const exportNamed = async (name: string, headers: Record<string, string> = {}) => {
    const response = await fetch(
      new URL(
        `/export/persons.ndjson?filter=${encodeURIComponent(JSON.stringify({ nameContains: name }))}`,
        url,
      ),
      { headers: { authorization: `Bearer ${await login('grid.worker')}`, ...headers } },
    );
    expect(response.status).toBe(200);
    return (await response.text()).split('\n').filter((line) => line.trim() !== '').length;
  };
  await standby.pauseReplay();
  try {
    const written = await register('副本导出');
    const lsn = written.body.extensions?.lsn as string;
    // Served by the standby, which has not replayed the registration.
    expect(await exportNamed('副本导出')).toBe(0);
    // With the position sent back, the export waits for the replica, then reads the primary.
    expect(await exportNamed('副本导出', { 'concord-min-lsn': lsn })).toBe(1);
    const refused = await fetch(new URL('/export/persons.ndjson', url), {
      headers: { authorization: `Bearer ${await login('grid.worker')}`, 'concord-min-lsn': 'yesterday' },
    });
    expect(refused.status).toBe(400);
  } finally {
    await standby.resumeReplay();
  }
});

test('a Concord-Min-LSN that is no position is refused and reads nothing', async () => {
  const answer = await post(COUNT_BY_NAME, { name: '副本甲' }, await login('grid.worker'), {
    'concord-min-lsn': 'yesterday',
  });
  expect(answer.status).toBe(400);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(answer.body.data).toBeUndefined();
});

test('the change feed reads the replica: a cursor from a fresher read is "nothing new yet" on a lagging replica, never refused, and nothing is repeated once it replays', async () => {
  const FEED = `query($after: String) { changes(after: $after, first: 100) {
    edges { node { recordId } } pageInfo { hasNextPage endCursor } } }`;
  const token = await login('grid.worker');
  const follow = async (after: string | null, headers: Record<string, string> = {}) => {
    const ids: string[] = [];
    let cursor = after;
    for (;;) {
      const page = await post(FEED, { after: cursor }, token, headers);
      expect(page.body.errors).toBeUndefined();
      ids.push(
        ...page.body.data.changes.edges.map((edge: { node: { recordId: string } }) => edge.node.recordId),
      );
      cursor = page.body.data.changes.pageInfo.endCursor as string;
      if (!page.body.data.changes.pageInfo.hasNextPage) return { ids, cursor };
    }
  };
  await standby.catchUp();
  const start = await follow(null);
  await standby.pauseReplay();
  let fresh: { ids: string[]; cursor: string };
  let personId: string;
  try {
    const written = await register('副本变更流');
    personId = written.body.data.registerPerson.person.id as string;
    const lsn = written.body.extensions?.lsn as string;
    // With the position sent back the primary answers: the new person, and a cursor past the replica.
    fresh = await follow(start.cursor, { 'concord-min-lsn': lsn });
    expect(fresh.ids).toContain(personId);
    // The replica has not replayed it: that cursor there is "nothing new yet", the same cursor back.
    const lagging = await post(FEED, { after: fresh.cursor }, token);
    expect(lagging.body.errors).toBeUndefined();
    expect(lagging.body.data.changes).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: fresh.cursor },
    });
    // And from the older cursor the replica does not know the change yet.
    expect((await follow(start.cursor)).ids).not.toContain(personId);
  } finally {
    await standby.resumeReplay();
  }
  await standby.catchUp();
  // Replayed: the replica reads on from the fresher cursor without repeating the change, and from the
  // older one it now has it.
  expect((await follow(fresh.cursor)).ids).not.toContain(personId);
  expect((await follow(start.cursor)).ids).toContain(personId);
});

test('while the replica is down, queries read from the primary', async () => {
  await standby.stop();
  // The routing notices at its next probe, at most a second later.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await register('副本丁');
  expect(await countByName('副本丁')).toBe(1);
  expect(await countByName('副本甲')).toBe(1);
});
