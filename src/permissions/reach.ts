// Which principals can reach each GraphQL type, following only the operations and fields policy.ts
// lets them use. A field every principal who reaches its type may read needs no guard of its own:
// its parent's guard already decided. Computed once per schema, from the policy alone (guards.ts).
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import {
  allPrincipals,
  decideField,
  FIELD_POLICY,
  OPERATION_POLICY,
  PUBLIC,
  STRUCTURAL_TYPES,
  type Principal,
} from './policy';

/** `null` stands for a caller without credentials, who may use only PUBLIC operations. */
type Caller = Principal | null;

const ANONYMOUS = 'ANONYMOUS';

/** Every kind of caller the policy distinguishes, by the label the matrix gives it. */
function callers(): Map<string, Caller> {
  return new Map<string, Caller>([
    ...allPrincipals().map(({ label, principal }): [string, Caller] => [label, principal]),
    [ANONYMOUS, null],
  ]);
}

function allowed(typeName: string, field: string, caller: Caller): boolean {
  const key = `${typeName}.${field}`;
  const operation = OPERATION_POLICY[key];
  if (operation) return caller === null ? operation === PUBLIC : operation.includes(caller);
  const structural = STRUCTURAL_TYPES[typeName];
  if (structural) return caller === null ? structural === PUBLIC : structural.includes(caller);
  if (caller === null) return false;
  return decideField(FIELD_POLICY[key], caller) !== 'denied';
}

/** The object types a field's value can be: its own, or every member of an interface or union. */
function objectTypesOf(schema: GraphQLSchema, type: GraphQLOutputType): string[] {
  const named = getNamedType(type);
  if (isObjectType(named)) return [named.name];
  if (isAbstractType(named)) return schema.getPossibleTypes(named).map((member) => member.name);
  return [];
}

/** For each object type, the labels of the callers who can reach it. */
export function reachOf(schema: GraphQLSchema): Map<string, Set<string>> {
  const reach = new Map<string, Set<string>>();
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap(
    (type) => (type ? [type.name] : []),
  );
  for (const [label, caller] of callers()) {
    // Breadth first; `queue` only grows, `seen` keeps each type to one visit per caller.
    const queue = [...roots];
    const seen = new Set<string>(queue);
    for (const typeName of queue) {
      let reachers = reach.get(typeName);
      if (!reachers) {
        reachers = new Set();
        reach.set(typeName, reachers);
      }
      reachers.add(label);
      const type = schema.getType(typeName);
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!allowed(typeName, field.name, caller)) continue;
        for (const target of objectTypesOf(schema, field.type)) {
          if (seen.has(target)) continue;
          seen.add(target);
          queue.push(target);
        }
      }
    }
  }
  return reach;
}

/**
 * Whether T.field needs its own guard: it has no policy row (deny by default), or some caller who
 * reaches T may not use it. A type nobody reaches needs none: every way to it is already refused.
 */
export function needsGuard(reach: Map<string, Set<string>>, typeName: string, field: string): boolean {
  const key = `${typeName}.${field}`;
  if (!OPERATION_POLICY[key] && !FIELD_POLICY[key] && !STRUCTURAL_TYPES[typeName]) return true;
  const reachers = reach.get(typeName);
  if (!reachers || reachers.size === 0) return false;
  const byLabel = callers();
  return [...reachers].some((label) => !allowed(typeName, field, byLabel.get(label) ?? null));
}
