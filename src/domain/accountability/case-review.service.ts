// The case review (一案一倒查): from an incident back through everything the system knew of its linked
// persons and disputes in the 12 months before — records and the audit trail — and the gaps in it.
// Nothing here decides who sees what: each entry names the policy field it shows (policy.ts decides
// whether the reader reads it), the persons and disputes come through the reader's row scope
// (scope.ts), and what a reader is shown of a sensitive field is audited as any read of it is.
import type { EntityManager } from 'typeorm';
import { principalOf } from '../../auth/identity';
import { badUserInput, notFound } from '../../graphql/errors';
import { isUuid } from '../../graphql/validation';
import {
  FIELD_POLICY,
  INDICATOR_CATEGORY_READERS,
  mayReadField,
  type Principal,
} from '../../permissions/policy';
import { disputeScope, personScope } from '../../permissions/scope';
import type { RequestContext } from '../../request-scope';
import { Dispute } from '../disputes/dispute.entity';
import { Person } from '../people/person.entity';
import { findIncidentInScope } from '../police/incident.service';
import type { Tier } from '../risk/risk.enums';
import { CaseReview, ReviewEntry, ReviewEntryKind, ReviewGap, ReviewGapKind } from './case-review.type';
import { overdueFollowUps, raisesTier, reviewsOverdue, reviewWindowStart, type AssessedAt } from './rules';

/** An entry before the policy is asked: the `Type.field` it shows, and the record it shows it of. */
interface Found {
  at: Date;
  kind: ReviewEntryKind;
  personId: string | null;
  disputeId: string | null;
  actor: string | null;
  summary: string;
  /** The policy fields the entry shows: the reader sees it only if they read every one. */
  shows: string[];
  recordType: string;
  recordId: string;
}

interface FoundGap {
  kind: ReviewGapKind;
  at: Date;
  closedAt: Date | null;
  personId: string | null;
  summary: string;
  shows: string[];
}

/** Alerts raised by a hazardous purchase tell of a match only POLICE may learn (SPEC §3, no oracle). */
const ALERT_KIND_FIELDS: Readonly<Record<string, string[]>> = {
  ANOMALY: ['Alert.description'],
  INJURY_REPORT: ['Alert.description', 'InjuryReport.description'],
  HAZARDOUS_PURCHASE: ['Alert.description', 'Person.policeRecords'],
};

const day = (at: Date | null) => (at ? at.toISOString().slice(0, 10) : '—');

async function visibleIds(
  tx: EntityManager,
  context: RequestContext,
  personIds: string[],
  disputeIds: string[],
): Promise<{ personIds: string[]; disputeIds: string[] }> {
  const persons = personScope(context.user, 'p', context.now());
  const visiblePersons: { id: string }[] = personIds.length
    ? await tx
        .getRepository(Person)
        .createQueryBuilder('p')
        .select('p.id', 'id')
        .where('p.id = ANY(:personIds)', { personIds })
        .andWhere(persons.sql, persons.params)
        .orderBy('p.id')
        .getRawMany()
    : [];
  const ofPersons = visiblePersons.map((p) => p.id);
  const disputes = disputeScope(context.user, 'd');
  const visibleDisputes: { id: string }[] = await tx
    .getRepository(Dispute)
    .createQueryBuilder('d')
    .select('d.id', 'id')
    .where(
      `(d.id = ANY(:disputeIds) OR d.id IN (SELECT dp.dispute_id FROM dispute_parties dp WHERE dp.person_id = ANY(:ofPersons)))`,
      { disputeIds, ofPersons },
    )
    .andWhere(disputes.sql, disputes.params)
    .orderBy('d.id')
    .getRawMany();
  return { personIds: ofPersons, disputeIds: visibleDisputes.map((d) => d.id) };
}

