// A break-glass grant (紧急调阅): one account's time-limited access to one person outside its row scope,
// with the reason it gave, and the review by the 综治办 leader of the person's street.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { bilingualEnum } from '../../graphql/enums';
import { DepartmentCode } from '../organisation/organisation.enums';

export enum BreakGlassReviewStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  FLAGGED = 'FLAGGED',
}
bilingualEnum(
  BreakGlassReviewStatus,
  'BreakGlassReviewStatus',
  '紧急调阅审查状态 / Review of a break-glass use',
  {
    PENDING: '待审查 / Awaiting review',
    CONFIRMED: '确认合理 / Confirmed as justified',
    FLAGGED: '标记存疑（转审计） / Flagged for the auditor',
  },
);

@ObjectType({
  description:
    '紧急调阅授权 / Break-glass grant: time-limited access to one person outside the account’s scope, reviewed afterwards',
})
@Entity('break_glass_grants')
export class BreakGlassGrant {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { description: '调阅对象 / The person the grant opens' })
  @Column('uuid')
  personId: string;

  @Field(() => ID, { description: '申请账号 / The account that broke the glass' })
  @Column('uuid')
  accountId: string;

  @Field(() => DepartmentCode, { description: '申请部门 / Its department at the time' })
  @Column('text')
  accountDepartment: string;

  /** The person's street when the grant was made: whose 综治办 leader reviews it. */
  @Column('uuid')
  streetId: string;

  @Field({ description: '紧急事由 / The reason given' })
  @Column('text')
  reason: string;

  @Field({ description: '授权时间 / Granted at' })
  @Column('timestamptz')
  grantedAt: Date;

  @Field({ description: '失效时间 / Ends at' })
  @Column('timestamptz')
  expiresAt: Date;

  @Field(() => BreakGlassReviewStatus, { description: '审查状态 / Review status' })
  @Column('text', { default: BreakGlassReviewStatus.PENDING })
  reviewStatus: BreakGlassReviewStatus;

  @Field(() => ID, { nullable: true, description: '审查人 / Reviewed by' })
  @Column('uuid', { nullable: true })
  reviewedById: string | null;

  @Field(() => Date, { nullable: true, description: '审查时间 / Reviewed at' })
  @Column('timestamptz', { nullable: true })
  reviewedAt: Date | null;

  @Field(() => String, { nullable: true, description: '审查意见 / Review note' })
  @Column('text', { nullable: true })
  reviewNote: string | null;

  @Field(() => Int)
  @VersionColumn()
  version: number;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
