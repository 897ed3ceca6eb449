// One request lifecycle for every way data leaves the server (STYLE 11, SPEC §4 and §5): identity
// re-read from the credential, abuse limits, a fresh RequestContext (fresh loaders) per operation and
// per subscription event, the sensitive-read audit written before the answer leaves, one error masking.
//
// Transports that run operations themselves (graphql-ws today; exports, webhooks, feeds later) call
// `admit` and then `execute` or `subscribe`, which take every step in order; HTTP runs through Apollo
// Server, and `apolloOptions` binds the same steps to Apollo's hooks. Neither can pick steps. Both
// transports that take operations from clients first ask `trustedQuery` which text they may run
// (TRUSTED_DOCUMENTS, src/graphql/trusted-documents.ts); the server's own operations skip it.
import { randomUUID } from 'node:crypto';
import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { writeReadAuditEntries } from '../audit/audit-log';
import { identityFromAuthorization, type Identity } from '../auth/identity';
import { RequestBudgets } from '../auth/budgets';
import { refusedUntilSignInCompletes } from '../auth/password-gate';
import { ServerRequestContext } from '../context';
import { committedLsn, ReadRouting } from '../database/read-replica';
import type { OperationObserver } from '../http/metrics';
import type { AppServices } from '../request-scope';
import { ErrorCode, unauthenticated } from './errors';
import { formatError, maskErrors, type ErrorFormatter } from './format-error';
import { aliasLimit, costLimit, depthLimit, nestingLimit, type CostCheck } from './limits';
import { documentIdOf, TrustedDocuments, type IncomingOperation } from './trusted-documents';

/** What a caller presents: re-read for every operation and every subscription event. */
export interface Credential {
  /** The Authorization value: `Bearer <access token>` or `ApiKey <key>`. */
  authorization: string | undefined;
  clientAddress: string;
  /**
   * The commit a query must see (HTTP header Concord-Min-LSN, the Concord-LSN a mutation answered): read
   * from the replica once it replayed it, else from the primary (src/database/read-replica.ts).
   */
  minLsn?: bigint;
  /** The way the operation came in, noted on its read audit entries (the access report names it). */
  transport?: 'HTTP' | 'WEBSOCKET';
}

/** An operation as a transport received it. */
export interface OperationRequest {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** An operation that passed parsing, validation and the limits (made by RequestLifecycle.admit). */
export class AdmittedOperation {
  constructor(
    readonly credential: Credential,
    readonly document: DocumentNode,
    readonly operation: OperationDefinitionNode,
    readonly variables: Record<string, unknown> | undefined,
  ) {}

  get operationName(): string | undefined {
    return this.operation.name?.value;
  }
}

/** What the lifecycle sets in Apollo Server's options. */
export type ApolloLifecycleOptions = Required<
  Pick<
    ApolloServerOptions<ServerRequestContext>,
    'validationRules' | 'formatError' | 'introspection' | 'hideSchemaDetailsFromClientErrors'
  >
> & { plugins: ApolloServerPlugin<ServerRequestContext>[] };

const AUDIT_FAILED = 'The audit entry could not be written, so nothing is returned';

/** A production error message keeps no "Did you mean …?" (it would spell out the schema). */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

export class RequestLifecycle {
  readonly formatError: ErrorFormatter;
  private readonly production: boolean;
  private readonly ourRules: ValidationRule[];
  private readonly allRules: ValidationRule[];
  private readonly costOf: CostCheck;
  private readonly budgets: RequestBudgets;
  /** Present when a read replica is configured (DATABASE_READ_URL). */
  private readonly reads: ReadRouting | undefined;
  /** The manifest of TRUSTED_DOCUMENTS; undefined: clients may send any document. */
  private readonly trusted: TrustedDocuments | undefined;

