// Small helpers that turn one batched SQL result into the per-key arrays DataLoader expects, and the
// loader that reads only the columns a selection needs.
import DataLoader from 'dataloader';

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

const columnKeys = new WeakMap<readonly string[], string>();

/** A column set as text, for a loader's key: '*' for whole rows. */
function columnsKey(columns: readonly string[] | undefined): string {
  if (!columns) return '*';
  let key = columnKeys.get(columns);
  if (key === undefined) {
    key = columns.join(',');
    columnKeys.set(columns, key);
  }
  return key;
}

/**
 * A loader of rows that reads only the columns asked for (`selectedColumns` of src/graphql/selection.ts),
 * or whole rows when none are named: one batch per column set within the request.
 */
export class ColumnsLoader<K, V> {
  private readonly loaders = new Map<string, DataLoader<K, V>>();

  /** `batch(keys, columns)`: one value per key, in order, with only `columns` (whole rows when undefined). */
  constructor(
    private readonly batch: (keys: readonly K[], columns: readonly string[] | undefined) => Promise<V[]>,
  ) {}

  load(key: K, columns?: readonly string[]): Promise<V> {
    return this.loaderOf(columns).load(key);
  }

  loadMany(keys: readonly K[], columns?: readonly string[]): Promise<(V | Error)[]> {
    return this.loaderOf(columns).loadMany(keys);
  }

  /** Remembers a value read elsewhere (a join), for the same column set. */
  prime(key: K, value: V, columns?: readonly string[]): void {
    this.loaderOf(columns).prime(key, value);
  }

  private loaderOf(columns: readonly string[] | undefined): DataLoader<K, V> {
    const key = columnsKey(columns);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader<K, V>((keys) => this.batch(keys, columns));
      this.loaders.set(key, loader);
    }
    return loader;
  }
}
