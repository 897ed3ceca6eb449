// The gate in front of a session whose sign-in is not complete. Signed in with a temporary password:
// until the password is changed, an operation may select only the root fields policy.ts lists in
// PASSWORD_CHANGE_OPERATIONS (changePassword, me, logout); refused with `extensions.reason:
// PASSWORD_CHANGE_REQUIRED`. Then, for an account that needs a second factor (LEADER, ADMIN, AUDITOR)
// and a session that has not passed one — none is enrolled yet, or the account became one after it
// signed in — only SECOND_FACTOR_ENROLMENT_OPERATIONS (enrol, me, mySessions, changePassword, logout);
// refused with `extensions.reason: SECOND_FACTOR_REQUIRED`. The request lifecycle asks it for every
// operation, on every transport, before anything runs; the answer is FORBIDDEN.
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../graphql/errors';
import { PASSWORD_CHANGE_OPERATIONS, SECOND_FACTOR_ENROLMENT_OPERATIONS } from '../permissions/policy';
import type { Identity } from './identity-store';

export const PASSWORD_CHANGE_REQUIRED = 'PASSWORD_CHANGE_REQUIRED';
export const SECOND_FACTOR_REQUIRED = 'SECOND_FACTOR_REQUIRED';

const names = (operations: readonly string[]) => operations.map((key) => key.split('.')[1]).join(', ');

interface Gate {
  allowed: readonly string[];
  reason: string;
  message: string;
}

/** The gate `identity`'s session stands behind, if any: the password first, then the second factor. */
function gateOf(identity: Identity | null): Gate | undefined {
  if (identity?.passwordChangeRequired) {
    return {
      allowed: PASSWORD_CHANGE_OPERATIONS,
      reason: PASSWORD_CHANGE_REQUIRED,
      message: `Change your password first: you signed in with a temporary password, so this session may only run ${names(PASSWORD_CHANGE_OPERATIONS)}`,
    };
  }
  if (identity?.secondFactorPending) {
    return {
      allowed: SECOND_FACTOR_ENROLMENT_OPERATIONS,
      reason: SECOND_FACTOR_REQUIRED,
      message: identity.secondFactorEnrolled
        ? 'This session did not pass your second factor (it began before your account needed one): sign out and sign in again with a code'
        : `Enrol a second factor first: LEADER, ADMIN and AUDITOR accounts sign in with a code from an authenticator app, so this session may only run ${names(SECOND_FACTOR_ENROLMENT_OPERATIONS)}`,
    };
  }
  return undefined;
}

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
export function refusedUntilSignInCompletes(
  identity: Identity | null,
  document: DocumentNode,
  operation: OperationDefinitionNode | null | undefined,
): GraphQLError | undefined {
  const gate = gateOf(identity);
  if (!gate) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  for (const candidate of operation ? [operation] : operations) {
    const root = ROOT_TYPES[candidate.operation];
    const blocked = rootFieldNames(candidate.selectionSet, fragments, new Set()).some(
      (field) => !field.startsWith('__') && !gate.allowed.includes(`${root}.${field}`),
    );
    if (blocked) {
      return new GraphQLError(gate.message, {
        extensions: { code: ErrorCode.FORBIDDEN, reason: gate.reason, http: { status: 403 } },
      });
    }
  }
  return undefined;
}
