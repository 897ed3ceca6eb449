// src/graphql/schema.ts rewrites type-graphql's resolvers (readPlainFieldsDirectly,
// callFieldResolversDirectly) on what type-graphql 2.0.0-rc.4 builds: a plain field's resolver only
// reads `root[name]`, and a field resolver's wrapper only hands the root, context, info and plain
// arguments to the resolver class's method. These probes build the schema without the rewrites and
// check that type-graphql still does exactly that, so an upgrade that changes it fails here, not in
// production. What to check then: docs/upgrading.md, type-graphql.
import fs from 'node:fs';
import path from 'node:path';
import { isObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { buildBareSchema, resolvers } from '../../src/graphql/schema';

/** The version the rewrites were written and checked against. */
const WRITTEN_AGAINST = '2.0.0-rc.4';
const RECHECK =
  "type-graphql changed: re-check src/graphql/schema.ts's rewrites (readPlainFieldsDirectly, " +
  'callFieldResolversDirectly) against its resolvers/create.js and resolvers/helpers.js, then see docs/upgrading.md';

/** Throws the upgrade message when `holds` is false, so the failure says what to do. */
function expectStill(holds: boolean, what: string): void {
  if (!holds) throw new Error(`${RECHECK}\n${what}`);
}

function installedVersion(name: string): string {
  const file = path.join(__dirname, '..', '..', 'node_modules', name, 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The schema as type-graphql builds it with buildBareSchema's options, before the rewrites. */
async function unrewrittenSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: false,
    emitSchemaFile: false,
    pubSub: { publish: () => undefined, subscribe: () => (async function* () {})() },
  });
}

const storage = () => getMetadataStorage();
const built = new Set<unknown>(resolvers);
const info = { probe: 'info' } as unknown as GraphQLResolveInfo;
const context = { probe: 'context' };

test(`type-graphql is the version the schema rewrites were written against (${WRITTEN_AGAINST})`, () => {
  const installed = installedVersion('type-graphql');
  expectStill(installed === WRITTEN_AGAINST, `installed ${installed}, written against ${WRITTEN_AGAINST}`);
});

test("a plain field's type-graphql resolver only reads the property, as GraphQL's default one does", async () => {
  const schema = await unrewrittenSchema();
  const rewritten = await buildBareSchema();
  let probed = 0;
  for (const objectType of storage().objectTypes) {
    const type = schema.getType(objectType.name);
    const after = rewritten.getType(objectType.name);
    if (!isObjectType(type) || !isObjectType(after)) continue;
    for (const field of objectType.fields ?? []) {
      const plain =
        field.name === field.schemaName &&
        !field.middlewares?.length &&
        !field.roles?.length &&
        !storage().fieldResolvers.some(
          (resolver) => resolver.methodName === field.name && resolver.getObjectType?.() === field.target,
        );
      if (!plain) continue;
      const resolve = type.getFields()[field.schemaName]?.resolve;
      const value = { probe: `${objectType.name}.${field.name}` };
      const read = resolve?.({ [field.name]: value }, {}, context, info);
      expectStill(
        read === value,
        `${objectType.name}.${field.name}: type-graphql's resolver no longer returns root[name] synchronously`,
      );
      expectStill(
        after.getFields()[field.schemaName]?.resolve === undefined,
        `${objectType.name}.${field.name}: readPlainFieldsDirectly no longer removes the resolver`,
      );
      probed += 1;
    }
  }
  // The metadata names (objectTypes[].fields[].name/schemaName/middlewares/roles) still find fields.
  expectStill(probed > 100, `only ${probed} plain fields found in type-graphql's metadata`);
});

type Resolve = (root: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

/** A field's resolver in `schema`, or undefined. */
function resolverOf(schema: GraphQLSchema, typeName: string, fieldName: string): Resolve | undefined {
  const type = schema.getType(typeName);
  return isObjectType(type) ? (type.getFields()[fieldName]?.resolve as Resolve | undefined) : undefined;
}

interface Probe {
  label: string;
  typeName: string;
  schemaName: string;
  root: object;
  args: Record<string, unknown>;
  /** What the method must receive, or null when the direct path leaves the call to type-graphql. */
  expected: unknown[] | null;
  spy: jest.SpyInstance;
}

test("a field resolver's wrapper only hands root, context, info and plain arguments to the method", async () => {
  const returned = { probe: 'returned' };
  const probes: Probe[] = [];
  for (const resolver of storage().fieldResolvers) {
    if (!built.has(resolver.target)) continue;
    if (resolver.kind !== 'external' || resolver.middlewares?.length || resolver.roles?.length) continue;
    const objectClass = resolver.getObjectType?.() as (new () => object) | undefined;
    const typeName = storage().objectTypes.find((objectType) => objectType.target === objectClass)?.name;
    if (!objectClass || !typeName) continue;
    const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
    const root = Object.create(objectClass.prototype) as object;
    const args: Record<string, unknown> = {};
    const expected: unknown[] = [];
    let direct = params.every((param, index) => param.index === index);
    for (const param of params) {
      if (param.kind === 'info') expected.push(info);
      else if (param.kind === 'context' && param.propertyName === undefined) expected.push(context);
      else if (param.kind === 'root' && param.propertyName === undefined) expected.push(root);
      else if (
        param.kind === 'arg' &&
        param.validateSettings === undefined &&
        param.validateFn === undefined
      ) {
        args[param.name] = `plain ${param.name}`;
        expected.push(args[param.name]);
      } else direct = false;
    }
    const prototype = (resolver.target as { prototype: Record<string, () => unknown> }).prototype;
    const spy = jest.spyOn(prototype, resolver.methodName).mockReturnValue(returned);
    const label = `${typeName}.${resolver.schemaName}`;
    probes.push({
      label,
      typeName,
      schemaName: resolver.schemaName,
      root,
      args,
      expected: direct ? expected : null,
      spy,
    });
  }
  try {
    // Both built after the spies: the direct path takes each method when the schema is built.
    const schema = await unrewrittenSchema();
    const rewritten = await buildBareSchema();
    let direct = 0;
    for (const probe of probes) {
      const { label, typeName, schemaName, root, args, expected, spy } = probe;
      spy.mockClear();
      const theirs = await resolverOf(schema, typeName, schemaName)?.(root, args, context, info);
      expectStill(
        theirs === returned,
        `${label}: type-graphql's wrapper no longer returns the method's value`,
      );
      if (expected === null) continue;
      const call = spy.mock.calls[0] as unknown[] | undefined;
      expectStill(
        spy.mock.calls.length === 1 &&
          call?.length === expected.length &&
          call.every((value, at) => value === expected[at]),
        `${label}: type-graphql's wrapper no longer passes root, context, info and plain arguments as they are`,
      );
      spy.mockClear();
      const ours = resolverOf(rewritten, typeName, schemaName)?.(root, args, context, info);
      expectStill(
        ours === returned && spy.mock.calls.length === 1,
        `${label}: callFieldResolversDirectly no longer calls the method directly`,
      );
      direct += 1;
    }
    // The metadata names (fieldResolvers[].kind/params/getObjectType/methodName) still find resolvers.
    expectStill(direct > 10, `only ${direct} field resolvers take the direct path`);
  } finally {
    for (const probe of probes) probe.spy.mockRestore();
  }
});
