// Workflow decisions read from policy.ts, for services to enforce: may this identity move this
// dispute to that status, or decide a tier change at that level? A department and position that may
// never make the move get FORBIDDEN (as for an operation they may never run); a rule that refuses it for
// this record (own grid only, decided at another level) is a NOT_ALLOWED userError in the payload.
import type { Identity } from '../auth/identity';
import { principalOf } from '../auth/identity';
import { forbidden, ruleRefusal } from '../graphql/errors';
import { DISPUTE_TRANSITION_POLICY, TIER_CHANGE_DECIDERS } from './policy';

export function requireTransitionAllowed(identity: Identity, toStatus: string, disputeGridId: string): void {
  const rule = DISPUTE_TRANSITION_POLICY[toStatus];
  const principal = principalOf(identity);
  if (!rule || !rule.audience.includes(principal)) {
    throw forbidden(`Moving a dispute to ${toStatus} is for ${rule?.audience.label ?? 'nobody'}`);
  }
  if (rule.ownGridOnly && identity.jurisdictionId !== disputeGridId) {
    throw ruleRefusal('input.status', {
      zh: `只有纠纷所在网格的网格长可以将其改为 ${toStatus}（网格长初审）`,
      en: `Only the leader of the dispute's own grid may move it to ${toStatus} (网格长初审)`,
    });
  }
}

export function requireTierDecider(identity: Identity, level: 'YELLOW' | 'ORANGE' | 'RED'): void {
  const decider = TIER_CHANGE_DECIDERS[level];
  if (!decider.audience.includes(principalOf(identity)) || identity.jurisdictionLevel !== decider.level) {
    throw ruleRefusal('input.requestId', {
      zh: `涉及 ${level} 的变更由 ${decider.level} 级的 ${decider.audience.label} 决定`,
      en: `A change involving ${level} is decided by ${decider.audience.label} at ${decider.level} level`,
    });
  }
}
