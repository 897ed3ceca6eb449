// When a person's tier rises, the default team of the new tier (SPEC table) is proposed as an
// assignment awaiting adoption; the proposed lead finds it in the assignment list.
import type { EntityManager } from 'typeorm';
import { Tier } from '../risk/risk.enums';
import { usersInSeat } from '../organisation/seats';
import { DEFAULT_TEAM_BY_TIER } from './rules';

export interface TierRise {
  personId: string;
  gridId: string;
  tier: Exclude<Tier, Tier.NONE>;
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
