// No foreign ids (SPEC §4, inference control): which of the ids an answer is about to name belong to
// records within the caller's row scope. One batched statement per kind of record and batch of ids
// (a list's page at a time, never a row at a time), cached for the request like its other loaders.
import DataLoader from 'dataloader';
import type { RequestContext } from '../request-scope';
import { queryPrepared } from '../database/prepared';
import type { ReferenceKind } from './policy';
import { disputeScope, personScope, type SqlPredicate } from './scope';

/** Where the records of a kind live, and the row scope that decides which of them the caller sees. */
interface ScopedSource {
  /** FROM clause; `x` is the record, and its id `x.id`. */
  from: string;
  scope: SqlPredicate;
}

/** A record that belongs to one person is within scope exactly when that person is. */
const ofPerson = (table: string) => (context: RequestContext) => ({
  from: `${table} x JOIN persons p ON p.id = x.person_id`,
  scope: personScope(context.user, 'p', context.now()),
});

const SOURCES: Readonly<Record<ReferenceKind, (context: RequestContext) => ScopedSource>> = {
  Person: (context) => ({ from: 'persons x', scope: personScope(context.user, 'x', context.now()) }),
  Dispute: (context) => ({ from: 'disputes x', scope: disputeScope(context.user, 'x') }),
  Assessment: ofPerson('assessments'),
  TierChangeRequest: ofPerson('tier_change_requests'),
};

function visibilityLoader(context: RequestContext, kind: ReferenceKind): DataLoader<string, boolean> {
  return new DataLoader<string, boolean>(async (ids) => {
    const { from, scope } = SOURCES[kind](context);
    const [sql, parameters] = context.dataSource.driver.escapeQueryWithParameters(
      `SELECT x.id FROM ${from} WHERE x.id = ANY(:ids) AND (${scope.sql})`,
      { ...scope.params, ids },
    );
    const rows = await queryPrepared<{ id: string }>(context.dataSource, sql, parameters);
    const visible = new Set(rows.map((row) => row.id));
    return ids.map((id) => visible.has(id));
  });
}

/**
 * The request's visibility loaders, one per kind of record, made on first use; they sit in the
 * request's loader registry (src/loaders.ts), so a cached answer never outlives its request.
 */
export function createVisibilityLoaders(context: RequestContext) {
  const loaders = new Map<ReferenceKind, DataLoader<string, boolean>>();
  return {
    of(kind: ReferenceKind): DataLoader<string, boolean> {
      let loader = loaders.get(kind);
      if (!loader) {
        loader = visibilityLoader(context, kind);
        loaders.set(kind, loader);
      }
      return loader;
    },
  };
}

function loaderFor(context: RequestContext, kind: ReferenceKind): DataLoader<string, boolean> {
  return context.loaders.visibility.of(kind);
}

/** Whether the record of `kind` with `id` is within the caller's row scope. */
export function isVisible(context: RequestContext, kind: ReferenceKind, id: string): Promise<boolean> {
  return loaderFor(context, kind).load(id);
}

/** Records what a scoped read already found out (a party's person joined under row scope, or not). */
export function primeVisibility(
  context: RequestContext,
  kind: ReferenceKind,
  id: string,
  visible: boolean,
): void {
  loaderFor(context, kind).prime(id, visible);
}

/** The ids among `ids` of records within the caller's row scope, in their order. */
export async function visibleIds(
  context: RequestContext,
  kind: ReferenceKind,
  ids: readonly string[],
): Promise<string[]> {
  const loader = loaderFor(context, kind);
  const visible = await Promise.all(ids.map((id) => loader.load(id)));
  return ids.filter((_id, index) => visible[index]);
}

/**
 * An id-valued field's value as the caller may see it: null for an id outside the caller's row
 * scope, a list without such ids. Values are ids as GraphQL's ID type reads them (strings).
 */
export function withoutForeignIds(context: RequestContext, kind: ReferenceKind, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) {
    return value.length === 0 ? value : visibleIds(context, kind, value.map(String));
  }
  return isVisible(context, kind, String(value)).then((visible) => (visible ? value : null));
}

// The permission layer's group in `context.loaders` (see LoaderRegistry).
declare module '../request-scope' {
  interface LoaderRegistry {
    visibility: ReturnType<typeof createVisibilityLoaders>;
  }
}
