// The staff directory (issue 22 item 6): who a UI may show and choose as an assignee — name,
// department, position and jurisdiction of a staff account, nothing else (no username, no sign-in or
// second-factor state, no capabilities: those stay on `User`, which only ADMIN lists).
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { DepartmentCode, Position } from './organisation.enums';

@ObjectType({
  description:
    '工作人员 / A staff member as the directory shows one: name, department, position and jurisdiction, no personal or sign-in data',
})
export class StaffMember {
  @Field(() => ID)
  id: string;

  @Field({ description: '姓名 / Display name' })
  displayName: string;

  @Field(() => DepartmentCode, { description: '部门编码 / Department code' })
  departmentCode: string;

  @Field(() => Position, { description: '职务 / Position' })
  position: Position;

  @Field(() => ID, { description: '所属辖区 / The jurisdiction node the staff member works at' })
  jurisdictionId: string;
}

/** The columns of `users` the directory reads: the password hash and sign-in state are never selected. */
export const STAFF_MEMBER_COLUMNS = [
  'id',
  'displayName',
  'departmentCode',
  'position',
  'jurisdictionId',
] as const;

@InputType({ description: '工作人员筛选 / Filter the staff directory' })
export class StaffFilter {
  @Field(() => DepartmentCode, { nullable: true, description: '部门编码 / Department code' })
  departmentCode?: string | null;

  @Field(() => Position, { nullable: true, description: '职务 / Position' })
  position?: Position | null;

  @Field(() => ID, {
    nullable: true,
    description: '辖区（含下级） / Working in the subtree of this node (one of `jurisdictions`)',
  })
  jurisdictionId?: string | null;

  @Field(() => String, { nullable: true, description: '姓名包含 / Display name contains' })
  nameContains?: string | null;
}

export const StaffMemberConnection = ConnectionType(
  StaffMember,
  'StaffMember',
  '工作人员名录 / Staff directory within your branch of the jurisdiction tree',
);
