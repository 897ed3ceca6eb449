// The indicator catalog (识别要素), versioned reference data: an assessment names its catalog version.
import { Field, Int, ObjectType } from 'type-graphql';
import { Reads } from '../../graphql/reads';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { IndicatorCategory } from './risk.enums';

@ObjectType({ description: '识别要素 / Indicator of the catalog' })
@Entity('indicators')
export class Indicator {
  @Field(() => Int, { description: '目录版本 / Catalog version' })
  @PrimaryColumn('int')
  catalogVersion: number;

  @Field({ description: '编码 / Code' })
  @PrimaryColumn('text')
  code: string;

  @Field(() => IndicatorCategory, { description: '类别 / Category (CHARACTER or BEHAVIOR)' })
  @Column('text')
  category: IndicatorCategory;

  @Field({ description: '中文名称 / Chinese name' })
  @Column('text')
  nameZh: string;

  @Field({ description: 'English name' })
  @Column('text')
  nameEn: string;
}

@ObjectType({ description: '识别要素目录版本 / A version of the indicator catalog' })
@Entity('indicator_catalog_versions')
export class IndicatorCatalogVersion {
  @Field(() => Int, { description: '版本 / Version' })
  @PrimaryColumn('int')
  version: number;

  @Field({ description: '发布时间 / Published at' })
  @Column('timestamptz', { default: () => 'now()' })
  publishedAt: Date;

  @Field({ description: '是否现行 / Whether new assessments use this version' })
  @Column('boolean', { default: false })
  current: boolean;

  @Field({ description: '发布说明 / What changed in this version and why' })
  @Column('text', { default: '' })
  notes: string;

  /** The ADMIN who published it through the API; null for a version loaded from the file at start. */
  @Column('uuid', { nullable: true })
  publishedById: string | null;

  /** Filled in by the service, not read from this row. */
  @Field(() => [Indicator], { description: '要素 / Indicators of this version' })
  @Reads()
  indicators?: Indicator[];
}
