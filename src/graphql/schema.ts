// Builds the one GraphQL schema from the resolvers of every area, then wraps it in the permission
// layer. `npm run schema:print` writes the SDL of exactly this schema to schema/schema.graphql.
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { AuditResolver } from '../audit/audit.resolver';
import { AuthResolver } from '../auth/auth.resolver';
import { ServiceAccountResolver } from '../auth/service-account.resolver';
import { AssignmentResolver, FollowUpResolver } from '../domain/assignments/assignment.resolver';
import { DisputePartyResolver, DisputeResolver } from '../domain/disputes/dispute.resolver';
import { OrganisationResolver } from '../domain/organisation/organisation.resolver';
import { HouseholdResolver, PersonResolver } from '../domain/people/people.resolver';
import { AssessmentResolver } from '../domain/risk/risk.resolver';
import { ReferralResolver } from '../domain/referrals/referral.resolver';
import { AlertResolver } from '../domain/alerts/alert.resolver';
import { HazardResolver } from '../domain/hazards/hazard.resolver';
import { MonthlyFiguresResolver } from '../domain/reports/monthly-figures.resolver';
import { PoliceRecordResolver } from '../domain/police/police-record.resolver';
import { applyPermissions } from '../permissions/shield';

export const resolvers = [
  AuthResolver,
  ServiceAccountResolver,
  AuditResolver,
  OrganisationResolver,
  PersonResolver,
  HouseholdResolver,
  DisputeResolver,
  DisputePartyResolver,
  AssessmentResolver,
  AssignmentResolver,
  FollowUpResolver,
  ReferralResolver,
  AlertResolver,
  HazardResolver,
  MonthlyFiguresResolver,
  PoliceRecordResolver,
] as const;

/** The schema without permissions: for printing the SDL and for the all-allow benchmark build. */
export function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: NO_TOPICS });
}

/**
 * type-graphql asks for a PubSub whenever there are subscriptions; every subscription here brings its
 * own stream (`subscribe`), so topics are never used.
 */
const NO_TOPICS: PubSub = {
  publish() {
    throw new Error('subscriptions here use their own streams, not topics');
  },
  subscribe() {
    throw new Error('subscriptions here use their own streams, not topics');
  },
};

export async function buildApiSchema(): Promise<GraphQLSchema> {
  return applyPermissions(await buildBareSchema());
}
