// A request to change a person's tier by hand (变更预警级别), with its decision; all are kept.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { bilingualEnum } from '../../graphql/enums';
import { Tier } from './risk.enums';

export enum TierChangeStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  SUPERSEDED = 'SUPERSEDED',
  EXPIRED = 'EXPIRED',
}
bilingualEnum(TierChangeStatus, 'TierChangeStatus', '变更申请状态 / Status of a tier change request', {
  PENDING: '待审批 / Pending',
  APPROVED: '已批准（生效中） / Approved, in effect',
  REJECTED: '已驳回 / Rejected',
  SUPERSEDED: '已被新评估取代 / Superseded by a later assessment',
  EXPIRED: '已到复核期限，未续期 / Ended at its review-by date, not renewed',
});

@ObjectType({ description: '预警级别变更申请 / Tier change request' })
@Entity('tier_change_requests')
export class TierChangeRequest {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid')
  personId: string;

  @Field(() => Tier, { description: '原级别 / From tier' })
  @Column('text')
  fromTier: Tier;

  @Field(() => Tier, { description: '申请级别 / Requested tier' })
  @Column('text')
  toTier: Tier;

  @Field(() => String, { nullable: true, description: '理由 / Reason' })
  @Column('text')
  reason: string;

  @Field(() => ID, { description: '申请人 / Requested by' })
  @Column('uuid')
  requestedById: string;

  @Field({ description: '申请时间 / Requested at' })
  @Column('timestamptz')
  requestedAt: Date;

  @Field(() => TierChangeStatus, { description: '状态 / Status' })
  @Column('text', { default: TierChangeStatus.PENDING })
  status: TierChangeStatus;

  @Field(() => ID, { nullable: true, description: '审批人 / Decided by' })
  @Column('uuid', { nullable: true })
  decidedById: string | null;

  @Field(() => Date, { nullable: true, description: '审批时间 / Decided at' })
  @Column('timestamptz', { nullable: true })
  decidedAt: Date | null;

  @Field(() => String, { nullable: true, description: '审批意见 / Decision note' })
  @Column('text', { nullable: true })
  decisionNote: string | null;

  @Field(() => Int)
  @VersionColumn()
  version: number;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