/** Indicator codes of an assessment, only of the categories the reader reads (as Assessment.indicators). */
function shownIndicators(indicators: { code: string; category: string }[], principal: Principal): string {
  if (!mayReadField('Assessment.indicators', principal)) return '';
  const shown = indicators.filter((i) =>
    (INDICATOR_CATEGORY_READERS[i.category as keyof typeof INDICATOR_CATEGORY_READERS] as string[]).includes(
      principal.department,
    ),
  );
  return shown.length ? `; ${shown.map((i) => i.code).join(', ')}` : '';
}

async function recordsOf(
  tx: EntityManager,
  principal: Principal,
  persons: string[],
  disputes: string[],
  from: Date,
  end: Date,
): Promise<{ entries: Found[]; gaps: FoundGap[] }> {
  // Every query below names what it needs of the persons, disputes and the period (:from to :end).
  const rows = <T>(sql: string): Promise<T[]> => {
    const [text, params] = tx.connection.driver.escapeQueryWithParameters(sql, {
      persons,
      disputes,
      from,
      end,
    });
    return tx.query(text, params);
  };
  const entries: Found[] = [];
  const gaps: FoundGap[] = [];
  const add = (entry: Found) => entries.push(entry);

  for (const p of await rows<{ id: string; at: Date; actor: string | null }>(
    `SELECT p.id, p.created_at AS at, u.username AS actor FROM persons p LEFT JOIN users u ON u.id = p.created_by_id
      WHERE p.id = ANY(:persons) AND p.created_at >= :from AND p.created_at < :end`,
  ))
    add({
      at: p.at,
      kind: ReviewEntryKind.PERSON_REGISTERED,
      personId: p.id,
      disputeId: null,
      actor: p.actor,
      summary: '登记 / registered',
      shows: ['Person.name'],
      recordType: 'Person',
      recordId: p.id,
    });

  for (const d of await rows<{
    id: string;
    reported_at: Date;
    closed_at: Date | null;
    category: string;
    source: string;
    status: string;
    actor: string;
  }>(
    `SELECT d.id, d.reported_at, d.closed_at, d.category, d.source, d.status, u.username AS actor
       FROM disputes d JOIN users u ON u.id = d.reported_by_id
      WHERE d.id = ANY(:disputes) AND d.reported_at < :end
        AND (d.reported_at >= :from OR d.closed_at >= :from)`,
  )) {
    if (d.reported_at >= from)
      add({
        at: d.reported_at,
        kind: ReviewEntryKind.DISPUTE_REPORTED,
        personId: null,
        disputeId: d.id,
        actor: d.actor,
        summary: `${d.category}, source ${d.source}`,
        shows: ['Dispute.category', 'Dispute.source'],
        recordType: 'Dispute',
        recordId: d.id,
      });
    if (d.closed_at && d.closed_at >= from && d.closed_at < end)
      add({
        at: d.closed_at,
        kind: ReviewEntryKind.DISPUTE_CLOSED,
        personId: null,
        disputeId: d.id,
        actor: null,
        summary: d.status,
        shows: ['Dispute.status'],
        recordType: 'Dispute',
        recordId: d.id,
      });
  }

  // Assessments: the whole history before the incident (gaps look at the tier held when the window opens).
  const assessments = await rows<{
    id: string;
    person_id: string;
    at: Date;
    tier: Tier;
    review_by: Date | null;
    actor: string;
    indicators: { code: string; category: string }[] | null;
  }>(
    `SELECT a.id, a.person_id, a.assessed_at AS at, a.tier, a.review_by, u.username AS actor,
            (SELECT json_agg(json_build_object('code', i.indicator_code, 'category', i.category) ORDER BY i.indicator_code)
               FROM assessment_indicators i WHERE i.assessment_id = a.id) AS indicators
       FROM assessments a JOIN users u ON u.id = a.assessor_id
      WHERE a.person_id = ANY(:persons) AND a.assessed_at < :end
      ORDER BY a.assessed_at`,
  );
  for (const a of assessments.filter((a) => a.at >= from))
    add({
      at: a.at,
      kind: ReviewEntryKind.ASSESSED,
      personId: a.person_id,
      disputeId: null,
      actor: a.actor,
      summary: `${a.tier}, review by ${day(a.review_by)}${shownIndicators(a.indicators ?? [], principal)}`,
      shows: ['Assessment.tier', 'Assessment.reviewBy'],
      recordType: 'Assessment',
      recordId: a.id,
    });

  const followUps = await rows<{ id: string; person_id: string; at: Date; method: string; actor: string }>(
    `SELECT f.id, f.person_id, f.occurred_at AS at, f.method, u.username AS actor
       FROM follow_ups f JOIN users u ON u.id = f.by_id
      WHERE f.person_id = ANY(:persons) AND f.occurred_at < :end
      ORDER BY f.occurred_at`,
  );
  for (const f of followUps.filter((f) => f.at >= from))
    add({
      at: f.at,
      kind: ReviewEntryKind.FOLLOW_UP,
      personId: f.person_id,
      disputeId: null,
      actor: f.actor,
      summary: f.method,
      shows: ['FollowUp.occurredAt', 'FollowUp.method'],
      recordType: 'FollowUp',
      recordId: f.id,
    });

  for (const personId of persons) {
    const history: AssessedAt[] = assessments
      .filter((a) => a.person_id === personId)
      .map((a) => ({ at: a.at, tier: a.tier, reviewBy: a.review_by }));
    const visits = followUps.filter((f) => f.person_id === personId).map((f) => f.at);
    for (const gap of overdueFollowUps(history, visits, from, end))
      gaps.push({
        kind: ReviewGapKind.OVERDUE_FOLLOW_UP,
        at: gap.at,
        closedAt: gap.closedAt,
        personId,
        summary: `${gap.tier} follow-up due ${day(gap.at)}, ${gap.closedAt ? `done ${day(gap.closedAt)}` : 'not done before the incident'}`,
        shows: ['FollowUp.occurredAt', 'Assessment.tier'],
      });
    for (const gap of reviewsOverdue(history, from, end))
      gaps.push({
        kind: ReviewGapKind.REVIEW_OVERDUE,
        at: gap.at,
        closedAt: gap.closedAt,
        personId,
        summary: `${gap.tier} assessment to be reviewed by ${day(gap.at)}, ${gap.closedAt ? `reassessed ${day(gap.closedAt)}` : 'not reassessed before the incident'}`,
        shows: ['Assessment.reviewBy'],
      });
  }

  for (const r of await rows<{
    id: string;
    person_id: string;
    from_tier: string;
    to_tier: string;
    reason: string;
    status: string;
    requested_at: Date;
    decided_at: Date | null;
    decision_note: string | null;
    requester: string;
    decider: string | null;
  }>(
    `SELECT r.id, r.person_id, r.from_tier, r.to_tier, r.reason, r.status, r.requested_at, r.decided_at, r.decision_note,
            q.username AS requester, d.username AS decider
       FROM tier_change_requests r JOIN users q ON q.id = r.requested_by_id LEFT JOIN users d ON d.id = r.decided_by_id
      WHERE r.person_id = ANY(:persons) AND r.requested_at < :end
        AND (r.requested_at >= :from OR r.decided_at >= :from)`,
  )) {
    const shows = ['TierChangeRequest.reason', 'TierChangeRequest.status'];
    if (r.requested_at >= from)
      add({
        at: r.requested_at,
        kind: ReviewEntryKind.TIER_CHANGE_REQUESTED,
        personId: r.person_id,
        disputeId: null,
        actor: r.requester,
        summary: `${r.from_tier} → ${r.to_tier}: ${r.reason}`,
        shows,
        recordType: 'TierChangeRequest',
        recordId: r.id,
      });
    if (r.decided_at && r.decided_at >= from && r.decided_at < end) {
      add({
        at: r.decided_at,
        kind: ReviewEntryKind.TIER_CHANGE_DECIDED,
        personId: r.person_id,
        disputeId: null,
        actor: r.decider,
        summary: `${r.status} (${r.from_tier} → ${r.to_tier})${r.decision_note ? `: ${r.decision_note}` : ''}`,
        shows,
        recordType: 'TierChangeRequest',
        recordId: r.id,
      });
      if (r.status === 'REJECTED' && raisesTier(r.from_tier, r.to_tier))
        gaps.push({
          kind: ReviewGapKind.ESCALATION_REFUSED,
          at: r.decided_at,
          closedAt: null,
          personId: r.person_id,
          summary: `request to raise ${r.from_tier} → ${r.to_tier} rejected ${day(r.decided_at)}`,
          shows,
        });
    }
  }

  for (const a of await rows<{
    id: string;
    person_id: string;
    kind: string;
    tier_at_raise: string;
    description: string;
    raised_at: Date;
    actor: string | null;
    recipients: { username: string; acknowledged_at: string | null }[];
  }>(
    `SELECT a.id, a.person_id, a.kind, a.tier_at_raise, a.description, a.raised_at, u.username AS actor,
            (SELECT json_agg(json_build_object('username', ru.username, 'acknowledged_at', r.acknowledged_at) ORDER BY ru.username)
               FROM alert_recipients r JOIN users ru ON ru.id = r.user_id WHERE r.alert_id = a.id) AS recipients
       FROM alerts a LEFT JOIN users u ON u.id = a.raised_by_id
      WHERE a.person_id = ANY(:persons) AND a.raised_at >= :from AND a.raised_at < :end`,
  )) {
    const shows = ALERT_KIND_FIELDS[a.kind] ?? ['Person.policeRecords'];
    add({
      at: a.raised_at,
      kind: ReviewEntryKind.ALERT_RAISED,
      personId: a.person_id,
      disputeId: null,
      actor: a.actor,
      summary: `${a.tier_at_raise} ${a.kind}: ${a.description}`,
      shows,
      recordType: 'Alert',
      recordId: a.id,
    });
    const missing: string[] = [];
    for (const recipient of a.recipients ?? []) {
      const acknowledged = recipient.acknowledged_at ? new Date(recipient.acknowledged_at) : null;
      if (acknowledged && acknowledged < end)
        add({
          at: acknowledged,
          kind: ReviewEntryKind.ALERT_ACKNOWLEDGED,
          personId: a.person_id,
          disputeId: null,
          actor: recipient.username,
          summary: `${a.tier_at_raise} alert of ${day(a.raised_at)} acknowledged`,
          shows: [...shows, 'ReceivedAlert.acknowledgedAt'],
          recordType: 'Alert',
          recordId: a.id,
        });
      else missing.push(recipient.username);
    }
    if (missing.length > 0)
      gaps.push({
        kind: ReviewGapKind.UNACKNOWLEDGED_ALERT,
        at: a.raised_at,
        closedAt: null,
        personId: a.person_id,
        summary: `${a.tier_at_raise} alert raised ${day(a.raised_at)} not acknowledged by ${missing.join(', ')}`,
        shows: [...shows, 'ReceivedAlert.acknowledgedAt'],
      });
  }

  for (const s of await rows<{
    id: string;
    person_id: string | null;
    dispute_id: string | null;
    department: string;
    responsible: string;
    measures: string;
    created_at: Date;
    acknowledged_at: Date | null;
    actor: string;
  }>(
    `SELECT s.id, s.person_id, s.dispute_id, s.responsible_department_code AS department, r.username AS responsible,
            s.measures, s.created_at, s.acknowledged_at, u.username AS actor
       FROM assignments s JOIN users r ON r.id = s.responsible_person_id JOIN users u ON u.id = s.created_by_id
      WHERE (s.person_id = ANY(:persons) OR s.dispute_id = ANY(:disputes)) AND s.created_at < :end
        AND (s.created_at >= :from OR s.acknowledged_at >= :from)`,
  )) {
    if (s.created_at >= from)
      add({
        at: s.created_at,
        kind: ReviewEntryKind.ASSIGNED,
        personId: s.person_id,
        disputeId: s.dispute_id,
        actor: s.actor,
        summary: `${s.department}, responsible ${s.responsible}: ${s.measures}`,
        shows: ['Assignment.measures'],
        recordType: 'Assignment',
        recordId: s.id,
      });
    if (s.acknowledged_at && s.acknowledged_at >= from && s.acknowledged_at < end)
      add({
        at: s.acknowledged_at,
        kind: ReviewEntryKind.ASSIGNMENT_ACKNOWLEDGED,
        personId: s.person_id,
        disputeId: s.dispute_id,
        actor: s.responsible,
        summary: `acknowledged by ${s.responsible}`,
        shows: ['Assignment.acknowledgedAt'],
        recordType: 'Assignment',
        recordId: s.id,
      });
  }

  for (const e of await rows<{
    id: string;
    dispute_id: string;
    from_level: string;
    to_level: string;
    venue: string | null;
    reason: string;
    at: Date;
    actor: string;
  }>(
    `SELECT e.id, e.dispute_id, e.from_level, e.to_level, e.venue, e.reason, e.occurred_at AS at, u.username AS actor
       FROM dispute_escalations e JOIN users u ON u.id = e.by_id
      WHERE e.dispute_id = ANY(:disputes) AND e.occurred_at >= :from AND e.occurred_at < :end`,
  ))
    add({
      at: e.at,
      kind: ReviewEntryKind.ESCALATED,
      personId: null,
      disputeId: e.dispute_id,
      actor: e.actor,
      summary: `${e.from_level} → ${e.to_level}${e.venue ? ` (${e.venue})` : ''}: ${e.reason}`,
      shows: ['DisputeEscalation.reason'],
      recordType: 'DisputeEscalation',
      recordId: e.id,
    });

  for (const r of await rows<{
    id: string;
    person_id: string;
    kind: string;
    status: string;
    at: Date;
    actor: string;
  }>(
    `SELECT r.id, r.person_id, r.kind, r.status, r.created_at AS at, u.username AS actor
       FROM referrals r JOIN users u ON u.id = r.created_by_id
      WHERE r.person_id = ANY(:persons) AND r.created_at >= :from AND r.created_at < :end`,
  ))
    add({
      at: r.at,
      kind: ReviewEntryKind.REFERRED,
      personId: r.person_id,
      disputeId: null,
      actor: r.actor,
      summary: `${r.kind}, ${r.status}`,
      shows: ['Referral.kind', 'Referral.status'],
      recordType: 'Referral',
      recordId: r.id,
    });

  const policeRecords = await rows<{
    id: string;
    person_id: string;
    kind: string;
    summary: string;
    at: Date;
    actor: string;
  }>(
    `SELECT r.id, r.person_id, r.kind, r.summary, (r.occurred_on::timestamp AT TIME ZONE 'Asia/Shanghai') AS at, u.username AS actor
       FROM police_records r JOIN users u ON u.id = r.recorded_by_id
      WHERE r.person_id = ANY(:persons)
        AND (r.occurred_on::timestamp AT TIME ZONE 'Asia/Shanghai') >= :from AND (r.occurred_on::timestamp AT TIME ZONE 'Asia/Shanghai') < :end`,
  );
  for (const r of policeRecords)
    add({
      at: r.at,
      kind: ReviewEntryKind.POLICE_RECORD,
      personId: r.person_id,
      disputeId: null,
      actor: r.actor,
      summary: `${r.kind}: ${r.summary}`,
      shows: ['PoliceRecord.kind', 'PoliceRecord.summary'],
      recordType: 'PoliceRecord',
      recordId: r.id,
    });

  // Who read the records: the read audit of the persons, disputes and police records. A read shows
  // the fields read, so the reader sees it only when they read every one of those fields.
  const subjects = [...persons, ...disputes, ...policeRecords.map((r) => r.id)];
  const reads: {
    at: Date;
    record_type: string;
    record_ids: string[];
    fields: string[];
    actor: string | null;
  }[] = await tx.query(
    `SELECT e.occurred_at AS at, e.record_type, e.record_ids, e.fields, u.username AS actor
         FROM audit_entries e LEFT JOIN users u ON u.id = e.actor_id
        WHERE e.action = 'READ' AND e.record_ids && $1::text[] AND e.occurred_at >= $2 AND e.occurred_at < $3
        ORDER BY e.seq`,
    [subjects, from, end],
  );
  const personSet = new Set(persons);
  const disputeSet = new Set(disputes);
  for (const read of reads) {
    const shows = read.fields.map((field) => `${read.record_type}.${field}`);
    add({
      at: read.at,
      kind: ReviewEntryKind.RECORD_READ,
      personId: read.record_ids.find((id) => personSet.has(id)) ?? null,
      disputeId: read.record_ids.find((id) => disputeSet.has(id)) ?? null,
      actor: read.actor,
      summary: `read ${shows.join(', ')}`,
      shows,
      recordType: read.record_type,
      recordId: read.record_ids[0] ?? '',
    });
  }
  return { entries, gaps };
}

