// Counts the SQL statements each request runs (AsyncLocalStorage), so tests and benchmarks can
// show that page size does not change the number of statements (no N+1).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger, QueryRunner } from 'typeorm';

export interface RecordedStatement {
  query: string;
  parameters: unknown[];
}

export interface Counter {
  statements: number;
  /** Present only when the statements themselves are kept (the benchmark's EXPLAIN check). */
  recorded?: RecordedStatement[];
}

const storage = new AsyncLocalStorage<Counter>();

export function runCountingStatements<T>(work: () => T, record = false): { result: T; counter: Counter } {
  const counter: Counter = record ? { statements: 0, recorded: [] } : { statements: 0 };
  const result = storage.run(counter, work);
  return { result, counter };
}

export function currentStatementCounter(): Counter | undefined {
  return storage.getStore();
}

/**
 * Runs `work` outside every counted scope: for a statement run on behalf of several requests at once
 * (the read-audit batch), which then counts it for each of them with `countStatement`.
 */
export function outsideCountedScopes<T>(work: () => T): T {
  return storage.exit(work);
}

/** Counts one statement for the request `counter` belongs to, as the logger would have. */
export function countStatement(counter: Counter | undefined, query: string, parameters: unknown[]): void {
  if (!counter) return;
  counter.statements += 1;
  counter.recorded?.push({ query, parameters });
}

/** A TypeORM logger that counts every query issued inside a counted scope and logs nothing itself. */
export class StatementCountingLogger implements Logger {
  logQuery(query: string, parameters?: unknown[], _queryRunner?: QueryRunner): void {
    countStatement(storage.getStore(), query, parameters ?? []);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
