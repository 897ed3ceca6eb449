// GET /export/<kind>.<format> (households, persons or disputes, as .csv or .ndjson): an export
// file streamed as it is read, one page of the list query at a time (export-run.ts), with the caller's
// usual Authorization (`Bearer <token>` or `ApiKey <key>`). The next page is read only once the client
// has taken the last one (backpressure), so neither the server nor the database holds the whole file.
//
// The file's audit entry is written when it ends: before the last byte when it is complete (a file
// whose entry cannot be written is cut off, never completed), or as soon as the client goes away,
// naming the rows sent until then.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MIN_LSN_REFUSAL, requestedMinLsn } from '../../database/read-replica';
import { ErrorCode } from '../../graphql/errors';
import { sendJson } from '../../http/respond';
import { EXPORT_FORMATS, EXPORT_KINDS, parseExportName } from './export-columns';
import { CONTENT_TYPES, fileStart, pageText } from './export-format';
import { ExportRefused, ExportRun, type ExportServices } from './export-run';

export const EXPORT_PATH = '/export/';

export type ExportHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  url: URL,
) => Promise<void>;

const refuse = (response: ServerResponse, status: number, code: ErrorCode, message: string) =>
  sendJson(response, status, { errors: [{ message, extensions: { code } }] });

/** The `filter` query parameter: a JSON object (the list's filter input), absent, or an error text. */
function filterOf(url: URL): { filter?: Record<string, unknown> } | string {
  const text = url.searchParams.get('filter');
  if (text === null) return {};
  try {
    const filter: unknown = JSON.parse(text);
    if (typeof filter === 'object' && filter !== null && !Array.isArray(filter)) {
      return { filter: filter as Record<string, unknown> };
    }
  } catch {
    // answered below
  }
  return 'filter must be a JSON object, the list’s filter input (e.g. {"tiers":["RED"]})';
}

/** Resolves once the response can take more, or the client is gone. */
function drainedOrClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

export function exportHandler(services: ExportServices): ExportHandler {
  const { logger } = services.app;
  return async (request, response, requestId, url) => {
    if (request.method !== 'GET') {
      response.setHeader('allow', 'GET');
      refuse(response, 405, ErrorCode.BAD_USER_INPUT, 'Exports are read with GET');
      return;
    }
    const chosen = parseExportName(url.pathname.slice(EXPORT_PATH.length));
    if (!chosen) {
      refuse(
        response,
        404,
        ErrorCode.NOT_FOUND,
        `No such export: /export/<${EXPORT_KINDS.join('|')}>.<${EXPORT_FORMATS.join('|')}>`,
      );
      return;
    }
    const filtered = filterOf(url);
    if (typeof filtered === 'string') {
      refuse(response, 400, ErrorCode.BAD_USER_INPUT, filtered);
      return;
    }
    // As a query does: with a read replica, the pages come from it, after the commit the caller names.
    const minLsn = requestedMinLsn(request.headers['concord-min-lsn']);
    if (minLsn === 'invalid') {
      refuse(response, 400, ErrorCode.BAD_USER_INPUT, MIN_LSN_REFUSAL);
      return;
    }
    const credential = {
      authorization: request.headers.authorization,
      clientAddress: request.socket.remoteAddress ?? 'unknown',
      minLsn,
    };
    let run: ExportRun;
    try {
      run = await ExportRun.open(services, credential, requestId, { ...chosen, ...filtered });
    } catch (error) {
      if (!(error instanceof ExportRefused)) throw error;
      sendJson(response, error.status, { errors: error.errors.map((each) => each.toJSON()) }, error.headers);
      return;
    }

    let gone = false;
    response.on('close', () => {
      if (!response.writableFinished) gone = true;
    });
    // A write to a connection the client has closed must not become an unhandled 'error'.
    response.on('error', () => {
      gone = true;
    });
    const { kind, format } = chosen;
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="${kind}.${format}"`,
      'cache-control': 'no-store',
      ...(run.totalCount === null ? {} : { 'x-total-count': String(run.totalCount) }),
    });
    let complete = false;
    try {
      const start = fileStart(format, run.columns);
      if (start && !response.write(start)) await drainedOrClosed(response);
      for (;;) {
        if (gone) break;
        const page = await run.next();
        if (!page) {
          complete = true;
          break;
        }
        // Read but not sent: the client went away meanwhile, and the rows are not in its file.
        if (gone) break;
        const more = response.write(pageText(format, run.columns, page.rows));
        run.sent(page);
        if (!more) await drainedOrClosed(response);
      }
    } catch (error) {
      // Mid-file the status has left: the file is cut off below, and the client sees it unfinished.
      logger.warn({ err: error, requestId, rowsSent: run.rowsSent }, 'export stopped');
    }
    try {
      await run.finish(complete && !gone);
    } catch (error) {
      logger.error({ err: error, requestId }, 'export audit write failed');
      response.destroy();
      return;
    }
    if (complete && !gone) response.end();
    else response.destroy();
  };
}
