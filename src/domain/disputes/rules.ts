// Pure dispute lifecycle rules: which status may follow which, and which statuses are still open.
import { DisputeLevel, DisputeStatus } from './disputes.enums';

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

export const LEVEL_ORDER: readonly DisputeLevel[] = [
  DisputeLevel.GRID,
  DisputeLevel.VILLAGE,
  DisputeLevel.STREET,
  DisputeLevel.CITY,
];

/** The next rung of the ladder 微事不出格、小事不出村、大事不出街, or null at the top. */
export function nextLevel(level: DisputeLevel): DisputeLevel | null {
  return LEVEL_ORDER[LEVEL_ORDER.indexOf(level) + 1] ?? null;
}

export const RETURN_VISIT_DAYS: readonly number[] = [30, 90];

/** When return visit `sequence` (1 or 2) falls due after a dispute was resolved. */
export function returnVisitDue(resolvedAt: Date, sequence: number): Date {
  const days = RETURN_VISIT_DAYS[sequence - 1] ?? 90;
  return new Date(resolvedAt.getTime() + days * 86400000);
}
