// When a person's tier rises, the default team of the new tier (SPEC table) is proposed as an
// assignment awaiting adoption; the proposed lead finds it in the assignment list.
import type { EntityManager } from 'typeorm';
import { Tier } from '../risk/risk.enums';
import { DEFAULT_TEAM_BY_TIER, type TeamSeat } from './rules';

export interface TierRise {
  personId: string;
  gridId: string;
  tier: Exclude<Tier, Tier.NONE>;
}

async function usersInSeat(tx: EntityManager, gridId: string, seat: TeamSeat): Promise<string[]> {
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

export async function proposeDefaultTeams(tx: EntityManager, rises: readonly TierRise[]): Promise<void> {
  for (const rise of rises) {
    const team = DEFAULT_TEAM_BY_TIER[rise.tier];
    const [lead] = await usersInSeat(tx, rise.gridId, team.lead);
    if (!lead) continue;
    const members = new Set<string>();
    for (const seat of team.members)
      for (const id of await usersInSeat(tx, rise.gridId, seat)) members.add(id);
    await tx.query(
      `INSERT INTO assignments (person_id, lead_leader_id, responsible_department_code, responsible_person_id,
                                team_member_ids, measures, active, proposed_for_tier, created_by_id)
       SELECT $1, $2, $3, $2, $4, $5, false, $6, $2
        WHERE NOT EXISTS (SELECT 1 FROM assignments WHERE person_id = $1 AND proposed_for_tier = $6)`,
      [
        rise.personId,
        lead,
        team.responsibleDepartment,
        [...members],
        `系统建议：升至${rise.tier}，落实默认专班 / Proposed: default team for ${rise.tier}`,
        rise.tier,
      ],
    );
  }
}
