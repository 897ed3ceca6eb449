// GraphQL inputs, filters and payloads of the disputes area.
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEnum,
  IsInt,
  IsOptional,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType, OrderByInput } from '../../graphql/connection';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, SHORT_TEXT_MAX, TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { FollowUpMethod } from '../assignments/assignments.enums';
import { Dispute, MediationSession, ReturnVisit } from './dispute.entity';
import {
  DisputeCategory,
  DisputeLevel,
  DisputeSource,
  DisputeStatus,
  MediationOutcome,
  PartyRole,
  StreetVenue,
} from './disputes.enums';

@InputType({ description: '当事人 / A party to register with the dispute' })
export class DisputePartyInput {
  @Field(() => ID, { description: '人员 / Person' })
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field(() => PartyRole, { description: '角色 / Role' })
  @IsEnum(PartyRole)
  role: PartyRole;
}

@InputType({ description: '登记矛盾纠纷 / Register a dispute with its parties' })
export class RegisterDisputeInput {
  @Field(() => DisputeCategory, { description: '类别 / Category' })
  @IsEnum(DisputeCategory)
  category: DisputeCategory;

  @Field({ description: '简要情况 / Description' })
  @Matches(/\S/, { message: 'description must not be empty' })
  @MaxLength(TEXT_MAX)
  description: string;

  @Field(() => DisputeSource, { description: '来源渠道 / Source' })
  @IsEnum(DisputeSource)
  source: DisputeSource;

  @Field(() => ID, { description: '所属网格 / Grid' })
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @Field(() => Date, {
    nullable: true,
    description: '发现时间（默认现在） / When it was reported (default now)',
  })
  @IsOptional()
  reportedAt?: Date | null;

  @Field(() => [DisputePartyInput], { description: '当事人（至少一人） / Parties, at least one' })
  @ArrayMinSize(1, { message: 'a dispute needs at least one party' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  parties: DisputePartyInput[];

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '变更办理状态 / Move a dispute to its next status' })
export class ChangeDisputeStatusInput {
  @Field(() => ID)
  @IsUUID('all', { message: `disputeId ${UUID_MESSAGE}` })
  disputeId: string;

  @Field(() => DisputeStatus, { description: '目标状态 / Status to move to' })
  @IsEnum(DisputeStatus)
  status: DisputeStatus;

  @Field(() => Int, { description: '读取时的版本 / The version you read' })
  @IsInt()
  @Min(1)
  expectedVersion: number;

  @Field(() => String, { nullable: true, description: '说明 / Note' })
  @IsOptional()
  @MaxLength(TEXT_MAX)
  note?: string | null;
}

@InputType({ description: '纠纷筛选 / Filter disputes' })
export class DisputeFilter {
  @Field(() => [DisputeCategory], { nullable: true })
  categories?: DisputeCategory[] | null;

  @Field(() => [DisputeStatus], { nullable: true })
  statuses?: DisputeStatus[] | null;

  @Field(() => ID, { nullable: true, description: '网格或其上级辖区 / In the subtree of this node' })
  jurisdictionId?: string | null;

  @Field(() => [DisputeLevel], { nullable: true, description: '化解层级 / At any of these levels' })
  levels?: DisputeLevel[] | null;

  @Field(() => [DisputeSource], { nullable: true, description: '来源渠道 / From any of these sources' })
  sources?: DisputeSource[] | null;

  @Field(() => Date, { nullable: true, description: '登记时间起（含） / Reported at or after' })
  reportedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: '登记时间止（不含） / Reported before' })
  reportedBefore?: Date | null;

  @Field(() => String, { nullable: true, description: '简要情况包含 / Description contains this text' })
  text?: string | null;
}

