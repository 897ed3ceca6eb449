// Keyset paging (SPEC §5): one page of a query, newest first by a time column then id (or in an order
// the caller chose, ties broken by id), with the total over the whole filter, and the opaque cursors
// that name a position in it. The GraphQL connection
// types that carry a page to the client are in src/graphql/connection.ts.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badUserInput } from '../graphql/errors';
import { isUuid } from '../graphql/validation';
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
    private readonly cursorOf: (row: T) => string,
  ) {}

  get cursor(): string {
    return this.cursorOf(this.node);
  }
}

export function toConnection<T>(
  rows: T[],
  size: number,
  totalCount: number,
  position: (row: T) => KeysetPosition,
): Connection<T> {
  return toCursorConnection(rows, size, totalCount, (row) => encodeCursor(position(row)));
}

export function toCursorConnection<T>(
  rows: T[],
  size: number,
  totalCount: number,
  cursorOf: (row: T) => string,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => new PageEdge(node, cursorOf));
  return {
    edges,
    totalCount,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

export type SortDirection = 'ASC' | 'DESC';

/** An order a caller chose for a list: one column of the listed entity, ties broken by id. */
export interface PageOrder<T> {
  /** The name the order has in the API (`NAME`): a cursor names it, and one of another order is refused. */
  name: string;
  /** The column sorted by, of the query's main alias: never null, so every row has a position. */
  column: string;
  direction: SortDirection;
  /** The column's value on a row: a time or a text. */
  key: (row: T) => Date | string;
}

/** A position in a chosen order: the order's name and direction, the row's sort key, its id. */
export function encodeOrderedCursor(
  order: Pick<PageOrder<never>, 'name' | 'direction'>,
  key: Date | string,
  id: string,
): string {
  const value = key instanceof Date ? { at: key.toISOString() } : { text: key };
  return Buffer.from(JSON.stringify([order.name, order.direction, value, id]), 'utf8').toString('base64url');
}

/** The sort key and id of a cursor of `order`; BAD_USER_INPUT for anything else, another order's included. */
export function decodeOrderedCursor(
  order: Pick<PageOrder<never>, 'name' | 'direction'>,
  cursor: string,
): { key: Date | string; id: string } {
  const refused = () => badUserInput('The cursor is not one this API issued for this order', 'after');
  if (!/^[A-Za-z0-9_-]{1,800}$/.test(cursor)) throw refused();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw refused();
  const [name, direction, value, id] = parsed as unknown[];
  if (name !== order.name || direction !== order.direction) throw refused();
  if (typeof id !== 'string' || !isUuid(id) || !value || typeof value !== 'object') throw refused();
  const { at, text } = value as { at?: unknown; text?: unknown };
  if (typeof text === 'string' && text.length <= 400) return { key: text, id };
  if (typeof at === 'string') {
    const date = new Date(at);
    // Round trip, as for the time cursors: only what encodeOrderedCursor writes comes back.
    if (!Number.isNaN(date.getTime()) && date.toISOString() === at && CURSOR.test(`${at}|${id}`)) {
      return { key: date, id };
    }
  }
  throw refused();
}

/**
 * One page of a query, newest first by `alias.column` then id, with the total over the whole filter,
 * in one statement: the page's ids are chosen first (an index walk that never reads whole rows),
 * then only those rows are read, and the total rides along as an uncorrelated subquery that
 * PostgreSQL runs once. One more row than asked is read to know whether another page follows.
 */
export function keysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  column: string,
  size: number,
  after: string | null | undefined,
  sortTime: (row: T) => Date,
  /** Only these properties of each row (`selectedColumns`); the key and the sort column are added. */
  columns?: readonly string[],
): Promise<Connection<T>> {
  return page(query, alias, { column, direction: 'DESC', key: sortTime, name: null }, size, after, columns);
}

/**
 * One page of a query in the order the caller chose (`order`), or newest first by `defaultOrder`'s
 * column when they chose none; as keysetPage, in one statement. The cursor keeps the sort key, so
 * paging stays stable while rows are added, and names the order, so it is refused under another one.
 */
export function orderedKeysetPage<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  order: PageOrder<T> | null,
  defaultOrder: { column: string; key: (row: T) => Date },
  size: number,
  after: string | null | undefined,
  columns?: readonly string[],
): Promise<Connection<T>> {
  const chosen = order ?? { ...defaultOrder, direction: 'DESC' as const, name: null };
  return page(query, alias, chosen, size, after, columns);
}

/** An order as page() walks it; `name: null` is the default order, with keysetPage's time cursors. */
type WalkedOrder<T> = PageOrder<T> | { name: null; column: string; direction: 'DESC'; key: (row: T) => Date };

async function page<T extends ObjectLiteral & { id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  order: WalkedOrder<T>,
  size: number,
  after: string | null | undefined,
  columns?: readonly string[],
): Promise<Connection<T>> {
  const { column, direction } = order;
  const target = query.expressionMap.mainAlias?.target;
  if (!target) throw new Error('keysetPage needs a query on an entity');
  const position = !after
    ? null
    : order.name === null
      ? (({ at, id }) => ({ key: at as Date | string, id }))(decodeCursor(after))
      : decodeOrderedCursor(order as PageOrder<never>, after);
  const parameters = {
    ...query.getParameters(),
    ...(position ? { afterKey: position.key, afterId: position.id } : {}),
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
    const past = direction === 'DESC' ? '<' : '>';
    if (position) ids.andWhere(`(${alias}.${column}, ${alias}.id) ${past} (:afterKey, :afterId)`);
    ids
      .orderBy(`${alias}.${column}`, direction)
      .addOrderBy(`${alias}.id`, direction)
      .limit(size + 1);
    return rowsOf()
      .addSelect(`(${count.getQuery()})`, 'page_total_count')
      .where(`${alias}.id IN (${ids.getQuery()})`)
      .setParameters(parameters)
      .orderBy(`${alias}.${column}`, direction)
      .addOrderBy(`${alias}.id`, direction);
  };
  // The page's text depends on the query's shape and on these; the values are bound every time.
  const { sql, kept } = derivedSqlTextOf(
    query as SelectQueryBuilder<ObjectLiteral>,
    ['keyset page', alias, column, direction, size, position !== null, columns?.join(',') ?? '*'],
    () => writePage().getQuery(),
  );
  const { raw, entities: rows } = await readRawAndEntities<T, { page_total_count: string }>(rowsOf(), {
    statement: { sql, parameters },
    named: kept,
  });
  // An empty page after a cursor says nothing of the total; only then is it counted on its own.
  const totalCount = raw[0] ? Number(raw[0].page_total_count) : after ? await query.clone().getCount() : 0;
  if (order.name === null) {
    const time = order.key;
    return toConnection(rows, size, totalCount, (row) => ({ at: time(row), id: row.id }));
  }
  const chosen = order;
  return toCursorConnection(rows, size, totalCount, (row) =>
    encodeOrderedCursor(chosen as PageOrder<never>, chosen.key(row), row.id),
  );
}
