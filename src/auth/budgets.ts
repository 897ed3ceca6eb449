// Request budgets of service accounts (SPEC §5, issue 21 item 7): a token bucket per account, drawn
// down by each operation's estimated cost (src/graphql/limits.ts) and refilled at a steady rate, so one
// department's tool cannot crowd out the staff. Staff (user) requests are never budgeted and pay nothing.
//
// The bucket lives in the database (migration ServiceAccountBudgets), because every API replica must
// draw on the same one: a budget kept per process would grow with the number of replicas. Each charge is
// one statement — an upsert that refills, decides and spends under the row's lock — so two replicas
// charging at once queue on the row and never both spend the same tokens (no read-modify-write). Time
// is the database's, the one clock all replicas share. The bucket table is unlogged (see the migration).
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { queryPrepared } from '../database/prepared';
import { ErrorCode } from '../graphql/errors';
import { listFieldNames, operationCost } from '../graphql/limits';
import type { Identity } from './identity';

/** What a budget holds and how fast it fills: the configured default or what an ADMIN set. */
export interface BudgetSettings {
  capacity: number;
  refillPerSecond: number;
}

/** The outcome of charging one operation to its account's bucket. */
export interface BudgetCharge {
  /** The operation's estimated cost: what it takes from the bucket. */
  cost: number;
  admitted: boolean;
  /** What is left in the bucket after this operation (unchanged when it was refused). */
  remaining: number;
  capacity: number;
  refillPerSecond: number;
  /** Whole seconds until the bucket holds the cost again; 0 when admitted, null when it never will. */
  retryAfterSeconds: number | null;
}

/**
 * The bucket's level now, refilled since it was last charged, as SQL over the bucket `b` and the
 * settings in effect (`EXCLUDED`: the row the upsert proposed, which carries them).
 */
const AVAILABLE = `LEAST(EXCLUDED.capacity,
       b.tokens + GREATEST(0, EXTRACT(EPOCH FROM statement_timestamp() - b.refilled_at))::double precision
                  * EXCLUDED.refill_per_second)`;

/**
 * Refill, decide and spend in one statement: the account's settings (an ADMIN's, else the defaults
 * $2 and $4), then an upsert of its bucket that a first request makes full. `last_admitted` carries
 * the decision out through RETURNING.
 */
const CHARGE = `WITH settings AS (
       SELECT COALESCE(max(s.capacity), $2::integer) AS capacity,
              COALESCE(max(s.refill_per_second), $4::integer) AS refill_per_second
         FROM service_account_budgets s WHERE s.service_account_id = $1::uuid)
     INSERT INTO service_account_buckets AS b
            (service_account_id, capacity, refill_per_second, tokens, refilled_at, last_admitted)
     SELECT $1::uuid, capacity, refill_per_second,
            CASE WHEN $3::double precision <= capacity THEN capacity - $3::double precision ELSE capacity END,
            statement_timestamp(), $3::double precision <= capacity
       FROM settings
     ON CONFLICT (service_account_id) DO UPDATE SET
       capacity = EXCLUDED.capacity,
       refill_per_second = EXCLUDED.refill_per_second,
       tokens = CASE WHEN ${AVAILABLE} >= $3::double precision THEN ${AVAILABLE} - $3::double precision
                     ELSE ${AVAILABLE} END,
       refilled_at = GREATEST(b.refilled_at, statement_timestamp()),
       last_admitted = ${AVAILABLE} >= $3::double precision
     RETURNING b.tokens, b.last_admitted, b.capacity, b.refill_per_second`;

interface ChargeRow {
  tokens: number;
  last_admitted: boolean;
  capacity: number;
  refill_per_second: number;
}

/** The error to answer a refused charge with: 429 and Retry-After, or 400 when the cost can never fit. */
export function budgetRefusal(charge: BudgetCharge): GraphQLError {
  const budget = {
    cost: charge.cost,
    remaining: Math.floor(charge.remaining),
    capacity: charge.capacity,
    refillPerSecond: charge.refillPerSecond,
  };
  if (charge.retryAfterSeconds === null) {
    return new GraphQLError(
      `The query's estimated cost ${charge.cost} exceeds this service account's request budget of ${charge.capacity}: ask for fewer items`,
      { extensions: { code: ErrorCode.BAD_USER_INPUT, ...budget, http: { status: 400 } } },
    );
  }
  const retryAfter = String(charge.retryAfterSeconds);
  return new GraphQLError(
    `This service account's request budget is spent: retry after ${retryAfter} s (cost ${charge.cost}, ${budget.remaining} left)`,
    {
      extensions: {
        code: ErrorCode.TOO_MANY_REQUESTS,
        ...budget,
        retryAfterSeconds: charge.retryAfterSeconds,
        http: { status: 429, headers: new Map([['retry-after', retryAfter]]) },
      },
    },
  );
}

export class RequestBudgets {
  private readonly listFields: ReadonlySet<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly defaults: Config['serviceAccountBudget'],
    schema: GraphQLSchema,
    /** Told how long each charge's statement took (metrics). */
    private readonly timed?: (seconds: number, admitted: boolean) => void,
  ) {
    this.listFields = listFieldNames(schema);
  }

  /** Charges `cost` to service account `accountId`'s bucket. */
  async charge(accountId: string, cost: number): Promise<BudgetCharge> {
    const started = process.hrtime.bigint();
    const rows = await queryPrepared<ChargeRow>(this.dataSource, CHARGE, [
      accountId,
      this.defaults.capacity,
      cost,
      this.defaults.refillPerSecond,
    ]);
    const row = rows[0];
    if (!row) throw new Error('the budget upsert returned no row');
    this.timed?.(Number(process.hrtime.bigint() - started) / 1e9, row.last_admitted);
    const capacity = Number(row.capacity);
    const refillPerSecond = Number(row.refill_per_second);
    const remaining = Number(row.tokens);
    let retryAfterSeconds: number | null = 0;
    if (!row.last_admitted) {
      retryAfterSeconds =
        cost > capacity ? null : Math.max(1, Math.ceil((cost - remaining) / refillPerSecond));
    }
    return { cost, admitted: row.last_admitted, remaining, capacity, refillPerSecond, retryAfterSeconds };
  }

  /**
   * The error to answer instead of running the operation, or undefined. Only service accounts are
   * budgeted: for anyone else this returns at once, without a statement.
   */
  async refuse(
    identity: Identity | null,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
  ): Promise<GraphQLError | undefined> {
    if (identity?.kind !== 'SERVICE') return undefined;
    const cost = Math.max(1, operationCost(document, operationName, variables ?? {}, 10, this.listFields));
    const charge = await this.charge(identity.id, cost);
    return charge.admitted ? undefined : budgetRefusal(charge);
  }
}
