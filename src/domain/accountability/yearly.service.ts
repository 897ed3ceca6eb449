// The yearly assessment (一年一考核): each unit's figures of the twelve months (the quarterly list's
// unitFigures, so the bulletin's computation), scored by the weights of accountability_criteria and
// ranked. A reader who sees small cells suppressed sees no score or rank: both are made of the exact
// figures.
import { badUserInput } from '../../graphql/errors';
import type { RequestContext } from '../../request-scope';
import { figureViewOf, nodeInScope } from '../reports/monthly-figures.service';
import { loadCriteria, shownCountOf, shownShareOf, unitFigures, unitsOf } from './quarterly.service';
import { ranksOf, yearlyScore } from './rules';
import { YearlyAssessment, YearlyScore } from './yearly.type';

/** The twelve months of `year`, or null when it is not a year this system can have figures for. */
export function yearMonths(year: number): string[] | null {
  if (!Number.isInteger(year) || year < 2000 || year > 2999) return null;
  return Array.from({ length: 12 }, (_, index) => `${year}-${String(index + 1).padStart(2, '0')}`);
}

export async function yearlyAssessment(
  context: RequestContext,
  jurisdictionId: string,
  year: number,
): Promise<YearlyAssessment> {
  // The jurisdiction first: an id out of scope is answered as an unknown one, whatever the year.
  const node = await nodeInScope(context, jurisdictionId);
  const months = yearMonths(year);
  if (!months) throw badUserInput('year must be a year such as 2026', 'year');
  const view = figureViewOf(context.user);
  const criteria = await loadCriteria(context.dataSource);
  const scored = [];
  for (const unit of await unitsOf(context.dataSource, node)) {
    const figures = await unitFigures(context.dataSource, unit, months);
    const multiFatality = figures.months.reduce(
      (sum, month) => sum + (month.multiFatalityIncidents?.count ?? 0),
      0,
    );
    scored.push({ figures, multiFatality, score: yearlyScore(criteria, figures.valueOf) });
  }
  const ranks = ranksOf(scored.map((unit) => unit.score));
  const units = scored
    .map(({ figures, multiFatality, score }, index) =>
      Object.assign(new YearlyScore(), {
        unit: figures.unit,
        score: view.exact ? score : null,
        rank: view.exact ? (ranks[index] ?? null) : null,
        followUpCompliance: shownShareOf(figures.followUpCompliance, view),
        overdueReviews: shownCountOf(figures.overdueReviews, view),
        unacknowledgedAlerts: shownCountOf(figures.unacknowledgedAlerts, view),
        resolutionRate: shownShareOf(figures.resolutionRate, view),
        multiFatalityIncidents: shownCountOf(multiFatality, view),
      }),
    )
    .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0) || a.unit.code.localeCompare(b.unit.code));
  const total = scored.reduce((sum, unit) => sum + unit.multiFatality, 0);
  return Object.assign(new YearlyAssessment(), {
    jurisdiction: node,
    year,
    units,
    multiFatalityIncidents: shownCountOf(total, view),
  });
}
