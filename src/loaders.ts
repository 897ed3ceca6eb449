// The loader registry: every area's DataLoaders for one request, assembled here, beside the server,
// so the areas depend only on the request-scope interface and never on each other's loader modules.
import { createAssignmentLoaders } from './domain/assignments/assignment.loaders';
import { createChangeLoaders } from './domain/changes/changes.loaders';
import { createDisputeLoaders } from './domain/disputes/dispute.loaders';
import { createOrganisationLoaders } from './domain/organisation/organisation.loaders';
import { createPeopleLoaders } from './domain/people/people.loaders';
import { createPoliceRecordLoaders } from './domain/police/police-record.loaders';
import { createReferralLoaders } from './domain/referrals/referral.loaders';
import { createRiskLoaders } from './domain/risk/risk.loaders';
import { createVisibilityLoaders } from './permissions/references';
import type { LoaderRegistry, RequestContext } from './request-scope';

/** The loaders of `context`'s request; each DataLoader batches and caches within that request only. */
export function createLoaders(context: RequestContext): LoaderRegistry {
  return {
    organisation: createOrganisationLoaders(context),
    people: createPeopleLoaders(context),
    disputes: createDisputeLoaders(context),
    risk: createRiskLoaders(context),
    assignments: createAssignmentLoaders(context),
    referrals: createReferralLoaders(context),
    police: createPoliceRecordLoaders(context),
    changes: createChangeLoaders(context),
    visibility: createVisibilityLoaders(context),
  };
}
