// GraphQL inputs, filters and payloads of the responsibility area.
import { ArrayMaxSize, IsEnum, IsOptional, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../../graphql/connection';
import { UserError } from '../../graphql/errors';
import { SHORT_TEXT_MAX, TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { Assignment, FollowUp } from './assignment.entity';
import { FollowUpMethod } from './assignments.enums';

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

  @Field({ description: '责任部门编码 / Responsible department code' })
  @Matches(/^[A-Z_]{1,64}$/, { message: 'responsibleDepartmentCode must be a department code' })
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

  @Field(() => String, { nullable: true, description: '幂等键 / Idempotency key' })
  @IsOptional()
  @MinLength(1)
  @MaxLength(SHORT_TEXT_MAX)
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

  @Field(() => String, { nullable: true, description: '幂等键 / Idempotency key' })
  @IsOptional()
  @MinLength(1)
  @MaxLength(SHORT_TEXT_MAX)
  idempotencyKey?: string | null;
}

@InputType({ description: '包干责任筛选 / Filter assignments' })
export class AssignmentFilter {
  @Field(() => ID, { nullable: true })
  personId?: string | null;

  @Field(() => ID, { nullable: true, description: '责任人 / Responsible person' })
  responsiblePersonId?: string | null;

  @Field(() => Boolean, { nullable: true, description: '仅未签字背书 / Only those not yet acknowledged' })
  unacknowledged?: boolean | null;
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
