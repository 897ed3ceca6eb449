// GraphQL inputs and payloads for publishing a version of the indicator catalog (ADMIN, per policy.ts).
import { ArrayMaxSize, IsIn, IsInt, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/errors';
import { CATALOG_MAX_ENTRIES, CATALOG_NAME_MAX } from './catalog-rules';
import { IndicatorCatalogVersion } from './indicator.entity';
import { IndicatorCategory } from './risk.enums';

@InputType({ description: '目录中的一个要素 / One indicator of a catalog version' })
export class CatalogIndicatorInput {
  @Field({ description: '编码 / Code, e.g. VOLATILE_TEMPER; a code keeps its category across versions' })
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, {
    message: 'code must be capital letters, digits and _, such as VOLATILE_TEMPER',
  })
  code: string;

  @Field(() => IndicatorCategory, { description: '类别：CHARACTER 或 BEHAVIOR / CHARACTER or BEHAVIOR' })
  @IsIn(Object.values(IndicatorCategory))
  category: IndicatorCategory;

  @Field({ description: '中文名称 / Chinese name' })
  @Matches(/\S/, { message: 'nameZh must not be empty' })
  @MaxLength(CATALOG_NAME_MAX)
  nameZh: string;

  @Field({ description: 'English name' })
  @Matches(/\S/, { message: 'nameEn must not be empty' })
  @MaxLength(CATALOG_NAME_MAX * 2)
  nameEn: string;
}

@InputType({
  description:
    '发布识别要素目录新版本 / Publish a new version of the indicator catalog: new assessments use it at once; earlier assessments keep theirs',
})
export class PublishIndicatorCatalogInput {
  @Field(() => [CatalogIndicatorInput], {
    description: '新版本的全部要素 / Every indicator of the new version',
  })
  @ArrayMaxSize(CATALOG_MAX_ENTRIES)
  @ValidateNested({ each: true })
  indicators: CatalogIndicatorInput[];

  @Field(() => Int, {
    description:
      '发布前的现行版本 / The version current when this one was prepared (a later one is a CONFLICT)',
  })
  @IsInt()
  @Min(1)
  expectedCurrentVersion: number;

  @Field({ description: '发布说明 / What changed and why, for the record and the audit trail' })
  @Matches(/\S/, { message: 'notes must not be empty' })
  @MaxLength(2000)
  notes: string;
}

@ObjectType()
export class PublishIndicatorCatalogPayload {
  @Field(() => IndicatorCatalogVersion, {
    nullable: true,
    description: '新发布的版本 / The version published',
  })
  catalog: IndicatorCatalogVersion | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}
