// Which columns of an entity a GraphQL selection reads, so a loader reads only those: a field that is
// a column reads itself; a field resolver reads what it declares with `@Reads` (reads.ts); the type
// adds what it declares with `@AlwaysReads`. An undeclared field reads whole rows: never too little.
import {
  getNamedType,
  isObjectType,
  Kind,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { RequestContext } from '../request-scope';
import './reads';

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

/**
 * The columns of `entity` that the fields asked for under `info` (`path` below it) read, sorted so
 * equal selections share one loader; undefined — whole rows — when a field declares nothing or all
 * are needed anyway. Worked out once per field of a query document: it runs for every row of a list.
 */
export function selectedColumns(
  context: RequestContext,
  entity: EntityTarget<ObjectLiteral>,
  info: GraphQLResolveInfo,
  path: readonly string[] = NO_PATH,
): string[] | undefined {
  return oncePerField(info, path.length === 0 ? 'columns' : `columns:${path.join('.')}`, () =>
    columnsOfSelection(context.dataSource.getMetadata(entity), info, path),
  );
}

function typeAlong(info: GraphQLResolveInfo, path: readonly string[]): GraphQLObjectType | undefined {
  let type = getNamedType(info.returnType);
  for (const name of path) {
    if (!isObjectType(type)) return undefined;
    const field = type.getFields()[name];
    if (!field) return undefined;
    type = getNamedType(field.type);
  }
  return isObjectType(type) ? type : undefined;
}

const propertiesByEntity = new WeakMap<EntityMetadata, ReadonlySet<string>>();

function propertiesOf(metadata: EntityMetadata): ReadonlySet<string> {
  let properties = propertiesByEntity.get(metadata);
  if (!properties) {
    properties = new Set(metadata.columns.map((column) => column.propertyName));
    propertiesByEntity.set(metadata, properties);
  }
  return properties;
}

/** What `field` of `type` reads of its row: its declaration, itself if a column, else undefined. */
export function readsOf(
  type: GraphQLObjectType,
  field: string,
  properties: ReadonlySet<string>,
): readonly string[] | undefined {
  return type.getFields()[field]?.extensions.reads ?? (properties.has(field) ? [field] : undefined);
}

function columnsOfSelection(
  metadata: EntityMetadata,
  info: GraphQLResolveInfo,
  path: readonly string[],
): string[] | undefined {
  const type = typeAlong(info, path);
  if (!type) return undefined;
  const properties = propertiesOf(metadata);
  const columns = new Set(
    type.extensions.alwaysReads ?? metadata.primaryColumns.map((column) => column.propertyName),
  );
  for (const field of selectedFieldNames(info, path)) {
    if (field === '__typename') continue;
    const reads = readsOf(type, field, properties);
    if (!reads) return undefined;
    for (const property of reads) columns.add(property);
  }
  return columns.size < properties.size ? [...columns].sort() : undefined;
}
