// Assembles the server: the schema, the request lifecycle, Apollo Server for HTTP, the HTTP routes and
// graphql-ws on the same port; and starts and stops them together.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { ServerRequestContext } from './context';
import type { AppServices } from './request-scope';
import { setNamedStatements } from './database/prepared';
import { compiledExecution } from './graphql/executor';
import { RequestLifecycle } from './graphql/lifecycle';
import { buildApiSchema } from './graphql/schema';
import { accountReader } from './graphql/account-reads';
import { startWebhookWorker } from './domain/webhooks/worker';
import { serveWebSocket } from './graphql/websocket';
import { exportHandler } from './domain/exports/export-handler';
import { graphqlHandler } from './http/graphql-handler';
import { ServerMetrics } from './http/metrics';
import { routes } from './http/routes';
import { addStatementCounts } from './http/statement-counts';

export interface ConcordServer {
  httpServer: http.Server;
  apollo: ApolloServer<ServerRequestContext>;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export async function createServer(app: AppServices, givenSchema?: GraphQLSchema): Promise<ConcordServer> {
  const { config } = app;
  setNamedStatements(app.dataSource, config.preparedStatements);
  if (app.readDataSource) setNamedStatements(app.readDataSource, config.preparedStatements);
  const schema = givenSchema ?? (await buildApiSchema());
  const metrics = new ServerMetrics(schema, app.dataSource, app.logger);
  const lifecycle = new RequestLifecycle(app, schema, metrics);
  const { plugins, ...lifecycleOptions } = lifecycle.apolloOptions(addStatementCounts(config));
  const apollo = new ApolloServer<ServerRequestContext>({
    ...(config.compiledQueries ? { gateway: compiledExecution(schema) } : { schema }),
    ...lifecycleOptions,
    includeStacktraceInErrorResponses: config.nodeEnv === 'development',
    // Compact JSON: Apollo pretty-prints by default, which costs bytes and time on large pages.
    stringifyResult: (value) => JSON.stringify(value),
    // No HTTP cache hints here: every answer depends on who asks. The plugin would also wrap every field.
    plugins: [...plugins, ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();

  const httpServer = http.createServer(
    routes(
      app,
      graphqlHandler(apollo, lifecycle, config),
      exportHandler({ app, schema, lifecycle }),
      metrics,
    ),
  );
  httpServer.keepAliveTimeout = 65_000;
  const webSocket = serveWebSocket(httpServer, schema, lifecycle, config);
  const webhooks = config.webhooks.workerEnabled
    ? startWebhookWorker(app, accountReader(app, schema, lifecycle))
    : null;

  let closing: Promise<void> | undefined;
  return {
    httpServer,
    apollo,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          resolve(`http://${host}:${address.port}/graphql`);
        });
      });
    },
    close() {
      // Once: a second close (two signals in a row) would reject inside graphql-ws's dispose, since
      // its WebSocket server is already closed, and end the process with an unhandled rejection.
      closing ??= (async () => {
        await webhooks?.stop();
        await webSocket.close();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        await apollo.stop();
      })();
      return closing;
    },
  };
}
