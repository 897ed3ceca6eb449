// The guard plan: for every field of a schema, what stands before its resolver — nothing (reach.ts
// proves its parent's guard already decided), graphql-shield's rule for one audience of policy.ts, or
// shield's deny. Generated once per schema from the policy alone; shield.ts installs it.
import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../request-scope';
import { FIELD_POLICY, OPERATION_POLICY, STRUCTURAL_TYPES, type Audience } from './policy';
import { needsGuard, reachOf } from './reach';

/** A field resolver as the permission layer wraps one: the parent, the arguments, this request. */
export type FieldResolver = GraphQLFieldResolver<unknown, RequestContext, Record<string, unknown>>;

/** A step inside a field's guard (an argument check, masking …): wraps the resolver it runs around. */
export type FieldLayer = (inner: FieldResolver) => FieldResolver;

/** What stands before a field's resolver. */
export type Guard =
  /** Nothing: every caller who can reach the field's type may use the field (reach.ts). */
  | { readonly kind: 'open' }
  /** graphql-shield's rule for `audience`: the callers who may use the field, read or masked. */
  | { readonly kind: 'audience'; readonly audience: Audience }
  /** No policy row names the field: denied to everyone (deny by default, STYLE 2). */
  | { readonly kind: 'deny' };

export const OPEN: Guard = { kind: 'open' };
export const DENY: Guard = { kind: 'deny' };

/**
 * Who may use Type.field at all, from its policy row: the operation's audience, the structural
 * type's, or the field's readers together with those who get it masked. Undefined: no row.
 */
function audienceLookup(): (typeName: string, field: string) => Audience | undefined {
  // One audience per (readers, maskedReaders) pair, so fields that share both share one shield rule.
  const readOrMasked = new Map<Audience, Map<Audience, Audience>>();
  const either = (read: Audience, masked: Audience): Audience => {
    let byMasked = readOrMasked.get(read);
    if (!byMasked) {
      byMasked = new Map();
      readOrMasked.set(read, byMasked);
    }
    let combined = byMasked.get(masked);
    if (!combined) {
      combined = {
        label: `${read.label} | masked: ${masked.label}`,
        includes: (principal) => read.includes(principal) || masked.includes(principal),
      };
      byMasked.set(masked, combined);
    }
    return combined;
  };
  return (typeName, field) => {
    const key = `${typeName}.${field}`;
    const policy = FIELD_POLICY[key];
    const fieldAudience = policy?.masked ? either(policy.read, policy.masked.audience) : policy?.read;
    return OPERATION_POLICY[key] ?? STRUCTURAL_TYPES[typeName] ?? fieldAudience;
  };
}

/** The guard of every field of every object type of `schema` (introspection aside), by `Type.field`. */
export function planGuards(schema: GraphQLSchema): Map<string, Guard> {
  const reach = reachOf(schema);
  const audienceOf = audienceLookup();
  const plan = new Map<string, Guard>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) {
      const audience = audienceOf(type.name, field);
      const guard: Guard = !audience
        ? DENY
        : needsGuard(reach, type.name, field)
          ? { kind: 'audience', audience }
          : OPEN;
      plan.set(`${type.name}.${field}`, guard);
    }
  }
  return plan;
}
