// Pure routing of alerts (SPEC §3 Alert): who receives an alert, by the person's tier and by what
// raised it. YELLOW: the grid team (leader and workers) and community police; ORANGE: + street
// leader; RED: + CITY_CENTER and POLICE leadership. Injury reports and hazardous purchases go to POLICE at once.
import type { Seat } from '../organisation/seats';
import { Tier } from '../risk/risk.enums';
import { AlertKind } from './alert.entity';

const GRID_LEADER: Seat = { department: 'GRID', position: 'LEADER', level: 'GRID' };
const GRID_WORKER: Seat = { department: 'GRID', position: 'WORKER', level: 'GRID' };
const COMMUNITY_POLICE: Seat = { department: 'POLICE', position: 'WORKER', level: 'STREET' };
const STREET_LEADER: Seat = { department: 'COMPREHENSIVE_GOVERNANCE', position: 'LEADER', level: 'STREET' };
const CITY_CENTER: Seat = { department: 'CITY_CENTER', position: 'LEADER', level: 'CITY' };
const POLICE_LEADER: Seat = { department: 'POLICE', position: 'LEADER', level: 'STREET' };

export const RECIPIENTS_BY_TIER: Readonly<Record<Tier, readonly Seat[]>> = {
  [Tier.NONE]: [GRID_LEADER, GRID_WORKER, COMMUNITY_POLICE],
  [Tier.YELLOW]: [GRID_LEADER, GRID_WORKER, COMMUNITY_POLICE],
  [Tier.ORANGE]: [GRID_LEADER, GRID_WORKER, COMMUNITY_POLICE, STREET_LEADER],
  [Tier.RED]: [GRID_LEADER, GRID_WORKER, COMMUNITY_POLICE, STREET_LEADER, CITY_CENTER, POLICE_LEADER],
};

export function alertRecipients(kind: AlertKind, tier: Tier): readonly Seat[] {
  if (kind === AlertKind.ANOMALY) return RECIPIENTS_BY_TIER[tier];
  return [COMMUNITY_POLICE, POLICE_LEADER];
}
