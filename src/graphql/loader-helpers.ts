// Small helpers that turn one batched SQL result into the per-key arrays DataLoader expects.
import type DataLoader from 'dataloader';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { RequestContext } from '../request-scope';
import { columnsFor, type SelectionColumns } from '../database/entity-rows';

export function groupBy<T, K>(rows: readonly T[], keyOf: (row: T) => K, keys: readonly K[]): T[][] {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

export function indexBy<T, K>(rows: readonly T[], keyOf: (row: T) => K, keys: readonly K[]): (T | null)[] {
  const byKey = new Map<K, T>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/**
 * The names of the fields asked for under the field being resolved, `path` below it (['edges',
 * 'node'] of a connection) — through inline and named fragments. Directives are not evaluated: a
 * field under @skip counts as asked for, which can only read more, never less.
 */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[] = []): Set<string> {
  let level: readonly SelectionSetNode[] = info.fieldNodes.flatMap((node) =>
    node.selectionSet ? [node.selectionSet] : [],
  );
  for (const name of path) {
    level = fieldsOf(info, level)
      .filter((field) => field.name.value === name)
      .flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return new Set(fieldsOf(info, level).map((field) => field.name.value));
}

function fieldsOf(info: GraphQLResolveInfo, sets: readonly SelectionSetNode[]): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else {
        const fragment = info.fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  sets.forEach(visit);
  return fields;
}

const memoByFieldNode = new WeakMap<FieldNode, Map<string, unknown>>();

/**
 * `compute()` once per field of a query document and `key`: for what depends only on the query (the
 * columns a selection needs), not on the row — a field of a 50-row list resolves 50 times. A field
 * asked for in several places at once (merged field nodes) is computed every time.
 */
export function oncePerField<T>(info: GraphQLResolveInfo, key: string, compute: () => T): T {
  const [node, ...merged] = info.fieldNodes;
  if (!node || merged.length > 0) return compute();
  let values = memoByFieldNode.get(node);
  if (!values) {
    values = new Map();
    memoByFieldNode.set(node, values);
  }
  if (values.has(key)) return values.get(key) as T;
  const value = compute();
  values.set(key, value);
  return value;
}

const NO_PATH: readonly string[] = [];

/** Per field of a query document: per entity, per path below the field, the columns it reads. */
const columnsByFieldNode = new WeakMap<
  FieldNode,
  Map<EntityTarget<ObjectLiteral>, Map<string, string[] | undefined>>
>();

/**
 * The columns a selection of `entity` reads (see `columnsFor`), worked out once per field of the
 * query: the fields asked for under `info`, `path` below it. It runs for every row of a list, so a
 * known field costs two map lookups: no metadata search, no key text.
 */
export function selectionColumns(
  context: RequestContext,
  entity: EntityTarget<ObjectLiteral>,
  declared: SelectionColumns,
  info: GraphQLResolveInfo,
  path: readonly string[] = NO_PATH,
): string[] | undefined {
  const node = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  if (!node) return columnsOfSelection(context, entity, declared, info, path);
  let byEntity = columnsByFieldNode.get(node);
  if (!byEntity) {
    byEntity = new Map();
    columnsByFieldNode.set(node, byEntity);
  }
  let byPath = byEntity.get(entity);
  if (!byPath) {
    byPath = new Map();
    byEntity.set(entity, byPath);
  }
  const pathKey = path.length === 0 ? '' : path.join('.');
  if (byPath.has(pathKey)) return byPath.get(pathKey);
  const columns = columnsOfSelection(context, entity, declared, info, path);
  byPath.set(pathKey, columns);
  return columns;
}

function columnsOfSelection(
  context: RequestContext,
  entity: EntityTarget<ObjectLiteral>,
  declared: SelectionColumns,
  info: GraphQLResolveInfo,
  path: readonly string[],
): string[] | undefined {
  return columnsFor(context.dataSource.getMetadata(entity), declared, selectedFieldNames(info, path));
}

const columnKeys = new WeakMap<readonly string[], string>();

/** A column set as text, for a loader's or a statement's key: '*' for whole rows. */
export function columnsKey(columns: readonly string[] | undefined): string {
  if (!columns) return '*';
  let key = columnKeys.get(columns);
  if (key === undefined) {
    key = columns.join(',');
    columnKeys.set(columns, key);
  }
  return key;
}

/** One DataLoader per column set, made on first use within the request (see `columnsFor`). */
export function perColumns<K, V>(
  make: (columns: readonly string[] | undefined) => DataLoader<K, V>,
): (columns: readonly string[] | undefined) => DataLoader<K, V> {
  const loaders = new Map<string, DataLoader<K, V>>();
  return (columns) => {
    const key = columnsKey(columns);
    let loader = loaders.get(key);
    if (!loader) {
      loader = make(columns);
      loaders.set(key, loader);
    }
    return loader;
  };
}
