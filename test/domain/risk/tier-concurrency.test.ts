// The tier is derived from inputs that different transactions change: an assessment recorded while a
// dispute of the same person opens or closes must leave the tier the rule gives on the final data,
// whichever commits last. Each trial races two real requests, then recomputes from committed data in
// a fresh transaction and expects no change.
import { recomputeTiers } from '../../../src/domain/risk/tier.service';
import { startTestApi, type TestApi } from '../../support/api';
import { registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let worker: string;
let leader: string;
let gridA: string;

beforeAll(async () => {
  api = await startTestApi();
  worker = await api.login('grid.worker');
  leader = await api.login('grid.leader');
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

const TRIALS = 8;

async function disputeInMediation(
  personId: string,
  otherId: string,
): Promise<{ id: string; version: number }> {
  const id = await registerDispute(api, worker, {
    category: 'NEIGHBOR',
    gridId: gridA,
    parties: [personId, otherId],
  });
  let version = 1;
  for (const [status, token] of [
    ['ACCEPTED', leader],
    ['IN_MEDIATION', worker],
  ] as const) {
    const moved = await api.gql(
      `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) {
         dispute { version } userErrors { message } } }`,
      { input: { disputeId: id, status, expectedVersion: version } },
      token,
    );
    version = moved.data?.changeDisputeStatus.dispute?.version;
    if (!version) throw new Error(`could not move the dispute to ${status}: ${JSON.stringify(moved)}`);
  }
  return { id, version };
}

const assess = (personId: string, codes: string[]) =>
  api.gql(
    `mutation($input: RecordAssessmentInput!) { recordAssessment(input: $input) { userErrors { message } } }`,
    { input: { personId, indicators: codes.map((code) => ({ code, note: '观察' })) } },
    worker,
  );

const resolve = (dispute: { id: string; version: number }) =>
  api.gql(
    `mutation($input: ChangeDisputeStatusInput!) { changeDisputeStatus(input: $input) { userErrors { message } } }`,
    { input: { disputeId: dispute.id, status: 'RESOLVED', expectedVersion: dispute.version } },
    worker,
  );

/** The stored tier and categories, and what recomputing them from committed data gives. */
async function storedAndRecomputed(personId: string) {
  const read = async () => {
    const [row] = await api.dataSource.query(
      `SELECT tier, tier_explanation_data->'categories' AS categories FROM persons WHERE id = $1`,
      [personId],
    );
    return row as { tier: string; categories: string[] };
  };
  const stored = await read();
  await api.dataSource.transaction((tx) => recomputeTiers(tx, [personId], api.clock.now));
  return { stored, recomputed: await read() };
}

test('an assessment recorded while the person’s only open dispute is resolved: the tier of the final data', async () => {
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const personId = await registerPerson(api, worker, { name: `竞态甲${trial}`, gridId: gridA });
    const other = await registerPerson(api, worker, { name: `竞态乙${trial}`, gridId: gridA });
    const dispute = await disputeInMediation(personId, other);
    const [assessed, resolved] = await Promise.all([assess(personId, ['VOLATILE_TEMPER']), resolve(dispute)]);
    expect(assessed.data?.recordAssessment.userErrors).toEqual([]);
    expect(resolved.data?.changeDisputeStatus.userErrors).toEqual([]);
    const { stored, recomputed } = await storedAndRecomputed(personId);
    // CHARACTER only: the dispute is closed.
    expect(stored).toEqual({ tier: 'YELLOW', categories: ['CHARACTER'] });
    expect(recomputed).toEqual(stored);
  }
});

test('a dispute registered while another of the person’s disputes is resolved: still a party to an open one', async () => {
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const personId = await registerPerson(api, worker, { name: `竞态丙${trial}`, gridId: gridA });
    const other = await registerPerson(api, worker, { name: `竞态丁${trial}`, gridId: gridA });
    const dispute = await disputeInMediation(personId, other);
    await Promise.all([
      registerDispute(api, worker, { category: 'FAMILY', gridId: gridA, parties: [personId, other] }),
      resolve(dispute),
    ]);
    const { stored, recomputed } = await storedAndRecomputed(personId);
    expect(stored).toEqual({ tier: 'YELLOW', categories: ['EVENT'] });
    expect(recomputed).toEqual(stored);
  }
});

test('an assessment recorded while a dispute is registered: both count', async () => {
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const personId = await registerPerson(api, worker, { name: `竞态戊${trial}`, gridId: gridA });
    const other = await registerPerson(api, worker, { name: `竞态己${trial}`, gridId: gridA });
    await Promise.all([
      assess(personId, ['VOLATILE_TEMPER', 'THREATENED_HARM']),
      registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [personId, other] }),
    ]);
    const { stored, recomputed } = await storedAndRecomputed(personId);
    expect(stored).toEqual({ tier: 'RED', categories: ['CHARACTER', 'BEHAVIOR', 'EVENT'] });
    expect(recomputed).toEqual(stored);
  }
});
