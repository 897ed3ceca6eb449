// The change feed under concurrent writers (issue 21 item 1): eight writers change the same persons at
// once — six through the API, two holding transactions open on the database that take their
// transaction ids first and commit only after others have, so lower transaction ids commit after
// higher ones, one of them taking its place in the feed long before its commit completes — while a
// reader follows the feed in small pages. At the end the reader has seen every
// committed change exactly once, each within the time its commit happened, in an order that agrees
// with commit order for every record.
import { startTestApi, type TestApi } from '../support/api';
import { registerPerson } from '../support/fixtures';

let api: TestApi;
const persons: string[] = [];

/** Six writers through the API, as the three kinds of account that register persons in grid A. */
const API_WRITERS = [
  'grid.worker',
  'comprehensive_governance.worker',
  'city_center.worker',
  'grid.worker',
  'comprehensive_governance.worker',
  'city_center.worker',
];
const UPDATES_PER_API_WRITER = 8;
const DATABASE_WRITERS = 2;
const TRANSACTIONS_PER_DATABASE_WRITER = 4;

beforeAll(async () => {
  api = await startTestApi();
  const street = await api.login('comprehensive_governance.worker');
  const gridA = await api.node('gridA');
  for (let index = 0; index < 6; index += 1) {
    persons.push(
      await registerPerson(api, street, {
        name: `并发${index}`,
        gridId: gridA,
        birthDate: `197${index}-01-01`,
      }),
    );
  }
});
afterAll(() => api.close());

/** A committed write: the persons it changed and the times between which it committed. */
interface Write {
  persons: string[];
  /** Before the commit could have happened (ms). */
  from: number;
  /** After it had happened (ms). */
  to: number;
}

