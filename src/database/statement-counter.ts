// Counts the SQL statements each request runs (AsyncLocalStorage), so tests and benchmarks can
// show that page size does not change the number of statements (no N+1).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger, QueryRunner } from 'typeorm';

interface Counter {
  statements: number;
}

const storage = new AsyncLocalStorage<Counter>();

export function runCountingStatements<T>(work: () => T): { result: T; counter: Counter } {
  const counter: Counter = { statements: 0 };
  const result = storage.run(counter, work);
  return { result, counter };
}

export function currentStatementCounter(): Counter | undefined {
  return storage.getStore();
}

/** A TypeORM logger that counts every query issued inside a counted scope and logs nothing itself. */
export class StatementCountingLogger implements Logger {
  logQuery(_query: string, _parameters?: unknown[], _queryRunner?: QueryRunner): void {
    const counter = storage.getStore();
    if (counter) counter.statements += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