  constructor(
    private readonly app: AppServices,
    private readonly schema: GraphQLSchema,
    /** Told of every answered operation and read-audit write (src/http/metrics.ts). */
    private readonly observer?: OperationObserver,
  ) {
    const { limits, nodeEnv } = app.config;
    this.production = nodeEnv === 'production';
    this.formatError = formatError(app);
    this.ourRules = [depthLimit(limits.maxDepth), aliasLimit(limits.maxAliases)];
    this.allRules = [
      ...specifiedRules,
      ...this.ourRules,
      ...(this.production ? [NoSchemaIntrospectionCustomRule] : []),
    ];
    this.costOf = costLimit(schema, limits.maxCost);
    this.trusted = app.config.trustedDocumentsFile
      ? TrustedDocuments.load(app.config.trustedDocumentsFile)
      : undefined;
    this.budgets = new RequestBudgets(
      app.dataSource,
      app.config.serviceAccountBudget,
      schema,
      (seconds, admitted) => observer?.budgetCharged(seconds, admitted),
    );
    this.reads = app.readDataSource
      ? new ReadRouting(app.dataSource, app.readDataSource, app.config.readReplicaMaxWaitMs, (error) =>
          app.logger.warn({ err: error }, 'the read replica did not answer: reading from the primary'),
        )
      : undefined;
  }

  /** Who the credential names now, read from the database: a disabled account or revoked key is null. */
  identify(credential: Credential): Promise<Identity | null> {
    return identityFromAuthorization(
      credential.authorization,
      this.app.tokens,
      this.app.dataSource,
      this.app.clock(),
    );
  }

  /**
   * With TRUSTED_DOCUMENTS: the text to run for an operation a client sent — the manifest's document
   * for the id it names — or the masked refusal (an unknown id; a staff account's own text). Without
   * it: undefined, the request runs as it came. The credential is read only for a text without an id.
   */
  async trustedQuery(
    request: IncomingOperation,
    credential: Credential,
  ): Promise<string | GraphQLError | undefined> {
    if (!this.trusted) return undefined;
    const identity = documentIdOf(request) === undefined ? await this.identify(credential) : null;
    const resolved = this.trusted.resolve(request, identity);
    return typeof resolved === 'string' ? resolved : this.mask([resolved])[0];
  }

  /** Identity and a fresh context: loaders never serve rows of another operation or another identity. */
  async openContext(credential: Credential, requestId: string): Promise<ServerRequestContext> {
    const identity = await this.identify(credential);
    return new ServerRequestContext(
      this.app,
      requestId,
      identity,
      credential.clientAddress,
      credential.minLsn,
      credential.transport,
    );
  }

  /**
   * Sends a query operation's reads to the read replica, when one is configured and has replayed the
   * commit the caller named (waiting a bounded time for it); otherwise they stay on the primary.
   * Mutations and subscription events never come here: they read what they write, on the primary.
   */
  async routeReads(context: ServerRequestContext): Promise<void> {
    if (this.reads) context.readFrom(await this.reads.sourceFor(context.readsAfterLsn));
  }

  /**
   * The primary's WAL position after a mutation committed (the caller's `Concord-LSN`), when a read
   * replica is configured; undefined without one, where every read sees every commit.
   */
  async commitPosition(): Promise<string | undefined> {
    return this.reads ? committedLsn(this.app.dataSource) : undefined;
  }

