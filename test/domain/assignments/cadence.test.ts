// Cadence and overdue lists (SPEC §3): YELLOW every 15 days, RED daily, computed in SQL with an
// injectable clock; assessments past review-by are listed; a person back at NONE leaves the lists.
import { followUpDue } from '../../../src/domain/assignments/rules';
import { Tier } from '../../../src/domain/risk/risk.enums';
import { startTestApi, type TestApi } from '../../support/api';
import { recordAssessment, registerDispute, registerPerson } from '../../support/fixtures';

let api: TestApi;
let gridA: string;

beforeAll(async () => {
  api = await startTestApi();
  gridA = await api.node('gridA');
});
afterAll(() => api.close());

const OVERDUE = `{ overdueFollowUps(first: 50) { totalCount edges { node { person { id } daysOverdue lastFollowUpAt } } } }`;
const REVIEWS = `{ overdueReviews(first: 50) { totalCount edges { node { person { id } daysOverdue } } } }`;
const overdueIds = (result: any): string[] =>
  result.data?.overdueFollowUps.edges.map((e: any) => e.node.person.id) ?? [];

async function followUp(token: string, personId: string) {
  const result = await api.gql(
    `mutation($input: RecordFollowUpInput!) { recordFollowUp(input: $input) { followUp { id } userErrors { message } } }`,
    { input: { personId, method: 'VISIT', notes: '走访' } },
    token,
  );
  expect(result.data?.recordFollowUp.userErrors).toEqual([]);
}

test('a YELLOW person is overdue 16 days after the last follow-up, not after a new one; RED after one day', async () => {
  let worker = await api.login('grid.worker');
  const yellow = await registerPerson(api, worker, { name: '黄', gridId: gridA });
  await recordAssessment(api, worker, yellow, ['WITHDRAWN']);
  await followUp(worker, yellow);
  const red = await registerPerson(api, worker, { name: '红', gridId: gridA });
  await registerDispute(api, worker, { category: 'NEIGHBOR', gridId: gridA, parties: [red] });
  await recordAssessment(api, worker, red, ['VOLATILE_TEMPER', 'THREATENED_HARM']);
  await followUp(worker, red);

  expect(overdueIds(await api.gql(OVERDUE, {}, worker))).toEqual([]);
  api.clock.advanceDays(1.5);
  worker = await api.login('grid.worker');
  expect(overdueIds(await api.gql(OVERDUE, {}, worker))).toEqual([red]);
  await followUp(worker, red);
  expect(overdueIds(await api.gql(OVERDUE, {}, worker))).toEqual([]);

  api.clock.advanceDays(14.6);
  worker = await api.login('grid.worker');
  const sixteen = await api.gql(OVERDUE, {}, worker);
  expect(overdueIds(sixteen).sort()).toEqual([red, yellow].sort());
  expect(sixteen.data?.overdueFollowUps.totalCount).toBe(2);
  await followUp(worker, yellow);
  expect(overdueIds(await api.gql(OVERDUE, {}, worker))).toEqual([red]);

  const other = await api.login('gridb.worker');
  expect(overdueIds(await api.gql(OVERDUE, {}, other))).toEqual([]);

  api.clock.advanceDays(20);
  worker = await api.login('grid.worker');
  const reviews = await api.gql(REVIEWS, {}, worker);
  expect(reviews.data?.overdueReviews.edges.map((e: any) => e.node.person.id)).toEqual([red]);

  await recordAssessment(api, worker, red, []);
  const rows: { id: string }[] = await api.dataSource.query(
    `SELECT dispute_id AS id FROM dispute_parties WHERE person_id = $1`,
    [red],
  );
  await api.dataSource.query(`UPDATE disputes SET status = 'CLOSED_UNRESOLVED' WHERE id = $1`, [rows[0]?.id]);
  await recordAssessment(api, worker, red, []);
  const person = await api.gql(`query($id: ID!) { person(id: $id) { tier } }`, { id: red }, worker);
  expect(person.data?.person.tier).toBe('NONE');
  expect(overdueIds(await api.gql(OVERDUE, {}, worker))).not.toContain(red);
  const after = await api.gql(REVIEWS, {}, worker);
  expect(after.data?.overdueReviews.totalCount).toBe(0);
});

