// Abuse limits (SPEC §5): nesting of the query text before it is parsed, query depth and alias count
// as validation rules, estimated cost with the variables. The request lifecycle (lifecycle.ts) applies
// them on every transport; request size is limited by each transport, introspection by Apollo Server.
import {
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { ErrorCode } from './errors';

function depthOf(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  visited: Set<string>,
): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, visited));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, visited));
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || visited.has(name)) continue;
      deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, new Set([...visited, name])));
    }
  }
  return deepest;
}

export function depthLimit(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = Object.fromEntries(
      context
        .getDocument()
        .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the limit of ${maxDepth}`, {
              nodes: [node],
              extensions: { code: ErrorCode.BAD_USER_INPUT },
            }),
          );
        }
      },
    };
  };
}

export function aliasLimit(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias) aliases += 1;
      },
      Document: {
        leave() {
          if (aliases > maxAliases) {
            context.reportError(
              new GraphQLError(`${aliases} aliases exceed the limit of ${maxAliases}`, {
                extensions: { code: ErrorCode.BAD_USER_INPUT },
              }),
            );
          }
        },
      },
    };
  };
}

/**
 * Estimated cost of an operation: every field costs 1 for each parent it is resolved for, and a
 * list multiplies what is under it by its `first` argument (or by `assumedListSize`). Computed
 * with the request's variables, after validation.
 */
export function operationCost(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  assumedListSize: number,
  listFields: ReadonlySet<string>,
): number {
  const fragments = Object.fromEntries(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const sizeOf = (field: FieldNode): number => {
    const first = field.arguments?.find((argument) => argument.name.value === 'first');
    if (first?.value.kind === Kind.INT) return Number(first.value.value);
    if (first?.value.kind === Kind.VARIABLE) {
      const value = variables[first.value.name.value];
      if (typeof value === 'number') return value;
    }
    return listFields.has(field.name.value) ? assumedListSize : 1;
  };
  const cost = (
    selectionSet: SelectionSetNode | undefined,
    multiplier: number,
    visited: Set<string>,
  ): number => {
    if (!selectionSet) return 0;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        total += multiplier + cost(selection.selectionSet, multiplier * sizeOf(selection), visited);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += cost(selection.selectionSet, multiplier, visited);
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment && !visited.has(fragment.name.value)) {
          total += cost(fragment.selectionSet, multiplier, new Set([...visited, fragment.name.value]));
        }
      }
    }
    return total;
  };
  return operation ? cost(operation.selectionSet, 1, new Set()) : 0;
}

/** The names of fields whose GraphQL type is a list, anywhere in the schema. */
export function listFieldNames(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (isListType(getNullableType(field.type))) names.add(field.name);
    }
  }
  // A connection's `first` already counts its edges.
  names.delete('edges');
  return names;
}

/** Answers whether an operation costs too much: the error to answer with, or undefined. */
export type CostCheck = (
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
) => GraphQLError | undefined;

export function costLimit(schema: GraphQLSchema, maxCost: number): CostCheck {
  const listFields = listFieldNames(schema);
  return (document, operationName, variables) => {
    const cost = operationCost(document, operationName, variables ?? {}, 10, listFields);
    if (cost <= maxCost) return undefined;
    return new GraphQLError(
      `The query's estimated cost ${cost} exceeds the limit of ${maxCost}: ask for fewer items`,
      { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } },
    );
  };
}

/**
 * How deeply brackets may nest in a query's text. graphql-js parses and validates by recursion, so a
 * document or literal thousands of levels deep overflows the stack; any query within the depth limit,
 * with its fragments and argument literals, stays far below this.
 */
export const MAX_DOCUMENT_NESTING = 64;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const OPEN_PAREN = 0x28;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const CLOSE_PAREN = 0x29;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const HASH = 0x23;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/**
 * The deepest nesting of `{`, `[` and `(` in a GraphQL text, outside strings and comments: one pass,
 * no allocation, stopping as soon as `limit` is passed.
 */
export function nestingDepth(source: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  const length = source.length;
  let index = 0;
  while (index < length) {
    const code = source.charCodeAt(index);
    index += 1;
    if (code === OPEN_BRACE || code === OPEN_BRACKET || code === OPEN_PAREN) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET || code === CLOSE_PAREN) {
      if (depth > 0) depth -= 1;
    } else if (code === HASH) {
      index = lineEnd(source, index);
    } else if (code === QUOTE) {
      index = source.startsWith('""', index) ? blockStringEnd(source, index + 2) : stringEnd(source, index);
    }
  }
  return deepest;
}

/** The index of the line break that ends a comment (or the end). */
function lineEnd(source: string, from: number): number {
  let index = from;
  while (index < source.length) {
    const code = source.charCodeAt(index);
    if (code === NEWLINE || code === RETURN) break;
    index += 1;
  }
  return index;
}

/** The index just past the quote that closes a string opened before `from` (a line break ends it too). */
function stringEnd(source: string, from: number): number {
  let index = from;
  while (index < source.length) {
    const code = source.charCodeAt(index);
    if (code === BACKSLASH) index += 2;
    else if (code === QUOTE) return index + 1;
    else if (code === NEWLINE || code === RETURN) return index;
    else index += 1;
  }
  return index;
}

/** The index just past the `"""` that closes a block string opened before `from` (or the end). */
function blockStringEnd(source: string, from: number): number {
  let index = from;
  for (;;) {
    const close = source.indexOf('"""', index);
    if (close < 0) return source.length;
    if (source.charCodeAt(close - 1) === BACKSLASH) {
      index = close + 3;
      continue;
    }
    return close + 3;
  }
}

/** Refuses a query text nested deeper than MAX_DOCUMENT_NESTING, before anything parses it. */
export function nestingLimit(source: string): GraphQLError | undefined {
  if (source.length <= MAX_DOCUMENT_NESTING) return undefined;
  const depth = nestingDepth(source, MAX_DOCUMENT_NESTING);
  if (depth <= MAX_DOCUMENT_NESTING) return undefined;
  return new GraphQLError(`The query nests brackets more than ${MAX_DOCUMENT_NESTING} levels deep`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
  });
}
