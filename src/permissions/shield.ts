// The permission layer, generated from policy.ts and installed on the schema once, when it is built.
//
// What stands around a field's own resolver, outermost first:
//   1. Its guard, from the guard plan (guards.ts), one of three:
//      - open: every caller who can reach the field's type may use the field (reach.ts), so the guard
//        of the field that led here already decided, and no guard of its own runs;
//      - deny: no policy row names the field; graphql-shield's fallback rule answers FORBIDDEN (as it
//        would for any field the plan missed: the installation fails closed);
//      - audience: graphql-shield's rule for who may read the field, or read it masked.
//   2. The argument check (arguments.ts): nobody narrows an answer by a value they may not read.
//   3. The value layer: masks, a department's share of a list value, the sensitive-read audit entry.
//   4. Foreign ids (references.ts): an id of a record outside the caller's row scope is left out.
//
// The fast path. An audience rule's answer depends only on who asks, and a request's context keeps
// one identity from start to end, so graphql-shield asks each rule once per request and caches the
// answer in the context. Its field middleware is asynchronous all the same: every guarded field of
// every row would wait on promises for an answer already known. So an audience rule that finds the
// caller in its audience also notes that audience in the request's context
// (`context.grantedAudiences`), and a guarded field whose audience is noted there runs steps 2–4
// directly — what shield itself does after its cached `true`. The first field of each audience in a
// request, and every field of an audience the caller is not in (a refusal is never noted), go
// through shield.
//
// Why that is safe: only a rule notes an audience, only after it said yes to this context's
// identity; a field looks for its own audience only, never for another that happens to overlap; and
// the note lives and dies with the context the request lifecycle makes for every operation and every
// subscription event (src/graphql/lifecycle.ts), so nothing at module level remembers a caller and
// no answer reaches another request. test/permissions/permission-fast-path.test.ts holds it to that.
import { defaultFieldResolver, GraphQLError, isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { deny, rule, shield, type IRule } from 'graphql-shield';
import { principalOf } from '../auth/identity';
import type { RequestContext } from '../request-scope';
import { ErrorCode, unauthenticated } from '../graphql/errors';
import { argumentLayers } from './arguments';
import { DENY, planGuards, type FieldLayer, type FieldResolver, type Guard } from './guards';
import { maskAddress, maskNationalId, maskPhone } from './masking';
import { withoutForeignIds } from './references';
import {
  decideField,
  FIELD_POLICY,
  INDICATOR_CATEGORY_READERS,
  PUBLIC,
  SPECIAL_STATUS_OWNERS,
  STRUCTURAL_REFERENCES,
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

/**
 * Wraps a schema in the permission layer and returns the schema to serve. The layers inside the
 * guard (steps 2–4) are installed on `schema` itself, as the schema build's other rewrites are, so
 * pass a freshly built bare schema. `auditReads: false` exists only for the benchmark that measures
 * what auditing costs (src/cli/bench-server.ts); the API itself always audits.
 */
export function applyPermissions(
  schema: GraphQLSchema,
  options: { auditReads: boolean } = { auditReads: true },
): GraphQLSchema {
  const plan = planGuards(schema);
  installInnerLayers(schema, options.auditReads);
  // Step 1: graphql-shield around every field, in a new schema; fields the rule tree leaves out get
  // its fallback rule, deny.
  const shielded = applyMiddleware(
    schema,
    shield(ruleTree(plan), {
      fallbackRule: deny,
      // Resolver errors (NOT_FOUND, CONFLICT …) pass through; formatError masks anything unexpected.
      allowExternalErrors: true,
      fallbackError: FORBIDDEN,
    }),
  );
  installGuards(shielded, schema, plan);
  return shielded;
}

// ---------------------------------------------------------------------------------------------
// Step 1: the guards.
// ---------------------------------------------------------------------------------------------

/**
 * graphql-shield's rule for one audience. Shield caches its answer for the request ('contextual'); a
 * yes is also noted in the request's context, for the fast path.
 */
function audienceRule(audience: Audience, name: string): IRule {
  return rule(name, { cache: 'contextual' })((_parent, _args, context: RequestContext) => {
    if (audience !== PUBLIC) {
      if (!context.identity) return unauthenticated();
      if (!audience.includes(principalOf(context.identity))) return FORBIDDEN();
    }
    context.grantedAudiences.add(audience);
    return true;
  });
}

/** Shield's rule tree: the rule of each field the plan guards by audience, one rule per audience. */
function ruleTree(plan: ReadonlyMap<string, Guard>): Record<string, Record<string, IRule>> {
  const rules = new Map<Audience, IRule>();
  const tree: Record<string, Record<string, IRule>> = {};
  for (const [key, guard] of plan) {
    if (guard.kind !== 'audience') continue;
    let audienceRuleOf = rules.get(guard.audience);
    if (!audienceRuleOf) {
      // Shield caches a rule's answer under its name: one name per audience.
      audienceRuleOf = audienceRule(guard.audience, `audience:${rules.size}:${guard.audience.label}`);
      rules.set(guard.audience, audienceRuleOf);
    }
    const [typeName, fieldName] = splitKey(key);
    tree[typeName] ??= {};
    tree[typeName][fieldName] = audienceRuleOf;
  }
  return tree;
}

/**
 * Sets every field's resolver in the shielded schema by the plan: an open field gets its resolver
 * from inside the guard, with no shield around it; a field guarded by an audience gets the fast path
 * in front of shield's wrapper; a denied field (and any the plan does not name) keeps shield's deny.
 */
function installGuards(
  shielded: GraphQLSchema,
  inside: GraphQLSchema,
  plan: ReadonlyMap<string, Guard>,
): void {
  for (const type of Object.values(shielded.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const insideType = inside.getType(type.name);
    if (!isObjectType(insideType)) throw new Error(`${type.name} is not in the schema shield wrapped`);
    const insideFields = insideType.getFields();
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const guard = plan.get(key) ?? DENY;
      // What runs inside the guard: left undefined for a plain property, which graphql-jit reads inline.
      const inner: FieldResolver | undefined = insideFields[field.name]?.resolve;
      if (guard.kind === 'open') field.resolve = inner;
      else if (guard.kind === 'audience') {
        const viaShield = field.resolve;
        if (!viaShield) throw new Error(`graphql-shield left ${key} without a resolver`);
        field.resolve = allowingGranted(guard.audience, inner ?? defaultFieldResolver, viaShield);
      }
    }
  }
}

/** The fast path: straight inside once shield has found the caller in `audience` this request. */
function allowingGranted(audience: Audience, inner: FieldResolver, viaShield: FieldResolver): FieldResolver {
  return (parent, args, context, info) =>
    context.grantedAudiences.has(audience)
      ? inner(parent, args, context, info)
      : viaShield(parent, args, context, info);
}

// ---------------------------------------------------------------------------------------------
// Steps 2–4: inside the guard.
// ---------------------------------------------------------------------------------------------

/** Wraps each field's own resolver in its argument check, value layer and foreign-id layer, in place. */
function installInnerLayers(schema: GraphQLSchema, auditReads: boolean): void {
  const argumentChecks = argumentLayers(schema);
  const values = valueLayers(auditReads);
  const foreignIds = foreignIdLayers();
  const breakGlass = breakGlassLayers(auditReads);
  const unused = new Set([...values.keys(), ...foreignIds.keys(), ...breakGlass.keys()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      unused.delete(key);
      // Innermost first: foreign ids see the resolver's value, the value layer what they leave.
      const layers = [
        foreignIds.get(key),
        values.get(key),
        breakGlass.get(key),
        argumentChecks.get(key),
      ].filter((layer): layer is FieldLayer => layer !== undefined);
      if (layers.length === 0) continue;
      const own: FieldResolver = field.resolve ?? defaultFieldResolver;
      field.resolve = layers.reduce((inner, layer) => layer(inner), own);
    }
  }
  if (unused.size > 0) throw new Error(`policy.ts names fields the schema lacks: ${[...unused].join(', ')}`);
}

/** `Type.field` → [Type, field]. */
function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

/** A property of the parent a field resolves on (an entity, or a plain object). */
function propertyOf(parent: unknown, name: string): unknown {
  return typeof parent === 'object' && parent !== null ? Reflect.get(parent, name) : undefined;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && 'then' in value && typeof value.then === 'function';
}

type AfterResolve = (value: unknown, parent: unknown, context: RequestContext) => unknown;

/**
 * `then` at once for a plain value, after it settles for a promise. Most of these fields are plain
 * columns: waiting on a promise for each of them, on every row of a list, would cost more than the
 * layer itself, and graphql-js takes a plain value as it is.
 */
function whenResolved(value: unknown, parent: unknown, context: RequestContext, then: AfterResolve): unknown {
  return isPromiseLike(value)
    ? Promise.resolve(value).then((settled) => then(settled, parent, context))
    : then(value, parent, context);
}

async function villageNameOf(context: RequestContext, gridId: unknown): Promise<string | null> {
  if (typeof gridId !== 'string' || !gridId) return null;
  const grid = await context.loaders.organisation.jurisdictionById.load(gridId);
  if (!grid?.parentId) return null;
  const village = await context.loaders.organisation.jurisdictionById.load(grid.parentId);
  return village?.name ?? null;
}

async function mask(kind: MaskKind, value: unknown, parent: unknown, context: RequestContext) {
  if (value === null || value === undefined) return value;
  if (kind === 'NATIONAL_ID') return maskNationalId(String(value), context.now());
  if (kind === 'PHONE') return maskPhone(String(value));
  return maskAddress(await villageNameOf(context, propertyOf(parent, 'gridId')));
}

export function filterValues(
  kind: FieldPolicy['valueFilter'],
  value: unknown,
  principal: Principal,
): unknown {
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
function recordIdOf(parent: unknown): string {
  const id = propertyOf(parent, 'id') ?? propertyOf(parent, 'personId') ?? propertyOf(parent, 'assessmentId');
  return typeof id === 'string' ? id : 'unknown';
}

/**
 * Step 3, for every field whose policy row masks, filters or audits: what the caller sees of the
 * value — the value, its mask, their department's share of a list, or null — and an audit note when
 * a sensitive value is shown.
 */
function valueLayers(auditReads: boolean): Map<string, FieldLayer> {
  const layers = new Map<string, FieldLayer>();
  for (const [key, policy] of Object.entries(FIELD_POLICY)) {
    if (!policy.masked && !policy.sensitive && !policy.valueFilter) continue;
    const [typeName, fieldName] = splitKey(key);
    const shown: AfterResolve = (value, parent, context) => {
      const principal = principalOf(context.user);
      const decision = decideField(policy, principal);
      if (decision === 'masked' && policy.masked) return mask(policy.masked.kind, value, parent, context);
      if (decision !== 'read') return null;
      const visible = policy.valueFilter ? filterValues(policy.valueFilter, value, principal) : value;
      const revealed = Array.isArray(visible)
        ? visible.length > 0
        : visible !== null && visible !== undefined;
      if (auditReads && policy.sensitive && revealed) {
        context.recordSensitiveRead(typeName, recordIdOf(parent), fieldName);
      }
      return visible;
    };
    layers.set(
      key,
      (inner) => (parent, args, context, info) =>
        whenResolved(inner(parent, args, context, info), parent, context, shown),
    );
  }
  return layers;
}

/**
 * Step 3 too, for a person a break-glass grant opened to the caller (src/domain/break-glass): reading
 * them is audited whatever the field, not only the sensitive ones, so the review sees every look. A
 * person is reached by id or name in every selection; the caller without grants pays one check.
 */
function breakGlassLayers(auditReads: boolean): Map<string, FieldLayer> {
  const layers = new Map<string, FieldLayer>();
  if (!auditReads) return layers;
  for (const fieldName of ['id', 'name']) {
    layers.set(`Person.${fieldName}`, (inner) => (parent, args, context, info) => {
      const passes = context.identity?.breakGlass;
      if (passes && passes.length > 0) {
        const personId = propertyOf(parent, 'id');
        if (passes.some((pass) => pass.personId === personId)) {
          context.recordSensitiveRead('Person', String(personId), fieldName);
        }
      }
      return inner(parent, args, context, info);
    });
  }
  return layers;
}

/**
 * Step 4, no foreign ids (SPEC §4): every id-valued field whose policy row says which kind of record
 * it names (`references`) answers null — or, for a list of ids, leaves the id out — when that record
 * is outside the caller's row scope. Visibility comes from a batched per-request loader
 * (references.ts): one statement per kind for a page of rows. It runs inside the value layer, so what
 * it leaves out is neither masked nor audited as read.
 */
function foreignIdLayers(): Map<string, FieldLayer> {
  const references: [string, ReferenceKind][] = [
    ...Object.entries(FIELD_POLICY).flatMap(([key, policy]): [string, ReferenceKind][] =>
      policy.references ? [[key, policy.references]] : [],
    ),
    ...Object.entries(STRUCTURAL_REFERENCES),
  ];
  const layers = new Map<string, FieldLayer>();
  for (const [key, kind] of references) {
    const hidden: AfterResolve = (value, _parent, context) => withoutForeignIds(context, kind, value);
    layers.set(
      key,
      (inner) => (parent, args, context, info) =>
        whenResolved(inner(parent, args, context, info), parent, context, hidden),
    );
  }
  return layers;
}
