// Error masking for every transport (SPEC §5): our own codes pass, parse and validation problems are
// BAD_USER_INPUT, anything else (database, bugs) becomes a bare INTERNAL_SERVER_ERROR outside development.
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import type { AppServices } from '../request-scope';
import { ErrorCode } from './errors';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const CLIENT_MISTAKES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST']);

export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * A variable whose value does not fit its type, as graphql-js words it. Apollo gives these
 * BAD_USER_INPUT itself; other transports come through here without a code.
 */
function isVariableCoercionError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const variable = `Variable "$${node.variable.name.value}" `;
  return error.message.startsWith(variable);
}

/**
 * What of an unexpected error goes to the log: a failed statement's text and error code, never the
 * values bound to it or the driver's detail (they can be ID numbers, phone numbers, password hashes).
 */
export function loggableError(error: unknown): unknown {
  if (!(error instanceof Error) || !('parameters' in error)) return error;
  const driverError: unknown = 'driverError' in error ? error.driverError : undefined;
  const field = (name: string): unknown =>
    typeof driverError === 'object' && driverError !== null && name in driverError
      ? (driverError as Record<string, unknown>)[name]
      : undefined;
  return {
    type: error.name,
    message: error.message,
    stack: error.stack,
    query: 'query' in error ? error.query : undefined,
    parameterCount: Array.isArray(error.parameters) ? error.parameters.length : undefined,
    code: field('code'),
    constraint: field('constraint'),
    table: field('table'),
  };
}

/** Keeps our own error codes; anything else becomes a bare INTERNAL_SERVER_ERROR (Apollo's contract). */
export function formatError(app: AppServices): ErrorFormatter {
  return (formatted, error) => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return formatted;
    }
    if ((typeof code === 'string' && CLIENT_MISTAKES.has(code)) || isVariableCoercionError(error)) {
      return { ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (code === 'PERSISTED_QUERY_NOT_FOUND') return formatted;
    app.logger.error(
      { err: loggableError(unwrapResolverError(error)) },
      'unexpected error while resolving a request',
    );
    if (app.config.nodeEnv === 'development') return formatted;
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * The same masking for transports that send GraphQLError objects themselves (graphql-ws): each error
 * is replaced by one that says only what formatError lets out (and no HTTP status hint).
 */
export function maskErrors(format: ErrorFormatter, errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => {
    const { http: _http, ...extensions } = error.extensions;
    const formatted = format({ ...error.toJSON(), extensions }, error);
    return new GraphQLError(formatted.message, {
      // Locations only where the formatted error keeps them (a masked error names no place).
      ...(formatted.locations
        ? { nodes: error.nodes, source: error.source, positions: error.positions }
        : {}),
      path: formatted.path,
      extensions: formatted.extensions,
    });
  });
}
