// Idempotent creates under retries (SPEC §5): the same key and input, sent many times at once, make
// one record; the same key with another input is a CONFLICT and makes none.
import { randomUUID } from 'node:crypto';
import { payloadFingerprint } from '../../src/database/idempotency';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;
let worker: string;
let gridId: string;

const REGISTER = `mutation($input: RegisterPersonInput!) {
  registerPerson(input: $input) { person { id } userErrors { field message code } } }`;

beforeAll(async () => {
  api = await startTestApi();
  worker = await api.login('grid.worker');
  gridId = await api.node('gridA');
});
afterAll(() => api.close());

async function personsNamed(name: string): Promise<number> {
  const rows: { count: number }[] = await api.dataSource.query(
    `SELECT count(*)::int AS count FROM persons WHERE name = $1`,
    [name],
  );
  return rows[0]?.count ?? 0;
}

test('10 concurrent retries of the same input make one person, and all get its id', async () => {
  const input = { name: '并发重试', gridId, idempotencyKey: `retry-${randomUUID()}` };
  const replies = await Promise.all(Array.from({ length: 10 }, () => api.gql(REGISTER, { input }, worker)));
  const ids = replies.map((reply) => reply.data?.registerPerson.person?.id);
  expect(replies.map((reply) => reply.errors)).toEqual(Array(10).fill(undefined));
  expect(new Set(ids).size).toBe(1);
  expect(ids[0]).toEqual(expect.any(String));
  expect(await personsNamed('并发重试')).toBe(1);
});

test('10 concurrent uses of one key with different inputs: one person, the others CONFLICT', async () => {
  const key = `reuse-${randomUUID()}`;
  const names = Array.from({ length: 10 }, (_, index) => `并发冲突${index}`);
  const replies = await Promise.all(
    names.map((name) => api.gql(REGISTER, { input: { name, gridId, idempotencyKey: key } }, worker)),
  );
  const created = replies.filter((reply) => reply.data?.registerPerson?.person?.id);
  const conflicts = replies.filter(
    (reply) => reply.data?.registerPerson?.userErrors?.[0]?.code === 'CONFLICT',
  );
  expect([created.length, conflicts.length]).toEqual([1, 9]);
  const counts = await Promise.all(names.map(personsNamed));
  expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
});

test('the fingerprint ignores key order and undefined, and tells inputs apart', () => {
  const when = new Date('2026-10-01T00:00:00Z');
  expect(payloadFingerprint({ input: { a: 1, b: 'x', at: when, c: undefined } })).toBe(
    payloadFingerprint({ input: { at: new Date(when), b: 'x', a: 1 } }),
  );
  expect(payloadFingerprint({ input: { a: 1 } })).not.toBe(payloadFingerprint({ input: { a: 2 } }));
  expect(payloadFingerprint({ input: { list: [1, 2] } })).not.toBe(
    payloadFingerprint({ input: { list: [2, 1] } }),
  );
});

test('a key remembered before inputs were fingerprinted is still honoured as a retry', async () => {
  const input = { name: '旧键', gridId, idempotencyKey: `legacy-${randomUUID()}` };
  const first = await api.gql(REGISTER, { input }, worker);
  const id = first.data?.registerPerson.person.id;
  await api.dataSource.query(`UPDATE idempotency_keys SET payload_hash = NULL WHERE key = $1`, [
    input.idempotencyKey,
  ]);
  const changed = await api.gql(REGISTER, { input: { ...input, name: '旧键改' } }, worker);
  expect(changed.data?.registerPerson.person.id).toBe(id);
  expect(await personsNamed('旧键改')).toBe(0);
});
