// The yearly assessment (一年一考核): each unit's figures of the twelve months (the quarterly list's
// unitFigures, so the bulletin's computation), scored by the weights of accountability_criteria and
// ranked; each department's likewise (department-figures.ts), ranked among the departments; and the
// year's incidents, each with the id its case review opens by. A reader who sees small cells suppressed sees no score or rank: both are made of the exact
// figures.
import { badUserInput } from '../../graphql/errors';
import { descendantsPattern } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import { figureViewOf, nodeInScope } from '../reports/monthly-figures.service';
import type { DataSource } from 'typeorm';
import type { Jurisdiction } from '../organisation/jurisdiction.entity';
import type { IncidentKind } from '../police/incident.entity';
import { parseMonth } from '../reports/rules';
import { departmentFigures } from './department-figures';
import { loadCriteria, shownCountOf, shownShareOf, unitFigures, unitsOf } from './quarterly.service';
import { ranksOf, yearlyScore, type Figures } from './rules';
import { YearIncident, YearlyAssessment, YearlyScore } from './yearly.type';

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
  /** Scorecards ranked among themselves, best first; a reader who sees small cells suppressed gets no score or rank. */
  const ranked = (scored: { figures: Figures; multiFatality: number; score: number; name: string }[]) => {
    const ranks = ranksOf(scored.map((entry) => entry.score));
    return scored
      .map(({ figures, multiFatality, score, name }, index) => ({
        name,
        card: Object.assign(new YearlyScore(), {
          unit: null,
          department: null,
          score: view.exact ? score : null,
          rank: view.exact ? (ranks[index] ?? null) : null,
          followUpCompliance: shownShareOf(figures.followUpCompliance, view),
          overdueReviews: shownCountOf(figures.overdueReviews, view),
          unacknowledgedAlerts: shownCountOf(figures.unacknowledgedAlerts, view),
          resolutionRate: shownShareOf(figures.resolutionRate, view),
          multiFatalityIncidents: shownCountOf(multiFatality, view),
        }),
      }))
      .sort((a, b) => (a.card.rank ?? 0) - (b.card.rank ?? 0) || a.name.localeCompare(b.name));
  };
  const unitList = await unitsOf(context.dataSource, node);
  const villages = [];
  for (const unit of unitList) {
    const figures = await unitFigures(context.dataSource, unit, months);
    const multiFatality = figures.months.reduce(
      (sum, month) => sum + (month.multiFatalityIncidents?.count ?? 0),
      0,
    );
    villages.push({
      figures,
      multiFatality,
      score: yearlyScore(criteria, figures.valueOf),
      name: unit.code,
      unit,
    });
  }
  const departmentRows = (await departmentFigures(context.dataSource, node, months)).map((figures) => ({
    figures,
    multiFatality: figures.multiFatalityIncidents,
    score: yearlyScore(criteria, figures.valueOf),
    name: figures.department.code,
    department: figures.department,
  }));
  const total = villages.reduce((sum, unit) => sum + unit.multiFatality, 0);
  return Object.assign(new YearlyAssessment(), {
    jurisdiction: node,
    year,
    units: ranked(villages).map(({ name, card }) =>
      Object.assign(card, { unit: unitList.find((unit) => unit.code === name) ?? null }),
    ),
    departments: ranked(departmentRows).map(({ name, card }) =>
      Object.assign(card, {
        department: departmentRows.find((row) => row.name === name)?.department ?? null,
      }),
    ),
    incidents: await incidentsOf(context.dataSource, node, unitList, months),
    multiFatalityIncidents: shownCountOf(total, view),
  });
}

/** The extreme-violence incidents under `node` in the months, oldest first, each with the unit it happened in. */
async function incidentsOf(
  dataSource: DataSource,
  node: Jurisdiction,
  units: readonly Jurisdiction[],
  months: string[],
): Promise<YearIncident[]> {
  const rows: {
    id: string;
    occurred_at: Date;
    kind: IncidentKind;
    deaths: number;
    injuries: number;
    path: string;
  }[] = await dataSource.query(
    `SELECT i.id, i.occurred_at, i.kind, i.deaths, i.injuries, g.path
       FROM incidents i JOIN jurisdictions g ON g.id = i.grid_id
      WHERE (g.path = $1 OR g.path LIKE $2) AND i.occurred_at >= $3 AND i.occurred_at < $4
      ORDER BY i.occurred_at, i.id`,
    [
      node.path,
      descendantsPattern(node.path),
      parseMonth(months[0] as string)?.start,
      parseMonth(months.at(-1) as string)?.end,
    ],
  );
  return rows.flatMap((row) => {
    const unit = units.find(
      (candidate) => row.path === candidate.path || row.path.startsWith(`${candidate.path}.`),
    );
    if (!unit) return [];
    return [
      Object.assign(new YearIncident(), {
        incidentId: row.id,
        occurredAt: row.occurred_at,
        kind: row.kind,
        deaths: row.deaths,
        injuries: row.injuries,
        unit,
      }),
    ];
  });
}
