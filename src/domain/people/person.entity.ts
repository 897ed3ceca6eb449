// A person on record (人员): "one form per person". Sensitive columns are nullable in GraphQL so a
// denied field becomes null without swallowing its parent. Tier is computed, never typed in.
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
import type { TierExplanationData } from '../risk/tier-explanation.type';
import { Gender, Residency, SpecialStatus } from './people.enums';

@ObjectType({ description: '人员 / Person on record' })
// gridId: the address mask names the village of the person's grid.
@AlwaysReads('id', 'gridId')
@Entity('persons')
export class Person {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, { description: '姓名 / Name' })
  @Column('text')
  name: string;

  /**
   * The name romanised for similarity search (rules.ts nameSearchKey), written with the name by the
   * people service; trigram-indexed (migration OnePersonOneRecord). Not read with the record.
   */
  @Column('text', { nullable: true, select: false })
  nameSearch?: string | null;

  @Field(() => Gender, { nullable: true, description: '性别 / Gender as registered' })
  @Column('text')
  gender: Gender;

  @Field(() => String, { nullable: true, description: '出生日期 / Birth date (YYYY-MM-DD)' })
  @Column('date', { nullable: true })
  birthDate: string | null;

  @Field(() => String, { nullable: true, description: '身份证号 / National ID number (sensitive, audited)' })
  @Index()
  @Column('text', { nullable: true })
  idNumber: string | null;

  @Field(() => String, { nullable: true, description: '联系电话 / Phone (sensitive, audited)' })
  @Column('text', { nullable: true })
  phone: string | null;

  @Field(() => String, { nullable: true, description: '住址 / Full address (sensitive, audited)' })
  @Column('text', { nullable: true })
  address: string | null;

  @Index()
  @Column('uuid', { nullable: true })
  householdId: string | null;

  @Index()
  @Column('uuid')
  gridId: string;

  @Field(() => Residency, { nullable: true, description: '居住类型 / Residency' })
  @Column('text')
  residency: Residency;

  @Field(() => String, { nullable: true, description: '用工单位 / Employer of a migrant' })
  @Column('text', { nullable: true })
  employerName: string | null;

  @Field(() => String, { nullable: true, description: '用工单位联系方式 / Employer contact of a migrant' })
  @Column('text', { nullable: true })
  employerContact: string | null;

  @Field(() => String, { nullable: true, description: '房东 / Landlord of a migrant' })
  @Column('text', { nullable: true })
  landlordName: string | null;

  @Field(() => String, { nullable: true, description: '房东联系方式 / Landlord contact of a migrant' })
  @Column('text', { nullable: true })
  landlordContact: string | null;

  @Field(() => String, { nullable: true, description: '职业 / Occupation' })
  @Column('text', { nullable: true })
  occupation: string | null;

  @Field(() => [SpecialStatus], {
    nullable: true,
    description:
      '特殊人群身份 / Special statuses; each is visible only to its department (sensitive, audited)',
  })
  @Column('text', { array: true, default: () => "'{}'" })
  specialStatuses: SpecialStatus[];

  @Field(() => Tier, { description: '预警级别 / Tier, computed by the system' })
  @Index()
  @Column('text', { default: Tier.NONE })
  tier: Tier;

  /** The tier the rule computes; `tier` is this unless an approved override is in effect. */
  @Column('text', { default: Tier.NONE })
  computedTier: Tier;

  /** Since when the person has been at `tier`: the follow-up cadence counts from here. */
  @Column('timestamptz', { default: () => 'now()' })
  tierSince: Date;

  @Column('jsonb', { nullable: true })
  tierExplanationData: TierExplanationData | null;

  @Field(() => Int, { nullable: true, description: '版本 / Version, for expectedVersion on updates' })
  @VersionColumn()
  version: number;

  @Field(() => Date, { nullable: true, description: '登记时间 / Registered at' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field(() => Date, {
    nullable: true,
    description:
      '更新时间 / When the person’s details last changed (a recomputed tier or a new follow-up does not count)',
  })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column('uuid', { nullable: true })
  createdById: string | null;
}
