// What the permission layer needs to know of an account: department, position and capability — from a
// signed-in identity or from a user row (sign-in asks whether an account needs a second factor).
import type { Capability, Position } from '../domain/organisation/organisation.enums';
import type { Principal } from '../permissions/policy';

export interface AccountRole {
  departmentCode: string;
  position: Position;
  capabilities: readonly Capability[];
}

export function principalOf(account: AccountRole): Principal {
  const capability = account.capabilities.includes('AUDITOR' as Capability)
    ? 'AUDITOR'
    : account.capabilities.includes('ADMIN' as Capability)
      ? 'ADMIN'
      : null;
  return { department: account.departmentCode, position: account.position, capability };
}
