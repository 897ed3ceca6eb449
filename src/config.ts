// The only module that reads process.env: a typed, validated configuration with defaults.
import path from 'node:path';

export type NodeEnvironment = 'development' | 'production' | 'test';

export interface Config {
  nodeEnv: NodeEnvironment;
  port: number;
  host: string;
  /** When unset, an embedded PostgreSQL is started with its data under `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * The role that owns the tables and runs the migrations, when DATABASE_URL names the API's runtime
   * role (README, "Database roles"). Unset with DATABASE_URL: that one role does both, and tamper
   * evidence is weaker. Ignored in embedded mode, which creates both roles itself.
   */
  databaseOwnerUrl: string | undefined;
  /**
   * A direct connection (not through PgBouncer in transaction mode, which does not carry LISTEN) for
   * the alert feed's LISTEN; unset: the API's own database URL.
   */
  databaseListenUrl: string | undefined;
  /**
   * Run the repeated reads as named prepared statements (src/database/prepared.ts); false sends every
   * query unnamed, as PgBouncer in transaction mode needs.
   */
  preparedStatements: boolean;
  /**
   * A streaming read replica (docs/deployment.md#read-replicas): query operations read from it; every
   * mutation, audit entry, identity lookup and subscription event stays on DATABASE_URL. Unset: one database.
   */
  databaseReadUrl: string | undefined;
  /**
   * How long a query that names a commit (`Concord-Min-LSN`) waits for the replica to replay it before
   * it reads from the primary instead.
   */
  readReplicaMaxWaitMs: number;
  dataDir: string;
  /** Load the demo jurisdiction, users and synthetic persons into an empty database. */
  loadDemoData: boolean;
  /** HS256 secret for access tokens; in embedded mode generated once and kept under dataDir. */
  jwtSecret: string | undefined;
  tokenLifetimeSeconds: number;
  /** Signs audit checkpoints (src/audit/checkpoint.ts); else generated once into dataDir. */
  auditCheckpointKey: string | undefined;
  /**
   * Seals the TOTP secrets of the second factor (src/auth/second-factor-key.ts); else generated once
   * into dataDir. Never stored in the database.
   */
  secondFactorKey: string | undefined;
  /** Seals webhook signing secrets (src/domain/webhooks/secret-sealing.ts); else generated once into dataDir. */
  webhookSecretKey: string | undefined;
  /** The webhook delivery worker (src/domain/webhooks/worker.ts) and where it may post. */
  webhooks: {
    /** Run the worker in this process; off by default under NODE_ENV=test (tests that want it turn it on). */
    workerEnabled: boolean;
    intervalMs: number;
    /** Failed attempts after which a delivery is dead-lettered. */
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    timeoutMs: number;
    /** Host names, besides loopback, that endpoints may name (WEBHOOK_ALLOWED_HOSTS, comma-separated). */
    allowedHosts: string[];
    /** Whether allowed hosts may resolve to private (RFC 1918, ULA, CGNAT) addresses. */
    allowPrivateNetworks: boolean;
  };
  /** How often the running API writes a signed checkpoint of the audit chain's head; 0 = only on shutdown. */
  auditCheckpointIntervalSeconds: number;
  /** Where checkpoints are appended, one JSON line each. */
  auditCheckpointFile: string;
  logLevel: string;
  limits: {
    maxBodyBytes: number;
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxPageSize: number;
  };
  /** Caps on graphql-ws (src/graphql/websocket.ts); a connection over one is closed with 4429. */
  webSocket: {
    maxConnections: number;
    maxConnectionsPerAccount: number;
    /** Operations in flight on one connection: subscriptions, and queries while they run. */
    maxSubscriptionsPerConnection: number;
    maxSubscriptionsPerAccount: number;
    maxSubscriptions: number;
  };
  corsOrigins: string[];
  /** Report the SQL statements a request ran in `extensions.sqlStatements` (never in production). */
  exposeSqlStatementCount: boolean;
  /**
   * Execute queries compiled by graphql-jit (src/graphql/executor.ts); false runs every operation on
   * graphql-js. On by default; the switch is there to rule the compiler out when chasing a problem.
   */
  compiledQueries: boolean;
  /** Also return the statements' text (`extensions.sql`): set only by the benchmark server, never from env. */
  exposeSqlText: boolean;
  /** Request budget of a service account (src/auth/budgets.ts), in query cost; an ADMIN may set one per account. */
  serviceAccountBudget: { capacity: number; refillPerSecond: number };
  /** Bearer token that /metrics requires (src/http/metrics.ts); unset: loopback clients only. */
  metricsToken: string | undefined;
  /** How long a break-glass grant lasts at most, in hours (src/domain/break-glass). */
  breakGlassHours: number;
  /**
   * A manifest of trusted documents (GraphQL Code Generator's persisted-documents.json): when set, staff
   * accounts run only its operations; service accounts may still send their own (trusted-documents.ts).
   */
  trustedDocumentsFile: string | undefined;
  /** Closed disputes and persons at NONE with no open matter for this many years are anonymised (src/domain/access/retention.service.ts). */
  retentionYears: number;
  /** Days of change feed and of finished webhook outbox kept (src/domain/changes/prune.ts). */
  changeFeedDays: number;
  outboxDays: number;
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer`);
  return parsed;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  const parsed = integer(name, value, fallback);
  if (parsed === 0) throw new Error(`${name} must be a positive integer`);
  return parsed;
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = (env.NODE_ENV ?? 'development') as NodeEnvironment;
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new Error(`NODE_ENV must be development, production or test (got ${nodeEnv})`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (nodeEnv === 'production' && databaseUrl && !env.JWT_SECRET) {
    throw new Error('JWT_SECRET is required in production with an external DATABASE_URL');
  }
  if (env.JWT_SECRET && env.JWT_SECRET.length < 32)
    throw new Error('JWT_SECRET must be at least 32 characters');
  if (nodeEnv === 'production' && databaseUrl && !env.AUDIT_CHECKPOINT_KEY) {
    throw new Error('AUDIT_CHECKPOINT_KEY is required in production with an external DATABASE_URL');
  }
  if (env.AUDIT_CHECKPOINT_KEY && env.AUDIT_CHECKPOINT_KEY.length < 32)
    throw new Error('AUDIT_CHECKPOINT_KEY must be at least 32 characters');
  if (nodeEnv === 'production' && databaseUrl && !env.SECOND_FACTOR_KEY) {
    throw new Error('SECOND_FACTOR_KEY is required in production with an external DATABASE_URL');
  }
  if (env.SECOND_FACTOR_KEY && env.SECOND_FACTOR_KEY.length < 32)
    throw new Error('SECOND_FACTOR_KEY must be at least 32 characters');
  if (nodeEnv === 'production' && databaseUrl && !env.WEBHOOK_SECRET_KEY) {
    throw new Error('WEBHOOK_SECRET_KEY is required in production with an external DATABASE_URL');
  }
  if (env.WEBHOOK_SECRET_KEY && env.WEBHOOK_SECRET_KEY.length < 32)
    throw new Error('WEBHOOK_SECRET_KEY must be at least 32 characters');
  if (env.METRICS_TOKEN && env.METRICS_TOKEN.length < 32)
    throw new Error('METRICS_TOKEN must be at least 32 characters');
  const dataDir = path.resolve(env.CONCORD_DATA_DIR ?? '.data');
  return {
    nodeEnv,
    port: integer('PORT', env.PORT, 4000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl,
    databaseOwnerUrl: (databaseUrl && env.DATABASE_OWNER_URL) || undefined,
    databaseListenUrl: (databaseUrl && env.DATABASE_LISTEN_URL) || undefined,
    preparedStatements: flag(env.PREPARED_STATEMENTS, true),
    databaseReadUrl: (databaseUrl && env.DATABASE_READ_URL) || undefined,
    readReplicaMaxWaitMs: integer('READ_REPLICA_MAX_WAIT_MS', env.READ_REPLICA_MAX_WAIT_MS, 250),
    dataDir,
    loadDemoData: flag(env.LOAD_DEMO_DATA, databaseUrl === undefined),
    jwtSecret: env.JWT_SECRET || undefined,
    tokenLifetimeSeconds: integer('TOKEN_LIFETIME_SECONDS', env.TOKEN_LIFETIME_SECONDS, 8 * 3600),
    auditCheckpointKey: env.AUDIT_CHECKPOINT_KEY || undefined,
    secondFactorKey: env.SECOND_FACTOR_KEY || undefined,
    webhookSecretKey: env.WEBHOOK_SECRET_KEY || undefined,
    webhooks: {
      workerEnabled: flag(env.WEBHOOK_WORKER, nodeEnv !== 'test'),
      intervalMs: integer('WEBHOOK_INTERVAL_MS', env.WEBHOOK_INTERVAL_MS, 1000),
      maxAttempts: integer('WEBHOOK_MAX_ATTEMPTS', env.WEBHOOK_MAX_ATTEMPTS, 8),
      backoffBaseMs: integer('WEBHOOK_BACKOFF_BASE_MS', env.WEBHOOK_BACKOFF_BASE_MS, 10_000),
      backoffMaxMs: integer('WEBHOOK_BACKOFF_MAX_MS', env.WEBHOOK_BACKOFF_MAX_MS, 6 * 3600_000),
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', env.WEBHOOK_TIMEOUT_MS, 10_000),
      allowedHosts: (env.WEBHOOK_ALLOWED_HOSTS ?? '')
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
      allowPrivateNetworks: flag(env.WEBHOOK_ALLOW_PRIVATE_NETWORKS, false),
    },
    auditCheckpointIntervalSeconds: integer(
      'AUDIT_CHECKPOINT_INTERVAL_SECONDS',
      env.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
      300,
    ),
    auditCheckpointFile: path.resolve(
      env.AUDIT_CHECKPOINT_FILE || path.join(dataDir, 'audit-checkpoints.jsonl'),
    ),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    limits: {
      maxBodyBytes: integer('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 256 * 1024),
      maxDepth: integer('MAX_QUERY_DEPTH', env.MAX_QUERY_DEPTH, 10),
      maxAliases: integer('MAX_QUERY_ALIASES', env.MAX_QUERY_ALIASES, 30),
      maxCost: integer('MAX_QUERY_COST', env.MAX_QUERY_COST, 200000),
      maxPageSize: 100,
    },
    webSocket: {
      maxConnections: integer('MAX_WS_CONNECTIONS', env.MAX_WS_CONNECTIONS, 2000),
      maxConnectionsPerAccount: integer(
        'MAX_WS_CONNECTIONS_PER_ACCOUNT',
        env.MAX_WS_CONNECTIONS_PER_ACCOUNT,
        20,
      ),
      maxSubscriptionsPerConnection: integer(
        'MAX_SUBSCRIPTIONS_PER_CONNECTION',
        env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
        20,
      ),
      maxSubscriptionsPerAccount: integer(
        'MAX_WS_SUBSCRIPTIONS_PER_ACCOUNT',
        env.MAX_WS_SUBSCRIPTIONS_PER_ACCOUNT,
        100,
      ),
      maxSubscriptions: integer('MAX_WS_SUBSCRIPTIONS', env.MAX_WS_SUBSCRIPTIONS, 20000),
    },
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    exposeSqlStatementCount: nodeEnv !== 'production' && flag(env.EXPOSE_SQL_COUNT, true),
    compiledQueries: flag(env.COMPILED_QUERIES, true),
    exposeSqlText: false,
    serviceAccountBudget: {
      capacity: positive('SERVICE_ACCOUNT_BUDGET_CAPACITY', env.SERVICE_ACCOUNT_BUDGET_CAPACITY, 1_000_000),
      refillPerSecond: positive(
        'SERVICE_ACCOUNT_BUDGET_REFILL_PER_SECOND',
        env.SERVICE_ACCOUNT_BUDGET_REFILL_PER_SECOND,
        10_000,
      ),
    },
    metricsToken: env.METRICS_TOKEN || undefined,
    breakGlassHours: positive('BREAK_GLASS_HOURS', env.BREAK_GLASS_HOURS, 4),
    trustedDocumentsFile: env.TRUSTED_DOCUMENTS ? path.resolve(env.TRUSTED_DOCUMENTS) : undefined,
    retentionYears: positive('RETENTION_YEARS', env.RETENTION_YEARS, 3),
    changeFeedDays: positive('CHANGE_FEED_DAYS', env.CHANGE_FEED_DAYS, 30),
    outboxDays: positive('OUTBOX_DAYS', env.OUTBOX_DAYS, 30),
  };
}
