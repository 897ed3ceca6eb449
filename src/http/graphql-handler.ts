// GraphQL over HTTP (POST and GET /graphql): the body within its size limit, the trusted document in
// place of an id (TRUSTED_DOCUMENTS), then Apollo Server, whose hooks run the request lifecycle
// (src/graphql/lifecycle.ts) with a context opened for the caller.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Config } from '../config';
import type { ServerRequestContext } from '../context';
import { MIN_LSN_REFUSAL, requestedMinLsn } from '../database/read-replica';
import type { RequestLifecycle } from '../graphql/lifecycle';
import type { IncomingOperation } from '../graphql/trusted-documents';
import { sendJson } from './respond';

/** The body is larger than `limits.maxBodyBytes`: answered 413 by the routes. */
export class PayloadTooLarge extends Error {}

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

/** The query text of a request, where Apollo Server will look for it (no batches: they are off). */
function queryText(method: string | undefined, body: unknown, url: URL): string | undefined {
  if (method === 'GET') return url.searchParams.get('query') ?? undefined;
  if (typeof body === 'object' && body !== null && 'query' in body && typeof body.query === 'string') {
    return body.query;
  }
  return undefined;
}

/** The parts of a request that name its document, from a JSON body or GET's parameters. */
function incomingOperation(method: string | undefined, body: unknown, url: URL): IncomingOperation {
  if (method === 'GET') {
    let extensions: unknown;
    try {
      extensions = JSON.parse(url.searchParams.get('extensions') ?? 'null');
    } catch {
      extensions = undefined;
    }
    return {
      query: url.searchParams.get('query') ?? undefined,
      documentId: url.searchParams.get('documentId') ?? undefined,
      extensions,
    };
  }
  return typeof body === 'object' && body !== null ? (body as IncomingOperation) : {};
}

/**
 * The request with `query` as the trusted document, its id taken away: Apollo Server would otherwise
 * treat `extensions.persistedQuery` as its own automatic persisted queries.
 */
function withDocument(
  method: string | undefined,
  body: unknown,
  url: URL,
  query: string,
): { body: unknown; search: string } {
  if (method === 'GET') {
    const params = new URLSearchParams(url.searchParams);
    params.set('query', query);
    params.delete('documentId');
    params.delete('extensions');
    return { body, search: `?${params.toString()}` };
  }
  const { documentId: _id, extensions, ...rest } = body as Record<string, unknown>;
  const kept =
    typeof extensions === 'object' && extensions !== null
      ? Object.fromEntries(Object.entries(extensions).filter(([key]) => key !== 'persistedQuery'))
      : undefined;
  return { body: { ...rest, query, ...(kept ? { extensions: kept } : {}) }, search: url.search };
}

export type GraphQLHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  url: URL,
) => Promise<void>;

export function graphqlHandler(
  apollo: ApolloServer<ServerRequestContext>,
  lifecycle: RequestLifecycle,
  config: Config,
): GraphQLHandler {
  return async (request, response, requestId, url) => {
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
    const minLsn = requestedMinLsn(request.headers['concord-min-lsn']);
    if (minLsn === 'invalid') {
      sendJson(response, 400, {
        errors: [{ message: MIN_LSN_REFUSAL, extensions: { code: 'BAD_USER_INPUT' } }],
      });
      return;
    }
    const credential = {
      authorization: request.headers.authorization,
      clientAddress: request.socket.remoteAddress ?? 'unknown',
      minLsn,
      transport: 'HTTP' as const,
    };
    let search = url.search;
    const trusted = await lifecycle.trustedQuery(incomingOperation(request.method, body, url), credential);
    if (trusted instanceof GraphQLError) {
      sendJson(response, 400, { errors: [trusted.toJSON()] });
      return;
    }
    if (trusted !== undefined) ({ body, search } = withDocument(request.method, body, url, trusted));
    const source = trusted ?? queryText(request.method, body, url);
    const refused = source === undefined ? undefined : lifecycle.refuseBeforeParsing(source);
    if (refused) {
      sendJson(response, 400, { errors: [refused.toJSON()] });
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search, body },
      context: () => lifecycle.openContext(credential, requestId),
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
  };
}
