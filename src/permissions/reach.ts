// Which principals can reach each GraphQL type, following only the operations and fields policy.ts
// lets them use. A field every principal who reaches its type may read needs no guard of its own:
// its parent's guard already decided. Computed once per schema, from the policy alone.
import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
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

function allowed(typeName: string, field: string, caller: Caller): boolean {
  const key = `${typeName}.${field}`;
  const operation = OPERATION_POLICY[key];
  if (operation) return caller === null ? operation === PUBLIC : operation.includes(caller);
  const structural = STRUCTURAL_TYPES[typeName];
  if (structural) return caller === null ? structural === PUBLIC : structural.includes(caller);
  if (caller === null) return false;
  return decideField(FIELD_POLICY[key], caller) !== 'denied';
}

/** For each object type, the labels of the callers who can reach it. */
export function reachOf(schema: GraphQLSchema): Map<string, Set<string>> {
  const reach = new Map<string, Set<string>>();
  const callers: { label: string; caller: Caller }[] = [
    ...allPrincipals().map(({ label, principal }) => ({ label, caller: principal as Caller })),
    { label: 'ANONYMOUS', caller: null },
  ];
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (type): type is NonNullable<typeof type> => Boolean(type),
  );
  for (const { label, caller } of callers) {
    const queue = roots.map((type) => type.name);
    const seen = new Set<string>(queue);
    while (queue.length > 0) {
      const typeName = queue.shift() as string;
      if (!reach.has(typeName)) reach.set(typeName, new Set());
      reach.get(typeName)?.add(label);
      const type = schema.getType(typeName);
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const target = getNamedType(field.type);
        if (!isObjectType(target) || seen.has(target.name) || !allowed(typeName, field.name, caller))
          continue;
        seen.add(target.name);
        queue.push(target.name);
      }
    }
  }
  return reach;
}

/** Whether T.field needs its own guard: some caller who reaches T may not use it. */
export function needsGuard(reach: Map<string, Set<string>>, typeName: string, field: string): boolean {
  const key = `${typeName}.${field}`;
  if (!OPERATION_POLICY[key] && !FIELD_POLICY[key] && !STRUCTURAL_TYPES[typeName]) return true;
  const reachers = reach.get(typeName);
  if (!reachers || reachers.size === 0) return false;
  const callers = new Map<string, Caller>([
    ...allPrincipals().map(({ label, principal }): [string, Caller] => [label, principal]),
    ['ANONYMOUS', null],
  ]);
  return [...reachers].some((label) => !allowed(typeName, field, callers.get(label) ?? null));
}
