// Finds the users who hold a seat — a department and position at a given level above a grid — so
// teams and alert recipients can be named by role rather than by person.
import type { EntityManager } from 'typeorm';

export interface Seat {
  department: string;
  position: 'WORKER' | 'LEADER';
  /** The level of the jurisdiction node (the grid itself or one of its ancestors) the seat sits at. */
  level: 'GRID' | 'VILLAGE' | 'STREET' | 'CITY';
}

export async function usersInSeat(tx: EntityManager, gridId: string, seat: Seat): Promise<string[]> {
  const rows: { id: string }[] = await tx.query(
    `SELECT u.id FROM users u
       JOIN jurisdictions j ON j.id = u.jurisdiction_id
       JOIN jurisdictions g ON g.id = $1
      WHERE u.kind = 'USER' AND u.active AND u.department_code = $2 AND u.position = $3 AND j.level = $4
        AND (g.path = j.path OR g.path LIKE j.path || '.%')
      ORDER BY u.created_at, u.id`,
    [gridId, seat.department, seat.position, seat.level],
  );
  return rows.map((row) => row.id);
}
