// Named (prepared) statements for the reads every request repeats with new values: the identity
// lookup, the loaders' `= ANY(ids)` lookups, list pages, the read-audit insert. PostgreSQL plans an
// unnamed statement anew each time; planning the dashboard's dispute and party lookups cost it more
// than running them. A named statement is parsed once per pooled connection, and after five executions
// PostgreSQL keeps a generic plan when its estimate is no worse than the custom plans', so each
// execution costs PostgreSQL less CPU (docs/performance.md#named-statements).
//
// A generic plan cannot see bound values: a condition a partial index must prove is written as
// literals instead (the persons page's tiers: bound, its generic plan could not use the partial
// index and ran several times slower than the custom one). PostgreSQL keeps planning anew while a generic plan's estimate is worse. Reads written
// per request (`readRawAndEntities` without a key) stay unnamed: one name per text would pile up.
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { QueryFailedError, type DataSource, type QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * How many texts get a name. Each name is prepared on every pooled connection and stays there, and
 * a text depends on the query (columns, filters, page size), so names are handed out first come,
 * first served up to this many; later texts run unnamed. The common reads come first and keep
 * their names; a client sending endless variations cannot grow PostgreSQL's memory without bound.
 */
export const NAMED_STATEMENT_LIMIT = 256;

const names = new Map<string, string>();

/**
 * The statement's name: the same text always gets the same name, and two texts never share one;
 * undefined once NAMED_STATEMENT_LIMIT texts have names.
 */
export function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < NAMED_STATEMENT_LIMIT) {
    name = `concord_${createHash('sha256').update(sql).digest('hex').slice(0, 40)}`;
    names.set(sql, name);
  }
  return name;
}

/** Data sources whose reads run unnamed (setNamedStatements). */
const unnamedOnly = new WeakSet<DataSource>();

/**
 * Whether queryPrepared names its statements on `dataSource` (PREPARED_STATEMENTS, on by default). A
 * named statement lives on one server connection; behind PgBouncer in transaction mode the next
 * transaction may reach another server connection, which does not know the name, so there every
 * read goes unnamed (docs/deployment.md#pgbouncer). The switch belongs to the data source: it is
 * its connections that pass through the pooler.
 */
export function setNamedStatements(dataSource: DataSource, enabled: boolean): void {
  if (enabled) unnamedOnly.delete(dataSource);
  else unnamedOnly.add(dataSource);
}

/** A character that pg escapes inside an array element. */
const ESCAPED_IN_ARRAY = /["\\]/;

/**
 * `value` as pg would send it when it is an array of strings that need no escaping (ids, enum
 * values): the same `{"a","b"}` text pg's arrayString writes, made by one join. pg escapes every
 * element with two regular-expression replacements, a cost paid for every id of every lookup
 * (docs/performance.md#array-parameters). Anything else is left for pg to convert.
 */
export function arrayParameter(value: unknown): unknown {
  if (!Array.isArray(value) || value.length === 0) return value;
  for (const element of value as unknown[]) {
    if (typeof element !== 'string' || ESCAPED_IN_ARRAY.test(element)) return value;
  }
  return `{"${(value as string[]).join('","')}"}`;
}

/**
 * The rows of `sql` run as a named statement on the data source's pool. Inside a transaction
 * (`runner`), past NAMED_STATEMENT_LIMIT, with read replicas configured, or with named statements
 * switched off for the data source (setNamedStatements), it runs through TypeORM
 * as an unnamed statement instead. Counted and logged like every TypeORM query; a failure is
 * TypeORM's QueryFailedError.
 */
export async function queryPrepared<R = Record<string, unknown>>(
  dataSource: DataSource,
  sql: string,
  parameters: readonly unknown[],
  runner?: QueryRunner,
): Promise<R[]> {
  const driver = dataSource.driver as PostgresDriver;
  const name =
    runner || driver.options.type !== 'postgres' || driver.options.replication || unnamedOnly.has(dataSource)
      ? undefined
      : statementName(sql);
  if (!name) return (await dataSource.query(sql, parameters as unknown[], runner)) as R[];
  const pool = driver.master as Pool;
  dataSource.logger.logQuery(sql, parameters as unknown[]);
  try {
    const result = await pool.query({ name, text: sql, values: parameters.map(arrayParameter) });
    return result.rows as R[];
  } catch (error) {
    dataSource.logger.logQueryError(error as Error, sql, parameters as unknown[]);
    throw new QueryFailedError(sql, parameters as unknown[], error as Error);
  }
}
