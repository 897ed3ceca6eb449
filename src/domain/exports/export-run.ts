// One export file, read page by page as the caller (SPEC §5a, issue 21 item 4): the ordinary list
// query (`households`, `persons`, `disputes`) run through the permission-wrapped schema with a fresh request context
// per page — identity re-read from the credential, the same row scope, shield rules, masking and
// value filters as over GraphQL — so no permission rule is restated here. Only the pages the transport
// has sent are counted, and the whole file is audited as one READ entry (`finish`).
//
// It takes the request lifecycle's steps itself (admit, openContext, the sign-in gate, read routing, masking) rather
// than calling `execute`, because `execute` writes an audit entry per operation, and an export is one
// read with one entry. The sensitive reads the shield notes per page are gathered, not dropped: they
// go into that entry.
import { execute, GraphQLError, type GraphQLSchema } from 'graphql';
import { writeReadAuditEntries, type AuditRecord } from '../../audit/audit-log';
import { principalOf, type Identity } from '../../auth/identity';
import { refusedUntilSignInCompletes } from '../../auth/password-gate';
import type { ServerRequestContext } from '../../context';
import { ErrorCode, forbidden, unauthenticated } from '../../graphql/errors';
import type { AdmittedOperation, Credential, RequestLifecycle } from '../../graphql/lifecycle';
import type { AppServices } from '../../request-scope';
import {
  columnsFor,
  EXPORTS,
  pageQuery,
  type CellValue,
  type ChosenColumn,
  type ExportDefinition,
  type ExportFormat,
  type ExportKind,
} from './export-columns';

export interface ExportServices {
  app: AppServices;
  schema: GraphQLSchema;
  lifecycle: RequestLifecycle;
}

export interface ExportRequest {
  kind: ExportKind;
  format: ExportFormat;
  /** The list's own filter (PersonFilter, DisputeFilter), as a GraphQL variable. */
  filter?: Record<string, unknown>;
}

export type ExportRow = Record<string, CellValue>;

export interface ExportPage {
  rows: ExportRow[];
  ids: string[];
  /** The sensitive values this page shows, as the shield noted them. */
  reads: AuditRecord[];
}

/** Why an export cannot start or go on: the errors as GraphQL would answer them, with an HTTP status. */
export class ExportRefused extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly GraphQLError[],
    /** HTTP headers the refusal carries (Retry-After of a spent budget). */
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((error) => error.message).join('; '));
  }
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.TOO_MANY_REQUESTS]: 429,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
};

function refusal(errors: readonly GraphQLError[], headers: Record<string, string> = {}): ExportRefused {
  const code = errors[0]?.extensions.code;
  return new ExportRefused((typeof code === 'string' && STATUS_BY_CODE[code]) || 500, errors, headers);
}

/**
 * How long a file in progress waits, in all, for a spent budget to refill before it is cut off: a
 * service account's export is paced by its budget page by page, as its list queries would be.
 */
const MOST_BUDGET_WAIT_MS = 30_000;

interface Gathered {
  recordIds: Set<string>;
  fields: Set<string>;
}

export class ExportRun {
  private after: string | null = null;
  private hasNextPage = true;
  private readonly sentIds: string[] = [];
  /** Sensitive reads of the pages sent, by record type. */
  private readonly gathered = new Map<string, Gathered>();
  private finished = false;

  private pending: ExportPage | null = null;
  private budgetWaitMs = 0;
  private total: number | null = null;

  private constructor(
    private readonly services: ExportServices,
    private readonly credential: Credential,
    private readonly requestId: string,
    private readonly request: ExportRequest,
    private readonly definition: ExportDefinition,
    readonly columns: readonly ChosenColumn[],
    private readonly admitted: AdmittedOperation,
    /** Who asked, as the export found them at its start: the audit entry's actor. */
    private readonly identity: Identity,
  ) {}

  /**
   * Admits the export and reads its first page, so that a caller who may not export this (no
   * credential, a list they may not read, a filter they may not use) gets an error, not a file.
   */
  static async open(
    services: ExportServices,
    credential: Credential,
    requestId: string,
    request: ExportRequest,
  ): Promise<ExportRun> {
    const { lifecycle } = services;
    const identity = await lifecycle.identify(credential);
    if (!identity) {
      throw refusal([unauthenticated()]);
    }
    const definition = EXPORTS[request.kind];
    const columns = columnsFor(definition, principalOf(identity));
    const admitted = lifecycle.admit(
      {
        query: pageQuery(definition, columns),
        operationName: 'Export',
        variables: { after: null, counting: true, filter: request.filter ?? null },
      },
      credential,
    );
    if (Array.isArray(admitted)) throw refusal(admitted);
    const run = new ExportRun(
      services,
      credential,
      requestId,
      request,
      definition,
      columns,
      admitted,
      identity,
    );
    const { page, totalCount } = await run.readPage(true);
    // The audit entry names every record by id; an account that may not read ids may not export.
    if (!columns.some((column) => column.name === 'id')) {
      throw refusal([forbidden()]);
    }
    run.pending = page;
    run.total = totalCount;
    return run;
  }

  /** Rows in scope when the export began (the progress bar's total; writers may change it meanwhile). */
  get totalCount(): number | null {
    return this.total;
  }

  /** The next page, or null when the file is complete. ExportRefused when a page cannot be read. */
  async next(): Promise<ExportPage | null> {
    if (this.pending) {
      const page = this.pending;
      this.pending = null;
      return page;
    }
    if (!this.hasNextPage) return null;
    return (await this.readPage(false)).page;
  }

