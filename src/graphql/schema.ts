// Builds the one GraphQL schema from the resolvers of every area, then wraps it in the permission
// layer. `npm run schema:print` writes the SDL of exactly this schema to schema/schema.graphql.
import { isObjectType, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage, type PubSub } from 'type-graphql';
import { AuditResolver } from '../audit/audit.resolver';
import { ExplainAccessResolver } from '../audit/explain-access.resolver';
import { AuthResolver } from '../auth/auth.resolver';
import { ServiceAccountResolver } from '../auth/service-account.resolver';
import { UserAdministrationResolver } from '../domain/administration/user-administration.resolver';
import { ServiceAccountListingResolver } from '../domain/administration/service-account-listing.resolver';
import { AssignmentResolver, FollowUpResolver } from '../domain/assignments/assignment.resolver';
import { DisputePartyResolver, DisputeResolver } from '../domain/disputes/dispute.resolver';
import { OrganisationResolver } from '../domain/organisation/organisation.resolver';
import { StaffResolver } from '../domain/organisation/staff.resolver';
import { HouseholdResolver, PersonResolver } from '../domain/people/people.resolver';
import { AssessmentResolver } from '../domain/risk/risk.resolver';
import { IndicatorCatalogResolver } from '../domain/risk/indicator-catalog.resolver';
import { PersonReviewResolver, TierOverrideReviewResolver } from '../domain/risk/review-by.resolver';
import { ReferralResolver } from '../domain/referrals/referral.resolver';
import { AlertResolver } from '../domain/alerts/alert.resolver';
import { HazardResolver } from '../domain/hazards/hazard.resolver';
import { MonthlyFiguresResolver } from '../domain/reports/monthly-figures.resolver';
import { PoliceRecordResolver } from '../domain/police/police-record.resolver';
import { ChangeFeedResolver } from '../domain/changes/changes.resolver';
import { ViewerResolver } from '../domain/viewer/viewer.resolver';
import { ImportResolver } from '../domain/imports/import.resolver';
import { WebhookResolver } from '../domain/webhooks/webhook.resolver';
import { BreakGlassResolver } from '../domain/break-glass/break-glass.resolver';
import { IncidentResolver } from '../domain/police/incident.resolver';
import { CaseReviewResolver } from '../domain/accountability/case-review.resolver';
import { AccountabilityCriteriaResolver } from '../domain/accountability/criteria.resolver';
import { QuarterlyFollowUpResolver } from '../domain/accountability/quarterly.resolver';
import { AccessReportResolver } from '../domain/access/access-report.resolver';
import { applyPermissions } from '../permissions/shield';
import { applyInputHygiene } from './input-hygiene';
import { LabelsResolver } from './labels';

export const resolvers = [
  AuthResolver,
  ServiceAccountResolver,
  UserAdministrationResolver,
  ServiceAccountListingResolver,
  AuditResolver,
  ExplainAccessResolver,
  OrganisationResolver,
  PersonResolver,
  HouseholdResolver,
  DisputeResolver,
  DisputePartyResolver,
  AssessmentResolver,
  IndicatorCatalogResolver,
  PersonReviewResolver,
  TierOverrideReviewResolver,
  AssignmentResolver,
  FollowUpResolver,
  ReferralResolver,
  AlertResolver,
  HazardResolver,
  MonthlyFiguresResolver,
  PoliceRecordResolver,
  ChangeFeedResolver,
  LabelsResolver,
  ViewerResolver,
  ImportResolver,
  WebhookResolver,
  BreakGlassResolver,
  StaffResolver,
  IncidentResolver,
  CaseReviewResolver,
  QuarterlyFollowUpResolver,
  AccountabilityCriteriaResolver,
  AccessReportResolver,
] as const;