test('overdue counts from the latest follow-up, whatever order they are recorded, corrected or removed in', async () => {
  let worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '顺序', gridId: gridA });
  await recordAssessment(api, worker, person, ['WITHDRAWN']);
  const record = async (occurredAt: Date) => {
    const result = await api.gql(
      `mutation($input: RecordFollowUpInput!) { recordFollowUp(input: $input) { followUp { id } userErrors { message } } }`,
      { input: { personId: person, method: 'PHONE', notes: '补录', occurredAt: occurredAt.toISOString() } },
      worker,
    );
    expect(result.data?.recordFollowUp.userErrors).toEqual([]);
    return result.data?.recordFollowUp.followUp.id as string;
  };
  const start = api.clock.now;
  const latest = await record(start);
  // Recorded afterwards, but it happened ten days earlier: the latest stays the latest.
  await record(new Date(start.getTime() - 10 * 86400000));
  const entry = async () => {
    const result = await api.gql(OVERDUE, {}, worker);
    return result.data?.overdueFollowUps.edges.find((e: any) => e.node.person.id === person)?.node;
  };

  api.clock.advanceDays(16);
  worker = await api.login('grid.worker');
  expect(await entry()).toEqual({
    person: { id: person },
    daysOverdue: 1,
    lastFollowUpAt: start.toISOString(),
  });

  // An operator removes the latest: the one before it counts, ten days further back.
  await api.dataSource.query(`DELETE FROM follow_ups WHERE id = $1`, [latest]);
  expect(await entry()).toMatchObject({ daysOverdue: 11 });

  // An operator corrects the remaining one to today: nothing is overdue.
  await api.dataSource.query(`UPDATE follow_ups SET occurred_at = $1 WHERE person_id = $2`, [
    api.clock.now,
    person,
  ]);
  expect(await entry()).toBeUndefined();

  // Every person's stored latest is the latest of their follow-ups.
  const drift = await api.dataSource.query(
    `SELECT p.id FROM persons p
      WHERE p.last_follow_up_at IS DISTINCT FROM (SELECT max(f.occurred_at) FROM follow_ups f WHERE f.person_id = p.id)`,
  );
  expect(drift).toEqual([]);
});

test('follow-ups of one person recorded at the same time all land, and the latest is kept', async () => {
  const worker = await api.login('grid.worker');
  const person = await registerPerson(api, worker, { name: '并发', gridId: gridA });
  await recordAssessment(api, worker, person, ['WITHDRAWN']);
  const times = Array.from({ length: 8 }, (_, index) => new Date(api.clock.now.getTime() - index * 3600000));
  const results = await Promise.all(
    times.map((occurredAt) =>
      api.gql(
        `mutation($input: RecordFollowUpInput!) { recordFollowUp(input: $input) { followUp { id } userErrors { message } } }`,
        { input: { personId: person, method: 'VISIT', notes: '同时', occurredAt: occurredAt.toISOString() } },
        worker,
      ),
    ),
  );
  expect(results.map((result) => [result.errors, result.data?.recordFollowUp.userErrors])).toEqual(
    times.map(() => [undefined, []]),
  );
  const [stored] = await api.dataSource.query(`SELECT last_follow_up_at AS at FROM persons WHERE id = $1`, [
    person,
  ]);
  expect(stored.at.toISOString()).toBe(times[0]?.toISOString());
});

test('the due date the database stores follows the cadence rule for every tier, whoever changes the row', async () => {
  // The SQL function behind persons.follow_up_due_at (migration FollowUpDueDate) against the rule in
  // rules.ts, tier by tier: a change of cadence in one without the other fails here.
  const since = new Date('2026-03-29T01:30:00.000Z');
  const last = new Date('2026-10-25T16:45:12.345Z');
  for (const tier of Object.values(Tier)) {
    const [row] = (await api.dataSource.query(
      `SELECT person_follow_up_due($1, NULL, $2) AS from_since, person_follow_up_due($1, $3, $2) AS from_last`,
      [tier, since, last],
    )) as { from_since: Date | null; from_last: Date | null }[];
    expect([tier, row?.from_since?.toISOString() ?? null, row?.from_last?.toISOString() ?? null]).toEqual([
      tier,
      followUpDue(tier, since)?.toISOString() ?? null,
      followUpDue(tier, last)?.toISOString() ?? null,
    ]);
  }
  // Every stored due date is the rule's over the row as it is now, after all the tests above changed
  // tiers, follow-ups and corrections through the API and by hand.
  const rows = (await api.dataSource.query(
    `SELECT tier, tier_since, last_follow_up_at, follow_up_due_at FROM persons`,
  )) as { tier: Tier; tier_since: Date; last_follow_up_at: Date | null; follow_up_due_at: Date | null }[];
  expect(rows.length).toBeGreaterThan(0);
  const drift = rows.filter(
    (row) =>
      (row.follow_up_due_at?.toISOString() ?? null) !==
      (followUpDue(row.tier, row.last_follow_up_at ?? row.tier_since)?.toISOString() ?? null),
  );
  expect(drift).toEqual([]);
});
