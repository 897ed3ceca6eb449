// An ADMIN sets the threshold of one scorecard figure (一季一约谈 and the yearly assessment read them
// from accountability_criteria on every request, so the edit holds on every replica at once), with
// the previous value in its audit entry, in the same transaction.
import type { EntityManager } from 'typeorm';
import { problem, runMutation, type MutationResult } from '../../graphql/mutation';
import type { RequestContext } from '../../request-scope';
import {
  AccountabilityCriterion,
  AccountabilityFigure,
  type SetAccountabilityThresholdInput,
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
    const [before] = (await tx.query(
      `SELECT threshold FROM accountability_criteria WHERE figure = $1 FOR UPDATE`,
      [input.figure],
    )) as { threshold: string }[];
    const previous = Number(before?.threshold);
    if (previous === input.threshold) {
      throw problem('input.threshold', {
        zh: `${input.figure} 的阈值已是 ${previous}`,
        en: `The threshold of ${input.figure} is ${previous} already`,
      });
    }
    await tx.query(
      `UPDATE accountability_criteria SET threshold = $2, updated_at = now() WHERE figure = $1`,
      [input.figure, input.threshold],
    );
    const reason = input.reason.trim();
    return {
      result: await readCriteria(tx),
      audit: [
        {
          action: 'MUTATION',
          operation: 'setAccountabilityThreshold',
          recordType: 'AccountabilityCriterion',
          recordIds: [input.figure],
          fields: ['threshold'],
          detail: { threshold: input.threshold, previousThreshold: previous, reason },
        },
      ],
    };
  });
}
