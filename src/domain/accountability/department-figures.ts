// A department's figures under a jurisdiction (一季一约谈 and 一年一考核 judge departments as well as
// villages), on the same four figures and thresholds as a village's:
// - follow-up compliance: of the managed persons (tier above NONE at a month's end) whose latest
//   assignment by then named the department responsible, the share followed up in the month; the
//   mean of the months;
// - overdue reviews: those persons past their review-by date at the period's end;
// - unacknowledged alerts: alerts raised in the period that a recipient of the department had not
//   acknowledged by its end;
// - resolution rate: of the disputes closed in the period that were routed or assigned to the
//   department, the share resolved;
// and the incidents with more than one death whose linked persons or disputes were the department's.
// A department with nothing to measure under the jurisdiction has no row.
import type { DataSource } from 'typeorm';
import { Department } from '../organisation/department.entity';
import type { Jurisdiction } from '../organisation/jurisdiction.entity';
import { parseMonth, ratio } from '../reports/rules';
import { latestAssessmentsBefore } from '../risk/latest-assessments';
import { descendantsPattern } from '../../permissions/scope';
import type { Figures } from './rules';

interface Counted {
  department: string;
}

const SUBTREE = `SELECT id FROM jurisdictions WHERE path = $1 OR path LIKE $2`;

/** The department responsible for a person at a moment: the latest assignment made before it. */
const RESPONSIBLE_AT = (person: string, moment: string) =>
  `(SELECT s.responsible_department_code FROM assignments s
     WHERE s.person_id = ${person} AND s.created_at < ${moment}
     ORDER BY s.created_at DESC, s.id DESC LIMIT 1)`;

/** The departments a dispute is the business of: routed by category, source or venue, or assigned. */
const DISPUTE_DEPARTMENTS = `
  SELECT r.department_code AS department FROM dispute_routes r
   WHERE (r.match_kind = 'CATEGORY' AND r.match_value = d.category)
      OR (r.match_kind = 'SOURCE' AND r.match_value = d.source)
      OR (r.match_kind = 'VENUE' AND r.match_value = d.venue)
  UNION SELECT s.responsible_department_code FROM assignments s WHERE s.dispute_id = d.id`;

async function monthByDepartment(dataSource: DataSource, node: Jurisdiction, month: string) {
  const bounds = parseMonth(month);
  if (!bounds) throw new Error(`not a month: ${month}`);
  return (await dataSource.query(
    `WITH managed AS (
       SELECT l.person_id, l.review_by FROM (${latestAssessmentsBefore(`ARRAY(${SUBTREE})`, '$4')}) l
        WHERE l.tier <> 'NONE'),
     responsible AS (SELECT m.*, ${RESPONSIBLE_AT('m.person_id', '$4')} AS department FROM managed m)
     SELECT department, count(*)::int AS managed,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM follow_ups f WHERE f.person_id = r.person_id
                 AND f.occurred_at >= $3 AND f.occurred_at < $4))::int AS followed,
            count(*) FILTER (WHERE r.review_by < $4)::int AS overdue_reviews
       FROM responsible r WHERE department IS NOT NULL GROUP BY department`,
    [node.path, descendantsPattern(node.path), bounds.start, bounds.end],
  )) as (Counted & { managed: number; followed: number; overdue_reviews: number })[];
}

async function periodByDepartment(dataSource: DataSource, node: Jurisdiction, start: Date, end: Date) {
  const parameters = [node.path, descendantsPattern(node.path), start, end];
  const alerts = (await dataSource.query(
    `SELECT u.department_code AS department,
            count(DISTINCT a.id) FILTER (WHERE r.acknowledged_at IS NULL OR r.acknowledged_at >= $4)::int AS n
       FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id JOIN users u ON u.id = r.user_id
      WHERE a.grid_id IN (${SUBTREE}) AND a.raised_at >= $3 AND a.raised_at < $4
      GROUP BY u.department_code`,
    parameters,
  )) as (Counted & { n: number })[];
  const disputes = (await dataSource.query(
    `SELECT dep.department, count(*)::int AS closed, count(*) FILTER (WHERE d.status = 'RESOLVED')::int AS resolved
       FROM disputes d CROSS JOIN LATERAL (${DISPUTE_DEPARTMENTS}) dep
      WHERE d.grid_id IN (${SUBTREE}) AND d.closed_at >= $3 AND d.closed_at < $4
      GROUP BY dep.department`,
    parameters,
  )) as (Counted & { closed: number; resolved: number })[];
  const incidents = (await dataSource.query(
    `SELECT dep.department, count(DISTINCT i.id)::int AS n
       FROM incidents i CROSS JOIN LATERAL (
         SELECT ${RESPONSIBLE_AT('ip.person_id', 'i.occurred_at')} AS department
           FROM incident_persons ip WHERE ip.incident_id = i.id
         UNION SELECT dd.department FROM incident_disputes idl JOIN disputes d ON d.id = idl.dispute_id
           CROSS JOIN LATERAL (${DISPUTE_DEPARTMENTS}) dd WHERE idl.incident_id = i.id) dep
      WHERE i.grid_id IN (${SUBTREE}) AND i.occurred_at >= $3 AND i.occurred_at < $4 AND i.deaths > 1
        AND dep.department IS NOT NULL
      GROUP BY dep.department`,
    parameters,
  )) as (Counted & { n: number })[];
  return { alerts, disputes, incidents };
}

/** Each department's figures under `node` over `months`, for those with anything to measure there. */
export async function departmentFigures(
  dataSource: DataSource,
  node: Jurisdiction,
  months: string[],
): Promise<(Figures & { department: Department; multiFatalityIncidents: number })[]> {
  const monthly = [];
  for (const month of months) monthly.push(await monthByDepartment(dataSource, node, month));
  const start = parseMonth(months[0] as string)?.start as Date;
  const end = parseMonth(months.at(-1) as string)?.end as Date;
  const period = await periodByDepartment(dataSource, node, start, end);
  const departments = await dataSource.getRepository(Department).find({ order: { code: 'ASC' } });
  const find = <T extends Counted>(rows: readonly T[], code: string) =>
    rows.find((row) => row.department === code);
  const result = [];
  for (const department of departments) {
    const months = monthly.map((rows) => find(rows, department.code));
    const alerts = find(period.alerts, department.code);
    const disputes = find(period.disputes, department.code);
    if (!months.some(Boolean) && !alerts && !disputes) continue;
    const shares = months
      .map((row) => (row && row.managed > 0 ? row.followed / row.managed : null))
      .filter((share): share is number => share !== null);
    const followUpCompliance = shares.length
      ? Math.round((shares.reduce((a, b) => a + b, 0) / shares.length) * 10000) / 10000
      : null;
    const overdueReviews = months.at(-1)?.overdue_reviews ?? 0;
    const unacknowledgedAlerts = alerts?.n ?? 0;
    const resolved = disputes?.resolved ?? 0;
    const closed = disputes?.closed ?? 0;
    const resolutionRate = ratio(resolved, closed);
    result.push({
      department,
      followUpCompliance,
      overdueReviews,
      unacknowledgedAlerts,
      resolved,
      closed,
      resolutionRate,
      multiFatalityIncidents: find(period.incidents, department.code)?.n ?? 0,
      valueOf: {
        FOLLOW_UP_COMPLIANCE: followUpCompliance,
        OVERDUE_REVIEWS: overdueReviews,
        UNACKNOWLEDGED_ALERTS: unacknowledgedAlerts,
        RESOLUTION_RATE: resolutionRate,
      },
    });
  }
  return result;
}
