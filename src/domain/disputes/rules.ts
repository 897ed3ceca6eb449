// Pure dispute lifecycle rules: which status may follow which, and which statuses are still open.
import { DisputeStatus } from './disputes.enums';

export const ALLOWED_TRANSITIONS: Readonly<Record<DisputeStatus, readonly DisputeStatus[]>> = {
  [DisputeStatus.REPORTED]: [DisputeStatus.ACCEPTED, DisputeStatus.CLOSED_UNRESOLVED],
  [DisputeStatus.ACCEPTED]: [
    DisputeStatus.IN_MEDIATION,
    DisputeStatus.RESOLVED,
    DisputeStatus.REFERRED,
    DisputeStatus.CLOSED_UNRESOLVED,
  ],
  [DisputeStatus.IN_MEDIATION]: [
    DisputeStatus.RESOLVED,
    DisputeStatus.REFERRED,
    DisputeStatus.CLOSED_UNRESOLVED,
  ],
  [DisputeStatus.RESOLVED]: [],
  [DisputeStatus.REFERRED]: [],
  [DisputeStatus.CLOSED_UNRESOLVED]: [],
};

export const OPEN_STATUSES: readonly DisputeStatus[] = [
  DisputeStatus.REPORTED,
  DisputeStatus.ACCEPTED,
  DisputeStatus.IN_MEDIATION,
];

export function isOpen(status: DisputeStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

export type TransitionCheck = { allowed: true } | { allowed: false; allowedNext: readonly DisputeStatus[] };

export function checkTransition(from: DisputeStatus, to: DisputeStatus): TransitionCheck {
  const allowedNext = ALLOWED_TRANSITIONS[from];
  return allowedNext.includes(to) ? { allowed: true } : { allowed: false, allowedNext };
}
