// A dispute (矛盾纠纷) and its parties. Category and source route it to departments (reference data).
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AlwaysReads } from '../../graphql/reads';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { FollowUpMethod } from '../assignments/assignments.enums';
import {
  DisputeCategory,
  DisputeLevel,
  DisputeSource,
  DisputeStatus,
  MediationOutcome,
  PartyRole,
  StreetVenue,
} from './disputes.enums';

@ObjectType({ description: '矛盾纠纷 / Dispute' })
@AlwaysReads('id', 'gridId')
@Entity('disputes')
@Index(['gridId', 'status'])
export class Dispute {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => DisputeCategory, { description: '类别 / Category' })
  @Index()
  @Column('text')
  category: DisputeCategory;

  @Field(() => String, { description: '简要情况 / Description' })
  @Column('text')
  description: string;

  @Field(() => DisputeSource, { description: '来源渠道 / Source' })
  @Column('text')
  source: DisputeSource;

  @Field(() => DisputeStatus, { description: '办理状态 / Status' })
  @Index()
  @Column('text', { default: DisputeStatus.REPORTED })
  status: DisputeStatus;

  @Field(() => DisputeLevel, { description: '化解层级 / Level' })
  @Column('text', { default: DisputeLevel.GRID })
  level: DisputeLevel;

  @Field(() => StreetVenue, {
    nullable: true,
    description: '街道层级化解场所 / Street-level venue, once escalated',
  })
  @Column('text', { nullable: true })
  venue: StreetVenue | null;

  @Index()
  @Column('uuid')
  gridId: string;

  @Field(() => ID, { nullable: true, description: '登记人 / Reported by' })
  @Column('uuid')
  reportedById: string;

  @Field({ description: '登记时间 / Reported at' })
  @Column('timestamptz')
  reportedAt: Date;

  @Field(() => Date, { nullable: true, description: '办结时间 / Closed at' })
  @Column('timestamptz', { nullable: true })
  closedAt: Date | null;

  @Field(() => Int, { description: '版本 / Version, for expectedVersion on updates' })
  @VersionColumn()
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@ObjectType({ description: '当事人 / Party to a dispute' })
@Entity('dispute_parties')
export class DisputeParty {
  @Field(() => ID, { nullable: true, description: '纠纷 / Dispute' })
  @PrimaryColumn('uuid')
  disputeId: string;

  @Field(() => ID, {
    nullable: true,
    description: '人员（权限范围外为空） / The person, null outside your scope',
  })
  @Index()
  @PrimaryColumn('uuid')
  personId: string;

  @Field(() => PartyRole, { description: '角色 / Role' })
  @Column('text')
  role: PartyRole;
}

/** Routing of a dispute to departments by its category or its source (reference data). */
@Entity('dispute_routes')
export class DisputeRoute {
  @PrimaryColumn('text')
  matchKind: 'CATEGORY' | 'SOURCE' | 'VENUE';

  @PrimaryColumn('text')
  matchValue: string;

  @PrimaryColumn('text')
  departmentCode: string;
}

@ObjectType({ description: '升级记录 / An escalation up the ladder' })
@Entity('dispute_escalations')
export class DisputeEscalation {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid')
  disputeId: string;

  @Field(() => DisputeLevel, { description: '原层级 / From level' })
  @Column('text')
  fromLevel: DisputeLevel;

  @Field(() => DisputeLevel, { description: '升至 / To level' })
  @Column('text')
  toLevel: DisputeLevel;

  @Field(() => StreetVenue, { nullable: true, description: '场所 / Venue' })
  @Column('text', { nullable: true })
  venue: StreetVenue | null;

  @Field(() => String, { description: '理由 / Reason' })
  @Column('text')
  reason: string;

  @Field(() => ID, { description: '升级人 / By' })
  @Column('uuid')
  byId: string;

  @Field({ description: '时间 / When' })
  @Column('timestamptz')
  occurredAt: Date;
}

@ObjectType({ description: '调解记录 / Mediation session' })
@Entity('mediation_sessions')
export class MediationSession {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid')
  disputeId: string;

  @Field({ description: '调解时间 / Held at' })
  @Column('timestamptz')
  heldAt: Date;

  @Field({ description: '场所 / Venue' })
  @Column('text')
  venue: string;

  @Field(() => String, { description: '调解员 / Mediator' })
  @Column('text')
  mediatorName: string;

  @Field(() => MediationOutcome, { description: '结果 / Outcome' })
  @Column('text')
  outcome: MediationOutcome;

  @Field(() => String, { description: '协议内容 / Agreement text (sensitive, audited)' })
  @Column('text', { default: '' })
  agreementText: string;

  @Field(() => String, { description: '调解笔录 / Mediation notes (sensitive, audited)' })
  @Column('text', { default: '' })
  notes: string;

  @Field({ description: '是否司法确认 / Judicially confirmed (司法确认)' })
  @Column('boolean', { default: false })
  judiciallyConfirmed: boolean;

  @Field(() => String, { nullable: true, description: '司法确认日期 / Date of judicial confirmation' })
  @Column('date', { nullable: true })
  judicialConfirmationDate: string | null;

  @Column('uuid')
  recordedById: string;
}

@ObjectType({ description: '回访记录 / Return visit after resolution' })
@Entity('return_visits')
export class ReturnVisit {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid')
  disputeId: string;

  @Field(() => Int, { description: '第几次回访（30天、90天） / 1 at 30 days, 2 at 90 days' })
  @Column('int')
  sequence: number;

  @Field({ description: '时间 / When' })
  @Column('timestamptz')
  occurredAt: Date;

  @Field(() => ID)
  @Column('uuid')
  byId: string;

  @Field(() => FollowUpMethod, { description: '方式 / Method' })
  @Column('text')
  method: FollowUpMethod;

  @Field(() => String, { nullable: true, description: '回访情况 / Notes' })
  @Column('text', { default: '' })
  notes: string;
}
