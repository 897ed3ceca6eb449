// Reads made by the server on an account's behalf (webhook payloads, src/domain/webhooks/payloads.ts):
// the same request lifecycle as HTTP — parsing, limits, a fresh context and loaders for the account,
// the permission-wrapped schema, the sensitive-read audit written as that account before the answer
// is used, error masking — only the identity comes from the account's row instead of a credential.
import { execute, type GraphQLSchema } from 'graphql';
import { ServerRequestContext } from '../context';
import type { ReadAsAccount } from '../domain/webhooks/payloads';
import type { AppServices } from '../request-scope';
import type { RequestLifecycle } from './lifecycle';

/** Where the audit says such a read came from. */
const SERVER_ORIGIN = 'server:webhook-delivery';

export function accountReader(
  app: AppServices,
  schema: GraphQLSchema,
  lifecycle: RequestLifecycle,
): ReadAsAccount {
  return async (identity, request, requestId) => {
    const admitted = lifecycle.admit(request, { authorization: undefined, clientAddress: SERVER_ORIGIN });
    if (Array.isArray(admitted)) return { errors: admitted };
    const context = new ServerRequestContext(app, requestId, identity, SERVER_ORIGIN);
    return lifecycle.runOperation(context, admitted.operationName, (contextValue) =>
      execute({
        schema,
        document: admitted.document,
        operationName: admitted.operationName,
        variableValues: admitted.variables,
        contextValue,
      }),
    );
  };
}