  /**
   * Writes the sensitive reads `context` noted; the error to answer instead of the result when the
   * entry could not be written (the answer must not leave unaudited).
   */
  async writeAudit(
    context: ServerRequestContext,
    operationName: string | null | undefined,
  ): Promise<GraphQLError | undefined> {
    const taken = context.takeSensitiveReads(operationName ?? 'anonymous operation');
    if (taken.length === 0) return undefined;
    const transport = context.transport;
    const reads = transport ? taken.map((read) => ({ ...read, detail: { transport } })) : taken;
    try {
      const started = process.hrtime.bigint();
      await writeReadAuditEntries(this.app.dataSource, context, reads);
      this.observer?.readAuditWritten(secondsSince(started));
      return undefined;
    } catch (error) {
      this.app.logger.error({ err: error, requestId: context.requestId }, 'audit write failed');
      return new GraphQLError(AUDIT_FAILED, { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
    }
  }

  /** Masks errors for transports that send GraphQLError objects (formatError for the rest). */
  mask(errors: readonly GraphQLError[]): GraphQLError[] {
    return maskErrors(this.formatError, errors);
  }

  /** Runs `work` in `context`, then the audit, then masking: the answer, ready to leave. */
  async runOperation(
    context: ServerRequestContext,
    operationName: string | null | undefined,
    work: (context: ServerRequestContext) => Promise<ExecutionResult> | ExecutionResult,
  ): Promise<ExecutionResult> {
    let result: ExecutionResult;
    try {
      result = await work(context);
    } catch (error) {
      result = { errors: [asGraphQLError(error)] };
    }
    const auditFailure = await this.writeAudit(context, operationName);
    if (auditFailure) return { errors: [auditFailure] };
    return result.errors ? { ...result, errors: this.mask(result.errors) } : result;
  }

  /**
   * The limits a query text must pass before anything parses it (graphql-js parses and validates by
   * recursion): the masked error to answer with, or undefined. Apollo Server has no hook before its
   * parser that may refuse a request, so the HTTP handler calls this itself.
   */
  refuseBeforeParsing(source: string): GraphQLError | undefined {
    const tooDeep = nestingLimit(source);
    return tooDeep ? this.mask([tooDeep])[0] : undefined;
  }

  /**
   * Refuses what must not reach the parser (too deeply nested), then parses, validates (depth,
   * aliases, introspection in production) and prices the operation. Errors come back masked.
   */
  admit(request: OperationRequest, credential: Credential): AdmittedOperation | GraphQLError[] {
    const tooDeep = this.refuseBeforeParsing(request.query);
    if (tooDeep) return [tooDeep];
    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (error) {
      return this.mask([withCode(asGraphQLError(error), 'GRAPHQL_PARSE_FAILED')]);
    }
    const invalid = validate(this.schema, document, this.allRules);
    if (invalid.length > 0) {
      return this.mask(
        invalid.map((error) => {
          if (this.production) error.message = error.message.replace(SUGGESTION, '');
          return withCode(error, 'GRAPHQL_VALIDATION_FAILED');
        }),
      );
    }
    const operation = getOperationAST(document, request.operationName);
    if (!operation) {
      return this.mask([
        new GraphQLError('Name the operation to run: the document has none of that name, or several', {
          extensions: { code: ErrorCode.BAD_USER_INPUT },
        }),
      ]);
    }
    const tooCostly = this.costOf(document, request.operationName, request.variables);
    if (tooCostly) return this.mask([tooCostly]);
    return new AdmittedOperation(credential, document, operation, request.variables ?? undefined);
  }

  /** A query or mutation: identity, a fresh context, the budget, execution, audit, masking. */
  async execute(admitted: AdmittedOperation, requestId: string = randomUUID()): Promise<ExecutionResult> {
    const started = process.hrtime.bigint();
    const context = await this.openContext(admitted.credential, requestId);
    const result = await this.executeIn(context, admitted);
    this.observe(admitted, context.identity !== null, started, result);
    return result;
  }

  private async executeIn(
    context: ServerRequestContext,
    admitted: AdmittedOperation,
  ): Promise<ExecutionResult> {
    const unfinishedSignIn = refusedUntilSignInCompletes(
      context.identity,
      admitted.document,
      admitted.operation,
    );
    if (unfinishedSignIn) return { errors: this.mask([unfinishedSignIn]) };
    const overBudget = await this.overBudget(context.identity, admitted);
    if (overBudget) return { errors: this.mask([overBudget]) };
    if (admitted.operation.operation === 'mutation') context.startWriting();
    return this.runOperation(context, admitted.operationName, (contextValue) =>
      execute({
        schema: this.schema,
        document: admitted.document,
        operationName: admitted.operationName,
        variableValues: admitted.variables,
        contextValue,
      }),
    );
  }

  /**
   * A subscription, as graphql-js runs one but with a fresh context for every event: the source
   * stream is opened in the subscriber's context, and each event is executed (with the event as root
   * value) in a new one whose identity is re-read from the credential. When the credential no longer
   * names an active account, that event answers UNAUTHENTICATED and the subscription ends.
   */
  async subscribe(
    admitted: AdmittedOperation,
    requestId: string = randomUUID(),
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const started = process.hrtime.bigint();
    const subscriber = await this.openContext(admitted.credential, requestId);
    const unfinishedSignIn = refusedUntilSignInCompletes(
      subscriber.identity,
      admitted.document,
      admitted.operation,
    );
    if (unfinishedSignIn) return { errors: this.mask([unfinishedSignIn]) };
    // A subscription is charged once, when it starts: its events are the server's to send.
    const overBudget = await this.overBudget(subscriber.identity, admitted);
    this.observe(admitted, subscriber.identity !== null, started, overBudget ? { errors: [overBudget] } : {});
    if (overBudget) return { errors: this.mask([overBudget]) };
    let source: AsyncIterable<unknown> | ExecutionResult;
    try {
      source = await createSourceEventStream({
        schema: this.schema,
        document: admitted.document,
        operationName: admitted.operationName,
        variableValues: admitted.variables,
        contextValue: subscriber,
      });
    } catch (error) {
      source = { errors: [asGraphQLError(error)] };
    }
    const auditFailure = await this.writeAudit(subscriber, admitted.operationName);
    if (!isAsyncIterable(source)) {
      if (auditFailure) return { errors: [auditFailure] };
      return source.errors ? { ...source, errors: this.mask(source.errors) } : source;
    }
    const events = source[Symbol.asyncIterator]();
    if (auditFailure) {
      // Started, not awaited: the answer is the audit failure; a source that fails to close has
      // nobody to tell, and must not become an unhandled rejection.
      void Promise.resolve(events.return?.()).catch(() => undefined);
      return { errors: [auditFailure] };
    }
    let count = 0;
    return new EventStream(
      events,
      async (event) => {
        count += 1;
        const context = await this.openContext(admitted.credential, `${requestId}.${count}`);
        if (!context.identity) {
          const ended = unauthenticated(
            'The credential of this subscription is no longer valid: sign in again',
          );
          return { result: { errors: this.mask([ended]) }, last: true };
        }
        const result = await this.runOperation(context, admitted.operationName, (contextValue) =>
          execute({
            schema: this.schema,
            document: admitted.document,
            operationName: admitted.operationName,
            variableValues: admitted.variables,
            rootValue: event,
            contextValue,
          }),
        );
        return { result, last: false };
      },
      (error) => ({ errors: this.mask([asGraphQLError(error)]) }),
    );
  }

  /**
   * The same steps for Apollo Server (HTTP): the limits as validation rules and a hook, the audit
   * before the response is sent, masking through formatError. The HTTP handler opens each request's
   * context with openContext and calls refuseBeforeParsing. `afterAudit` may add transport extras
   * (SQL counts) to a result about to leave.
   */
  apolloOptions(afterAudit?: (result: FormattedExecutionResult) => void): ApolloLifecycleOptions {
    return {
      introspection: !this.production,
      hideSchemaDetailsFromClientErrors: this.production,
      validationRules: this.ourRules,
      formatError: this.formatError,
      // No Apollo landing page in any mode: it names Apollo's version and loads from its CDN; browsers
      // get our own page (src/http/explorer.ts).
      plugins: [this.apolloPlugin(afterAudit), ApolloServerPluginLandingPageDisabled()],
    };
  }

  /**
   * The budget's refusal of a service account's operation (src/auth/budgets.ts), or undefined; unmasked.
   * Transports that execute admitted operations themselves call it before running one.
   */
  overBudget(identity: Identity | null, admitted: AdmittedOperation): Promise<GraphQLError | undefined> {
    return this.budgets.refuse(identity, admitted.document, admitted.operationName, admitted.variables);
  }

  /** Reports an operation run through execute/subscribe (graphql-ws) to the metrics. */
  private observe(
    admitted: AdmittedOperation,
    signedIn: boolean,
    started: bigint,
    result: Pick<ExecutionResult, 'errors'>,
  ): void {
    this.observer?.operationFinished({
      name: admitted.operationName,
      type: admitted.operation.operation,
      transport: 'websocket',
      seconds: secondsSince(started),
      errorCodes: (result.errors ?? []).map((error) => String(error.extensions.code ?? 'OTHER')),
      signedIn,
    });
  }

  private apolloPlugin(
    afterAudit?: (result: FormattedExecutionResult) => void,
  ): ApolloServerPlugin<ServerRequestContext> {
    const costOf = this.costOf;
    const budgets = this.budgets;
    const observer = this.observer;
    const writeAudit = (context: ServerRequestContext, operationName: string | null | undefined) =>
      this.writeAudit(context, operationName);
    const routeReads = (context: ServerRequestContext) => this.routeReads(context);
    const commitPosition = () => this.commitPosition();
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        return {
          async didResolveOperation({ document, operationName, operation, request, contextValue }) {
            const tooCostly = costOf(document, operationName, request.variables);
            if (tooCostly) throw tooCostly;
            const unfinishedSignIn = refusedUntilSignInCompletes(contextValue.identity, document, operation);
            if (unfinishedSignIn) throw unfinishedSignIn;
            const overBudget = await budgets.refuse(
              contextValue.identity,
              document,
              operationName,
              request.variables,
            );
            if (overBudget) throw overBudget;
            if (operation?.operation === 'query') await routeReads(contextValue);
            if (operation?.operation === 'mutation') contextValue.startWriting();
          },
          async willSendResponse({ contextValue, response, operationName, operation }) {
            if (response.body.kind !== 'single') return;
            // Counted after the audit below: the answer leaves only then. The audit's own failure
            // replaces the result, so it is read back from the response.
            const finished = (result: FormattedExecutionResult) =>
              observer?.operationFinished({
                name: operationName,
                type: operation?.operation,
                transport: 'http',
                seconds: secondsSince(started),
                errorCodes: (result.errors ?? []).map((error) => String(error.extensions?.code ?? 'OTHER')),
                signedIn: contextValue.identity !== null,
              });
            const auditFailure = await writeAudit(contextValue, operationName);
            if (auditFailure) {
              response.body.singleResult = { errors: [auditFailure.toJSON()] };
              response.http.status = 500;
              finished(response.body.singleResult);
              return;
            }
            if (operation?.operation === 'mutation') {
              // After the commit: a later query that sends it back reads this write (Concord-Min-LSN).
              const lsn = await commitPosition();
              if (lsn) {
                const result = response.body.singleResult;
                result.extensions = { ...result.extensions, lsn };
                response.http.headers.set('concord-lsn', lsn);
              }
            }
            afterAudit?.(response.body.singleResult);
            finished(response.body.singleResult);
          },
        };
      },
    };
  }
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const original = error instanceof Error ? error : new Error(String(error));
  return new GraphQLError(original.message, { originalError: original });
}

/** The error with `code` unless it has one: parse and validation problems are the client's. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof Object(value)[Symbol.asyncIterator] === 'function';
}

interface MappedEvent {
  result: ExecutionResult;
  /** The subscription ends after this result. */
  last: boolean;
}

