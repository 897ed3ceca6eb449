// The case review (一案一倒查) of an extreme-violence incident as GraphQL types: the incident's facts,
// a timeline of what the system knew in the 12 months before, and the gaps found in it. Each reader
// gets only the entries the policy lets them read (case-review.service.ts).
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { bilingualEnum } from '../../graphql/enums';
import { IncidentKind } from '../police/incident.entity';

export enum ReviewEntryKind {
  PERSON_REGISTERED = 'PERSON_REGISTERED',
  DISPUTE_REPORTED = 'DISPUTE_REPORTED',
  DISPUTE_CLOSED = 'DISPUTE_CLOSED',
  ASSESSED = 'ASSESSED',
  TIER_CHANGE_REQUESTED = 'TIER_CHANGE_REQUESTED',
  TIER_CHANGE_DECIDED = 'TIER_CHANGE_DECIDED',
  ALERT_RAISED = 'ALERT_RAISED',
  ALERT_ACKNOWLEDGED = 'ALERT_ACKNOWLEDGED',
  ASSIGNED = 'ASSIGNED',
  ASSIGNMENT_ACKNOWLEDGED = 'ASSIGNMENT_ACKNOWLEDGED',
  FOLLOW_UP = 'FOLLOW_UP',
  ESCALATED = 'ESCALATED',
  REFERRED = 'REFERRED',
  POLICE_RECORD = 'POLICE_RECORD',
  RECORD_READ = 'RECORD_READ',
}
bilingualEnum(ReviewEntryKind, 'ReviewEntryKind', '倒查时间线条目 / Kind of case-review timeline entry', {
  PERSON_REGISTERED: '人员登记 / Person registered',
  DISPUTE_REPORTED: '纠纷登记 / Dispute reported',
  DISPUTE_CLOSED: '纠纷办结 / Dispute closed',
  ASSESSED: '风险评估 / Risk assessed',
  TIER_CHANGE_REQUESTED: '申请变更预警级别 / Tier change requested',
  TIER_CHANGE_DECIDED: '变更预警级别决定 / Tier change decided',
  ALERT_RAISED: '预警发出 / Alert raised',
  ALERT_ACKNOWLEDGED: '预警签收 / Alert acknowledged',
  ASSIGNED: '包干责任落实 / Assignment made',
  ASSIGNMENT_ACKNOWLEDGED: '责任人签字背书 / Assignment acknowledged',
  FOLLOW_UP: '跟踪走访 / Follow-up',
  ESCALATED: '纠纷上交 / Dispute escalated',
  REFERRED: '帮扶转介 / Referral',
  POLICE_RECORD: '公安记录 / Police record',
  RECORD_READ: '查阅记录 / Record read',
});

export enum ReviewGapKind {
  OVERDUE_FOLLOW_UP = 'OVERDUE_FOLLOW_UP',
  UNACKNOWLEDGED_ALERT = 'UNACKNOWLEDGED_ALERT',
  REVIEW_OVERDUE = 'REVIEW_OVERDUE',
  ESCALATION_REFUSED = 'ESCALATION_REFUSED',
}
bilingualEnum(ReviewGapKind, 'ReviewGapKind', '倒查发现的漏洞 / Kind of gap a case review finds', {
  OVERDUE_FOLLOW_UP: '跟踪走访逾期 / A follow-up came late or never',
  UNACKNOWLEDGED_ALERT: '预警未签收 / An alert was not acknowledged before the incident',
  REVIEW_OVERDUE: '评估逾期未复核 / An assessment passed its review-by date',
  ESCALATION_REFUSED: '升级申请被驳回 / A request to raise the tier was rejected',
});

@ObjectType({ description: '倒查时间线条目 / One thing the system knew, and when' })
export class ReviewEntry {
  @Field({ description: '时间 / When' })
  at: Date;

  @Field(() => ReviewEntryKind)
  kind: ReviewEntryKind;

  @Field(() => ID, { nullable: true, description: '人员 / The linked person it concerns, if any' })
  personId: string | null;

  @Field(() => ID, { nullable: true, description: '纠纷 / The dispute it concerns, if any' })
  disputeId: string | null;

  @Field(() => String, { nullable: true, description: '经办人 / Who did it (username), if a person did' })
  actor: string | null;

  @Field({ description: '内容 / What happened, in the reader’s view' })
  summary: string;
}

@ObjectType({ description: '漏洞 / A gap the review finds, dated' })
export class ReviewGap {
  @Field(() => ReviewGapKind)
  kind: ReviewGapKind;

  @Field({ description: '起始日 / When it began: due date, raised at, review-by or refused at' })
  at: Date;

  @Field(() => Date, {
    nullable: true,
    description: '补上日 / When it was made good; null if not before the incident',
  })
  closedAt: Date | null;

  @Field(() => ID, { nullable: true, description: '人员 / The linked person it concerns' })
  personId: string | null;

  @Field({ description: '说明 / What was missed' })
  summary: string;
}

@ObjectType({
  description:
    '一案一倒查 / The case review of an extreme-violence incident: what the system knew of the linked persons and disputes in the 12 months before, and the gaps. It holds only what its reader may read.',
})
export class CaseReview {
  @Field(() => ID, { description: '案件 / The incident reviewed' })
  id: string;

  @Field({ description: '发生时间 / When it happened' })
  occurredAt: Date;

  @Field(() => IncidentKind)
  kind: IncidentKind;

  @Field({ description: '地点 / Place' })
  place: string;

  @Field(() => Int, { description: '死亡人数 / Deaths' })
  deaths: number;

  @Field(() => Int, { description: '受伤人数 / Injured' })
  injuries: number;

  @Field({ description: '倒查起点 / Start of the period reviewed (12 months before)' })
  windowStart: Date;

  @Field(() => [ID], { description: '关联人员 / Linked persons in the reader’s scope' })
  personIds: string[];

  @Field(() => [ID], {
    description: '关联纠纷 / Linked disputes, and those of the linked persons, in the reader’s scope',
  })
  disputeIds: string[];

  @Field(() => [ReviewEntry], { description: '时间线 / Timeline, oldest first' })
  entries: ReviewEntry[];

  @Field(() => [ReviewGap], { description: '漏洞 / Gaps, oldest first' })
  gaps: ReviewGap[];
}
