// Pure rules of responsibility (SPEC §3 Assignment, Follow-up): the follow-up cadence of each tier
// and the default team a tier calls for when a person rises to it.
import type { Seat } from '../organisation/seats';
import { Tier } from '../risk/risk.enums';

/** Days allowed between follow-ups at each tier (跟踪走访): YELLOW 15, ORANGE 7 (weekly), RED 1 (daily). */
export const FOLLOW_UP_CADENCE_DAYS: Readonly<Record<Exclude<Tier, Tier.NONE>, number>> = {
  [Tier.YELLOW]: 15,
  [Tier.ORANGE]: 7,
  [Tier.RED]: 1,
};

export function followUpDue(tier: Tier, since: Date): Date | null {
  if (tier === Tier.NONE) return null;
  return new Date(since.getTime() + FOLLOW_UP_CADENCE_DAYS[tier] * 86400000);
}

/**
 * SQL for when a person's next follow-up is due — followUpDue over `alias`'s tier and last follow-up
 * (or tier start), NULL at tier NONE: the column the database keeps by that rule (migration
 * FollowUpDueDate), indexed by grid.
 */
export function followUpDueSql(alias: string): string {
  return `${alias}.follow_up_due_at`;
}

export interface DefaultTeam {
  lead: Seat;
  responsibleDepartment: string;
  members: Seat[];
}

/** Who leads and who is on the team at each tier (SPEC table: 网格团队 / 包干联系领导 / 一人一专班). */
export const DEFAULT_TEAM_BY_TIER: Readonly<Record<Exclude<Tier, Tier.NONE>, DefaultTeam>> = {
  [Tier.YELLOW]: {
    lead: { department: 'GRID', position: 'LEADER', level: 'GRID' },
    responsibleDepartment: 'GRID',
    members: [{ department: 'GRID', position: 'WORKER', level: 'GRID' }],
  },
  [Tier.ORANGE]: {
    lead: { department: 'COMPREHENSIVE_GOVERNANCE', position: 'LEADER', level: 'STREET' },
    responsibleDepartment: 'COMPREHENSIVE_GOVERNANCE',
    members: [
      { department: 'GRID', position: 'LEADER', level: 'VILLAGE' },
      { department: 'GRID', position: 'WORKER', level: 'GRID' },
    ],
  },
  [Tier.RED]: {
    lead: { department: 'CITY_CENTER', position: 'LEADER', level: 'CITY' },
    responsibleDepartment: 'CITY_CENTER',
    members: [
      { department: 'COMPREHENSIVE_GOVERNANCE', position: 'LEADER', level: 'STREET' },
      { department: 'POLICE', position: 'LEADER', level: 'STREET' },
      { department: 'GRID', position: 'LEADER', level: 'VILLAGE' },
      { department: 'GRID', position: 'WORKER', level: 'GRID' },
    ],
  },
};
