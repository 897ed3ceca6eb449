// /metrics (SPEC §5a "Operations"): Prometheus text from prom-client — operations, latency and errors by
// operation name, HTTP answers by route, the database pool, how long read-audit writes keep answers
// waiting, service-account budget charges, and the webhook outbox's backlog and dead letters.
//
// Labels carry operation NAMES only — never variables, ids or anything a record holds — and their
// number is bounded: a name must look like an identifier, anonymous and invalid operations fold into
// one label each, a caller who is not signed in adds no name the schema does not have as a root field,
// and past MAX_OPERATION_LABELS names every new one folds into `other`.
//
// The page says how busy the API is and how it fails, which helps whoever probes it: it is not public.
// With METRICS_TOKEN set it wants `Authorization: Bearer <token>`; without, it answers loopback clients
// only (a scraper on the same host, or one that reaches the API through a tunnel).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIPv4 } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Config } from '../config';
import { ErrorCode } from '../graphql/errors';
import { sendJson } from './respond';

/** An operation that has been answered, as the request lifecycle reports it. */
export interface FinishedOperation {
  /** The operation's name as sent; folded before it becomes a label. */
  name: string | null | undefined;
  /** query, mutation or subscription; undefined when it never got that far (parse or validation). */
  type: string | undefined;
  transport: 'http' | 'websocket';
  seconds: number;
  /** extensions.code of each error in the answer, after masking. */
  errorCodes: readonly string[];
  /** Whether a signed-in account sent it. */
  signedIn: boolean;
}

/** What the request lifecycle tells the metrics (src/graphql/lifecycle.ts). */
export interface OperationObserver {
  operationFinished(operation: FinishedOperation): void;
  /** A request waited `seconds` for its read-audit entries to be committed. */
  readAuditWritten(seconds: number): void;
  /** A service account's budget was charged (src/auth/budgets.ts), in one statement of `seconds`. */
  budgetCharged(seconds: number, admitted: boolean): void;
}

/** Distinct operation names kept as labels; later ones are counted under `other`. */
export const MAX_OPERATION_LABELS = 200;

const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const ERROR_CODES = new Set<string>(Object.values(ErrorCode));
const ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/** The label an operation is counted under (see the module comment). */
export class OperationLabels {
  private readonly names = new Set<string>();

  constructor(private readonly rootFields: ReadonlySet<string>) {}

  of(operation: Pick<FinishedOperation, 'name' | 'type' | 'signedIn'>): string {
    if (operation.type === undefined) return 'invalid';
    const { name } = operation;
    if (!name) return 'anonymous';
    if (this.names.has(name)) return name;
    if (!OPERATION_NAME.test(name) || this.names.size >= MAX_OPERATION_LABELS) return 'other';
    if (!operation.signedIn && !this.rootFields.has(name)) return 'other';
    this.names.add(name);
    return name;
  }
}

