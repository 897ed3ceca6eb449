// Generates the permission layer from policy.ts: graphql-shield rules for every operation and field
// (deny by default), then a middleware that masks values, filters per-department array values and
// records sensitive reads for the audit log, and one that leaves out ids of records outside the
// caller's row scope.
import { GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import {
  applyMiddleware,
  type IMiddleware,
  type IMiddlewareFunction,
  type IMiddlewareGenerator,
} from 'graphql-middleware';
import { deny, rule, shield, type IRule, type IRules } from 'graphql-shield';
import { principalOf } from '../auth/identity';
import type { RequestContext } from '../request-scope';
import type { Jurisdiction } from '../domain/organisation/jurisdiction.entity';
import { ErrorCode, unauthenticated } from '../graphql/errors';
import { buildArgumentMiddleware } from './arguments';
import { maskAddress, maskNationalId, maskPhone } from './masking';
import { needsGuard, reachOf } from './reach';
import { withoutForeignIds } from './references';
import {
  decideField,
  FIELD_POLICY,
  INDICATOR_CATEGORY_READERS,
  OPERATION_POLICY,
  PUBLIC,
  SPECIAL_STATUS_OWNERS,
  STRUCTURAL_REFERENCES,
  STRUCTURAL_TYPES,
  type Audience,
  type FieldPolicy,
  type MaskKind,
  type Principal,
  type ReferenceKind,
} from './policy';

const FORBIDDEN = () =>
  new GraphQLError('Your department and position may not read or do this', {
    extensions: { code: ErrorCode.FORBIDDEN },
  });

const rulesByAudience = new Map<Audience, IRule>();
const audienceOfRule = new Map<IRule, Audience>();

/**
 * The audiences each request's caller was found to belong to: graphql-shield's per-request cache of
 * the same answers, but readable without waiting on a promise (see `allowingKnown`).
 */
const permitted = new WeakMap<RequestContext, Set<Audience>>();

function permit(context: RequestContext, audience: Audience): true {
  let audiences = permitted.get(context);
  if (!audiences) {
    audiences = new Set();
    permitted.set(context, audiences);
  }
  audiences.add(audience);
  return true;
}

/** One shield rule per audience; it depends only on who asks, so its answer is cached per request. */
function audienceRule(audience: Audience): IRule {
  let cached = rulesByAudience.get(audience);
  if (!cached) {
    cached =
      audience === PUBLIC
        ? rule(`public`, { cache: 'contextual' })((_parent, _args, context: RequestContext) =>
            permit(context, audience),
          )
        : rule(`audience:${rulesByAudience.size}:${audience.label}`, { cache: 'contextual' })(
            (_parent, _args, context: RequestContext) => {
              if (!context.identity) return unauthenticated();
              return audience.includes(principalOf(context.identity))
                ? permit(context, audience)
                : FORBIDDEN();
            },
          );
    rulesByAudience.set(audience, cached);
    audienceOfRule.set(cached, audience);
  }
  return cached;
}

/**
 * graphql-shield's field middleware is asynchronous: every guarded field of every row waits on two
 * or three promises, even when the rule's answer for this request is already known. Once the caller
 * has been found in the field's audience, this runs the resolver directly — what shield itself does
 * with a cached `true`. Everything else (the first check of each audience in a request, every denial)
 * still goes through shield.
 */
function allowingKnown(audience: Audience, shielded: IMiddlewareFunction): IMiddlewareFunction {
  const middleware = (
    resolve: (...resolverArgs: unknown[]) => unknown,
    parent: unknown,
    args: unknown,
    context: RequestContext,
    info: unknown,
  ): unknown =>
    permitted.get(context)?.has(audience)
      ? resolve(parent, args, context, info)
      : (shielded as (...middlewareArgs: unknown[]) => unknown)(resolve, parent, args, context, info);
  return middleware as unknown as IMiddlewareFunction;
}

function eitherAudience(policy: FieldPolicy): Audience {
  const masked = policy.masked;
  if (!masked) return policy.read;
  return {
    label: `${policy.read.label} | masked: ${masked.audience.label}`,
    includes: (principal) => policy.read.includes(principal) || masked.audience.includes(principal),
  };
}

const combined = new Map<FieldPolicy, Audience>();
function fieldRule(policy: FieldPolicy): IRule {
  let reach = combined.get(policy);
  if (!reach) {
    reach = eitherAudience(policy);
    combined.set(policy, reach);
  }
  return audienceRule(reach);
}

export function buildRuleTree(schema: GraphQLSchema): IRules {
  const tree: Record<string, Record<string, IRule | typeof deny>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const rules: Record<string, IRule | typeof deny> = {};
    for (const field of Object.keys(type.getFields())) {
      const key = `${type.name}.${field}`;
      const operation = OPERATION_POLICY[key];
      const structural = STRUCTURAL_TYPES[type.name];
      const policy = FIELD_POLICY[key];
      if (operation) rules[field] = audienceRule(operation);
      else if (structural) rules[field] = audienceRule(structural);
      else if (policy) rules[field] = fieldRule(policy);
      else rules[field] = deny;
    }
    tree[type.name] = rules;
  }
  return tree as IRules;
}

