// graphql-ws on /graphql: who may hold a connection and how many, and every operation through the
// request lifecycle (lifecycle.ts); the credential travels in connectionParams.authorization. With
// TRUSTED_DOCUMENTS a subscribe message names its document by `extensions.persistedQuery.sha256Hash`
// (or `documentId`), its `query` empty.
import type http from 'node:http';
import { GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Config } from '../config';
import { AdmittedOperation, type Credential, type RequestLifecycle } from './lifecycle';

/** Close code for a connection or operation over a cap (after HTTP's 429 Too Many Requests). */
export const TOO_MANY_CLOSE_CODE = 4429;

/** What a connection keeps once accepted. */
interface Connection {
  credential: Credential;
  /** The account it was opened for: users and service accounts alike. */
  account: string;
}

type Extra = { connection: Connection };
type ConnectionContext = Context<Record<string, unknown>, { connection?: Connection }>;

/** Operations in flight on a connection: graphql-ws lists each from its subscribe message to its end. */
function operationsOf(context: ConnectionContext): number {
  let count = 0;
  for (const _id in context.subscriptions) count += 1;
  return count;
}

/** The open connections, by account; answers whether one more connection or operation fits. */
class ConnectionCaps {
  private readonly all = new Set<ConnectionContext>();
  private readonly byAccount = new Map<string, Set<ConnectionContext>>();

  constructor(private readonly limits: Config['webSocket']) {}

  /** The reason to refuse a new connection of `account`, or undefined after counting it. */
  openConnection(context: ConnectionContext, account: string): string | undefined {
    const mine = this.byAccount.get(account) ?? new Set<ConnectionContext>();
    if (this.all.size >= this.limits.maxConnections) {
      return `The server holds its limit of ${this.limits.maxConnections} connections: try again later`;
    }
    if (mine.size >= this.limits.maxConnectionsPerAccount) {
      return `This account holds its limit of ${this.limits.maxConnectionsPerAccount} connections`;
    }
    mine.add(context);
    this.byAccount.set(account, mine);
    this.all.add(context);
    return undefined;
  }

  closeConnection(context: ConnectionContext, account: string): void {
    this.all.delete(context);
    const mine = this.byAccount.get(account);
    mine?.delete(context);
    if (mine?.size === 0) this.byAccount.delete(account);
  }

  /** The reason to refuse an operation just received on `context` (already listed there), or undefined. */
  refuseOperation(context: ConnectionContext, account: string): string | undefined {
    const { maxSubscriptionsPerConnection, maxSubscriptionsPerAccount, maxSubscriptions } = this.limits;
    if (operationsOf(context) > maxSubscriptionsPerConnection) {
      return `This connection holds its limit of ${maxSubscriptionsPerConnection} subscriptions`;
    }
    let ofAccount = 0;
    for (const connection of this.byAccount.get(account) ?? []) ofAccount += operationsOf(connection);
    if (ofAccount > maxSubscriptionsPerAccount) {
      return `This account holds its limit of ${maxSubscriptionsPerAccount} subscriptions`;
    }
    let total = 0;
    for (const connection of this.all) total += operationsOf(connection);
    if (total > maxSubscriptions) {
      return `The server holds its limit of ${maxSubscriptions} subscriptions: try again later`;
    }
    return undefined;
  }
}

/** The admitted operation graphql-ws hands back to execute/subscribe (set in onSubscribe). */
function admittedOf(args: ExecutionArgs): AdmittedOperation {
  if (args.contextValue instanceof AdmittedOperation) return args.contextValue;
  throw new Error('graphql-ws ran an operation that onSubscribe did not admit');
}

export interface WebSocketEndpoint {
  close(): Promise<void>;
}

export function serveWebSocket(
  httpServer: http.Server,
  schema: GraphQLSchema,
  lifecycle: RequestLifecycle,
  config: Config,
): WebSocketEndpoint {
  const caps = new ConnectionCaps(config.webSocket);
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.limits.maxBodyBytes,
  });
  const server = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      onConnect: async (context) => {
        const authorization = context.connectionParams?.authorization;
        const credential: Credential = {
          authorization: typeof authorization === 'string' ? authorization : undefined,
          clientAddress: context.extra.request.socket.remoteAddress ?? 'unknown',
          transport: 'WEBSOCKET' as const,
        };
        const identity = await lifecycle.identify(credential);
        const { socket } = context.extra;
        if (!identity || socket.readyState !== socket.OPEN) return false;
        const refused = caps.openConnection(context, identity.id);
        if (refused) {
          socket.close(TOO_MANY_CLOSE_CODE, refused);
          return false;
        }
        context.extra.connection = { credential, account: identity.id };
        socket.once('close', () => caps.closeConnection(context, identity.id));
        return true;
      },
      onSubscribe: async (context, _id, payload) => {
        const connection = context.extra.connection;
        if (!connection) return [new GraphQLError('The connection was not accepted')];
        const refused = caps.refuseOperation(context, connection.account);
        if (refused) {
          context.extra.socket.close(TOO_MANY_CLOSE_CODE, refused);
          return [new GraphQLError(refused)];
        }
        const trusted = await lifecycle.trustedQuery(payload, connection.credential);
        if (trusted instanceof GraphQLError) return [trusted];
        const request = trusted === undefined ? payload : { ...payload, query: trusted };
        const admitted = lifecycle.admit(request, connection.credential);
        if (Array.isArray(admitted)) return admitted;
        return {
          schema,
          document: admitted.document,
          operationName: admitted.operationName,
          variableValues: admitted.variables,
          contextValue: admitted,
        };
      },
      execute: (args) => lifecycle.execute(admittedOf(args)),
      subscribe: (args) => lifecycle.subscribe(admittedOf(args)),
    },
    wsServer,
  );

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await server.dispose();
        await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      })();
      return closing;
    },
  };
}
