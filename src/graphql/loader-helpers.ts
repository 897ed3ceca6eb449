// Small helpers that turn one batched SQL result into the per-key arrays DataLoader expects.
import { Kind, type GraphQLResolveInfo } from 'graphql';

export function groupBy<T, K>(rows: readonly T[], keyOf: (row: T) => K, keys: readonly K[]): T[][] {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return keys.map((key) => groups.get(key) ?? []);
}

export function indexBy<T, K>(rows: readonly T[], keyOf: (row: T) => K, keys: readonly K[]): (T | null)[] {
  const byKey = new Map<K, T>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/**
 * Whether every place the field is asked for selects only fields named in `allowed` (plain fields,
 * no fragments): then a loader may read just the columns behind them instead of whole rows.
 */
export function selectsOnly(info: GraphQLResolveInfo, allowed: ReadonlySet<string>): boolean {
  return info.fieldNodes.every(
    (node) =>
      node.selectionSet?.selections.every(
        (selection) => selection.kind === Kind.FIELD && allowed.has(selection.name.value),
      ) ?? false,
  );
}