const byTime = <T extends { at: Date }>(a: T, b: T) => a.at.getTime() - b.at.getTime();

/** The review of the incident `incidentId` as the caller may read it; NOT_FOUND outside their jurisdiction. */
export async function caseReview(context: RequestContext, incidentId: string): Promise<CaseReview> {
  if (!isUuid(incidentId)) throw badUserInput(`${incidentId} is not an ID this API issued`, 'incidentId');
  const principal = principalOf(context.user);
  return context.dataSource.transaction('REPEATABLE READ', async (tx) => {
    const incident = await findIncidentInScope(tx, context, incidentId);
    if (!incident) throw notFound('Incident');
    const scoped = await visibleIds(tx, context, incident.personIds, incident.disputeIds);
    const from = reviewWindowStart(incident.occurredAt);
    const { entries, gaps } = await recordsOf(
      tx,
      principal,
      scoped.personIds,
      scoped.disputeIds,
      from,
      incident.occurredAt,
    );
    const readable = (shows: string[]) => shows.every((field) => mayReadField(field, principal));
    const shown = entries.filter((entry) => readable(entry.shows)).sort(byTime);
    for (const entry of shown)
      for (const field of entry.shows) {
        const [type, name] = field.split('.') as [string, string];
        if (FIELD_POLICY[field]?.sensitive && type === entry.recordType)
          context.recordSensitiveRead(type, entry.recordId, name);
      }
    // Opening a review is itself a read of the incident's history (SPEC §4: every access is audited).
    context.recordSensitiveRead('CaseReview', incident.id, 'entries');
    return Object.assign(new CaseReview(), {
      id: incident.id,
      occurredAt: incident.occurredAt,
      kind: incident.kind,
      place: incident.place,
      deaths: incident.deaths,
      injuries: incident.injuries,
      windowStart: from,
      personIds: scoped.personIds,
      disputeIds: scoped.disputeIds,
      entries: shown.map(({ at, kind, personId, disputeId, actor, summary }) =>
        Object.assign(new ReviewEntry(), { at, kind, personId, disputeId, actor, summary }),
      ),
      gaps: gaps
        .filter((gap) => readable(gap.shows))
        .sort(byTime)
        .map(({ kind, at, closedAt, personId, summary }) =>
          Object.assign(new ReviewGap(), { kind, at, closedAt, personId, summary }),
        ),
    });
  });
}
