// The request context that flows through every resolver and service: who is asking, the clock,
// per-request DataLoaders and the buffer of sensitive reads to audit before the response leaves.
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { AuditRecord } from './audit/audit-log';
import type { Identity } from './auth/identity';
import type { TokenService } from './auth/tokens';
import type { Config } from './config';
import type { AlertFeed } from './domain/alerts/alert-feed';
import { createAssignmentLoaders } from './domain/assignments/assignment.loaders';
import { createDisputeLoaders } from './domain/disputes/dispute.loaders';
import { createOrganisationLoaders } from './domain/organisation/organisation.loaders';
import { createPeopleLoaders } from './domain/people/people.loaders';
import { createPoliceRecordLoaders } from './domain/police/police-record.service';
import { createReferralLoaders } from './domain/referrals/referral.loaders';
import { createRiskLoaders } from './domain/risk/risk.loaders';
import { unauthenticated } from './graphql/errors';

/** Long-lived services shared by every request. */
export interface AppServices {
  config: Config;
  dataSource: DataSource;
  tokens: TokenService;
  /** Injectable clock: tests move time instead of sleeping. */
  clock: () => Date;
  logger: Logger;
  /** Live alert delivery; absent where subscriptions are not served (CLI tools). */
  alertFeed?: AlertFeed;
}

function createLoaders(context: RequestContext) {
  return {
    organisation: createOrganisationLoaders(context),
    people: createPeopleLoaders(context),
    disputes: createDisputeLoaders(context),
    risk: createRiskLoaders(context),
    assignments: createAssignmentLoaders(context),
    referrals: createReferralLoaders(context),
    police: createPoliceRecordLoaders(context),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export class RequestContext {
  private loaderCache: Loaders | undefined;
  private readonly sensitiveReads = new Map<string, { recordIds: Set<string>; fields: Set<string> }>();

  constructor(
    readonly app: AppServices,
    readonly requestId: string,
    readonly identity: Identity | null,
    readonly clientAddress = 'unknown',
  ) {}

  get dataSource(): DataSource {
    return this.app.dataSource;
  }

  get loaders(): Loaders {
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

  /** The signed-in identity; UNAUTHENTICATED when there is none. */
  get user(): Identity {
    if (!this.identity) throw unauthenticated();
    return this.identity;
  }
}
