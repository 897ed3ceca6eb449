// Keeps the audit log's monthly partitions (migration AuditEntriesByMonth) ahead of need: this month's
// and the next AUDIT_MONTHS_AHEAD months' exist before an entry needs them. Run at each API start and
// daily after, as the runtime role through the owner's SECURITY DEFINER function, which creates a
// missing month and does nothing otherwise (one replica at a time; the others find nothing to do).
import type { DataSource } from 'typeorm';

export const AUDIT_MONTHS_AHEAD = 3;
export const AUDIT_MONTHS_INTERVAL_SECONDS = 24 * 60 * 60;

/** Creates the partitions missing for this month and the next `ahead` ones; returns how many. */
export async function prepareAuditMonths(
  dataSource: DataSource,
  ahead = AUDIT_MONTHS_AHEAD,
): Promise<number> {
  const [row] = (await dataSource.query(`SELECT audit_entries_prepare_months($1::integer) AS created`, [
    ahead,
  ])) as { created: number }[];
  return row?.created ?? 0;
}

export interface AuditMonthsTimer {
  stop(): Promise<void>;
}

/**
 * Prepares the months now and every `intervalSeconds` (only now when 0). A failure is reported and
 * tried again at the next interval: with three months made ahead, a missed day costs nothing, and
 * even a month nobody prepared only sends its entries to the default partition.
 */
export function startAuditMonths(options: {
  dataSource: DataSource;
  intervalSeconds: number;
  onCreated: (count: number) => void;
  onError: (error: unknown) => void;
}): AuditMonthsTimer {
  let running: Promise<unknown> = Promise.resolve();
  const prepare = () => {
    running = running
      .then(() => prepareAuditMonths(options.dataSource))
      .then((count) => {
        if (count > 0) options.onCreated(count);
      })
      .catch((error: unknown) => options.onError(error));
    return running;
  };
  void prepare();
  const timer =
    options.intervalSeconds > 0 ? setInterval(() => void prepare(), options.intervalSeconds * 1000) : null;
  timer?.unref();
  return {
    stop: async () => {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
