// Responsibility (三定责任制) and follow-ups: who answers for a person or an escalated dispute, and
// the record of each visit (跟踪记录).
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AlwaysReads } from '../../graphql/reads';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Tier } from '../risk/risk.enums';
import { FollowUpMethod } from './assignments.enums';
import { DepartmentCode } from '../organisation/organisation.enums';

@ObjectType({ description: '包干责任 / Assignment of responsibility (三定责任制)' })
@AlwaysReads('id', 'personId')
@Entity('assignments')
export class Assignment {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true, description: '管控对象 / Person' })
  @Index()
  @Column('uuid', { nullable: true })
  personId: string | null;

  @Field(() => ID, { nullable: true, description: '化解对象 / Escalated dispute' })
  @Index()
  @Column('uuid', { nullable: true })
  disputeId: string | null;

  @Field(() => ID, { nullable: true, description: '包干领导 / Lead leader' })
  @Column('uuid', { nullable: true })
  leadLeaderId: string | null;

  @Field(() => DepartmentCode, { description: '责任部门 / Responsible department' })
  @Index()
  @Column('text')
  responsibleDepartmentCode: string;

  @Field(() => ID, { description: '责任人 / Responsible person' })
  @Index()
  @Column('uuid')
  responsiblePersonId: string;

  @Field(() => [ID], { description: '专班成员 / Team members' })
  @Column('uuid', { array: true, default: () => "'{}'" })
  teamMemberIds: string[];

  @Field(() => String, { nullable: true, description: '管控措施 / Measures' })
  @Column('text', { default: '' })
  measures: string;

  @Field(() => Date, {
    nullable: true,
    description: '签字背书时间 / When the responsible person acknowledged',
  })
  @Column('timestamptz', { nullable: true })
  acknowledgedAt: Date | null;

  @Field(() => Tier, {
    nullable: true,
    description:
      '级别升高时系统建议的默认专班（待落实） / Proposed by the system when the person rose to this tier',
  })
  @Column('text', { nullable: true })
  proposedForTier: Tier | null;

  @Field({ description: '是否有效 / Whether this is the current assignment' })
  @Column('boolean', { default: true })
  active: boolean;

  @Field(() => Int, { description: '版本 / Version' })
  @VersionColumn()
  version: number;

  @Field({ description: '创建时间 / Created at' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column('uuid')
  createdById: string;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@ObjectType({ description: '跟踪记录 / Follow-up visit' })
@AlwaysReads('id', 'personId')
@Entity('follow_ups')
@Index(['personId', 'occurredAt'])
export class FollowUp {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true, description: '人员 / Person' })
  @Column('uuid')
  personId: string;

  @Field(() => ID, { description: '走访人 / By' })
  @Column('uuid')
  byId: string;

  @Field({ description: '时间 / When' })
  @Column('timestamptz')
  occurredAt: Date;

  @Field(() => FollowUpMethod, { description: '方式 / Method' })
  @Column('text')
  method: FollowUpMethod;

  @Field(() => String, { nullable: true, description: '记录 / Notes' })
  @Column('text', { default: '' })
  notes: string;

  @Field(() => String, { nullable: true, description: '动态变化 / Observed change' })
  @Column('text', { default: '' })
  observedChange: string;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