async function villageNameOf(context: RequestContext, gridId: string | undefined): Promise<string | null> {
  if (!gridId) return null;
  const grid: Jurisdiction | null = await context.loaders.organisation.jurisdictionById.load(gridId);
  if (!grid?.parentId) return null;
  const village = await context.loaders.organisation.jurisdictionById.load(grid.parentId);
  return village?.name ?? null;
}

async function mask(kind: MaskKind, value: unknown, parent: { gridId?: string }, context: RequestContext) {
  if (value === null || value === undefined) return value;
  if (kind === 'NATIONAL_ID') return maskNationalId(String(value), context.now());
  if (kind === 'PHONE') return maskPhone(String(value));
  return maskAddress(await villageNameOf(context, parent.gridId));
}

function filterValues(kind: FieldPolicy['valueFilter'], value: unknown, principal: Principal): unknown {
  if (!Array.isArray(value)) return value;
  if (kind === 'SPECIAL_STATUS') {
    return value.filter((status: keyof typeof SPECIAL_STATUS_OWNERS) =>
      (SPECIAL_STATUS_OWNERS[status] as string[]).includes(principal.department),
    );
  }
  if (kind === 'INDICATOR_CATEGORY') {
    return value.filter((item: { category: keyof typeof INDICATOR_CATEGORY_READERS }) =>
      (INDICATOR_CATEGORY_READERS[item.category] as string[]).includes(principal.department),
    );
  }
  return value;
}

/** The record a sensitive value belongs to, for the audit entry. */
function recordIdOf(parent: Record<string, unknown>): string {
  const id = parent.id ?? parent.personId ?? parent.assessmentId;
  return typeof id === 'string' ? id : 'unknown';
}

