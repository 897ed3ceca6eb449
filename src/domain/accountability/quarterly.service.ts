// The quarterly list (一季一约谈): for each village under a jurisdiction, its figures of the quarter
// from the monthly figures (the same computation as the bulletin) and the unacknowledged alerts,
// compared with the thresholds of accountability_criteria (reference data); the units that fall
// short, with their month-by-month trend; and the departments that fall short on their work under
// the jurisdiction (department-figures.ts). Counts follow the reader's view of the small-cell rule.
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../request-scope';
import { badUserInput } from '../../graphql/errors';
import { descendantsPattern } from '../../permissions/scope';
import { Jurisdiction } from '../organisation/jurisdiction.entity';
import { computeMonthlyFigures, figureViewOf, nodeInScope } from '../reports/monthly-figures.service';
import { FigureCount, FigureShare, type MonthlyFigures } from '../reports/monthly-figures.type';
import { parseMonth, ratio, shownCount, type FigureView } from '../reports/rules';
import { departmentFigures } from './department-figures';
import { QuarterlyFollowUp, QuarterlyUnit, ScorecardMonth, Shortfall } from './quarterly.type';
import { fallsShort, quarterMonths, type Criterion, type Figures } from './rules';

export async function loadCriteria(dataSource: DataSource): Promise<Criterion[]> {
  const rows: { figure: string; direction: 'AT_LEAST' | 'AT_MOST'; threshold: string; weight: string }[] =
    await dataSource.query(
      `SELECT figure, direction, threshold, weight FROM accountability_criteria ORDER BY figure`,
    );
  return rows.map((row) => ({ ...row, threshold: Number(row.threshold), weight: Number(row.weight) }));
}

/** The units a jurisdiction's scorecards rank: its child nodes (the villages of a street). */
export async function unitsOf(dataSource: DataSource, node: Jurisdiction): Promise<Jurisdiction[]> {
  return dataSource
    .getRepository(Jurisdiction)
    .createQueryBuilder('j')
    .where('j.parent_id = :id', { id: node.id })
    .orderBy('j.code')
    .getMany();
}

/** A unit's figures, with the monthly figures they were made of. */
export interface UnitFigures extends Figures {
  unit: Jurisdiction;
  months: MonthlyFigures[];
}

/** Alerts raised in the period under `unit` that some recipient had not acknowledged by its end. */
async function unacknowledgedAlerts(dataSource: DataSource, unit: Jurisdiction, start: Date, end: Date) {
  const [row]: { n: number }[] = await dataSource.query(
    `SELECT count(DISTINCT a.id)::int AS n FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id
      WHERE a.grid_id IN (SELECT id FROM jurisdictions WHERE path = $1 OR path LIKE $2)
        AND a.raised_at >= $3 AND a.raised_at < $4 AND (r.acknowledged_at IS NULL OR r.acknowledged_at >= $4)`,
    [unit.path, descendantsPattern(unit.path), start, end],
  );
  return row?.n ?? 0;
}

export async function unitFigures(
  dataSource: DataSource,
  unit: Jurisdiction,
  months: string[],
): Promise<UnitFigures> {
  const figures: MonthlyFigures[] = [];
  for (const month of months) figures.push(await computeMonthlyFigures(dataSource, unit, month));
  const shares = figures.map((f) => f.followUpCompliance.share).filter((s): s is number => s !== null);
  const followUpCompliance = shares.length
    ? Math.round((shares.reduce((a, b) => a + b, 0) / shares.length) * 10000) / 10000
    : null;
  const overdueReviews = figures.at(-1)?.overdueReviews.count ?? 0;
  const resolved = figures.reduce((sum, f) => sum + (f.disputesResolved?.count ?? 0), 0);
  const closed = figures.reduce((sum, f) => sum + (f.disputesClosed?.count ?? 0), 0);
  const start = parseMonth(months[0] as string)?.start as Date;
  const end = parseMonth(months.at(-1) as string)?.end as Date;
  const alerts = await unacknowledgedAlerts(dataSource, unit, start, end);
  const resolutionRate = ratio(resolved, closed);
  return {
    unit,
    months: figures,
    followUpCompliance,
    overdueReviews,
    unacknowledgedAlerts: alerts,
    resolved,
    closed,
    resolutionRate,
    valueOf: {
      FOLLOW_UP_COMPLIANCE: followUpCompliance,
      OVERDUE_REVIEWS: overdueReviews,
      UNACKNOWLEDGED_ALERTS: alerts,
      RESOLUTION_RATE: resolutionRate,
    },
  };
}

