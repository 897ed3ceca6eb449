// Help for a person (帮扶转介) and, for ORANGE and RED persons, the psychological file
// (社会心理服务电子档案) with an intervention plan, kept by SOCIAL_AFFAIRS alone.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { bilingualEnum } from '../../graphql/enums';

export enum ReferralKind {
  LEGAL_AID = 'LEGAL_AID',
  SOCIAL_ASSISTANCE = 'SOCIAL_ASSISTANCE',
  MEDICAL_AID = 'MEDICAL_AID',
  EDUCATION_AID = 'EDUCATION_AID',
  PSYCHOLOGICAL_SUPPORT = 'PSYCHOLOGICAL_SUPPORT',
  EMPLOYMENT = 'EMPLOYMENT',
}
bilingualEnum(ReferralKind, 'ReferralKind', '帮扶类型 / Kind of help', {
  LEGAL_AID: '法律援助 / Legal aid',
  SOCIAL_ASSISTANCE: '社会救助 / Social assistance',
  MEDICAL_AID: '医疗救助 / Medical aid',
  EDUCATION_AID: '教育救助 / Education aid',
  PSYCHOLOGICAL_SUPPORT: '心理疏导 / Psychological support',
  EMPLOYMENT: '就业帮扶 / Employment',
});

export enum ReferralStatus {
  OPEN = 'OPEN',
  IN_PROGRESS = 'IN_PROGRESS',
  DONE = 'DONE',
  DECLINED = 'DECLINED',
}
bilingualEnum(ReferralStatus, 'ReferralStatus', '转介状态 / Referral status', {
  OPEN: '待办 / Open',
  IN_PROGRESS: '办理中 / In progress',
  DONE: '已完成 / Done',
  DECLINED: '当事人拒绝 / Declined by the person',
});

@ObjectType({ description: '帮扶转介 / Referral to help' })
@Entity('referrals')
export class Referral {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid')
  personId: string;

  @Field(() => ReferralKind)
  @Column('text')
  kind: ReferralKind;

  @Field(() => ReferralStatus)
  @Column('text', { default: ReferralStatus.OPEN })
  status: ReferralStatus;

  @Field(() => String, { description: '原因 / Why' })
  @Column('text', { default: '' })
  reason: string;

  @Field(() => String, { description: '结果 / Outcome' })
  @Column('text', { default: '' })
  outcome: string;

  @Field(() => ID, { nullable: true, description: '来自评估 / Created by this assessment' })
  @Column('uuid', { nullable: true })
  sourceAssessmentId: string | null;

  @Field({ description: '创建时间 / Created at' })
  @Column('timestamptz', { default: () => "date_trunc('milliseconds', now())" })
  createdAt: Date;

  @Column('uuid')
  createdById: string;

  @Field(() => Int)
  @VersionColumn()
  version: number;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@ObjectType({ description: '社会心理服务电子档案 / Psychological file (SOCIAL_AFFAIRS only)' })
@Entity('psychological_files')
export class PsychologicalFile {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid')
  personId: string;

  @Field({ description: '干预方案 / Intervention plan' })
  @Column('text')
  interventionPlan: string;

  @Field({ description: '记录 / Notes' })
  @Column('text', { default: '' })
  notes: string;

  @Field({ description: '更新时间 / Updated at' })
  @Column('timestamptz', { default: () => 'now()' })
  updatedAt: Date;

  @Column('uuid')
  updatedById: string;

  @Field(() => Int)
  @VersionColumn()
  version: number;
}
