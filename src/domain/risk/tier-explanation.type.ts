// Why a person has their tier: which categories, indicators, open disputes and catalog version applied.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { IndicatorCategory, Tier } from './risk.enums';

export interface TierOverrideData {
  requestId: string;
  tier: Tier;
  reason: string;
  requestedById: string;
  decidedById: string;
  decidedAt: string;
  /** When the override ends unless renewed (review-by.ts); filled in stored ones by ReviewByAndNameSearch. */
  reviewBy?: string;
}

export interface TierExplanationData {
  tier: Tier;
  /** Present since the Workflows migration; absent in older stored explanations. */
  computedTier?: Tier;
  override?: TierOverrideData | null;
  categories: IndicatorCategory[];
  indicators: { code: string; category: IndicatorCategory; nameZh: string; nameEn: string }[];
  disputeIds: string[];
  assessmentId: string | null;
  catalogVersion: number | null;
  computedAt: string;
}

@ObjectType({ description: '适用的识别要素 / An indicator that applies' })
export class AppliedIndicator {
  @Field({ description: '编码 / Code' })
  code: string;

  @Field(() => IndicatorCategory, { description: '类别 / Category' })
  category: IndicatorCategory;

  @Field({ description: '中文名称 / Chinese name' })
  nameZh: string;

  @Field({ description: 'English name' })
  nameEn: string;
}

@ObjectType({ description: '人工变更 / An approved tier override in effect' })
export class TierOverride {
  @Field(() => ID, { nullable: true, description: '变更申请 / The request' })
  requestId: string;

  @Field(() => Tier, { description: '变更后级别 / Tier in effect' })
  tier: Tier;

  @Field(() => String, { nullable: true, description: '理由 / Reason' })
  reason: string;

  @Field(() => ID, { description: '申请人 / Requested by' })
  requestedById: string;

  @Field(() => ID, { description: '批准人 / Approved by' })
  decidedById: string;

  @Field({ description: '批准时间 / Approved at' })
  decidedAt: Date;
}

@ObjectType({ description: '预警级别说明 / Why the person has this tier' })
export class TierExplanation {
  @Field(() => Tier, { description: '预警级别 / Tier' })
  tier: Tier;

  @Field(() => Tier, { description: '按规则计算的级别 / Tier the rule computes, before any override' })
  computedTier: Tier;

  @Field(() => TierOverride, {
    nullable: true,
    description: '生效中的人工变更 / Approved override in effect',
  })
  override: TierOverride | null;

  @Field(() => [IndicatorCategory], { description: '适用的要素类别 / Element categories that apply' })
  categories: IndicatorCategory[];

  @Field(() => [AppliedIndicator], {
    nullable: true,
    description: '最近一次评估中适用的要素 / Indicators of the latest assessment (sensitive, audited)',
  })
  indicators: AppliedIndicator[];

  @Field(() => [ID], {
    description:
      '未结的矛盾纠纷（您范围内的） / Open disputes that make EVENT apply, those within your scope',
  })
  disputeIds: string[];

  @Field(() => Int, {
    description: '其他不在您范围内的纠纷数 / Disputes outside your scope that also count',
  })
  otherDisputeCount: number;

  @Field(() => ID, { nullable: true, description: '依据的评估 / The assessment used' })
  assessmentId: string | null;

  @Field(() => Int, { nullable: true, description: '要素目录版本 / Indicator catalog version' })
  catalogVersion: number | null;

  @Field({ description: '计算时间 / When the tier was computed' })
  computedAt: Date;

  @Field({ description: '说明 / A sentence a person can read' })
  summary: string;
}