export const shownCountOf = (value: number, view: FigureView) =>
  Object.assign(new FigureCount(), shownCount(value, view));
/** A share the reader sees only when exact: its parts are not all counts the reader could check. */
export const shownShareOf = (value: number | null, view: FigureView) =>
  Object.assign(
    new FigureShare(),
    view.exact ? { share: value, suppressed: false } : { share: null, suppressed: true },
  );

const NOTHING_MEASURED: Figures = {
  followUpCompliance: null,
  overdueReviews: 0,
  unacknowledgedAlerts: 0,
  resolved: 0,
  closed: 0,
  resolutionRate: null,
  valueOf: {},
};

export async function quarterlyFollowUp(
  context: RequestContext,
  jurisdictionId: string,
  quarter: string,
): Promise<QuarterlyFollowUp> {
  const months = quarterMonths(quarter);
  if (!months) throw badUserInput('quarter must be YYYY-Qn', 'quarter');
  const node = await nodeInScope(context, jurisdictionId);
  const view = figureViewOf(context.user);
  const criteria = await loadCriteria(context.dataSource);
  const shortfallsOf = (figures: Figures) =>
    criteria
      .filter((criterion) => fallsShort(criterion, figures.valueOf[criterion.figure] ?? null))
      .map((criterion) =>
        Object.assign(new Shortfall(), {
          figure: criterion.figure,
          direction: criterion.direction,
          threshold: criterion.threshold,
          value: figures.valueOf[criterion.figure] ?? null,
        }),
      );
  const shown = (figures: Figures) => ({
    followUpCompliance: shownShareOf(figures.followUpCompliance, view),
    overdueReviews: shownCountOf(figures.overdueReviews, view),
    unacknowledgedAlerts: shownCountOf(figures.unacknowledgedAlerts, view),
    resolutionRate: shownShareOf(figures.resolutionRate, view),
  });
  const row = (figures: Figures, shortfalls: Shortfall[], perMonth: Figures[], trend: MonthlyFigures[]) =>
    Object.assign(new QuarterlyUnit(), {
      unit: null,
      department: null,
      shortfalls,
      ...shown(figures),
      months: perMonth.map((month, index) =>
        Object.assign(new ScorecardMonth(), { month: months[index], ...shown(month) }),
      ),
      trend,
    });
  const units: QuarterlyUnit[] = [];
  for (const unit of await unitsOf(context.dataSource, node)) {
    const figures = await unitFigures(context.dataSource, unit, months);
    const shortfalls = shortfallsOf(figures);
    if (shortfalls.length === 0) continue;
    const trend: MonthlyFigures[] = [];
    const perMonth: Figures[] = [];
    for (const month of months) {
      trend.push(await computeMonthlyFigures(context.dataSource, unit, month, view));
      perMonth.push(await unitFigures(context.dataSource, unit, [month]));
    }
    units.push(Object.assign(row(figures, shortfalls, perMonth, trend), { unit }));
  }
  const departments: QuarterlyUnit[] = [];
  const departmentMonths = [];
  for (const month of months)
    departmentMonths.push(await departmentFigures(context.dataSource, node, [month]));
  for (const figures of await departmentFigures(context.dataSource, node, months)) {
    const shortfalls = shortfallsOf(figures);
    if (shortfalls.length === 0) continue;
    const code = figures.department.code;
    // A month with nothing to measure for the department: every figure as having nothing to measure.
    const perMonth = departmentMonths.map(
      (rows) => rows.find((other) => other.department.code === code) ?? NOTHING_MEASURED,
    );
    departments.push(
      Object.assign(row(figures, shortfalls, perMonth, []), { department: figures.department }),
    );
  }
  return Object.assign(new QuarterlyFollowUp(), { jurisdiction: node, quarter, units, departments });
}
