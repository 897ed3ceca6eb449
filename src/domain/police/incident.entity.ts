// An extreme-violence incident (民转刑极端暴力案件), a police record kind: POLICE record what happened,
// where, to how many, and which persons and disputes it grew out of; its case review (一案一倒查,
// src/domain/accountability/) reads backwards from those links. Who reads it: policy.ts.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bilingualEnum } from '../../graphql/enums';

export enum IncidentKind {
  HOMICIDE = 'HOMICIDE',
  ASSAULT = 'ASSAULT',
  ARSON = 'ARSON',
  POISONING = 'POISONING',
  EXPLOSION = 'EXPLOSION',
  OTHER_VIOLENCE = 'OTHER_VIOLENCE',
}
bilingualEnum(IncidentKind, 'IncidentKind', '案件类型 / Kind of extreme-violence incident', {
  HOMICIDE: '杀人 / Homicide',
  ASSAULT: '伤害 / Assault causing injury',
  ARSON: '纵火 / Arson',
  POISONING: '投毒 / Poisoning',
  EXPLOSION: '爆炸 / Explosion',
  OTHER_VIOLENCE: '其他暴力 / Other violence',
});

@ObjectType({ description: '民转刑极端暴力案件 / Extreme-violence incident (a police record: POLICE only)' })
@Entity('incidents')
export class Incident {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => ID, { description: '网格 / Grid where it happened' })
  @Column('uuid')
  gridId: string;

  @Field({ description: '发生时间 / When it happened' })
  @Column('timestamptz')
  occurredAt: Date;

  @Field({ description: '地点 / Place' })
  @Column('text')
  place: string;

  @Field(() => IncidentKind)
  @Column('text')
  kind: IncidentKind;

  @Field(() => Int, { description: '死亡人数 / Deaths' })
  @Column('integer')
  deaths: number;

  @Field(() => Int, { description: '受伤人数 / Injured' })
  @Column('integer')
  injuries: number;

  @Field({ description: '案情摘要 / Summary' })
  @Column('text')
  summary: string;

  @Column('uuid')
  recordedById: string;

  @Field({ description: '录入时间 / Recorded at' })
  @Column('timestamptz', { default: () => 'now()' })
  recordedAt: Date;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** The linked persons and disputes (incident_persons, incident_disputes), set by the service. */
  personIds: string[];

  disputeIds: string[];
}
