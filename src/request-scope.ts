// What a resolver, service or loader may know of the request it serves: who asks, the clock, the
// database, the configuration, this request's loaders, the permission answers already given, the
// sensitive-read buffer. Types only, naming no area, so every area can depend on it without depending
// on the others (STYLE 13). The concrete context is made per operation by the request lifecycle
// (src/context.ts, src/loaders.ts).
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Identity } from './auth/identity';
import type { TokenService } from './auth/tokens';
import type { Config } from './config';
import type { AlertFeed } from './domain/alerts/alert-feed';
import type { Audience } from './permissions/policy';

/** Long-lived services shared by every request. */
export interface AppServices {
  config: Config;
  /** The primary: every write, audit entry and identity lookup. */
  dataSource: DataSource;
  /** A read replica's connections (DATABASE_READ_URL): query operations read here (src/database/read-replica.ts). */
  readDataSource?: DataSource;
  tokens: TokenService;
  /** Injectable clock: tests move time instead of sleeping. */
  clock: () => Date;
  logger: Logger;
  /** Live alert delivery; absent where subscriptions are not served (CLI tools). */
  alertFeed?: AlertFeed;
}

/**
 * This request's DataLoaders, one group per area. Each area adds its group from its own
 * `<area>.loaders.ts` (`declare module '…/request-scope'`), so this file names no area; `src/loaders.ts`
 * builds every group, and the compiler refuses it if one is missing.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface LoaderRegistry {}

export interface RequestContext {
  readonly app: AppServices;
  readonly requestId: string;
  /** The signed-in identity, or null for an anonymous request. */
  readonly identity: Identity | null;
  readonly clientAddress: string;
  /** Where this operation reads and writes: the primary, or for a query the read replica when it is current. */
  readonly dataSource: DataSource;
  /** Made on first use within the request: loaders never serve rows of another request. */
  readonly loaders: LoaderRegistry;
  /** The signed-in identity; UNAUTHENTICATED when there is none. */
  readonly user: Identity;
  now(): Date;
  /**
   * The policy audiences graphql-shield has found this request's caller in. Only the shield rules add
   * to it; a guarded field whose audience is here runs without asking shield again
   * (src/permissions/shield.ts). Empty when the context is made, so no answer outlives its request.
   */
  readonly grantedAudiences: Set<Audience>;
  /** Notes that a sensitive field of a record was shown; written as one audit insert per request. */
  recordSensitiveRead(recordType: string, recordId: string, field: string): void;
}
