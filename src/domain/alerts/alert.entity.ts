// Alerts (异常苗头预警): raised on a person (or by an injury report or a hazardous purchase), routed to
// recipients by the person's tier; each recipient acknowledges. Injury reports (警医联动) live here too.
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bilingualEnum } from '../../graphql/enums';
import { Tier } from '../risk/risk.enums';

export enum AlertKind {
  ANOMALY = 'ANOMALY',
  INJURY_REPORT = 'INJURY_REPORT',
  HAZARDOUS_PURCHASE = 'HAZARDOUS_PURCHASE',
}
bilingualEnum(AlertKind, 'AlertKind', '预警来源 / What raised the alert', {
  ANOMALY: '异常苗头 / An anomaly observed on a person',
  INJURY_REPORT: '警医联动 / An injury report from a health facility',
  HAZARDOUS_PURCHASE: '危险物品购买 / An ORANGE or RED person bought hazardous goods',
});

export enum InjuryCause {
  KNIFE = 'KNIFE',
  FIREARM = 'FIREARM',
  EXPLOSIVE = 'EXPLOSIVE',
  POISON = 'POISON',
  DOMESTIC_VIOLENCE = 'DOMESTIC_VIOLENCE',
}
bilingualEnum(InjuryCause, 'InjuryCause', '致伤原因 / Cause of the injury', {
  KNIFE: '刀伤 / Knife',
  FIREARM: '枪伤 / Firearm',
  EXPLOSIVE: '爆炸 / Explosive',
  POISON: '中毒 / Poisoning',
  DOMESTIC_VIOLENCE: '家庭暴力 / Domestic violence',
});

@ObjectType({ description: '预警 / Alert' })
@Entity('alerts')
export class Alert {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { nullable: true })
  @Column('uuid', { nullable: true })
  personId: string | null;

  @Field(() => AlertKind)
  @Column('text')
  kind: AlertKind;

  @Field(() => String, { description: '情况 / Description' })
  @Column('text')
  description: string;

  @Field(() => Tier, { description: '预警时级别 / Tier when raised' })
  @Column('text')
  tierAtRaise: Tier;

  @Field({ description: '时间 / Raised at' })
  @Column('timestamptz')
  raisedAt: Date;

  @Column('uuid', { nullable: true })
  raisedById: string | null;

  @Column('uuid', { nullable: true })
  gridId: string | null;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@Entity('alert_recipients')
export class AlertRecipient {
  @PrimaryColumn('uuid')
  alertId: string;

  @PrimaryColumn('uuid')
  userId: string;

  @Column('timestamptz', { nullable: true })
  acknowledgedAt: Date | null;
}

@ObjectType({ description: '警医联动报告 / Injury report from a health facility' })
@Entity('injury_reports')
export class InjuryReport {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: '医疗机构 / Facility' })
  @Column('text')
  facility: string;

  @Field(() => InjuryCause)
  @Column('text')
  cause: InjuryCause;

  @Field(() => String, { description: '情况 / Description' })
  @Column('text')
  description: string;

  @Field(() => ID, {
    nullable: true,
    description: '伤者 / Injured person; null when none is linked or the person is outside your scope',
  })
  @Column('uuid', { nullable: true })
  injuredPersonId: string | null;

  @Field(() => ID, {
    nullable: true,
    description: '嫌疑人 / Suspected person; null when none is linked or the person is outside your scope',
  })
  @Column('uuid', { nullable: true })
  suspectPersonId: string | null;

  @Column('uuid')
  gridId: string;

  @Field({ description: '报告时间 / Reported at' })
  @Column('timestamptz')
  reportedAt: Date;

  @Column('uuid')
  reportedById: string;

  @Field(() => ID, { nullable: true, description: '推送给派出所的预警 / Alert sent to POLICE' })
  @Column('uuid', { nullable: true })
  alertId: string | null;
}
