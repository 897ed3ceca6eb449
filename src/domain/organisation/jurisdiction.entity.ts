// A node of the jurisdiction tree 市 > 街道 > 村/社区 > 网格. `path` (codes joined by '.') makes a
// subtree one indexed prefix match, which is how row scope is expressed in SQL.
import { Field, ID, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { JurisdictionLevel } from './organisation.enums';

@ObjectType({ description: '辖区 / Jurisdiction: a node of the tree city > street > village > grid' })
@Entity('jurisdictions')
export class Jurisdiction {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: '编码 / Code, unique' })
  @Column('text', { unique: true })
  code: string;

  @Field({ description: '名称 / Chinese name' })
  @Column('text')
  name: string;

  @Field(() => JurisdictionLevel, { description: '层级 / Level' })
  @Column('text')
  level: JurisdictionLevel;

  @Field(() => ID, { nullable: true, description: '上级辖区 / Parent node (null for the city)' })
  @Column('uuid', { nullable: true })
  parentId: string | null;

  @Index()
  @Column('text')
  path: string;
}
