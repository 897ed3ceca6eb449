// Keyset paging (SPEC §5): one page of a query, newest first by a time column then id, with the total
// over the whole filter, and the opaque cursors that name a position in it. The GraphQL connection
// types that carry a page to the client are in src/graphql/connection.ts.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badUserInput } from '../graphql/errors';
import { readRawAndEntities } from './entity-rows';
import { derivedSqlTextOf } from './sql-text';

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface KeysetPosition {
  at: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

/**
 * What encodeCursor writes for any time PostgreSQL can store and compare: a four-digit year (no
 * ±YYYYYY of JavaScript's far dates, which PostgreSQL's timestamptz refuses), then the id.
 */
const CURSOR =
  /^((?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The position of a cursor; BAD_USER_INPUT unless it is exactly what encodeCursor writes. */
export function decodeCursor(cursor: string): KeysetPosition {
  const match = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
    : null;
  const date = match ? new Date(match[1] as string) : null;
  // Round trip: a month 13 or a 30 February parses to another day (or to nothing) and is refused.
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString() !== match[1]) {
    throw badUserInput('The cursor is not one this API issued', 'after');
  }
  return { at: date, id: match[2] as string };
}

export function pageSize(first: number | undefined | null, maximum: number): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > maximum) {
    throw badUserInput(`first must be between 1 and ${maximum}`, 'first');
  }
  return size;
}

/** An edge whose cursor is written only when a query asks for it (most lists only read nodes). */
class PageEdge<T> implements Edge<T> {
  constructor(
    readonly node: T,
    private readonly position: (row: T) => KeysetPosition,
  ) {}

  get cursor(): string {
    return encodeCursor(this.position(this.node));
  }
}

export function toConnection<T>(
  rows: T[],
  size: number,
  totalCount: number,
  position: (row: T) => KeysetPosition,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => new PageEdge(node, position));
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/**
 * One page of a query, newest first by `alias.column` then id, with the total over the whole filter,
 * in one statement: the page's ids are chosen first (an index walk that never reads whole rows),
 * then only those rows are read, and the total rides along as an uncorrelated subquery that
 * PostgreSQL runs once. One more row than asked is read to know whether another page follows.
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  column: string,
  size: number,
  after: string | null | undefined,
  sortTime: (row: T) => Date,
  /** Only these properties of each row (`selectedColumns`); the key and the sort column are added. */
  columns?: readonly string[],
): Promise<Connection<T>> {
  const target = query.expressionMap.mainAlias?.target;
  if (!target) throw new Error('keysetPage needs a query on an entity');
  const position = after ? decodeCursor(after) : null;
  const parameters = {
    ...query.getParameters(),
    ...(position ? { afterAt: position.at, afterId: position.id } : {}),
  };
  /** A builder of the entity with only the page's columns: it says how rows become entities. */
  const rowsOf = () => {
    const builder = query.connection.createQueryBuilder<T>(target, alias);
    if (columns) {
      const sortProperty =
        builder.expressionMap.mainAlias?.metadata.findColumnWithDatabaseName(column)?.propertyName;
      if (!sortProperty) throw new Error(`keysetPage: no column ${column}`);
      builder.select(
        [...new Set([...columns, 'id', sortProperty])].map((property) => `${alias}.${property}`),
      );
    }
    return builder;
  };
  const writePage = () => {
    const joined = query.expressionMap.joinAttributes.length > 0;
    const count = query
      .clone()
      .select(joined ? `COUNT(DISTINCT ${alias}.id)` : 'COUNT(1)')
      .orderBy();
    const ids = query.clone().select(`${alias}.id`);
    if (position) ids.andWhere(`(${alias}.${column}, ${alias}.id) < (:afterAt, :afterId)`);
    ids
      .orderBy(`${alias}.${column}`, 'DESC')
      .addOrderBy(`${alias}.id`, 'DESC')
      .limit(size + 1);
    return rowsOf()
      .addSelect(`(${count.getQuery()})`, 'page_total_count')
      .where(`${alias}.id IN (${ids.getQuery()})`)
      .setParameters(parameters)
      .orderBy(`${alias}.${column}`, 'DESC')
      .addOrderBy(`${alias}.id`, 'DESC');
  };
  // The page's text depends on the query's shape and on these; the values are bound every time.
  const { sql, kept } = derivedSqlTextOf(
    query as SelectQueryBuilder<ObjectLiteral>,
    ['keyset page', alias, column, size, position !== null, columns?.join(',') ?? '*'],
    () => writePage().getQuery(),
  );
  const { raw, entities: rows } = await readRawAndEntities<T, { page_total_count: string }>(rowsOf(), {
    statement: { sql, parameters },
    named: kept,
  });
  // An empty page after a cursor says nothing of the total; only then is it counted on its own.
  const totalCount = raw[0] ? Number(raw[0].page_total_count) : after ? await query.clone().getCount() : 0;
  return toConnection(rows, size, totalCount, (row) => ({ at: sortTime(row), id: row.id }));
}