  /** The page has left the server: its rows are in the file, and in the audit entry. */
  sent(page: ExportPage): void {
    this.sentIds.push(...page.ids);
    for (const read of page.reads) {
      let entry = this.gathered.get(read.recordType);
      if (!entry) {
        entry = { recordIds: new Set(), fields: new Set() };
        this.gathered.set(read.recordType, entry);
      }
      for (const id of read.recordIds) entry.recordIds.add(id);
      for (const field of read.fields) entry.fields.add(field);
    }
  }

  get rowsSent(): number {
    return this.sentIds.length;
  }

  /**
   * Writes the file's audit entry: one READ entry naming every record sent, the sensitive fields
   * read in full (`fields`, as in every read entry), and in `detail` the file's columns, which were
   * masked, and whether the file was complete (false: the client went away or a page failed; the
   * entry names what had been sent by then). Resolves when the entry is committed; once per file.
   */
  async finish(complete: boolean): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const { recordType, kind } = this.definition;
    const operation = `export ${kind}.${this.request.format}`;
    const own = this.gathered.get(recordType);
    const records: AuditRecord[] = [
      {
        action: 'READ',
        operation,
        recordType,
        recordIds: this.sentIds,
        fields: own ? [...own.fields].sort() : [],
        detail: {
          export: kind,
          format: this.request.format,
          complete,
          rows: this.sentIds.length,
          columns: this.columns.map((column) => column.name),
          maskedColumns: this.columns
            .filter((column) => column.decision === 'masked')
            .map((column) => column.name),
          ...(this.request.filter ? { filter: this.request.filter } : {}),
        },
      },
    ];
    // The columns reach no other record's sensitive field today; should one, its reads are kept.
    for (const [type, entry] of [...this.gathered].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (type === recordType) continue;
      records.push({
        action: 'READ',
        operation,
        recordType: type,
        recordIds: [...entry.recordIds].sort(),
        fields: [...entry.fields].sort(),
      });
    }
    await writeReadAuditEntries(
      this.services.app.dataSource,
      { requestId: this.requestId, identity: this.identity },
      records,
    );
  }

  /**
   * Each page costs what the same list query costs over GraphQL (src/auth/budgets.ts; staff pay
   * nothing). The first page's refusal is the export's 429 before any file; a later page waits for
   * the bucket to refill, up to MOST_BUDGET_WAIT_MS in all, and past that the file is cut off.
   */
  private async drawOnBudget(identity: Identity, firstPage: boolean): Promise<void> {
    for (;;) {
      const overBudget = await this.services.lifecycle.overBudget(identity, this.admitted);
      if (!overBudget) return;
      const retryAfterSeconds = overBudget.extensions.retryAfterSeconds;
      const waitMs = typeof retryAfterSeconds === 'number' ? retryAfterSeconds * 1000 : null;
      if (firstPage || waitMs === null || this.budgetWaitMs + waitMs > MOST_BUDGET_WAIT_MS) {
        // Masking drops the error's HTTP extension; its Retry-After is carried as a header.
        const http = overBudget.extensions.http as { headers?: Map<string, string> } | undefined;
        throw refusal(this.services.lifecycle.mask([overBudget]), Object.fromEntries(http?.headers ?? []));
      }
      this.budgetWaitMs += waitMs;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** One page of the list query, in a fresh context for the caller as the credential names them now. */
  private async readPage(counting: boolean): Promise<{ page: ExportPage; totalCount: number | null }> {
    const { lifecycle, schema } = this.services;
    const context: ServerRequestContext = await lifecycle.openContext(this.credential, this.requestId);
    // A key revoked or an account disabled mid-export ends the export at the next page.
    if (!context.identity || context.identity.id !== this.identity.id) {
      throw refusal([unauthenticated()]);
    }
    const gate = refusedUntilSignInCompletes(
      context.identity,
      this.admitted.document,
      this.admitted.operation,
    );
    if (gate) throw refusal(lifecycle.mask([gate]));
    await this.drawOnBudget(context.identity, counting);
    await lifecycle.routeReads(context);
    const result = await execute({
      schema,
      document: this.admitted.document,
      operationName: 'Export',
      variableValues: { after: this.after, counting, filter: this.request.filter ?? null },
      contextValue: context,
    });
    const reads = context.takeSensitiveReads(`export ${this.definition.kind}.${this.request.format}`);
    // Any error fails the file: a cell GraphQL would have refused must not become an empty cell.
    if (result.errors?.length) throw refusal(lifecycle.mask(result.errors));
    const connection = (result.data as Record<string, unknown> | null | undefined)?.[
      this.definition.listField
    ] as ListPage | null | undefined;
    if (!connection) {
      throw refusal(lifecycle.mask([new GraphQLError('The list answered nothing')]));
    }
    this.after = connection.pageInfo.endCursor;
    this.hasNextPage = connection.pageInfo.hasNextPage && connection.pageInfo.endCursor !== null;
    const rows: ExportRow[] = [];
    const ids: string[] = [];
    for (const { node } of connection.edges) {
      const row: ExportRow = {};
      for (const column of this.columns) row[column.name] = column.cell(node);
      rows.push(row);
      ids.push(String(node.id));
    }
    return {
      page: { rows, ids, reads },
      totalCount: typeof connection.totalCount === 'number' ? connection.totalCount : null,
    };
  }
}

interface ListPage {
  totalCount?: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: Record<string, unknown> }[];
}
