// A department (部门): reference data loaded by the reference-data loader, never hard-coded.
import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DepartmentCode } from './organisation.enums';

@ObjectType({ description: '部门 / Department' })
@Entity('departments')
export class Department {
  @Field(() => DepartmentCode, { description: '编码 / Code' })
  @PrimaryColumn('text')
  code: string;

  @Field({ description: '中文名称 / Chinese name' })
  @Column('text')
  nameZh: string;

  @Field({ description: 'English name' })
  @Column('text')
  nameEn: string;

  @Field({ description: '职责 / What the department is responsible for' })
  @Column('text')
  responsibilities: string;
}
