// GraphQL inputs and payloads of the hazardous-goods area.
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEnum,
  IsPositive,
  IsUUID,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import {
  IdempotencyKey,
  IsNationalIdNumber,
  NAME_MAX,
  SHORT_TEXT_MAX,
  UUID_MESSAGE,
} from '../../graphql/validation';
import { HazardActivity, HazardBusiness, HazardSale } from './hazard.entity';
import { LICENSE_NUMBER_NOT_ACCEPTED } from './rules';

/**
 * A well-formed licence number. Every refusal gives one message, the one a number already on record
 * gets too (hazard.service.ts): a refusal never tells whether a business elsewhere holds it (SPEC §4).
 */
const IsRegistrableLicenseNumber = () =>
  ValidateBy({
    name: 'isRegistrableLicenseNumber',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^[A-Za-z0-9()（）-]{4,64}$/.test(value),
      defaultMessage: () => LICENSE_NUMBER_NOT_ACCEPTED,
    },
  });

@InputType({ description: '登记经营单位 / Register a hazardous-goods business' })
export class RegisterHazardBusinessInput {
  @Field()
  @Matches(/\S/, { message: 'name must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  name: string;

  @Field()
  @IsRegistrableLicenseNumber()
  licenseNumber: string;

  @Field(() => [HazardActivity])
  @ArrayMinSize(1)
  @IsEnum(HazardActivity, { each: true })
  activities: HazardActivity[];

  @Field()
  @Matches(/\S/, { message: 'goods must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  goods: string;

  @Field()
  @Matches(/\S/, { message: 'address must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  address: string;

  @Field(() => ID)
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '一条实名销售 / One real-name sale' })
export class HazardSaleInput {
  @Field()
  @Matches(/^\S{1,64}$/, { message: 'receiptNumber must be 1–64 characters without spaces' })
  receiptNumber: string;

  @Field()
  @Matches(/\S/, { message: 'buyerName must not be empty' })
  @MaxLength(NAME_MAX)
  buyerName: string;

  @Field()
  @IsNationalIdNumber()
  buyerIdNumber: string;

  @Field()
  @Matches(/\S/, { message: 'item must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  item: string;

  @Field(() => Float)
  @IsPositive()
  quantity: number;

  @Field()
  @Matches(/\S/, { message: 'unit must not be empty' })
  @MaxLength(20)
  unit: string;

  @Field()
  soldAt: Date;
}

@InputType({
  description: '录入销售记录（按单位+票据号幂等） / Record sales; idempotent per business and receipt number',
})
export class RecordHazardSalesInput {
  @Field(() => ID)
  @IsUUID('all', { message: `businessId ${UUID_MESSAGE}` })
  businessId: string;

  @Field(() => [HazardSaleInput])
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  sales: HazardSaleInput[];
}

export enum SalesDocumentFormat {
  CSV = 'CSV',
  JSON = 'JSON',
}
bilingualEnum(SalesDocumentFormat, 'SalesDocumentFormat', '销售记录文件格式 / Format of a sales document', {
  CSV: 'CSV，表头 receiptNumber,buyerName,buyerIdNumber,item,quantity,unit,soldAt / CSV with that header row',
  JSON: 'JSON 数组，每项一条销售 / A JSON array of sales',
});

@InputType({ description: '批量导入销售记录 / Import sales from a CSV or JSON document' })
export class ImportHazardSalesInput {
  @Field(() => ID)
  @IsUUID('all', { message: `businessId ${UUID_MESSAGE}` })
  businessId: string;

  @Field(() => SalesDocumentFormat, { description: '文件格式 / Format of the document' })
  @IsEnum(SalesDocumentFormat)
  format: SalesDocumentFormat;

  @Field({ description: '文件内容 / The document' })
  @MaxLength(2_000_000)
  content: string;
}

@ObjectType()
export class HazardBusinessPayload {
  @Field(() => HazardBusiness, { nullable: true })
  business: HazardBusiness | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({
  description:
    '录入结果 / What an import or recording did. It says nothing of whether a buyer matched a managed person: only POLICE learn that, by alert (SPEC §4, no oracles)',
})
export class HazardSalesPayload {
  @Field(() => Int, { description: '新增 / Sales added' })
  added: number;

  @Field(() => Int, {
    description:
      '跳过 / Skipped: the receipt number is already on this business’s register, or repeats in the document',
  })
  skipped: number;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const HazardBusinessConnection = ConnectionType(
  HazardBusiness,
  'HazardBusiness',
  '危险物品经营单位 / Hazardous-goods businesses, newest first',
);

export const HazardSaleConnection = ConnectionType(
  HazardSale,
  'HazardSale',
  '实名销售记录 / Real-name sales of a business, newest first',
);