/**
 * The schema without permissions: for printing the SDL and for the all-allow benchmark build. Input
 * hygiene is part of it, so every build checks input alike, and sits inside the permission layer: a
 * caller learns the input rules only of what they may run.
 */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  // No validateFn, authChecker or globalMiddlewares: the two rewrites below depend on that, and on
  // type-graphql's wrappers as test/graphql/type-graphql-rewrites.test.ts probes them (docs/upgrading.md).
  const schema = await buildSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: NO_TOPICS });
  return applyInputHygiene(callFieldResolversDirectly(readPlainFieldsDirectly(schema)));
}

/** A parameter of a field resolver, as type-graphql's metadata describes it (the type is not exported). */
type ParamMetadata = NonNullable<
  ReturnType<typeof getMetadataStorage>['fieldResolvers'][number]['params']
>[number];

/** Marks a call the direct path does not take: the value needs type-graphql's conversion. */
const CONVERT = Symbol('convert');
type Extract = (root: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

/** How the direct path reads one parameter of a field resolver, or null when it cannot. */
function extractor(param: ParamMetadata): Extract | null {
  if (param.kind === 'info') return (_root, _args, _context, info) => info;
  if (param.kind === 'context' && param.propertyName === undefined) return (_root, _args, context) => context;
  if (param.kind === 'root' && param.propertyName === undefined) {
    const typed = param.getType;
    return (root) => {
      if (!typed || root === null || root === undefined) return root;
      const Target = typed();
      return typeof Target === 'function' && root instanceof Target ? root : CONVERT;
    };
  }
  if (param.kind === 'arg' && param.validateSettings === undefined && param.validateFn === undefined) {
    const name = param.name;
    return (_root, args) => {
      const value = args[name];
      const plain =
        value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value);
      return plain ? value : CONVERT;
    };
  }
  return null;
}

/**
 * type-graphql calls a field resolver through a wrapper that, on every call, sorts and maps its
 * parameters, and passes each argument through an async convert-and-validate step — so a field with
 * an argument (Person.disputes(open)) resolved through two more promises on every row. With this
 * build's options (no validation, middlewares or auth checker) the wrapper only hands values through
 * when the root is already an instance of its class and the arguments are plain values; such calls
 * now go straight to the method of the (stateless) resolver class. Any other call — an input-object
 * argument, a root to convert — still goes through type-graphql's wrapper.
 */
function callFieldResolversDirectly(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  const instances = new Map<object, Record<string, (...values: unknown[]) => unknown>>();
  const built = new Set<unknown>(resolvers);
  for (const resolver of storage.fieldResolvers) {
    // Only the resolver classes this schema is built from (type-graphql ignores the others too).
    if (!built.has(resolver.target)) continue;
    if (resolver.kind !== 'external' || resolver.middlewares?.length || resolver.roles?.length) continue;
    const objectClass = resolver.getObjectType?.();
    const typeName = storage.objectTypes.find((objectType) => objectType.target === objectClass)?.name;
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = isObjectType(type) ? type.getFields()[resolver.schemaName] : undefined;
    const wrapped = field?.resolve;
    if (!field || !wrapped) continue;
    const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
    const extracts = params.map(extractor);
    if (
      extracts.some((extract) => extract === null) ||
      params.some((param, index) => param.index !== index)
    ) {
      continue;
    }
    let instance = instances.get(resolver.target);
    if (!instance) {
      instance = new (resolver.target as new () => Record<string, (...values: unknown[]) => unknown>)();
      instances.set(resolver.target, instance);
    }
    const target = instance;
    const method = target[resolver.methodName];
    if (typeof method !== 'function') continue;
    const direct = extracts as Extract[];
    field.resolve = (root, args, context, info) => {
      const values: unknown[] = [];
      for (const extract of direct) {
        const value = extract(root, args, context, info);
        if (value === CONVERT) return wrapped(root, args, context, info);
        values.push(value);
      }
      return method.apply(target, values);
    };
  }
  return schema;
}

/**
 * type-graphql gives every plain field (a property of the object) a resolver of its own, to run
 * type-graphql middlewares and authorization — which this API does not use: graphql-shield and the
 * value layer do both (src/permissions/shield.ts). For a field with no field resolver, no
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
