// A risk assessment (风险评估): the indicators observed, each with a note, and the tier it produced.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { IndicatorCategory, Tier } from './risk.enums';

@ObjectType({ description: '风险评估 / Risk assessment' })
@Entity('assessments')
@Index(['personId', 'assessedAt'])
export class Assessment {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true, description: '被评估人 / Person assessed' })
  @Column('uuid')
  personId: string;

  @Field(() => ID, { description: '评估人 / Assessor' })
  @Column('uuid')
  assessorId: string;

  @Field({ description: '评估时间 / Assessed at' })
  @Column('timestamptz')
  assessedAt: Date;

  @Field(() => Int, { description: '要素目录版本 / Catalog version used' })
  @Column('int')
  catalogVersion: number;

  @Field(() => Tier, { description: '评估得出的预警级别 / Tier computed at the time' })
  @Column('text')
  tier: Tier;

  @Field(() => Date, {
    nullable: true,
    description: '复核期限 / Review-by date (RED 30, ORANGE 60, YELLOW 90 days)',
  })
  @Column('timestamptz', { nullable: true })
  reviewBy: Date | null;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@ObjectType({ description: '评估中记录的要素 / An indicator recorded in an assessment' })
@Entity('assessment_indicators')
export class AssessmentIndicator {
  @Field(() => ID, { nullable: true, description: '评估 / Assessment' })
  @PrimaryColumn('uuid')
  assessmentId: string;

  @Field({ description: '要素编码 / Indicator code, as in the catalog' })
  @PrimaryColumn('text', { name: 'indicator_code' })
  code: string;

  @Field(() => IndicatorCategory, { description: '类别 / Category' })
  @Column('text')
  category: IndicatorCategory;

  @Field(() => String, { description: '观察记录 / What was observed (sensitive, audited)' })
  @Column('text', { default: '' })
  note: string;
}
