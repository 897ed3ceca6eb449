// SQL statement counts for tests and the benchmark (never in production): a request is counted when
// configured, and its answer carries `extensions.sqlStatements` (and `extensions.sql` when asked).
import type { IncomingMessage } from 'node:http';
import type { FormattedExecutionResult } from 'graphql';
import type { Config } from '../config';
import { currentStatementCounter, runCountingStatements } from '../database/statement-counter';

/**
 * Runs `work`, counting its statements when anyone reads the count. Counting uses AsyncLocalStorage,
 * which has a price per promise: on Node 20 the first counted request turns on promise hooks for the
 * rest of the process's life, and every later promise costs more
 * (docs/performance.md#statement-counting).
 */
export async function countingStatements(
  config: Config,
  request: IncomingMessage,
  work: () => Promise<void>,
): Promise<void> {
  const explain = config.exposeSqlText && request.headers['x-concord-explain'] === '1';
  if (config.exposeSqlStatementCount || explain) {
    await runCountingStatements(work, explain).result;
  } else {
    await work();
  }
}

/** Adds the counted statements to an answer about to leave (after its audit entry was written). */
export function addStatementCounts(config: Config): (result: FormattedExecutionResult) => void {
  return (result) => {
    const counter = currentStatementCounter();
    if (config.exposeSqlStatementCount && counter) {
      result.extensions = { ...result.extensions, sqlStatements: counter.statements };
    }
    if (config.exposeSqlText && config.nodeEnv !== 'production' && counter?.recorded) {
      result.extensions = { ...result.extensions, sql: counter.recorded };
    }
  };
}
