// Abuse limits (SPEC §5): query depth and alias count as validation rules, estimated cost as a plugin
// that sees the variables. Request size is limited by the HTTP layer; introspection is switched off
// in production by Apollo Server itself.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
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

export function costLimitPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<BaseContext> {
  const listFields = listFieldNames(schema);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request }) {
          const cost = operationCost(document, operationName, request.variables ?? {}, 10, listFields);
          if (cost > maxCost) {
            throw new GraphQLError(
              `The query's estimated cost ${cost} exceeds the limit of ${maxCost}: ask for fewer items`,
              {
                extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
              },
            );
          }
        },
      };
    },
  };
}
