// A police record (接处警/前科摘要): a short entry kept by POLICE. Others see at most whether one
// exists (COMPREHENSIVE_GOVERNANCE) or nothing — policy.ts decides.
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bilingualEnum } from '../../graphql/enums';

export enum PoliceRecordKind {
  POLICE_CALL = 'POLICE_CALL',
  PRIOR_RECORD = 'PRIOR_RECORD',
}
bilingualEnum(PoliceRecordKind, 'PoliceRecordKind', '公安记录类型 / Kind of police record', {
  POLICE_CALL: '接处警 / Police call',
  PRIOR_RECORD: '前科摘要 / Prior record',
});

@ObjectType({ description: '公安记录 / Police record (POLICE only)' })
@Entity('police_records')
export class PoliceRecord {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid')
  personId: string;

  @Field(() => PoliceRecordKind)
  @Column('text')
  kind: PoliceRecordKind;

  @Field({ description: '摘要 / Summary' })
  @Column('text')
  summary: string;

  @Field({ description: '发生日期 / Date (YYYY-MM-DD)' })
  @Column('date')
  occurredOn: string;

  @Column('uuid')
  recordedById: string;

  @Field({ description: '录入时间 / Recorded at' })
  @Column('timestamptz', { default: () => 'now()' })
  recordedAt: Date;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
