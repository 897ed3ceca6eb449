// Reads the rows of a TypeORM query builder into entities without TypeORM's general-purpose
// transformer (which groups rows by primary key for joined relations, and on a 50-person dashboard
// cost more CPU than the SQL). The query builder still writes the SQL; each column still goes
// through the driver's own conversion (dates, transformers), so entities come out the same as
// getMany's. Only for queries that select the main alias's columns and no joined entities.
import type { EntityTarget, ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils';
import { queryPrepared } from './prepared';
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

/**
 * The SQL text of loader queries, by a key the loader gives: TypeORM writes a query's SQL anew on
 * every call (replacing property names across the whole statement), a large share of the time a
 * dashboard spends in TypeORM (docs/performance.md#loader-sql-cache). A loader builds its query the same way every time but
 * for a few things — the columns, the caller's row scope — and its key names all of them. Parameters
 * are still bound on every call.
 */
const sqlByKey = new Map<string, string>();
let checkSqlKeys = false;

/** Tests set this: every keyed query is also written anew, and a key that names two texts throws. */
export function checkSqlCacheKeys(enabled: boolean): void {
  checkSqlKeys = enabled;
}

/** A statement written by the caller rather than by the builder it reads entities with. */
export interface WrittenStatement {
  write: () => string;
  parameters: ObjectLiteral;
}

function sqlAndParameters(
  query: SelectQueryBuilder<ObjectLiteral>,
  key: string | undefined,
  statement: WrittenStatement | undefined,
): [string, unknown[]] {
  if (key === undefined) return query.getQueryAndParameters();
  let sql = sqlByKey.get(key);
  if (sql === undefined || checkSqlKeys) {
    const written = statement ? statement.write() : query.getQuery();
    if (sql !== undefined && sql !== written) throw new Error(`SQL cache key ${key} names two statements`);
    sql = written;
    sqlByKey.set(key, sql);
  }
  return query.connection.driver.escapeQueryWithParameters(
    sql,
    statement?.parameters ?? query.getParameters(),
  );
}

/**
 * The query's rows and one entity per row, in the same order (`entities[i]` is read from `raw[i]`,
 * so a join that repeats an entity repeats it here too). With `sqlKey`, the query's SQL is written
 * once per key (see `sqlByKey`): the key must name everything the SQL text depends on; and it runs
 * as a named statement (prepared.ts) unless `named` is false.
 */
export async function readRawAndEntities<T extends ObjectLiteral, R = Record<string, unknown>>(
  query: SelectQueryBuilder<T>,
  sqlKey?: string,
  /** With a key: the statement to run instead of `query`'s own (which then only says how to read rows). */
  statement?: WrittenStatement,
  { named = sqlKey !== undefined }: { named?: boolean } = {},
): Promise<{ raw: R[]; entities: T[] }> {
  const main = query.expressionMap.mainAlias;
  if (!main?.hasMetadata) throw new Error('readRawAndEntities needs a query on an entity');
  const metadata = main.metadata;
  const { columns } = hydratorOf(query as SelectQueryBuilder<ObjectLiteral>, metadata, main.name);
  const driver = query.connection.driver;
  const [sql, parameters] = sqlAndParameters(query as SelectQueryBuilder<ObjectLiteral>, sqlKey, statement);
  // A builder made from a transaction's manager carries that transaction's runner (a protected
  // field): the rows must be read on it, inside the transaction, as getMany would.
  const runner = (query as unknown as { queryRunner?: QueryRunner }).queryRunner;
  const raw = named
    ? await queryPrepared(query.connection, sql, parameters, runner)
    : ((await query.connection.query(sql, parameters, runner)) as Record<string, unknown>[]);
  const entities = raw.map((row) => hydrate<T>(metadata, columns, driver, row));
  return { raw: raw as R[], entities };
}

/** The query's entities, one per row (for `sqlKey`, see `readRawAndEntities`). */
export async function readEntities<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  sqlKey?: string,
): Promise<T[]> {
  return (await readRawAndEntities(query, sqlKey)).entities;
}

/**
 * How the fields of a GraphQL type read an entity's columns, so a loader can read only the columns a
 * query asks for. A field that is a column reads itself; a field computed by a field resolver reads
 * what `computed` lists for it; `always` is read whatever is asked (the key, and what the permission
 * layer reads from the row — say, the grid an address mask names).
 */
export interface SelectionColumns {
  always: readonly string[];
  computed: Readonly<Record<string, readonly string[]>>;
}

const propertiesByEntity = new WeakMap<EntityMetadata, ReadonlySet<string>>();

/**
 * The properties to read for `fields` (sorted, so equal selections share one loader), or undefined —
 * the whole row — when a field is neither a column nor listed in `computed` (a field resolver added
 * later and not listed reads whole rows, as before: never too little), or when all are needed anyway.
 */
export function columnsFor(
  metadata: EntityMetadata,
  selection: SelectionColumns,
  fields: ReadonlySet<string>,
): string[] | undefined {
  let properties = propertiesByEntity.get(metadata);
  if (!properties) {
    properties = new Set(metadata.columns.map((column) => column.propertyName));
    propertiesByEntity.set(metadata, properties);
  }
  const columns = new Set(selection.always);
  for (const field of fields) {
    if (field === '__typename') continue;
    const reads = selection.computed[field] ?? (properties.has(field) ? [field] : undefined);
    if (!reads) return undefined;
    for (const property of reads) columns.add(property);
  }
  return columns.size < properties.size ? [...columns].sort() : undefined;
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
