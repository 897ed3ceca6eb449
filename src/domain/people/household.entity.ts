// A household (户): "one file per household" — address, grid and its member persons.
import { Field, ID, Int, ObjectType } from 'type-graphql';
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

@ObjectType({ description: '户 / Household' })
@Entity('households')
export class Household {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => String, {
    description: '住址 / Address (sensitive; may be masked to village level)',
  })
  @Column('text')
  address: string;

  @Index()
  @Column('uuid')
  gridId: string;

  @Field(() => Int, { description: '版本 / Version, for expectedVersion on updates' })
  @VersionColumn()
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: '更新时间 / When the record last changed' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
