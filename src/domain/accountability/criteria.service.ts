// An ADMIN sets the threshold or the weight of one scorecard figure (一季一约谈 and the yearly
// assessment read them from accountability_criteria on every request, so the edit holds on every
// replica at once), with the previous value in its audit entry, in the same transaction.
import type { EntityManager } from 'typeorm';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import type { RequestContext } from '../../request-scope';
import {
  AccountabilityCriterion,
  AccountabilityFigure,
  type SetAccountabilityThresholdInput,
  type SetAccountabilityWeightInput,
} from './criteria.type';

/** Figures that are shares (a threshold from 0 to 1); the others are counts (whole numbers). */
const SHARES: ReadonlySet<AccountabilityFigure> = new Set([
  AccountabilityFigure.FOLLOW_UP_COMPLIANCE,
  AccountabilityFigure.RESOLUTION_RATE,
]);

async function readCriteria(manager: EntityManager): Promise<AccountabilityCriterion[]> {
  const rows = (await manager.query(
    `SELECT figure, direction, threshold, weight, updated_at FROM accountability_criteria ORDER BY figure`,
  )) as {
    figure: AccountabilityFigure;
    direction: string;
    threshold: string;
    weight: string;
    updated_at: Date;
  }[];
  return rows.map((row) =>
    Object.assign(new AccountabilityCriterion(), {
      figure: row.figure,
      direction: row.direction,
      threshold: Number(row.threshold),
      weight: Number(row.weight),
      updatedAt: row.updated_at,
    }),
  );
}

export function setAccountabilityThreshold(
  context: RequestContext,
  input: SetAccountabilityThresholdInput,
): Promise<MutationResult<AccountabilityCriterion[]>> {
  return runMutation(context, input, async (tx) => {
    if (SHARES.has(input.figure) && input.threshold > 1) {
      throw problem('input.threshold', {
        zh: `${input.figure} 是比例：阈值应在 0 到 1 之间`,
        en: `${input.figure} is a share: its threshold is from 0 to 1`,
      });
    }
    if (!SHARES.has(input.figure) && !Number.isInteger(input.threshold)) {
      throw problem('input.threshold', {
        zh: `${input.figure} 是人数或件数：阈值应为整数`,
        en: `${input.figure} is a count: its threshold is a whole number`,
      });
    }
    return setCriterion(
      tx,
      'setAccountabilityThreshold',
      input.figure,
      'threshold',
      input.threshold,
      input.reason,
    );
  });
}

/**
 * An ADMIN sets the weight of one figure in the yearly score. Scores are the weighted mean of the
 * figures' achievements, so weights need not sum to anything; at least one figure must weigh.
 */
export function setAccountabilityWeight(
  context: RequestContext,
  input: SetAccountabilityWeightInput,
): Promise<MutationResult<AccountabilityCriterion[]>> {
  return runMutation(context, input, async (tx) => {
    const [others] = (await tx.query(
      `SELECT coalesce(sum(weight), 0) AS total FROM accountability_criteria WHERE figure <> $1`,
      [input.figure],
    )) as { total: string }[];
    if (input.weight === 0 && Number(others?.total) === 0) {
      throw problem('input.weight', {
        zh: '至少一项指标的权重应大于 0',
        en: 'At least one figure must have a weight above 0',
      });
    }
    return setCriterion(tx, 'setAccountabilityWeight', input.figure, 'weight', input.weight, input.reason);
  });
}

/** Sets one column of one criterion, refusing a value it already has; audited with the value it replaced. */
async function setCriterion(
  tx: EntityManager,
  operation: string,
  figure: AccountabilityFigure,
  column: 'threshold' | 'weight',
  value: number,
  reason: string,
) {
  const [before] = (await tx.query(
    `SELECT ${column} AS value FROM accountability_criteria WHERE figure = $1 FOR UPDATE`,
    [figure],
  )) as { value: string }[];
  const previous = Number(before?.value);
  if (previous === value) {
    throw problem(`input.${column}`, {
      zh: `${figure} 的${column === 'threshold' ? '阈值' : '权重'}已是 ${previous}`,
      en: `The ${column} of ${figure} is ${previous} already`,
    });
  }
  await tx.query(`UPDATE accountability_criteria SET ${column} = $2, updated_at = now() WHERE figure = $1`, [
    figure,
    value,
  ]);
  const previousKey = column === 'threshold' ? 'previousThreshold' : 'previousWeight';
  return {
    result: await readCriteria(tx),
    audit: [
      {
        action: 'MUTATION' as const,
        operation,
        recordType: 'AccountabilityCriterion',
        recordIds: [figure],
        fields: [column],
        detail: { [column]: value, [previousKey]: previous, reason: reason.trim() },
      },
    ],
  };
}