export enum DisputeSortField {
  REPORTED_AT = 'REPORTED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
bilingualEnum(DisputeSortField, 'DisputeSortField', '纠纷列表排序字段 / What a disputes list is sorted by', {
  REPORTED_AT: '登记时间 / Reported at',
  UPDATED_AT: '更新时间 / Last changed at',
});

export const DisputeOrder = OrderByInput(
  DisputeSortField,
  'Dispute',
  '纠纷列表排序 / How a disputes list is sorted: only by fields you read',
);
export type DisputeOrder = InstanceType<typeof DisputeOrder>;

@ObjectType()
export class RegisterDisputePayload {
  @Field(() => Dispute, { nullable: true })
  dispute: Dispute | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class ChangeDisputeStatusPayload {
  @Field(() => Dispute, { nullable: true })
  dispute: Dispute | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const DisputeConnection = ConnectionType(Dispute, 'Dispute', '矛盾纠纷列表 / Disputes');

@InputType({ description: '升级 / Escalate a dispute one level up the ladder, with the reason' })
export class EscalateDisputeInput {
  @Field(() => ID)
  @IsUUID('all', { message: `disputeId ${UUID_MESSAGE}` })
  disputeId: string;

  @Field(() => Int, { description: '读取时的版本 / The version you read' })
  @IsInt()
  @Min(1)
  expectedVersion: number;

  @Field({ description: '理由 / Why it cannot be settled at this level' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(TEXT_MAX)
  reason: string;

  @Field(() => StreetVenue, {
    nullable: true,
    description: '街道层级场所（升至街道时必填） / Venue, required when escalating to STREET',
  })
  @IsOptional()
  @IsEnum(StreetVenue)
  venue?: StreetVenue | null;
}

@InputType({ description: '记录调解 / Record a mediation session' })
export class RecordMediationSessionInput {
  @Field(() => ID)
  @IsUUID('all', { message: `disputeId ${UUID_MESSAGE}` })
  disputeId: string;

  @Field(() => Date, { nullable: true, description: '调解时间（默认现在） / When (default now)' })
  @IsOptional()
  heldAt?: Date | null;

  @Field({ description: '场所 / Venue' })
  @Matches(/\S/, { message: 'venue must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  venue: string;

  @Field({ description: '调解员 / Mediator' })
  @Matches(/\S/, { message: 'mediatorName must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  mediatorName: string;

  @Field(() => MediationOutcome)
  @IsEnum(MediationOutcome)
  outcome: MediationOutcome;

  @Field({ defaultValue: '', description: '协议内容 / Agreement text' })
  @MaxLength(TEXT_MAX)
  agreementText: string;

  @Field({ defaultValue: '', description: '调解笔录 / Notes' })
  @MaxLength(TEXT_MAX)
  notes: string;

  @Field({ defaultValue: false, description: '已司法确认 / Judicially confirmed' })
  judiciallyConfirmed: boolean;

  @Field(() => String, { nullable: true, description: '司法确认日期 / YYYY-MM-DD' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'judicialConfirmationDate must be YYYY-MM-DD' })
  judicialConfirmationDate?: string | null;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '记录回访 / Record a return visit after resolution' })
export class RecordReturnVisitInput {
  @Field(() => ID)
  @IsUUID('all', { message: `disputeId ${UUID_MESSAGE}` })
  disputeId: string;

  @Field(() => Int, { description: '1 = 30天回访, 2 = 90天回访' })
  @IsInt()
  @Min(1)
  sequence: number;

  @Field(() => FollowUpMethod, { description: '方式 / Method' })
  @IsEnum(FollowUpMethod)
  method: FollowUpMethod;

  @Field({ defaultValue: '', description: '回访情况 / Notes' })
  @MaxLength(TEXT_MAX)
  notes: string;
}

@ObjectType()
export class EscalateDisputePayload {
  @Field(() => Dispute, { nullable: true })
  dispute: Dispute | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class RecordMediationSessionPayload {
  @Field(() => MediationSession, { nullable: true })
  mediationSession: MediationSession | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class RecordReturnVisitPayload {
  @Field(() => ReturnVisit, { nullable: true })
  returnVisit: ReturnVisit | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType({ description: '待回访 / A return visit that is due or overdue' })
export class ReturnVisitDue {
  @Field(() => Dispute)
  dispute: Dispute;

  @Field(() => Int, { description: '1 = 30天, 2 = 90天' })
  sequence: number;

  @Field({ description: '应回访日期 / Due at' })
  dueAt: Date;

  @Field({ description: '是否逾期 / Past its due date' })
  overdue: boolean;
}

export const ReturnVisitDueConnection = ConnectionType(
  ReturnVisitDue,
  'ReturnVisitDue',
  '待回访 / Return visits due or overdue, oldest first',
);
