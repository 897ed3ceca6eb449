// Builds the one GraphQL schema from the resolvers of every area, then wraps it in the permission
// layer. `npm run schema:print` writes the SDL of exactly this schema to schema/schema.graphql.
import { isObjectType, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage, type PubSub } from 'type-graphql';
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
export async function buildBareSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: NO_TOPICS });
  return readPlainFieldsDirectly(schema);
}

/**
 * type-graphql gives every plain field (a property of the object) a resolver of its own, to run
 * type-graphql middlewares and authorization — which this API does not use: graphql-shield and the
 * value middleware do both (src/permissions/shield.ts). For a field with no field resolver, no
 * middleware, no roles and the same name in the schema as on the class, that resolver does exactly
 * what GraphQL's default one does, `object[name]`; without it, graphql-jit reads the property inline
 * instead of calling a function for every field of every row.
 */
function readPlainFieldsDirectly(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const field of objectType.fields ?? []) {
      const plain =
        field.name === field.schemaName &&
        !field.middlewares?.length &&
        !field.roles?.length &&
        !storage.fieldResolvers.some(
          (resolver) => resolver.methodName === field.name && resolver.getObjectType?.() === field.target,
        );
      const built = fields[field.schemaName];
      if (plain && built) built.resolve = undefined;
    }
  }
  return schema;
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
