// The SQL text of a TypeORM query builder, written once per shape of query. TypeORM writes a query's
// SQL anew on every call (replacing property names across the whole statement), a large share of the
// time a dashboard spends in TypeORM (docs/performance.md#loader-sql-cache). A loader builds its query
// the same way every time but for the bound values, so the text is kept under the query's shape: every
// part of the builder the text is written from (alias, selections, joins, conditions, order, limits,
// locks), read from the builder itself. Callers never name a key. A builder with a part the shape does
// not know how to describe (a common table expression, a relation id, an index hint) is written anew
// every time.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { WhereClauseCondition } from 'typeorm/query-builder/WhereClause';

/** How many texts are kept; past this, texts are written anew (no input grows memory without bound). */
export const SQL_TEXT_LIMIT = 2000;

/**
 * A kept text is written again and compared on every CHECK_EVERY-th use in production, and on every
 * use once `checkSqlTexts(true)` (the tests): a shape that misses a part of the builder throws
 * rather than run another query's SQL.
 */
const CHECK_EVERY = 1024;

interface KeptText {
  sql: string;
  uses: number;
}

const texts = new Map<string, KeptText>();
let checkEveryUse = false;

/** Tests turn this on: every kept text is written anew and compared on every use. */
export function checkSqlTexts(enabled: boolean): void {
  checkEveryUse = enabled;
}

function conditionShape(condition: WhereClauseCondition): string | undefined {
  if (typeof condition === 'string') return condition;
  if (!Array.isArray(condition)) {
    if ('condition' in condition) {
      const inner = conditionShape(condition.condition);
      return inner === undefined ? undefined : `${condition.operator}(${inner})`;
    }
    return `${condition.operator}(${condition.parameters.join(',')})`;
  }
  const parts: string[] = [];
  for (const clause of condition) {
    const inner = conditionShape(clause.condition);
    if (inner === undefined) return undefined;
    parts.push(`${clause.type} (${inner})`);
  }
  return `[${parts.join(' ')}]`;
}

/**
 * What the builder's SQL text depends on, or undefined when it uses a part this does not describe.
 * Bound values are never part of it: conditions name their parameters (`:ids`), which are bound on
 * every call.
 */
export function shapeOf(query: SelectQueryBuilder<ObjectLiteral>): string | undefined {
  const map = query.expressionMap;
  const main = map.mainAlias;
  if (
    map.queryType !== 'select' ||
    !main?.hasMetadata ||
    map.commonTableExpressions.length > 0 ||
    map.relationIdAttributes.length > 0 ||
    Boolean(map.timeTravel) ||
    map.useIndex !== undefined
  ) {
    return undefined;
  }
  const parts: unknown[] = [main.metadata.tablePath, main.name, map.subQuery, map.selectDistinct];
  parts.push(map.selectDistinctOn.join(','));
  for (const select of map.selects) parts.push(`select ${select.selection} as ${select.aliasName ?? ''}`);
  for (const join of map.joinAttributes) {
    const target = join.alias.hasMetadata ? join.alias.metadata.tablePath : join.alias.subQuery;
    if (typeof join.entityOrProperty !== 'string' && !target) return undefined;
    parts.push(
      `join ${join.direction} ${typeof join.entityOrProperty === 'string' ? join.entityOrProperty : target} ` +
        `${join.alias.name} ${join.condition ?? ''} ${join.mapToProperty ?? ''} ${join.isMappingMany ?? ''}`,
    );
  }
  for (const where of map.wheres) {
    const condition = conditionShape(where.condition);
    if (condition === undefined) return undefined;
    parts.push(`where ${where.type} ${condition}`);
  }
  for (const having of map.havings) parts.push(`having ${having.type} ${having.condition}`);
  for (const [key, order] of Object.entries(map.orderBys)) {
    parts.push(`order ${key} ${typeof order === 'string' ? order : `${order.order} ${order.nulls ?? ''}`}`);
  }
  parts.push(`group ${map.groupBys.join(',')}`);
  parts.push(map.limit, map.offset, map.take, map.skip, map.withDeleted, map.comment);
  parts.push(map.lockMode, map.lockTables?.join(','), map.onLocked, map.extraAppendedAndWhereCondition);
  parts.push(map.aliasNamePrefixingEnabled, map.disableEscaping, map.options.join(','));
  return parts.map(String).join('\u0000');
}

function kept(shape: string, write: () => string): string {
  const text = texts.get(shape);
  if (!text) {
    const sql = write();
    if (texts.size < SQL_TEXT_LIMIT) texts.set(shape, { sql, uses: 0 });
    return sql;
  }
  text.uses += 1;
  if (checkEveryUse || text.uses % CHECK_EVERY === 0) {
    const written = write();
    if (written !== text.sql) throw new Error(`Two statements share the shape ${shape}`);
  }
  return text.sql;
}

/**
 * The builder's SQL text with its parameters named (`:ids`): kept per shape, else written anew
 * (`kept` says which: a kept text is one of a bounded set, fit to be prepared).
 */
export function sqlTextOf(query: SelectQueryBuilder<ObjectLiteral>): { sql: string; kept: boolean } {
  const shape = shapeOf(query);
  if (shape === undefined) return { sql: query.getQuery(), kept: false };
  return { sql: kept(shape, () => query.getQuery()), kept: true };
}

/**
 * The text of a statement written from `query` by `write` (a page of it, say), kept under the
 * query's shape and `variant` — what else `write` depends on; undefined when the query's shape is.
 */
export function derivedSqlTextOf(
  query: SelectQueryBuilder<ObjectLiteral>,
  variant: readonly unknown[],
  write: () => string,
): { sql: string; kept: boolean } {
  const shape = shapeOf(query);
  if (shape === undefined) return { sql: write(), kept: false };
  return { sql: kept([shape, ...variant.map(String)].join('\u0001'), write), kept: true };
}
