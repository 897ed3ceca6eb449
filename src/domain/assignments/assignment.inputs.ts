// GraphQL inputs, filters and payloads of the responsibility area.
import { ArrayMaxSize, IsEnum, IsInt, IsOptional, IsUUID, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Person } from '../people/person.entity';
import { ConnectionType, OrderByInput } from '../../graphql/connection';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { Assignment, FollowUp } from './assignment.entity';
import { FollowUpMethod } from './assignments.enums';
import { DepartmentCode } from '../organisation/organisation.enums';

@InputType({ description: '落实包干责任 / Assign responsibility for a person or an escalated dispute' })
export class AssignInput {
  @Field(() => ID, { nullable: true, description: '管控对象（与 disputeId 二选一） / Person (or disputeId)' })
  @IsOptional()
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId?: string | null;

  @Field(() => ID, { nullable: true, description: '纠纷（与 personId 二选一） / Dispute (or personId)' })
  @IsOptional()
  @IsUUID('all', { message: `disputeId ${UUID_MESSAGE}` })
  disputeId?: string | null;

  @Field(() => ID, { nullable: true, description: '包干领导 / Lead leader (a user)' })
  @IsOptional()
  @IsUUID('all', { message: `leadLeaderId ${UUID_MESSAGE}` })
  leadLeaderId?: string | null;

  @Field(() => DepartmentCode, { description: '责任部门编码 / Responsible department code' })
  responsibleDepartmentCode: string;

  @Field(() => ID, { description: '责任人 / Responsible person (a user)' })
  @IsUUID('all', { message: `responsiblePersonId ${UUID_MESSAGE}` })
  responsiblePersonId: string;

  @Field(() => [ID], { defaultValue: [], description: '专班成员 / Team members (users)' })
  @ArrayMaxSize(30)
  @IsUUID('all', { each: true, message: `teamMemberIds ${UUID_MESSAGE}` })
  teamMemberIds: string[];

  @Field({ defaultValue: '', description: '管控措施 / Measures' })
  @MaxLength(TEXT_MAX)
  measures: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '记录跟踪走访 / Record a follow-up' })
export class RecordFollowUpInput {
  @Field(() => ID, { description: '人员 / Person' })
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field(() => FollowUpMethod, { description: '方式 / Method' })
  @IsEnum(FollowUpMethod)
  method: FollowUpMethod;

  @Field(() => Date, { nullable: true, description: '走访时间（默认现在） / When (default now)' })
  @IsOptional()
  occurredAt?: Date | null;

  @Field({ defaultValue: '', description: '记录 / Notes' })
  @MaxLength(TEXT_MAX)
  notes: string;

  @Field({ defaultValue: '', description: '动态变化 / Observed change' })
  @MaxLength(TEXT_MAX)
  observedChange: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

export enum AssignmentSortField {
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
bilingualEnum(
  AssignmentSortField,
  'AssignmentSortField',
  '包干责任排序字段 / What an assignments list is sorted by',
  {
    CREATED_AT: '落实时间 / Assigned at',
    UPDATED_AT: '更新时间 / Last changed at',
  },
);

export const AssignmentOrder = OrderByInput(
  AssignmentSortField,
  'Assignment',
  '包干责任排序 / How an assignments list is sorted: only by fields you read',
);
export type AssignmentOrder = InstanceType<typeof AssignmentOrder>;

@InputType({ description: '包干责任筛选 / Filter assignments' })
export class AssignmentFilter {
  @Field(() => ID, { nullable: true })
  personId?: string | null;

  @Field(() => ID, { nullable: true, description: '责任人 / Responsible person' })
  responsiblePersonId?: string | null;

  @Field(() => Boolean, { nullable: true, description: '仅未签字背书 / Only those not yet acknowledged' })
  unacknowledged?: boolean | null;

  @Field(() => ID, { nullable: true, description: '包干领导 / Lead leader' })
  leadLeaderId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: '系统建议的默认专班（待落实） / Only the teams proposed when a tier rose, not yet adopted',
  })
  proposed?: boolean | null;
}

@ObjectType()
export class AssignPayload {
  @Field(() => Assignment, { nullable: true })
  assignment: Assignment | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class RecordFollowUpPayload {
  @Field(() => FollowUp, { nullable: true })
  followUp: FollowUp | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const AssignmentConnection = ConnectionType(Assignment, 'Assignment', '包干责任列表 / Assignments');

@InputType({ description: '签字背书 / The responsible person acknowledges an assignment' })
export class AcknowledgeAssignmentInput {
  @Field(() => ID)
  @IsUUID('all', { message: `assignmentId ${UUID_MESSAGE}` })
  assignmentId: string;

  @Field(() => Int, { description: '读取时的版本 / The version you read' })
  @IsInt()
  @Min(1)
  expectedVersion: number;
}

@ObjectType()
export class AcknowledgeAssignmentPayload {
  @Field(() => Assignment, { nullable: true })
  assignment: Assignment | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({ description: '逾期未跟踪 / A person whose follow-up is overdue for their tier' })
export class OverdueFollowUp {
  @Field(() => Person)
  person: Person;

  @Field(() => Date, { nullable: true, description: '最近一次跟踪 / Last follow-up (null: none yet)' })
  lastFollowUpAt: Date | null;

  @Field({ description: '应跟踪时间 / When the next follow-up was due' })
  dueAt: Date;

  @Field(() => Int, { description: '逾期天数 / Whole days overdue' })
  daysOverdue: number;
}

export const OverdueFollowUpConnection = ConnectionType(
  OverdueFollowUp,
  'OverdueFollowUp',
  '逾期未跟踪 / Overdue follow-ups, most overdue first',
);
