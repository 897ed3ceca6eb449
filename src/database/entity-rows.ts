// Reads the rows of a TypeORM query builder into entities without TypeORM's general-purpose
// transformer (which groups rows by primary key for joined relations, and on a 50-person dashboard
// cost more CPU than the SQL). The query builder still writes the SQL; each column still goes
// through the driver's own conversion (dates, transformers), so entities come out the same as
// getMany's. Only for queries that select the main alias's columns and no joined entities.
import type { ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

interface Hydrator {
  columns: { key: string; property: string; column: ColumnMetadata }[];
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
      })),
    };
    byAlias.set(alias, hydrator);
  }
  return hydrator;
}

/**
 * The query's rows and one entity per row, in the same order (`entities[i]` is read from `raw[i]`,
 * so a join that repeats an entity repeats it here too).
 */
export async function readRawAndEntities<T extends ObjectLiteral, R = Record<string, unknown>>(
  query: SelectQueryBuilder<T>,
): Promise<{ raw: R[]; entities: T[] }> {
  const main = query.expressionMap.mainAlias;
  if (!main?.hasMetadata) throw new Error('readRawAndEntities needs a query on an entity');
  const metadata = main.metadata;
  const { columns } = hydratorOf(query as SelectQueryBuilder<ObjectLiteral>, metadata, main.name);
  const driver = query.connection.driver;
  const [sql, parameters] = query.getQueryAndParameters();
  // A builder made from a transaction's manager carries that transaction's runner (a protected
  // field): the rows must be read on it, inside the transaction, as getMany would.
  const runner = (query as unknown as { queryRunner?: QueryRunner }).queryRunner;
  const raw = (await query.connection.query(sql, parameters, runner)) as Record<string, unknown>[];
  const entities = raw.map((row) => {
    const entity = metadata.create() as Record<string, unknown>;
    for (const { key, property, column } of columns) {
      if (key in row) entity[property] = driver.prepareHydratedValue(row[key], column);
    }
    return entity as T;
  });
  return { raw: raw as R[], entities };
}

/** The query's entities, one per row. */
export async function readEntities<T extends ObjectLiteral>(query: SelectQueryBuilder<T>): Promise<T[]> {
  return (await readRawAndEntities(query)).entities;
}
