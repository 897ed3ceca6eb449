// The concrete request context the request lifecycle makes for every operation: who is asking, the
// clock, this request's DataLoaders (made on first use), the audiences the permission layer found the
// caller in, and the buffer of sensitive reads to audit before the response leaves. Areas see it only
// as the RequestContext interface of request-scope.ts.
import type { DataSource } from 'typeorm';
import type { AuditRecord } from './audit/audit-log';
import type { Identity } from './auth/identity';
import { unauthenticated } from './graphql/errors';
import { createLoaders } from './loaders';
import type { Audience } from './permissions/policy';
import type { AppServices, LoaderRegistry, RequestContext } from './request-scope';

export class ServerRequestContext implements RequestContext {
  private loaderCache: LoaderRegistry | undefined;
  private readonly sensitiveReads = new Map<string, { recordIds: Set<string>; fields: Set<string> }>();
  /** Filled by graphql-shield's rules (src/permissions/shield.ts); dies with this operation's context. */
  readonly grantedAudiences = new Set<Audience>();
  /** Set by the lifecycle for a query operation when a read replica serves it; else the primary. */
  private readSource: DataSource | undefined;

  constructor(
    readonly app: AppServices,
    readonly requestId: string,
    readonly identity: Identity | null,
    readonly clientAddress = 'unknown',
    /** The commit the caller must see (Concord-Min-LSN), when it named one. */
    readonly readsAfterLsn?: bigint,
    /** HTTP or WEBSOCKET, for the read audit; unset for in-process operations (exports name themselves). */
    readonly transport?: 'HTTP' | 'WEBSOCKET',
  ) {}

  get dataSource(): DataSource {
    return this.readSource ?? this.app.dataSource;
  }

  /** Reads of this (query) operation go to `source`; its audit entries still go to the primary. */
  readFrom(source: DataSource): void {
    this.readSource = source;
  }

  get loaders(): LoaderRegistry {
    this.loaderCache ??= createLoaders(this);
    return this.loaderCache;
  }

  /** Notes that a sensitive field of a record was shown; written as one audit insert per request. */
  recordSensitiveRead(recordType: string, recordId: string, field: string): void {
    let entry = this.sensitiveReads.get(recordType);
    if (!entry) {
      entry = { recordIds: new Set(), fields: new Set() };
      this.sensitiveReads.set(recordType, entry);
    }
    entry.recordIds.add(recordId);
    entry.fields.add(field);
  }

  /** The sensitive reads noted so far, as audit records (one per record type), and forgets them. */
  takeSensitiveReads(operation: string): AuditRecord[] {
    // By record type: the order fields happened to resolve in says nothing to the auditor.
    const records = [...this.sensitiveReads]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([recordType, entry]) => ({
        action: 'READ' as const,
        operation,
        recordType,
        recordIds: [...entry.recordIds].sort(),
        fields: [...entry.fields].sort(),
      }));
    this.sensitiveReads.clear();
    return records;
  }

  now(): Date {
    return this.app.clock();
  }

  /** Set for a mutation: the identity without its break-glass grants, which open reading only. */
  private writer: Identity | undefined;

  /**
   * This operation writes: from now on the caller's scope is its own, without the persons a
   * break-glass grant opened (SPEC §4: break-glass is for reading in an emergency, never for changing).
   */
  startWriting(): void {
    if (this.identity?.breakGlass?.length) this.writer = { ...this.identity, breakGlass: [] };
  }

  /** The signed-in identity; UNAUTHENTICATED when there is none. */
  get user(): Identity {
    if (!this.identity) throw unauthenticated();
    return this.writer ?? this.identity;
  }
}
