// Executes operations with graphql-jit instead of graphql-js's interpreter. graphql-jit compiles an
// operation once into a function that walks exactly its selections, calling the same resolvers of
// the same schema — so every permission rule, masking and audit middleware runs as before — but
// without re-reading the document, re-collecting fields and re-coercing arguments for every row.
// That saves a large share of the API's CPU per request (docs/performance.md#compiled-queries).
//
// Apollo Server 5 has no option for a custom executor; its documented extension point for one is the
// gateway interface, which is what this implements (one schema, never updated). Validation, the
// document cache, plugins and error formatting stay Apollo's: only execution changes.
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getNamedType,
  GraphQLError,
  isInputObjectType,
  printSchema,
  typeFromAST,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { buildGatewayContextsWithoutAccessorLiterals } from './gateway-request-context';

/**
 * Per operation of a document: SEEN after its first run (on graphql-js), then its compiled form, or
 * null when graphql-jit declined it.
 */
type Compiled = Map<string, typeof SEEN | CompiledQuery | null>;
const SEEN = Symbol('run once');

let compiledOperations = 0;

/** How many operations this process has compiled so far (all servers in it). */
export function compiledOperationCount(): number {
  return compiledOperations;
}

export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  // Apollo's own per-request gateway context keeps every request alive until a full GC (see there).
  buildGatewayContextsWithoutAccessorLiterals();
  // Keyed by the parsed document: Apollo keeps one DocumentNode per distinct query text in its own
  // bounded document cache, so compiled operations live exactly as long as their document does and
  // arbitrary client queries cannot grow this without bound.
  const compiledByDocument = new WeakMap<DocumentNode, Compiled>();

  // Compiling costs a few runs' worth (docs/performance.md#compiled-queries), so an operation is compiled the
  // second time it is run: a query sent once — an ad-hoc one, or one made up to load the server —
  // never pays for it. (Mercurius, which also uses graphql-jit, has the same threshold.)
  const compiledFor = (document: DocumentNode, operationName: string | null | undefined) => {
    let compiled = compiledByDocument.get(document);
    if (!compiled) {
      compiled = new Map();
      compiledByDocument.set(document, compiled);
    }
    const key = operationName ?? '';
    const state = compiled.get(key);
    if (state === undefined) {
      compiled.set(key, SEEN);
      return null;
    }
    if (state !== SEEN) return state;
    const result = compileQuery(schema, document, operationName ?? undefined);
    const operation = isCompiledQuery(result) ? result : null;
    if (operation) compiledOperations += 1;
    compiled.set(key, operation);
    return operation;
  };

  const executor: GatewayExecutor = async ({
    document,
    operation: definition,
    operationName,
    request,
    context,
  }) => {
    // No operation picked (several in the document and no name, or none named so): graphql-js answers.
    const operation =
      definition && compiles(schema, definition, request.variables)
        ? compiledFor(document, operationName)
        : null;
    const onGraphqlJs = async () =>
      (await execute({
        schema,
        document,
        operationName,
        variableValues: request.variables,
        contextValue: context,
      })) as ExecutionResult;
    // The first run, what compiles() keeps on graphql-js, and what graphql-jit declines.
    if (!operation) return onGraphqlJs();
    const result = (await operation.query(undefined, context, request.variables ?? {})) as ExecutionResult;
    // No `data` at all: graphql-jit refused a variable's value before running anything. Its errors
    // name no variable node, so Apollo cannot tell them for BAD_USER_INPUT; graphql-js answers exactly
    // as it did the first time this request was sent.
    if (!('data' in result)) return onGraphqlJs();
    return result.errors ? { ...result, errors: result.errors.map(standardError) } : result;
  };

  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: () => Promise.resolve({ executor }),
    stop: () => Promise.resolve(),
  };
}

/**
 * graphql-jit makes its errors with a constructor of its own that leaves `extensions` undefined when
 * the resolver's error had none; Apollo's error formatting reads `extensions.code` and would throw.
 * Such an error becomes a graphql-js one with the same message, path and original error.
 */
function standardError(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  return new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? error });
}

/**
 * Whether graphql-jit answers this operation exactly as graphql-js would. It coerces variables
 * differently from the spec in two cases (graphql-jit issues #91 and #142), so those stay with
 * graphql-js: a variable of an input-object type (defaults of its fields are not applied), and a
 * variable without a default left out of the request (a field of a literal input object set from it
 * becomes null instead of absent — "clear" instead of "leave as is"). And only queries: every write runs on the
 * reference implementation, where no difference can change what is stored.
 */
function compiles(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): boolean {
  if (operation.operation !== 'query') return false;
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    if (!type || isInputObjectType(getNamedType(type))) return false;
    const given =
      variables && Object.prototype.hasOwnProperty.call(variables, definition.variable.name.value);
    if (!given && !definition.defaultValue) return false;
  }
  return true;
}
