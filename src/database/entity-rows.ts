// Reads the rows of a TypeORM query builder into entities without TypeORM's general-purpose
// transformer (which groups rows by primary key for joined relations, and on a 50-person dashboard
// cost more CPU than the SQL). The query builder still writes the SQL; each column still goes
// through the driver's own conversion (dates, transformers), so entities come out the same as
// getMany's. Only for queries that select the main alias's columns and no joined entities.
import type { EntityTarget, ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils';
import { queryPrepared } from './prepared';
import { sqlTextOf } from './sql-text';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

interface Hydrator {
  /** `direct`: the driver would hand the value back as pg parsed it (see `convertsOnRead`). */
  columns: { key: string; property: string; column: ColumnMetadata; direct: boolean }[];
}

/** Column types whose values PostgresDriver.prepareHydratedValue converts; it returns all others as they are. */
const CONVERTED_TYPES = new Set<unknown>([
  'datetime',
  'timestamp',
  'timestamptz',
  'timestamp with time zone',
  'timestamp without time zone',
  'date',
  'time',
  'vector',
  'halfvec',
  'hstore',
  'simple-array',
  'simple-json',
  'cube',
  'enum',
  'simple-enum',
]);

function convertsOnRead(column: ColumnMetadata): boolean {
  return (
    column.transformer !== undefined || typeof column.type !== 'string' || CONVERTED_TYPES.has(column.type)
  );
}

const hydrators = new WeakMap<EntityMetadata, Map<string, Hydrator>>();

function hydratorOf(query: SelectQueryBuilder<ObjectLiteral>, metadata: EntityMetadata, alias: string) {
  let byAlias = hydrators.get(metadata);
  if (!byAlias) {
    byAlias = new Map();
    hydrators.set(metadata, byAlias);
  }
  let hydrator = byAlias.get(alias);
  if (!hydrator) {
    // Embedded columns and relations need TypeORM's own transformer: refuse rather than drop them.
    if (metadata.embeddeds.length > 0 || metadata.relations.length > 0) {
      throw new Error(`${metadata.name} has embedded columns or relations: read it with getMany`);
    }
    const driver = query.connection.driver;
    hydrator = {
      columns: metadata.columns.map((column) => ({
        key: DriverUtils.buildAlias(driver, undefined, alias, column.databaseName),
        property: column.propertyName,
        column,
        direct: !convertsOnRead(column),
      })),
    };
    byAlias.set(alias, hydrator);
  }
  return hydrator;
}

/** One entity from the columns of one row, each converted by the driver as getMany would. */
function hydrate<T>(
  metadata: EntityMetadata,
  columns: Hydrator['columns'],
  driver: SelectQueryBuilder<ObjectLiteral>['connection']['driver'],
  row: Record<string, unknown>,
): T {
  const entity = metadata.create() as Record<string, unknown>;
  for (const { key, property, column, direct } of columns) {
    if (key in row) entity[property] = direct ? row[key] : driver.prepareHydratedValue(row[key], column);
  }
  return entity as T;
}

/** A statement written by the caller rather than by the builder it reads entities with. */
export interface WrittenStatement {
  /** The text with its parameters named (`:ids`), as a builder's getQuery writes it. */
  sql: string;
  parameters: ObjectLiteral;
}

/**
 * The query's rows and one entity per row, in the same order (`entities[i]` is read from `raw[i]`,
 * so a join that repeats an entity repeats it here too). The SQL text is kept per shape of query
 * (sql-text.ts), and a kept text runs as a named statement (prepared.ts) unless `named` is false.
 */
export async function readRawAndEntities<T extends ObjectLiteral, R = Record<string, unknown>>(
  query: SelectQueryBuilder<T>,
  options: {
    /** The statement to run instead of `query`'s own (which then only says how to read rows). */
    statement?: WrittenStatement;
    named?: boolean;
  } = {},
): Promise<{ raw: R[]; entities: T[] }> {
  const main = query.expressionMap.mainAlias;
  if (!main?.hasMetadata) throw new Error('readRawAndEntities needs a query on an entity');
  const metadata = main.metadata;
  const { columns } = hydratorOf(query as SelectQueryBuilder<ObjectLiteral>, metadata, main.name);
  const driver = query.connection.driver;
  const { sql: text, kept } = options.statement
    ? { sql: options.statement.sql, kept: options.named ?? false }
    : sqlTextOf(query as SelectQueryBuilder<ObjectLiteral>);
  const [sql, parameters] = driver.escapeQueryWithParameters(
    text,
    options.statement?.parameters ?? query.getParameters(),
  );
  // A builder made from a transaction's manager carries that transaction's runner (a protected
  // field): the rows must be read on it, inside the transaction, as getMany would.
  const runner = (query as unknown as { queryRunner?: QueryRunner }).queryRunner;
  const raw =
    (options.named ?? kept)
      ? await queryPrepared(query.connection, sql, parameters, runner)
      : ((await query.connection.query(sql, parameters, runner)) as Record<string, unknown>[]);
  const entities = raw.map((row) => hydrate<T>(metadata, columns, driver, row));
  return { raw: raw as R[], entities };
}

/** The query's entities, one per row. */
export async function readEntities<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): Promise<T[]> {
  return (await readRawAndEntities(query)).entities;
}

/**
 * The entities of a joined alias among the rows of `readRawAndEntities` (one per row, in order), null
 * where the outer join found none. The query must select that alias's columns (`addSelect`).
 */
export function joinedEntities<T extends ObjectLiteral>(
  query: SelectQueryBuilder<ObjectLiteral>,
  target: EntityTarget<T>,
  alias: string,
  raw: readonly Record<string, unknown>[],
): (T | null)[] {
  const metadata = query.connection.getMetadata(target);
  const { columns } = hydratorOf(query, metadata, alias);
  const driver = query.connection.driver;
  const keys = metadata.primaryColumns.map((column) =>
    DriverUtils.buildAlias(driver, undefined, alias, column.databaseName),
  );
  return raw.map((row) => {
    if (keys.some((key) => row[key] === null || row[key] === undefined)) return null;
    return hydrate<T>(metadata, columns, driver, row);
  });
}
