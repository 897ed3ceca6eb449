// What each field of an entity's GraphQL type reads of the entity's row, declared where the field is
// defined, so a loader can read only the columns a query needs (selection.ts). A field that is a
// column reads itself; a field resolver declares the properties of its parent's row it uses with
// `@Reads(...)`; an entity's object type declares with `@AlwaysReads(...)` what is read whatever the
// query asks (the key, and what the permission layer reads from the row). The declarations travel in
// the schema as field and type extensions; test/graphql/selection-declarations.test.ts fails for a
// field resolver of an entity's type that declares nothing.
import { Extensions } from 'type-graphql';

declare module 'graphql' {
  interface GraphQLFieldExtensions<_TSource, _TContext, _TArgs> {
    /** The properties of the parent row this field resolver reads (`@Reads`). */
    reads?: readonly string[];
  }
  interface GraphQLObjectTypeExtensions<_TSource, _TContext> {
    /** The properties of the row read whatever the query asks (`@AlwaysReads`). */
    alwaysReads?: readonly string[];
  }
}

/** On a field resolver of an entity's type: the properties of the parent row it reads (none: `@Reads()`). */
export const Reads = (...properties: string[]) => Extensions({ reads: properties });

/** On an entity's object type: the properties read whatever is asked (by default, its primary key). */
export const AlwaysReads = (...properties: string[]) => Extensions({ alwaysReads: properties });
