// What one account may do, as the permission layer decides it: for every type it can reach, how it
// reads each field, and which operations it may run. Computed from the schema's guard plan (guards.ts),
// the field policy's read/mask decision (decideField, as the value layer applies it) and the argument
// policy (arguments.ts) — the code that enforces, never a second copy of the rules — so a UI can hide
// what it may not show. It depends on who asks and on nothing stored: it names no record.
import { isObjectType, type GraphQLSchema } from 'graphql';
import { argumentPaths, filteredType } from './arguments';
import { planGuards, type Guard } from './guards';
import {
  allPrincipals,
  decideField,
  FIELD_POLICY,
  ARGUMENT_POLICY,
  mayUseArgument,
  STRUCTURAL_REFERENCES,
  type Principal,
} from './policy';
import { rootTypeNames } from './nullability';
import { reachOf } from './reach';

/**
 * How an account reads a field. CONDITIONAL: it reads the field, and what it sees depends on the
 * record — its department's share of a list (special statuses, indicators by category), or no id when
 * the value names a record outside its row scope.
 */
export type FieldAccessKind = 'READ' | 'MASKED' | 'DENIED' | 'CONDITIONAL';

export interface FieldAccessEntry {
  name: string;
  access: FieldAccessKind;
  /**
   * Arguments (`filter.needsAssessment`) the account may not narrow the field by, or values of one
   * (`orderBy.field=CREATED_AT`): FORBIDDEN if used.
   */
  refusedArguments: string[];
}

export interface OperationAccessEntry {
  /** `Query.persons`, `Mutation.registerPerson`, `Subscription.alertReceived`. */
  name: string;
  allowed: boolean;
  refusedArguments: string[];
}

export interface ViewerAccess {
  types: { name: string; fields: FieldAccessEntry[] }[];
  operations: OperationAccessEntry[];
}

/** Whether the field's guard lets `principal` through: the check shield.ts installs from the plan. */
function passesGuard(guard: Guard | undefined, principal: Principal): boolean {
  if (!guard || guard.kind === 'deny') return false;
  return guard.kind === 'open' || guard.audience.includes(principal);
}

/** Behind the guard, the value layer's decision (shield.ts valueLayers, foreign-id layer). */
function accessBehindGuard(key: string, principal: Principal): FieldAccessKind {
  const policy = FIELD_POLICY[key];
  if (!policy) return STRUCTURAL_REFERENCES[key] ? 'CONDITIONAL' : 'READ';
  const decision = decideField(policy, principal);
  if (decision === 'masked') return 'MASKED';
  if (decision === 'denied') return 'DENIED';
  return policy.valueFilter || policy.references ? 'CONDITIONAL' : 'READ';
}

/** The plan and the reach of one schema, computed once: both depend on the schema and policy.ts only. */
interface SchemaPlan {
  guards: Map<string, Guard>;
  reach: Map<string, Set<string>>;
  byPrincipal: Map<string, ViewerAccess>;
}
const plans = new WeakMap<GraphQLSchema, SchemaPlan>();

function planOf(schema: GraphQLSchema): SchemaPlan {
  let plan = plans.get(schema);
  if (!plan) {
    plan = { guards: planGuards(schema), reach: reachOf(schema), byPrincipal: new Map() };
    plans.set(schema, plan);
  }
  return plan;
}

/** The label reach.ts knows a principal by: department/position, or its capability. */
function labelOf(principal: Principal): string | undefined {
  return allPrincipals().find(
    (candidate) =>
      candidate.principal.capability === principal.capability &&
      (principal.capability !== null ||
        (candidate.principal.department === principal.department &&
          candidate.principal.position === principal.position)),
  )?.label;
}

function refusedArguments(schema: GraphQLSchema, typeName: string, fieldName: string, principal: Principal) {
  const type = schema.getType(typeName);
  const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
  if (!field || !filteredType(type)) return [];
  return argumentPaths(typeName, field).flatMap(({ key, path }) => {
    if (mayUseArgument(key, principal)) return [];
    // A rule per value names the values refused (`orderBy.field=CREATED_AT`): the others may be used.
    const rule = ARGUMENT_POLICY[key];
    if (rule?.kind !== 'perValue') return [path.join('.')];
    return Object.entries(rule.audiences)
      .filter(([, allowed]) => !allowed.includes(principal))
      .map(([value]) => `${path.join('.')}=${value}`);
  });
}

/** What `principal` may read and run in `schema` (the schema being served: info.schema). */
export function viewerAccess(schema: GraphQLSchema, principal: Principal): ViewerAccess {
  const plan = planOf(schema);
  const label = labelOf(principal);
  const cacheKey = `${principal.capability ?? ''}/${principal.department}/${principal.position}`;
  const cached = plan.byPrincipal.get(cacheKey);
  if (cached) return cached;
  const roots = rootTypeNames(schema);
  const types: ViewerAccess['types'] = [];
  const operations: OperationAccessEntry[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const isRoot = roots.has(type.name);
    // A type the account cannot reach has nothing to show it; naming its fields would only add noise.
    if (!isRoot && (!label || !plan.reach.get(type.name)?.has(label))) continue;
    const fields: FieldAccessEntry[] = [];
    for (const field of Object.keys(type.getFields())) {
      const key = `${type.name}.${field}`;
      const through = passesGuard(plan.guards.get(key), principal);
      if (isRoot) {
        operations.push({
          name: key,
          allowed: through,
          refusedArguments: through ? refusedArguments(schema, type.name, field, principal) : [],
        });
        continue;
      }
      const access = through ? accessBehindGuard(key, principal) : 'DENIED';
      fields.push({
        name: field,
        access,
        refusedArguments: access === 'DENIED' ? [] : refusedArguments(schema, type.name, field, principal),
      });
    }
    if (!isRoot) types.push({ name: type.name, fields });
  }
  const answer = { types, operations };
  plan.byPrincipal.set(cacheKey, answer);
  return answer;
}
