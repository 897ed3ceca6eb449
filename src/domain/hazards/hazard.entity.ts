// Hazardous goods (有毒有害易燃易爆物品): the register of businesses that make, store, transport or sell
// them, and the real-name sales register those businesses keep. The register stays with its
// departments; a sale to an ORANGE or RED person alerts POLICE.
import { Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bilingualEnum } from '../../graphql/enums';

export enum HazardActivity {
  MAKE = 'MAKE',
  STORE = 'STORE',
  TRANSPORT = 'TRANSPORT',
  SELL = 'SELL',
}
bilingualEnum(HazardActivity, 'HazardActivity', '经营环节 / What the business does with hazardous goods', {
  MAKE: '生产 / Makes',
  STORE: '储存 / Stores',
  TRANSPORT: '运输 / Transports',
  SELL: '销售 / Sells',
});

@ObjectType({ description: '危险物品经营单位 / Hazardous-goods business' })
@Entity('hazard_businesses')
export class HazardBusiness {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: '名称 / Name' })
  @Column('text')
  name: string;

  @Field({ description: '许可证号 / Licence number' })
  @Column('text', { unique: true })
  licenseNumber: string;

  @Field(() => [HazardActivity])
  @Column('text', { array: true })
  activities: HazardActivity[];

  @Field({ description: '经营品类 / Goods, e.g. 汽油、农药' })
  @Column('text')
  goods: string;

  @Field({ description: '地址 / Address' })
  @Column('text')
  address: string;

  @Column('uuid')
  gridId: string;

  @Column('uuid')
  createdById: string;

  @Field({ description: '登记时间 / Registered at' })
  @Column('timestamptz', { default: () => "date_trunc('milliseconds', now())" })
  createdAt: Date;
}

@ObjectType({ description: '实名销售记录 / Real-name sale' })
@Entity('hazard_sales')
export class HazardSale {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID)
  @Column('uuid')
  businessId: string;

  @Field({ description: '票据号 / Receipt number, unique per business' })
  @Column('text')
  receiptNumber: string;

  @Field(() => String, { description: '购买人 / Buyer name' })
  @Column('text')
  buyerName: string;

  @Field(() => String, {
    description: '购买人身份证号 / Buyer ID number (sensitive, audited)',
  })
  @Column('text')
  buyerIdNumber: string;

  @Field({ description: '物品 / Item' })
  @Column('text')
  item: string;

  @Field(() => Float, { description: '数量 / Quantity' })
  @Column('numeric', {
    transformer: { to: (value: number) => value, from: (value: string) => Number(value) },
  })
  quantity: number;

  @Field({ description: '单位 / Unit' })
  @Column('text')
  unit: string;

  @Field({ description: '销售时间 / Sold at' })
  @Column('timestamptz')
  soldAt: Date;

  @Column('uuid')
  recordedById: string;
}
