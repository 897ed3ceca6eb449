// The GraphQL shape of the change feed (SPEC §5a): a page of changes in commit order, each naming
// the record it is about and carrying that record as the caller may read it now — one nullable field
// per kind of record, so each field keeps the audience of its record type (policy.ts) and the feed
// lets nobody reach a type they could not reach before.
import { Field, ID, ObjectType } from 'type-graphql';
import { bilingualEnum } from '../../graphql/enums';
import { PageInfo } from '../../graphql/connection';
import { Alert } from '../alerts/alert.entity';
import { Assignment, FollowUp } from '../assignments/assignment.entity';
import { Dispute } from '../disputes/dispute.entity';
import { Household } from '../people/household.entity';
import { Person } from '../people/person.entity';
import { PoliceRecord } from '../police/police-record.entity';
import { Referral } from '../referrals/referral.entity';
import { Assessment } from '../risk/assessment.entity';
import { TierChangeRequest } from '../risk/tier-change.entity';

export enum ChangedRecordType {
  PERSON = 'PERSON',
  HOUSEHOLD = 'HOUSEHOLD',
  DISPUTE = 'DISPUTE',
  ASSESSMENT = 'ASSESSMENT',
  ASSIGNMENT = 'ASSIGNMENT',
  FOLLOW_UP = 'FOLLOW_UP',
  REFERRAL = 'REFERRAL',
  TIER_CHANGE_REQUEST = 'TIER_CHANGE_REQUEST',
  POLICE_RECORD = 'POLICE_RECORD',
  ALERT = 'ALERT',
}
bilingualEnum(ChangedRecordType, 'ChangedRecordType', '变更的记录类型 / Kind of record a change is about', {
  PERSON: '人员 / Person',
  HOUSEHOLD: '户 / Household',
  DISPUTE:
    '矛盾纠纷（含当事人、升级、调解、回访） / Dispute, with its parties, escalations, mediation and return visits',
  ASSESSMENT: '风险评估 / Assessment',
  ASSIGNMENT: '包干责任 / Assignment',
  FOLLOW_UP: '跟踪记录 / Follow-up',
  REFERRAL: '帮扶转介 / Referral',
  TIER_CHANGE_REQUEST: '预警级别变更申请 / Tier change request',
  POLICE_RECORD: '公安记录 / Police record',
  ALERT: '预警 / Alert',
});

export enum ChangeOperation {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  LEFT_SCOPE = 'LEFT_SCOPE',
}
bilingualEnum(ChangeOperation, 'ChangeOperation', '变更对您意味着什么 / What a change means for you now', {
  CREATED: '新建，记录附后 / Created; the record as you may read it now is attached',
  UPDATED:
    '已修改（或进入您的范围），记录附后 / Updated, or came into your scope; the record as you may read it now is attached',
  LEFT_SCOPE:
    '已不在您的范围内（迁出、改派、合并或删除），只给编号 / No longer yours (moved, rerouted, merged away or removed): the id only — drop your copy',
});

@ObjectType({
  description:
    '一条变更（按提交顺序） / One committed change to a record within your row and field scope, in commit order',
})
export class RecordChange {
  @Field(() => ChangedRecordType, { description: '记录类型 / Kind of record' })
  recordType: ChangedRecordType;

  @Field(() => ID, {
    description:
      '记录编号 / Id of the record; for LEFT_SCOPE, a record that was in your scope when it changed',
  })
  recordId: string;

  @Field(() => ChangeOperation, { description: '变更类型 / What the change means for you now' })
  operation: ChangeOperation;

  @Field({ description: '提交时间 / When the change was committed' })
  changedAt: Date;

  @Field(() => Person, {
    nullable: true,
    description: '人员（现状） / The person as it is now; null for LEFT_SCOPE',
  })
  person: Person | null;

  @Field(() => Household, { nullable: true, description: '户（现状） / The household as it is now' })
  household: Household | null;

  @Field(() => Dispute, { nullable: true, description: '矛盾纠纷（现状） / The dispute as it is now' })
  dispute: Dispute | null;

  @Field(() => Assessment, { nullable: true, description: '风险评估 / The assessment as it is now' })
  assessment: Assessment | null;

  @Field(() => Assignment, { nullable: true, description: '包干责任 / The assignment as it is now' })
  assignment: Assignment | null;

  @Field(() => FollowUp, { nullable: true, description: '跟踪记录 / The follow-up as it is now' })
  followUp: FollowUp | null;

  @Field(() => Referral, { nullable: true, description: '帮扶转介 / The referral as it is now' })
  referral: Referral | null;

  @Field(() => TierChangeRequest, {
    nullable: true,
    description: '预警级别变更申请 / The tier change request as it is now',
  })
  tierChangeRequest: TierChangeRequest | null;

  @Field(() => PoliceRecord, { nullable: true, description: '公安记录 / The police record as it is now' })
  policeRecord: PoliceRecord | null;

  @Field(() => Alert, { nullable: true, description: '预警 / The alert as it is now (its recipients only)' })
  alert: Alert | null;
}

/** The record fields of RecordChange, one per kind of record. */
export type RecordField =
  | 'person'
  | 'household'
  | 'dispute'
  | 'assessment'
  | 'assignment'
  | 'followUp'
  | 'referral'
  | 'tierChangeRequest'
  | 'policeRecord'
  | 'alert';

@ObjectType({ description: '变更流中的一项 / A change and the cursor just after it' })
export class RecordChangeEdge {
  @Field({ description: '游标：从此项之后继续 / Cursor: continue after this change' })
  cursor: string;

  @Field(() => RecordChange)
  node: RecordChange;
}

@ObjectType({
  description:
    '变更流的一页 / A page of the change feed; continue from pageInfo.endCursor, which may lie past the last edge',
})
export class ChangeFeed {
  @Field(() => [RecordChangeEdge])
  edges: RecordChangeEdge[];

  @Field(() => PageInfo, {
    description:
      '分页：hasNextPage 表示现在就有更多 / hasNextPage: more can be read now; endCursor: where to continue, always set',
  })
  pageInfo: PageInfo;
}