function valueMiddleware(
  typeName: string,
  fieldName: string,
  policy: FieldPolicy,
  auditReads: boolean,
): IMiddlewareFunction {
  const shown = (value: unknown, parent: Record<string, unknown>, context: RequestContext): unknown => {
    const principal = principalOf(context.user);
    const decision = decideField(policy, principal);
    if (decision === 'masked' && policy.masked) return mask(policy.masked.kind, value, parent, context);
    if (decision !== 'read') return null;
    const visible = policy.valueFilter ? filterValues(policy.valueFilter, value, principal) : value;
    const revealed = Array.isArray(visible) ? visible.length > 0 : visible !== null && visible !== undefined;
    if (auditReads && policy.sensitive && revealed) {
      context.recordSensitiveRead(typeName, recordIdOf(parent), fieldName);
    }
    return visible;
  };
  // Most of these fields are plain columns: their value is at hand, and waiting on a promise for each
  // of them, on every row of a list, would cost more than the check itself. graphql-middleware passes
  // a plain value through to graphql-js as it is; only its type says a middleware returns a promise.
  const middleware = (
    resolve: (...resolverArgs: unknown[]) => unknown,
    parent: Record<string, unknown>,
    args: unknown,
    context: RequestContext,
    info: unknown,
  ): unknown => {
    return whenResolved(resolve(parent, args, context, info), (value) => shown(value, parent, context));
  };
  return middleware as unknown as IMiddlewareFunction;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** `then(value)` at once for a plain value, after it settles for a promise: most fields are plain. */
function whenResolved(value: unknown, then: (resolved: unknown) => unknown): unknown {
  return isPromiseLike(value) ? Promise.resolve(value).then(then) : then(value);
}

export function buildValueMiddleware(auditReads = true): Record<string, Record<string, IMiddlewareFunction>> {
  const middleware: Record<string, Record<string, IMiddlewareFunction>> = {};
  for (const [key, policy] of Object.entries(FIELD_POLICY)) {
    if (!policy.masked && !policy.sensitive && !policy.valueFilter) continue;
    const [typeName, fieldName] = key.split('.') as [string, string];
    middleware[typeName] ??= {};
    middleware[typeName][fieldName] = valueMiddleware(typeName, fieldName, policy, auditReads);
  }
  return middleware;
}

/**
 * No foreign ids (SPEC §4): every id-valued field whose policy row says which kind of record it names
 * (`references`) answers null — or, for a list of ids, leaves the id out — when that record is outside
 * the caller's row scope. Visibility comes from a batched per-request loader (references.ts): one
 * statement per kind for a page of rows. It runs inside the value middleware, so what it leaves out is
 * neither masked nor audited as read.
 */
export function buildForeignIdMiddleware(): Record<string, Record<string, IMiddlewareFunction>> {
  const references: [string, ReferenceKind][] = [
    ...Object.entries(FIELD_POLICY).flatMap(([key, policy]): [string, ReferenceKind][] =>
      policy.references ? [[key, policy.references]] : [],
    ),
    ...Object.entries(STRUCTURAL_REFERENCES),
  ];
  const middleware: Record<string, Record<string, IMiddlewareFunction>> = {};
  for (const [key, kind] of references) {
    const [typeName, fieldName] = key.split('.') as [string, string];
    const hiding = (
      resolve: (...resolverArgs: unknown[]) => unknown,
      parent: unknown,
      args: unknown,
      context: RequestContext,
      info: unknown,
    ): unknown => {
      return whenResolved(resolve(parent, args, context, info), (value) =>
        withoutForeignIds(context, kind, value),
      );
    };
    middleware[typeName] ??= {};
    middleware[typeName][fieldName] = hiding as unknown as IMiddlewareFunction;
  }
  return middleware;
}

/**
 * Wraps a schema in the permission layer. `auditReads: false` exists only for the benchmark that
 * measures what auditing costs (src/cli/bench-server.ts); the API itself always audits.
 */
export function applyPermissions(
  schema: GraphQLSchema,
  options: { auditReads: boolean } = { auditReads: true },
): GraphQLSchema {
  const tree = buildRuleTree(schema) as Record<string, Record<string, IRule>>;
  const permissions = shield(tree, {
    fallbackRule: deny,
    // Resolver errors (NOT_FOUND, CONFLICT …) pass through; formatError masks anything unexpected.
    allowExternalErrors: true,
    fallbackError: FORBIDDEN,
  });
  // graphql-shield guards every field; a field that every caller who reaches its type may use needs
  // no guard (reach.ts), and wrapping it would only cost time. Every other guard stays.
  const generated = (permissions as IMiddlewareGenerator<unknown, RequestContext, unknown>).generate(
    schema,
  ) as Record<string, Record<string, unknown>>;
  const reach = reachOf(schema);
  for (const [typeName, fields] of Object.entries(generated)) {
    for (const [field, shielded] of Object.entries(fields)) {
      const audience = audienceOfRule.get(tree[typeName]?.[field] as IRule);
      if (!needsGuard(reach, typeName, field)) delete fields[field];
      else if (audience && typeof shielded === 'function') {
        fields[field] = allowingKnown(audience, shielded as IMiddlewareFunction);
      }
    }
  }
  return applyMiddleware(
    schema,
    generated as IMiddleware,
    buildArgumentMiddleware(schema),
    buildValueMiddleware(options.auditReads),
    buildForeignIdMiddleware(),
  );
}
