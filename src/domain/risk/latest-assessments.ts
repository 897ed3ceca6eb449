// Each person's latest assessment before a moment, over the persons of a set of grids: what the
// monthly figures and the department scorecards count tiers and review-by dates by. An assessment
// carries its person's grid (migration AssessmentGrid keeps it so), so the persons of the grids are
// found in the assessments' (grid, person, time) index itself, read in its order one stretch per grid,
// rather than by one probe of that index per person of the scope.

/**
 * SQL of the rows (person_id, grid_id, tier, assessed_at, review_by): for each person of the grids
 * `grids` (an SQL array of grid ids) assessed before `before` (an SQL timestamp), their latest
 * assessment before it.
 */
export function latestAssessmentsBefore(grids: string, before: string): string {
  return `SELECT DISTINCT ON (a.grid_id, a.person_id) a.person_id, a.grid_id, a.tier, a.assessed_at, a.review_by
      FROM assessments a
     WHERE a.grid_id = ANY(${grids}) AND a.assessed_at < ${before}
     ORDER BY a.grid_id, a.person_id, a.assessed_at DESC, a.id DESC`;
}
