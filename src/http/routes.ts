// The HTTP routes: a request id on every answer, CORS for configured origins, /healthz, /readyz,
// /graphql (graphql-handler.ts; a browser's page and the development explorer: explorer.ts), a 404 for
// the rest, a plain 500 for what fails, and a JSON access log.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServices } from '../request-scope';
import { EXPLORER_ASSETS_PATH, sendExplorerAsset, sendGraphQLPage, wantsPage } from './explorer';
import { EXPORT_PATH, type ExportHandler } from '../domain/exports/export-handler';
import { PayloadTooLarge, type GraphQLHandler } from './graphql-handler';
import type { ServerMetrics } from './metrics';
import { sendJson } from './respond';
import { countingStatements } from './statement-counts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Whether the database answers within two seconds. */
async function readiness(app: AppServices): Promise<boolean> {
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

export function routes(
  app: AppServices,
  handleGraphQL: GraphQLHandler,
  handleExport?: ExportHandler,
  metrics?: ServerMetrics,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { config } = app;
  return (request, response) => {
    const started = process.hrtime.bigint();
    const offered = request.headers['x-request-id'];
    const requestId = typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    response.setHeader('x-request-id', requestId);
    const origin = request.headers.origin;
    if (origin && config.corsOrigins.includes(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
      response.setHeader(
        'access-control-allow-headers',
        'authorization, content-type, x-request-id, concord-min-lsn',
      );
      response.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      // A browser client reads its mutation's commit position to send back (docs/deployment.md#read-replicas).
      response.setHeader('access-control-expose-headers', 'concord-lsn');
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const work = async () => {
      if (request.method === 'OPTIONS') {
        response.writeHead(204).end();
      } else if (url.pathname === '/healthz') {
        sendJson(response, 200, { status: 'ok' });
      } else if (url.pathname === '/readyz') {
        const ready = await readiness(app);
        sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' });
      } else if (url.pathname === '/graphql' && wantsPage(request, url)) {
        sendGraphQLPage(config, request, response);
      } else if (url.pathname === '/graphql') {
        await countingStatements(config, request, () => handleGraphQL(request, response, requestId, url));
      } else if (metrics && url.pathname === '/metrics' && request.method === 'GET') {
        await metrics.serve(config, request, response);
      } else if (handleExport && url.pathname.startsWith(EXPORT_PATH)) {
        await handleExport(request, response, requestId, url);
      } else if (config.nodeEnv === 'development' && url.pathname.startsWith(EXPLORER_ASSETS_PATH)) {
        await sendExplorerAsset(request, response, url.pathname.slice(EXPLORER_ASSETS_PATH.length));
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
        metrics?.httpAnswered(url.pathname, response.statusCode);
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
  };
}
