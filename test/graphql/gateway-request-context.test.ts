// The request context Apollo hands the compiled executor (src/graphql/gateway-request-context.ts):
// built without Apollo's accessor literal, which kept every finished request alive until a full
// garbage collection, and otherwise the same as Apollo's own — so an upgrade of @apollo/server that
// changes its builder fails here. What to check then: docs/upgrading.md, @apollo/server.
import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { buildSchema as buildSdlSchema, execute, printSchema } from 'graphql';
import { compiledExecution } from '../../src/graphql/executor';
import {
  apolloGatewayContextModule,
  buildGatewayContextsWithoutAccessorLiterals,
  gatewayContextsBuiltHere,
} from '../../src/graphql/gateway-request-context';
import { buildBareSchema } from '../../src/graphql/schema';

/** The version src/graphql/gateway-request-context.ts was written and checked against. */
const WRITTEN_AGAINST = '5.5.1';
const RECHECK =
  '@apollo/server changed: re-check src/graphql/gateway-request-context.ts against its ' +
  'dist/cjs/utils/makeGatewayGraphQLRequestContext.js and requestPipeline.js, then see docs/upgrading.md';

/** Throws the upgrade message when `holds` is false, so the failure says what to do. */
function expectStill(holds: boolean, what: string): void {
  if (!holds) throw new Error(`${RECHECK}\n${what}`);
}

function installedVersion(name: string): string {
  const file = path.join(__dirname, '..', '..', 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

interface GatewayContext {
  request: { http?: { headers: { get(name: string): string | null } } } & Record<string, unknown>;
  response: {
    http: { status?: number; headers: { get(name: string): string | null; set(n: string, v: string): void } };
  };
  [field: string]: unknown;
}

/** One Apollo request context, as its pipeline passes it to the builder. */
function apolloRequestContext() {
  return {
    request: {
      query: 'query Q($a: Int) { me { id } }',
      operationName: 'Q',
      variables: { a: 1 },
      http: { method: 'POST', search: 'x=1', headers: new HeaderMap([['x-asked', 'yes']]) },
    },
    response: { http: { headers: new HeaderMap(), status: undefined as number | undefined } },
    contextValue: { who: 'request context' },
    schema: { name: 'schema' },
    queryHash: 'hash',
    document: { kind: 'Document' },
    source: 'query Q($a: Int) { me { id } }',
    operationName: 'Q',
    operation: { kind: 'OperationDefinition' },
    errors: undefined,
    metrics: { captureTraces: false },
    overallCachePolicy: { maxAge: 0 },
    requestIsBatched: false,
  };
}

const server = { logger: { name: 'logger' }, cache: { name: 'cache' } };
const internals = { includeStacktraceInErrorResponses: false };

test(`@apollo/server is the version the gateway context builder was written against (${WRITTEN_AGAINST})`, () => {
  const installed = installedVersion('@apollo/server');
  expectStill(installed === WRITTEN_AGAINST, `installed ${installed}, written against ${WRITTEN_AGAINST}`);
  // The private module still exports the one builder, and nothing else to keep in step with.
  expectStill(
    JSON.stringify(Object.keys(apolloGatewayContextModule())) === '["makeGatewayGraphQLRequestContext"]',
    `makeGatewayGraphQLRequestContext.js exports ${JSON.stringify(Object.keys(apolloGatewayContextModule()))}`,
  );
});

test("Apollo's gateway request contexts are built here, the same as Apollo's own but for accessors", async () => {
  const apollo = apolloGatewayContextModule().makeGatewayGraphQLRequestContext;
  expect(gatewayContextsBuiltHere()).toBe(false);
  compiledExecution(await buildBareSchema());
  expect(gatewayContextsBuiltHere()).toBe(true);
  const ours = apolloGatewayContextModule().makeGatewayGraphQLRequestContext;

  const theirs = apollo(apolloRequestContext(), server, internals) as GatewayContext;
  const given = apolloRequestContext();
  const built = ours(given, server, internals) as GatewayContext;
  // The same fields with the same values; the header views are compared by what they read.
  expect(Object.keys(built).sort()).toEqual(Object.keys(theirs).sort());
  const { request: theirRequest, response: theirResponse, ...theirRest } = theirs;
  const { request: ourRequest, response: ourResponse, ...ourRest } = built;
  expect(ourRest).toEqual(theirRest);
  expect(Object.keys(ourRequest).sort()).toEqual(Object.keys(theirRequest).sort());
  expect({ ...ourRequest, http: { ...ourRequest.http, headers: undefined } }).toEqual({
    ...theirRequest,
    http: { ...theirRequest.http, headers: undefined },
  });
  expect(ourRequest.http?.headers.get('x-asked')).toBe(theirRequest.http?.headers.get('x-asked'));
  expect(ourResponse.http.status).toBe(theirResponse.http.status);

  // The status reads and writes through to Apollo's response, as with Apollo's own builder.
  built.response.http.status = 201;
  expect(given.response.http.status).toBe(201);
  given.response.http.status = 202;
  expect(built.response.http.status).toBe(202);
  built.response.http.headers.set('x-told', 'yes');
  expect(given.response.http.headers.get('x-told')).toBe('yes');
  // … through an accessor its class defines once, not one the object carries itself (Apollo's does:
  // each such object gets a map of its own, and that map kept the whole request alive).
  expect(Object.getOwnPropertyDescriptor(theirResponse.http, 'status')?.get).toBeDefined();
  expect(Object.getOwnPropertyDescriptor(built.response.http, 'status')).toBeUndefined();
});

test("Apollo's request pipeline reads the builder from its module on every request", async () => {
  buildGatewayContextsWithoutAccessorLiterals(); // as compiledExecution does; installed above already
  const schema = buildSdlSchema('type Query { hello: String }');
  const seen: GatewayGraphQLRequestContext[] = [];
  const gateway: GatewayInterface = {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    load: () =>
      Promise.resolve({
        executor: async (context) => {
          seen.push(context);
          return execute({ schema, document: context.document, rootValue: { hello: 'world' } });
        },
      }),
    stop: () => Promise.resolve(),
  };
  const apollo = new ApolloServer({ gateway });
  await apollo.start();
  try {
    const response = await apollo.executeOperation({ query: '{ hello }' });
    expect(response.body.kind === 'single' && response.body.singleResult.data).toEqual({ hello: 'world' });
  } finally {
    await apollo.stop();
  }
  expectStill(seen.length === 1, `the gateway's executor ran ${seen.length} times for one operation`);
  // Built here: the status accessor is the class's, not one the object carries (Apollo's own builder).
  expectStill(
    seen[0]?.response?.http !== undefined &&
      Object.getOwnPropertyDescriptor(seen[0].response.http, 'status') === undefined,
    "the pipeline no longer calls the builder through its module's export: the replacement is bypassed",
  );
});