/**
 * A source stream mapped to results one event at a time. Unlike an async generator, return() ends it
 * at once even while it waits for the next event (graphql-ws calls it when the client completes or
 * the socket closes); the source's own return() is started, not awaited.
 */
class EventStream implements AsyncIterableIterator<ExecutionResult> {
  private finished = false;
  private readonly ended: Promise<IteratorReturnResult<undefined>>;
  private end: () => void = () => undefined;

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly map: (event: unknown) => Promise<MappedEvent>,
    private readonly failed: (error: unknown) => ExecutionResult,
  ) {
    this.ended = new Promise((resolve) => {
      this.end = () => resolve({ done: true, value: undefined });
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (this.finished) return { done: true, value: undefined };
    try {
      const next = await Promise.race([this.source.next(), this.ended]);
      if (next.done || this.finished) {
        this.close();
        return { done: true, value: undefined };
      }
      const { result, last } = await this.map(next.value);
      if (last) this.close();
      return { done: false, value: result };
    } catch (error) {
      this.close();
      return { done: false, value: this.failed(error) };
    }
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    this.close();
    return { done: true, value: undefined };
  }

  private close(): void {
    if (this.finished) return;
    this.finished = true;
    this.end();
    void Promise.resolve(this.source.return?.()).catch(() => undefined);
  }
}
