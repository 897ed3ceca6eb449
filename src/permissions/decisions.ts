// Workflow decisions read from policy.ts, for services to enforce: may this identity move this
// dispute to that status, or decide a tier change at that level? A refusal is a FORBIDDEN error.
import type { Identity } from '../auth/identity';
import { principalOf } from '../auth/identity';
import { forbidden } from '../graphql/errors';
import { DISPUTE_TRANSITION_POLICY, TIER_CHANGE_DECIDERS } from './policy';

export function requireTransitionAllowed(identity: Identity, toStatus: string, disputeGridId: string): void {
  const rule = DISPUTE_TRANSITION_POLICY[toStatus];
  const principal = principalOf(identity);
  if (!rule || !rule.audience.includes(principal)) {
    throw forbidden(`Moving a dispute to ${toStatus} is for ${rule?.audience.label ?? 'nobody'}`);
  }
  if (rule.ownGridOnly && identity.jurisdictionId !== disputeGridId) {
    throw forbidden(`Only the leader of the dispute's own grid may move it to ${toStatus} (网格长初审)`);
  }
}

export function requireTierDecider(identity: Identity, level: 'YELLOW' | 'ORANGE' | 'RED'): void {
  const decider = TIER_CHANGE_DECIDERS[level];
  if (!decider.audience.includes(principalOf(identity)) || identity.jurisdictionLevel !== decider.level) {
    throw forbidden(
      `A change involving ${level} is decided by ${decider.audience.label} at ${decider.level} level`,
    );
  }
}