interface Seen {
  recordId: string;
  changedAt: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('eight concurrent writers, one reader: every committed change exactly once, in commit order per record', async () => {
  const writes: Write[] = [];
  let apiCommits = 0;
  let apiDone = false;
  let writersDone = false;

  const apiWriter = async (username: string, writer: number) => {
    const token = await api.login(username);
    for (let update = 0; update < UPDATES_PER_API_WRITER; update += 1) {
      const personId = persons[(writer + update) % persons.length] as string;
      for (;;) {
        const [row] = await api.dataSource.query(`SELECT version FROM persons WHERE id = $1`, [personId]);
        const from = Date.now();
        const result = await api.gql(
          `mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { person { id } userErrors { message code } } }`,
          {
            input: {
              id: personId,
              expectedVersion: (row as { version: number }).version,
              occupation: `写入${writer}-${update}`,
            },
          },
          token,
        );
        const to = Date.now();
        if (result.data?.updatePerson?.person) {
          writes.push({ persons: [personId], from, to });
          apiCommits += 1;
          break;
        }
        // Another writer got there first: read the version again and retry.
        if (result.data?.updatePerson?.userErrors?.[0]?.code !== 'CONFLICT') {
          throw new Error(`updatePerson: ${JSON.stringify(result)}`);
        }
      }
    }
  };

  const lateTransactionIds: string[] = [];
  let pagesRead = 0;
  const databaseWriter = async (writer: number) => {
    for (let transaction = 0; transaction < TRANSACTIONS_PER_DATABASE_WRITER; transaction += 1) {
      const runner = api.dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        // Take a transaction id now, and commit only after the API writers have committed again.
        const [{ xid }] = await runner.query(`SELECT pg_current_xact_id()::text AS xid`);
        lateTransactionIds.push(xid as string);
        const waitFor = apiCommits + 3;
        while (apiCommits < waitFor && !apiDone) await sleep(5);
        const targets = [0, 1, 2].map(
          (offset) => persons[(writer * 3 + transaction + offset) % persons.length] as string,
        );
        await runner.query(`SELECT id FROM persons WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [targets]);
        await runner.query(`UPDATE persons SET occupation = $2, version = version + 1 WHERE id = ANY($1)`, [
          targets,
          `直写${writer}-${transaction}`,
        ]);
        const [{ at }] = await runner.query(`SELECT clock_timestamp() AS at`);
        if (writer === 0 && transaction === 1) {
          // A commit that takes its time once numbered (a slow disk, a synchronous standby): the
          // number is taken now, and whoever commits meanwhile must not be read before it.
          await runner.query(`SET CONSTRAINTS record_changes_commit IMMEDIATE`);
          const commitsBefore = apiCommits;
          let pagesBefore = pagesRead;
          const until = Date.now() + 1000;
          while (Date.now() < until) {
            if (apiCommits < commitsBefore + 2) pagesBefore = pagesRead;
            else if (pagesRead >= pagesBefore + 2) break;
            await sleep(5);
          }
        }
        await runner.commitTransaction();
        writes.push({ persons: targets, from: (at as Date).getTime(), to: Date.now() });
      } finally {
        await runner.release();
      }
    }
  };

  const reader = await api.login('grid.worker');
  const read = async (after: string | null) => {
    const page = await api.gql(
      `query($after: String) { changes(after: $after, first: 3) {
         edges { node { recordType recordId operation changedAt } }
         pageInfo { hasNextPage endCursor } } }`,
      { after },
      reader,
    );
    if (!page.data) throw new Error(`changes: ${JSON.stringify(page.errors)}`);
    return page.data.changes as {
      edges: { node: { recordType: string; recordId: string; operation: string; changedAt: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
  };
  // Start from now: drain what the setup wrote.
  let cursor: string | null = null;
  for (;;) {
    const page = await read(cursor);
    cursor = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) break;
  }

  const seen: Seen[] = [];
  let pagesReadWhileWriting = 0;
  const follower = async () => {
    for (;;) {
      const writing = !writersDone;
      const page = await read(cursor);
      cursor = page.pageInfo.endCursor;
      pagesRead += 1;
      for (const { node } of page.edges) {
        if (node.recordType !== 'PERSON' || !persons.includes(node.recordId)) continue;
        expect(node.operation).toBe('UPDATED');
        seen.push({ recordId: node.recordId, changedAt: Date.parse(node.changedAt) });
      }
      if (writing && page.edges.length > 0) pagesReadWhileWriting += 1;
      if (!page.pageInfo.hasNextPage) {
        if (!writing) return;
        await sleep(10);
      }
    }
  };

  const following = follower();
  const apiWriting = Promise.all(API_WRITERS.map((username, index) => apiWriter(username, index))).finally(
    () => {
      apiDone = true;
    },
  );
  await Promise.all([
    apiWriting,
    ...Array.from({ length: DATABASE_WRITERS }, (_, writer) => databaseWriter(writer)),
  ]);
  writersDone = true;
  await following;

  expect(writes).toHaveLength(
    API_WRITERS.length * UPDATES_PER_API_WRITER + DATABASE_WRITERS * TRANSACTIONS_PER_DATABASE_WRITER,
  );
  expect(pagesReadWhileWriting).toBeGreaterThan(1);
  // Transactions with lower ids did commit after higher ones.
  const [{ inverted }] = await api.dataSource.query(
    `SELECT count(*)::int AS inverted
       FROM record_change_commits late
       JOIN record_change_commits early ON early.seq < late.seq AND early.xid > late.xid
      WHERE late.xid = ANY($1::xid8[])`,
    [lateTransactionIds],
  );
  expect(inverted).toBeGreaterThan(0);

  for (const personId of persons) {
    const committed = writes.filter((write) => write.persons.includes(personId));
    const entries = seen.filter((entry) => entry.recordId === personId);
    // Exactly once: as many entries as commits that changed the person.
    expect([personId, entries.length]).toEqual([personId, committed.length]);
    // In commit order: the commit times the feed reports never go back.
    const times = entries.map((entry) => entry.changedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Each commit is one of the entries, reported at a time within its own commit window; so two
    // commits one after the other in real time are reported in that order. (Intervals by their end,
    // each taking the earliest entry it can: a perfect matching exists exactly when this finds one.)
    const unmatched = [...entries];
    for (const write of [...committed].sort((a, b) => a.to - b.to)) {
      const index = unmatched.findIndex(
        (entry) => entry.changedAt >= write.from - 1 && entry.changedAt <= write.to + 1,
      );
      expect([personId, write, index >= 0]).toEqual([personId, write, true]);
      unmatched.splice(index, 1);
    }
    expect(unmatched).toEqual([]);
  }
});