function rootFieldNames(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const name of Object.keys(root?.getFields() ?? {})) names.add(name);
  }
  return names;
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.startsWith('127.');
  return address === '::1';
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** Why `request` may not read /metrics (status and message), or undefined when it may. */
export function metricsRefusal(
  config: Pick<Config, 'metricsToken'>,
  request: IncomingMessage,
): { status: number; message: string } | undefined {
  if (config.metricsToken) {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    // Compared as digests: equal lengths, and the time taken says nothing of the token.
    if (match?.[1] && timingSafeEqual(sha256(match[1]), sha256(config.metricsToken))) return undefined;
    return { status: 401, message: 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>' };
  }
  if (isLoopback(request.socket.remoteAddress)) return undefined;
  return { status: 403, message: 'Metrics are served to loopback clients only unless METRICS_TOKEN is set' };
}

/** The metrics of one server: its own registry, so several servers in one process never mix counts. */
export class ServerMetrics implements OperationObserver {
  readonly registry = new Registry();
  private readonly labels: OperationLabels;
  private readonly operations: Counter<'operation' | 'type' | 'transport'>;
  private readonly operationErrors: Counter<'operation' | 'code'>;
  private readonly latency: Histogram<'operation' | 'transport'>;
  private readonly httpRequests: Counter<'route' | 'status'>;
  private readonly readAudit: Histogram;
  private readonly budgetCharges: Histogram<'outcome'>;
  private outboxCount: Promise<{ pending: number; dead: number }> | undefined;

  constructor(
    schema: GraphQLSchema,
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
  ) {
    this.labels = new OperationLabels(rootFieldNames(schema));
    const registers = [this.registry];
    this.operations = new Counter({
      name: 'concord_graphql_operations_total',
      help: 'GraphQL operations answered, by operation name, type and transport',
      labelNames: ['operation', 'type', 'transport'],
      registers,
    });
    this.operationErrors = new Counter({
      name: 'concord_graphql_operation_errors_total',
      help: 'Errors in GraphQL answers, by operation name and error code',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'concord_graphql_operation_duration_seconds',
      help: 'Time from receiving a GraphQL operation to its answer, by operation name and transport',
      labelNames: ['operation', 'transport'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'concord_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['route', 'status'],
      registers,
    });
    this.readAudit = new Histogram({
      name: 'concord_audit_read_write_lag_seconds',
      help: 'How long an answer waited for its read-audit entries to be committed (group commit)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.budgetCharges = new Histogram({
      name: 'concord_service_account_budget_charge_seconds',
      help: 'Time of the one statement that charges a service-account request to its budget, by outcome',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    });
    const pools = () => this.pools();
    new Gauge({
      name: 'concord_db_pool_connections',
      help: 'Database pool connections: total, idle, and requests waiting for one',
      labelNames: ['pool', 'state'],
      registers,
      collect() {
        for (const [pool, of] of pools()) {
          this.set({ pool, state: 'total' }, of.totalCount);
          this.set({ pool, state: 'idle' }, of.idleCount);
          this.set({ pool, state: 'waiting' }, of.waitingCount);
        }
      },
    });
    const outbox = () => this.outboxOnce();
    new Gauge({
      name: 'concord_outbox_backlog',
      help: 'Webhook deliveries waiting to be delivered (PENDING)',
      registers,
      async collect() {
        this.set((await outbox()).pending);
      },
    });
    new Gauge({
      name: 'concord_outbox_dead_letters',
      help: 'Webhook deliveries given up after their retries (DEAD)',
      registers,
      async collect() {
        this.set((await outbox()).dead);
      },
    });
  }

  operationFinished(operation: FinishedOperation): void {
    const label = this.labels.of(operation);
    this.operations.inc({ operation: label, type: operation.type ?? 'none', transport: operation.transport });
    this.latency.observe({ operation: label, transport: operation.transport }, operation.seconds);
    for (const code of operation.errorCodes) {
      this.operationErrors.inc({ operation: label, code: ERROR_CODES.has(code) ? code : 'OTHER' });
    }
  }

  readAuditWritten(seconds: number): void {
    this.readAudit.observe(seconds);
  }

  budgetCharged(seconds: number, admitted: boolean): void {
    this.budgetCharges.observe({ outcome: admitted ? 'admitted' : 'refused' }, seconds);
  }

  /** Counts an HTTP answer; paths other than the API's own fold into one label. */
  httpAnswered(path: string, status: number): void {
    this.httpRequests.inc({ route: ROUTES.has(path) ? path : 'other', status: String(status) });
  }

  /** Answers GET /metrics, or refuses a caller who may not read it. */
  async serve(config: Pick<Config, 'metricsToken'>, request: IncomingMessage, response: ServerResponse) {
    const refused = metricsRefusal(config, request);
    if (refused) {
      if (refused.status === 401) response.setHeader('www-authenticate', 'Bearer');
      sendJson(response, refused.status, { error: refused.message });
      return;
    }
    const text = await this.registry.metrics();
    response.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
    response.end(text);
  }

  private pools(): [string, Pool][] {
    const driver = this.dataSource.driver as PostgresDriver;
    const primary = driver.master as Pool | undefined;
    const replicas = (driver.slaves ?? []) as Pool[];
    return [
      ...(primary ? [['primary', primary] as [string, Pool]] : []),
      ...replicas.map((pool, index) => [`replica${index}`, pool] as [string, Pool]),
    ];
  }

  /** One count for both outbox gauges of a scrape (prom-client collects them concurrently). */
  private outboxOnce(): Promise<{ pending: number; dead: number }> {
    this.outboxCount ??= this.outbox().finally(() => {
      this.outboxCount = undefined;
    });
    return this.outboxCount;
  }

  /**
   * Pending and dead webhook deliveries. The webhook area's table may not exist in this database yet
   * (an older schema): then there is no backlog. A failed count is logged and reads as -1.
   */
  private async outbox(): Promise<{ pending: number; dead: number }> {
    try {
      const [present] = (await this.dataSource.query(
        `SELECT to_regclass('webhook_deliveries') IS NOT NULL AS present`,
      )) as { present: boolean }[];
      if (!present?.present) return { pending: 0, dead: 0 };
      const [counts] = (await this.dataSource.query(
        `SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
                count(*) FILTER (WHERE status = 'DEAD')::int AS dead
           FROM webhook_deliveries`,
      )) as { pending: number; dead: number }[];
      return { pending: counts?.pending ?? 0, dead: counts?.dead ?? 0 };
    } catch (error) {
      this.logger.warn({ err: error }, 'metrics: the webhook outbox could not be counted');
      return { pending: -1, dead: -1 };
    }
  }
}
