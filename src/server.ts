// The HTTP server: POST/GET /graphql through Apollo Server, /healthz and /readyz, request ids, body
// size limit, CORS for configured origins, JSON access logs, and the per-request audit flush.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLFormattedError } from 'graphql';
import { writeReadAuditEntries } from './audit/audit-log';
import { identityFromAuthorization, type Identity } from './auth/identity';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { RequestContext, type AppServices } from './context';
import { currentStatementCounter, runCountingStatements } from './database/statement-counter';
import { ErrorCode } from './graphql/errors';
import { aliasLimit, costLimitPlugin, depthLimit } from './graphql/limits';
import { compiledExecution } from './graphql/executor';
import { buildApiSchema } from './graphql/schema';
import type { GraphQLSchema } from 'graphql';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

class PayloadTooLarge extends Error {}

/** Keeps our own error codes; anything else (database, bugs) becomes a bare INTERNAL_SERVER_ERROR. */
export function formatError(app: AppServices) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const original = unwrapResolverError(error);
    if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return formatted;
    }
    if (
      typeof code === 'string' &&
      ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST'].includes(code)
    ) {
      return { ...formatted, extensions: { code: ErrorCode.BAD_USER_INPUT } };
    }
    if (typeof code === 'string' && code === 'PERSISTED_QUERY_NOT_FOUND') return formatted;
    app.logger.error({ err: original }, 'unexpected error while resolving a request');
    if (app.config.nodeEnv === 'development') return formatted;
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** Writes the sensitive reads of the request before its response leaves; a failed write fails it. */
function auditAndMetricsPlugin(app: AppServices): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, operationName }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const reads = contextValue.takeSensitiveReads(operationName ?? 'anonymous operation');
          if (reads.length > 0) {
            try {
              await writeReadAuditEntries(app.dataSource, contextValue, reads);
            } catch (error) {
              app.logger.error({ err: error, requestId: contextValue.requestId }, 'audit write failed');
              response.body.singleResult = {
                errors: [
                  new GraphQLError('The audit entry could not be written, so nothing is returned', {
                    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
                  }).toJSON(),
                ],
              };
              response.http.status = 500;
              return;
            }
          }
          const counter = currentStatementCounter();
          if (app.config.exposeSqlStatementCount && counter) {
            result.extensions = { ...result.extensions, sqlStatements: counter.statements };
          }
          if (app.config.exposeSqlText && app.config.nodeEnv !== 'production' && counter?.recorded) {
            result.extensions = { ...result.extensions, sql: counter.recorded };
          }
        },
      };
    },
  };
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new PayloadTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new PayloadTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

