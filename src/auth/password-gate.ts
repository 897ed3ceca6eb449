// The gate in front of a session that signed in with a temporary password: until the password is
// changed, an operation may select only the root fields policy.ts lists in PASSWORD_CHANGE_OPERATIONS
// (changePassword, me, logout). The request lifecycle asks it for every operation, on every transport,
// before anything runs; the answer is FORBIDDEN with `extensions.reason: PASSWORD_CHANGE_REQUIRED`.
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../graphql/errors';
import { PASSWORD_CHANGE_OPERATIONS } from '../permissions/policy';
import type { Identity } from './identity-store';

export const PASSWORD_CHANGE_REQUIRED = 'PASSWORD_CHANGE_REQUIRED';

const ALLOWED = PASSWORD_CHANGE_OPERATIONS.map((key) => key.split('.')[1]).join(', ');

const ROOT_TYPES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/** The names of the root fields a selection set selects, through fragments and inline fragments. */
function rootFieldNames(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visited: Set<string>,
): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      return rootFieldNames(selection.selectionSet, fragments, visited);
    }
    const name = selection.name.value;
    const fragment = fragments.get(name);
    if (!fragment || visited.has(name)) return [];
    visited.add(name);
    return rootFieldNames(fragment.selectionSet, fragments, visited);
  });
}

/**
 * The error to answer instead of running `operation` (every operation of the document when none was
 * picked) for `identity`, or undefined when it may run.
 */
export function refusedUntilPasswordChanged(
  identity: Identity | null,
  document: DocumentNode,
  operation: OperationDefinitionNode | null | undefined,
): GraphQLError | undefined {
  if (!identity?.passwordChangeRequired) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  for (const candidate of operation ? [operation] : operations) {
    const root = ROOT_TYPES[candidate.operation];
    const blocked = rootFieldNames(candidate.selectionSet, fragments, new Set()).some(
      (field) => !field.startsWith('__') && !PASSWORD_CHANGE_OPERATIONS.includes(`${root}.${field}`),
    );
    if (blocked) {
      return new GraphQLError(
        `Change your password first: you signed in with a temporary password, so this session may only run ${ALLOWED}`,
        {
          extensions: {
            code: ErrorCode.FORBIDDEN,
            reason: PASSWORD_CHANGE_REQUIRED,
            http: { status: 403 },
          },
        },
      );
    }
  }
  return undefined;
}
