// A dispute (矛盾纠纷) and its parties. Category and source route it to departments (reference data).
import { Field, ID, Int, ObjectType } from 'type-graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  VersionColumn,
} from 'typeorm';
import { DisputeCategory, DisputeLevel, DisputeSource, DisputeStatus, PartyRole } from './disputes.enums';

@ObjectType({ description: '矛盾纠纷 / Dispute' })
@Entity('disputes')
@Index(['gridId', 'status'])
export class Dispute {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => DisputeCategory, { description: '类别 / Category' })
  @Index()
  @Column('text')
  category: DisputeCategory;

  @Field(() => String, { nullable: true, description: '简要情况 / Description' })
  @Column('text')
  description: string;

  @Field(() => DisputeSource, { description: '来源渠道 / Source' })
  @Column('text')
  source: DisputeSource;

  @Field(() => DisputeStatus, { description: '办理状态 / Status' })
  @Index()
  @Column('text', { default: DisputeStatus.REPORTED })
  status: DisputeStatus;

  @Field(() => DisputeLevel, { description: '化解层级 / Level' })
  @Column('text', { default: DisputeLevel.GRID })
  level: DisputeLevel;

  @Index()
  @Column('uuid')
  gridId: string;

  @Field(() => ID, { nullable: true, description: '登记人 / Reported by' })
  @Column('uuid')
  reportedById: string;

  @Field({ description: '登记时间 / Reported at' })
  @Column('timestamptz')
  reportedAt: Date;

  @Field(() => Date, { nullable: true, description: '办结时间 / Closed at' })
  @Column('timestamptz', { nullable: true })
  closedAt: Date | null;

  @Field(() => Int, { description: '版本 / Version, for expectedVersion on updates' })
  @VersionColumn()
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

@ObjectType({ description: '当事人 / Party to a dispute' })
@Entity('dispute_parties')
export class DisputeParty {
  @Field(() => ID, { description: '纠纷 / Dispute' })
  @PrimaryColumn('uuid')
  disputeId: string;

  @Field(() => ID, { description: '人员 / Person' })
  @Index()
  @PrimaryColumn('uuid')
  personId: string;

  @Field(() => PartyRole, { description: '角色 / Role' })
  @Column('text')
  role: PartyRole;
}

/** Routing of a dispute to departments by its category or its source (reference data). */
@Entity('dispute_routes')
export class DisputeRoute {
  @PrimaryColumn('text')
  matchKind: 'CATEGORY' | 'SOURCE';

  @PrimaryColumn('text')
  matchValue: string;

  @PrimaryColumn('text')
  departmentCode: string;
}