export interface ConcordServer {
  httpServer: http.Server;
  apollo: ApolloServer<RequestContext>;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export async function createServer(app: AppServices, givenSchema?: GraphQLSchema): Promise<ConcordServer> {
  const { config } = app;
  const production = config.nodeEnv === 'production';
  const schema = givenSchema ?? (await buildApiSchema());
  const apollo = new ApolloServer<RequestContext>({
    ...(config.compiledQueries ? { gateway: compiledExecution(schema) } : { schema }),
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: config.nodeEnv === 'development',
    validationRules: [depthLimit(config.limits.maxDepth), aliasLimit(config.limits.maxAliases)],
    formatError: formatError(app),
    // Compact JSON: Apollo pretty-prints by default, which costs bytes and time on large pages.
    stringifyResult: (value) => JSON.stringify(value),
    // No HTTP cache hints here: every answer depends on who asks. The plugin would also wrap every field.
    plugins: [
      auditAndMetricsPlugin(app),
      costLimitPlugin(schema, config.limits.maxCost),
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();

  async function handleGraphQL(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    url: URL,
  ) {
    let body: unknown = undefined;
    if (request.method === 'POST') {
      const text = await readBody(request, config.limits.maxBodyBytes);
      const contentType = request.headers['content-type'] ?? '';
      if (contentType.includes('application/json')) {
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          sendJson(response, 400, {
            errors: [{ message: 'The body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }],
          });
          return;
        }
      } else {
        body = text;
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const identity = await identityFromAuthorization(
      request.headers.authorization,
      app.tokens,
      app.dataSource,
    );
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: async () =>
        new RequestContext(app, requestId, identity, request.socket.remoteAddress ?? 'unknown'),
    });
    for (const [key, value] of result.headers) response.setHeader(key, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      // As UTF-8 bytes, not the string: Node would prepend the headers to a string body (a copy of
      // the whole page, twice its size when it holds Chinese) before encoding it.
      response.end(Buffer.from(result.body.string, 'utf8'));
    } else {
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    }
  }

  async function readiness(): Promise<boolean> {
    try {
      await Promise.race([
        app.dataSource.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  const httpServer = http.createServer((request, response) => {
    const started = process.hrtime.bigint();
    const offered = request.headers['x-request-id'];
    const requestId = typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    response.setHeader('x-request-id', requestId);
    const origin = request.headers.origin;
    if (origin && config.corsOrigins.includes(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
      response.setHeader('access-control-allow-headers', 'authorization, content-type, x-request-id');
      response.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const work = async () => {
      if (request.method === 'OPTIONS') {
        response.writeHead(204).end();
      } else if (url.pathname === '/healthz') {
        sendJson(response, 200, { status: 'ok' });
      } else if (url.pathname === '/readyz') {
        const ready = await readiness();
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' });
      } else if (url.pathname === '/graphql') {
        // Counting uses AsyncLocalStorage, which has a price per promise: only when someone reads it
        // (never in production). On Node 20 the first counted request turns on promise hooks for the
        // rest of the process's life, and every later promise costs about twice as much.
        const explain = config.exposeSqlText && request.headers['x-concord-explain'] === '1';
        if (config.exposeSqlStatementCount || explain) {
          await runCountingStatements(() => handleGraphQL(request, response, requestId, url), explain).result;
        } else {
          await handleGraphQL(request, response, requestId, url);
        }
      } else {
        sendJson(response, 404, { error: 'Not found: the API is at /graphql' });
      }
    };
    work()
      .catch((error: unknown) => {
        if (error instanceof PayloadTooLarge) {
          sendJson(response, 413, {
            errors: [
              {
                message: `The request body exceeds ${config.limits.maxBodyBytes} bytes`,
                extensions: { code: 'BAD_USER_INPUT' },
              },
            ],
          });
          request.resume();
          return;
        }
        app.logger.error({ err: error, requestId }, 'request failed');
        if (!response.headersSent) {
          sendJson(response, 500, {
            errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          });
        } else {
          response.end();
        }
      })
      .finally(() => {
        app.logger.info(
          {
            requestId,
            method: request.method,
            path: url.pathname,
            status: response.statusCode,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          },
          'request',
        );
      });
  });
  httpServer.keepAliveTimeout = 65_000;

  // Subscriptions (graphql-ws) on the same path; the token travels in connectionParams.authorization.
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.limits.maxBodyBytes,
  });
  const subscriptions = useServer<Record<string, unknown>, { identity?: Identity }>(
    {
      schema,
      onSubscribe: (socket, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const rules = [
          ...specifiedRules,
          depthLimit(config.limits.maxDepth),
          aliasLimit(config.limits.maxAliases),
        ];
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors;
        return {
          schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue: new RequestContext(app, randomUUID(), socket.extra.identity ?? null),
        };
      },
      onConnect: async (socket) => {
        const authorization = socket.connectionParams?.authorization;
        const identity = await identityFromAuthorization(
          typeof authorization === 'string' ? authorization : undefined,
          app.tokens,
          app.dataSource,
        );
        if (!identity) return false;
        socket.extra.identity = identity;
        return true;
      },
    },
    wsServer,
  );

  let closing: Promise<void> | undefined;
  return {
    httpServer,
    apollo,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          resolve(`http://${host}:${address.port}/graphql`);
        });
      });
    },
    close() {
      // Once: a second close (two signals in a row) would reject inside graphql-ws's dispose, since
      // its WebSocket server is already closed, and end the process with an unhandled rejection.
      closing ??= (async () => {
        await subscriptions.dispose();
        await new Promise<void>((resolve) => wsServer.close(() => resolve()));
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        await apollo.stop();
      })();
      return closing;
    },
  };
}
