// Refuses filters over values the caller may not read (SPEC §4), generated from ARGUMENT_POLICY in
// policy.ts: a field gets a guard only when some account that may use it may not use one of its
// arguments, so the common path pays nothing.
import {
  getNamedType,
  isInputObjectType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { principalOf } from '../auth/identity';
import { forbidden } from '../graphql/errors';
import type { FieldLayer } from './guards';
import {
  allPrincipals,
  decideField,
  FIELD_POLICY,
  mayUseArgument,
  mayUseArgumentValue,
  OPERATION_POLICY,
  STRUCTURAL_TYPES,
  type Principal,
} from './policy';

/** An argument as ARGUMENT_POLICY names it, and how to read its value from the field's arguments. */
export interface ArgumentPath {
  key: string;
  /** The argument, then (for an input object) the input field. */
  path: [string] | [string, string];
}

/** Every argument of a field, input objects expanded one level: `Query.persons(filter.tiers)`. */
export function argumentPaths(typeName: string, field: GraphQLField<unknown, unknown>): ArgumentPath[] {
  return field.args.flatMap((argument): ArgumentPath[] => {
    const named = getNamedType(argument.type);
    if (isInputObjectType(named)) {
      return Object.keys(named.getFields()).map((inner) => ({
        key: `${typeName}.${field.name}(${argument.name}.${inner})`,
        path: [argument.name, inner],
      }));
    }
    return [{ key: `${typeName}.${field.name}(${argument.name})`, path: [argument.name] }];
  });
}

/** Whether an argument's value narrows the answer: absent, null, false and [] leave it whole. */
function narrowing(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  return !(Array.isArray(value) && value.length === 0);
}

function valueAt(args: Record<string, unknown>, path: ArgumentPath['path']): unknown {
  const outer = args[path[0]];
  if (path.length === 1) return outer;
  return outer && typeof outer === 'object' ? Reflect.get(outer, path[1]) : undefined;
}

/** Whether `principal` may use the field at all: the guard is needed only for those who may. */
export function reaches(typeName: string, fieldName: string, principal: Principal): boolean {
  const key = `${typeName}.${fieldName}`;
  const operation = OPERATION_POLICY[key];
  if (operation) return operation.includes(principal);
  const structural = STRUCTURAL_TYPES[typeName];
  if (structural) return structural.includes(principal);
  return decideField(FIELD_POLICY[key], principal) !== 'denied';
}

/** Types whose fields' arguments narrow an answer; a mutation's input is what it writes, not a filter. */
export function filteredType(type: unknown): type is GraphQLObjectType {
  return isObjectType(type) && !type.name.startsWith('__') && type.name !== 'Mutation';
}

/**
 * The argument check of every field that needs one, by `Type.field`: a FORBIDDEN error, before the
 * field runs, when the caller narrows the answer by an argument they may not use.
 */
export function argumentLayers(schema: GraphQLSchema): Map<string, FieldLayer> {
  const principals = allPrincipals().map(({ principal }) => principal);
  const layers = new Map<string, FieldLayer>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!filteredType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const paths = argumentPaths(type.name, field);
      const guarded = paths.filter(({ key }) =>
        principals.some(
          (principal) => reaches(type.name, field.name, principal) && !mayUseArgument(key, principal),
        ),
      );
      if (guarded.length === 0) continue;
      layers.set(`${type.name}.${field.name}`, (inner) => (parent, args, context, info) => {
        if (context.identity) {
          const principal = principalOf(context.identity);
          for (const { key, path } of guarded) {
            const value = valueAt(args, path);
            if (narrowing(value) && !mayUseArgumentValue(key, principal, value)) {
              throw forbidden(
                path[0] === 'orderBy'
                  ? `You may not sort by ${String(value)}: your department does not read the value it orders by`
                  : `You may not filter by ${path.join('.')}: your department does not read the value it narrows by`,
              );
            }
          }
        }
        return inner(parent, args, context, info);
      });
    }
  }
  return layers;
}
