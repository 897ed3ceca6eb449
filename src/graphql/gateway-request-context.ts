// Apollo Server hands a gateway's executor (executor.ts) a request context it builds per request in
// `makeGatewayGraphQLRequestContext`. That builder writes `response.http.status` as a getter/setter
// pair in an object literal, and V8 gives every evaluation of such a literal its own map: maps live in
// the old generation, and the map keeps the getter's closure, which keeps Apollo's copy of the
// request context: our RequestContext with its loaders and rows, and the result. Young-generation
// collections then treat every finished request as live until the next full collection, so each
// scavenge copies far more and pauses far longer; without the accessor literal it keeps only the
// requests in flight. A minimal Apollo server with a gateway shows the same
// (docs/performance.md#gateway-request-context).
//
// Apollo offers no other way to plug in an executor, so this replaces that one builder, in the
// module Apollo's request pipeline reads it from on every call, with one that builds the same
// context from classes: accessors on a class's prototype share one map. Same fields, same
// behaviour (status reads and writes through to Apollo's response, headers are a Fetch-style view of
// Apollo's HeaderMap). If an upgrade of @apollo/server moves or renames the builder, installing this
// throws at startup rather than quietly keeping the slow path; gateway-request-context.test.ts checks
// that Apollo builds its contexts here, and docs/upgrading.md says what to check on an upgrade.
import path from 'node:path';
import type { HeaderMap } from '@apollo/server';

/** What Apollo passes the builder; only the fields the gateway context copies. */
interface ApolloRequestContext {
  request: {
    query?: string;
    operationName?: string;
    variables?: Record<string, unknown>;
    extensions?: Record<string, unknown>;
    http?: { method: string; search: string; headers: HeaderMap };
  };
  response: { http: { headers: HeaderMap; status?: number } };
  contextValue: unknown;
  schema: unknown;
  queryHash?: string;
  document?: unknown;
  source?: string;
  operationName?: string | null;
  operation?: unknown;
  errors?: unknown;
  metrics: unknown;
  overallCachePolicy: unknown;
  requestIsBatched: boolean;
}

type Builder = (
  requestContext: ApolloRequestContext,
  server: { logger: unknown; cache: unknown },
  internals: { includeStacktraceInErrorResponses: boolean },
) => unknown;

/** A Fetch `Headers`-like view of Apollo's HeaderMap, as the gateway interface expects. */
class HeadersOfHeaderMap {
  constructor(private readonly map: HeaderMap) {}
  append(name: string, value: string): void {
    const current = this.map.get(name);
    this.map.set(name, current === undefined ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name);
  }
  get(name: string): string | null {
    return this.map.get(name) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name);
  }
  set(name: string, value: string): void {
    this.map.set(name, value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

/** The response's HTTP head as the gateway sees it: status reads and writes through to Apollo's. */
class ResponseHttp {
  readonly headers: HeadersOfHeaderMap;
  constructor(private readonly response: ApolloRequestContext['response']) {
    this.headers = new HeadersOfHeaderMap(response.http.headers);
  }
  get status(): number | undefined {
    return this.response.http.status;
  }
  set status(status: number | undefined) {
    this.response.http.status = status;
  }
}

const builder: Builder = (requestContext, server, internals) => {
  const given = requestContext.request;
  const request: Record<string, unknown> = {};
  if ('query' in given) request.query = given.query;
  if ('operationName' in given) request.operationName = given.operationName;
  if ('variables' in given) request.variables = given.variables;
  if ('extensions' in given) request.extensions = given.extensions;
  if (given.http) {
    const needQuestion = given.http.search !== '' && !given.http.search.startsWith('?');
    request.http = {
      method: given.http.method,
      url: `https://unknown-url.invalid/${needQuestion ? '?' : ''}${given.http.search}`,
      headers: new HeadersOfHeaderMap(given.http.headers),
    };
  }
  return {
    request,
    response: { http: new ResponseHttp(requestContext.response) },
    logger: server.logger,
    schema: requestContext.schema,
    schemaHash: 'schemaHash no longer exists since Apollo Server 4',
    context: requestContext.contextValue,
    cache: server.cache,
    queryHash: requestContext.queryHash,
    document: requestContext.document,
    source: requestContext.source,
    operationName: requestContext.operationName,
    operation: requestContext.operation,
    errors: requestContext.errors,
    metrics: requestContext.metrics,
    debug: internals.includeStacktraceInErrorResponses,
    overallCachePolicy: requestContext.overallCachePolicy,
    requestIsBatched: requestContext.requestIsBatched,
  };
};

/** The module of @apollo/server that its request pipeline reads the builder from. */
export function apolloGatewayContextModule(): { makeGatewayGraphQLRequestContext: Builder } {
  const entry = require.resolve('@apollo/server'); // …/dist/cjs/index.js
  const file = path.join(path.dirname(entry), 'utils', 'makeGatewayGraphQLRequestContext.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file the package does not export
  const loaded = require(file) as { makeGatewayGraphQLRequestContext?: unknown };
  if (typeof loaded.makeGatewayGraphQLRequestContext !== 'function') {
    throw new Error(`@apollo/server no longer has makeGatewayGraphQLRequestContext in ${file}`);
  }
  return loaded as { makeGatewayGraphQLRequestContext: Builder };
}

/** Makes Apollo build gateway request contexts with `builder` (idempotent). */
export function buildGatewayContextsWithoutAccessorLiterals(): void {
  apolloGatewayContextModule().makeGatewayGraphQLRequestContext = builder;
}

/** Whether Apollo builds gateway request contexts here (for the test). */
export function gatewayContextsBuiltHere(): boolean {
  return apolloGatewayContextModule().makeGatewayGraphQLRequestContext === builder;
}
