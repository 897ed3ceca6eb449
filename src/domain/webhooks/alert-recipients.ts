// Alerts reach department integrations too (SPEC §3 Alert, §5a): an alert routed to a department's
// seats is also addressed to that department's active service accounts whose jurisdiction covers the
// alert's grid, so they read it in `myAlerts` and receive it by webhook (ALERT_RAISED), as the
// department's people do. Which departments is the routing's own answer (src/domain/alerts/rules.ts).
import type { EntityManager } from 'typeorm';
import type { Seat } from '../organisation/seats';

export async function integrationsOfSeats(
  tx: EntityManager,
  gridId: string,
  seats: readonly Seat[],
): Promise<string[]> {
  const departments = [...new Set(seats.map((seat) => seat.department))];
  if (departments.length === 0) return [];
  const rows: { id: string }[] = await tx.query(
    `SELECT u.id FROM users u
       JOIN jurisdictions j ON j.id = u.jurisdiction_id
       JOIN jurisdictions g ON g.id = $1
      WHERE u.kind = 'SERVICE' AND u.active AND u.department_code = ANY($2::text[])
        AND (g.path = j.path OR g.path LIKE j.path || '.%')
      ORDER BY u.created_at, u.id`,
    [gridId, departments],
  );
  return rows.map((row) => row.id);
}
