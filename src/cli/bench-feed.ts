// `node dist/src/cli/bench-feed.js [--seconds 20] [--writers 4] [--first 100]`: change-feed lag under
// registerDispute load (issue 21 item 2, "Measure"). Starts the API on the data directory's database
// (the demo city is loaded into an empty one); `writers` concurrent clients register disputes through
// the API as the demo grid worker for `seconds`, while one reader, the same account, follows
// `changes(after, first)` from the feed's end, polling again as soon as a page comes back short.
// For each dispute it prints two lags, as p50/p99/max:
// - commit→visible: from the writer's answer (the transaction has committed by then) to the reader's
//   first page holding the dispute, 0 when the reader saw it before the answer arrived;
// - write→visible: from the entry's changedAt (taken inside the writing transaction) to that page.
// Run it on a data directory of its own: CONCORD_DATA_DIR=/tmp/bench-feed node dist/src/cli/bench-feed.js
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { startDemoServer } from './demo-server';
import { openCliDatabase } from './open-database';
import { runCli } from './run-cli';

const percentile = (sorted: number[], share: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? NaN;

const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? NaN };
};

interface FeedPage {
  data?: {
    changes?: {
      edges: { cursor: string; node: { recordType: string; recordId: string; changedAt: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
  errors?: unknown[];
}

const FEED = `query($after: String, $first: Int) { changes(after: $after, first: $first) {
  edges { cursor node { recordType recordId changedAt } } pageInfo { hasNextPage endCursor } } }`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      writers: { type: 'string', default: '4' },
      first: { type: 'string', default: '100' },
    },
  });
  const seconds = Number(values.seconds);
  const writers = Number(values.writers);
  const first = Number(values.first);
  const config = { ...loadConfig(), exposeSqlStatementCount: false };
  const database = await openCliDatabase(config, (message) => console.log(message));
  const logger = createLogger('warn');
  try {
    const { server, token, parties, gql } = await startDemoServer(database, config, logger);

    // The reader starts at the feed's end: follow it until a page comes back short.
    let cursor: string | null = null;
    const readPage = async () => {
      const page = await gql<FeedPage>(FEED, { after: cursor, first }, token);
      if (!page.data?.changes) throw new Error(`changes: ${JSON.stringify(page.errors)}`);
      const seenAt = Date.now();
      cursor = page.data.changes.pageInfo.endCursor ?? cursor;
      return { seenAt, page: page.data.changes };
    };
    for (;;) if (!(await readPage()).page.pageInfo.hasNextPage) break;

    const answered = new Map<string, number>();
    const seen = new Map<string, { at: number; changedAt: number }>();
    const stopAt = Date.now() + seconds * 1000;
    let writing = true;
    let next = 0;
    const writer = async () => {
      while (Date.now() < stopAt) {
        const party = parties[next % parties.length] as { id: string; grid_id: string };
        next += 1;
        const answer = await gql<{ data?: { registerDispute?: { dispute?: { id: string } | null } } }>(
          `mutation($input: RegisterDisputeInput!) { registerDispute(input: $input) { dispute { id } userErrors { message } } }`,
          {
            input: {
              category: 'NEIGHBOR',
              source: 'POLICE_CALL',
              gridId: party.grid_id,
              description: '压测：变更流延迟',
              parties: [{ personId: party.id, role: 'APPLICANT' }],
            },
          },
          token,
        );
        const id = answer.data?.registerDispute?.dispute?.id;
        if (!id) throw new Error(`registerDispute: ${JSON.stringify(answer)}`);
        answered.set(id, Date.now());
      }
    };
    const reader = async () => {
      const readUntil = () => Date.now() < stopAt + 10_000 && (writing || seen.size < answered.size);
      while (readUntil()) {
        const { seenAt, page } = await readPage();
        for (const { node } of page.edges)
          if (node.recordType === 'DISPUTE' && !seen.has(node.recordId))
            seen.set(node.recordId, { at: seenAt, changedAt: Date.parse(node.changedAt) });
        if (!page.pageInfo.hasNextPage) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const reading = reader();
    const started = Date.now();
    await Promise.all(Array.from({ length: writers }, writer));
    const loadSeconds = (Date.now() - started) / 1000;
    writing = false;
    await reading;

    const commitToVisible: number[] = [];
    const writeToVisible: number[] = [];
    for (const [id, at] of answered) {
      const visible = seen.get(id);
      if (!visible) continue;
      commitToVisible.push(Math.max(0, visible.at - at));
      writeToVisible.push(visible.at - visible.changedAt);
    }
    console.log(
      JSON.stringify(
        {
          seconds,
          writers,
          first,
          registered: answered.size,
          registerDisputePerSecond: Math.round(answered.size / loadSeconds),
          visible: commitToVisible.length,
          commitToVisibleMs: summary(commitToVisible),
          writeToVisibleMs: summary(writeToVisible),
        },
        null,
        2,
      ),
    );
    await server.close();
  } finally {
    await database.close();
  }
}

runCli(main);
