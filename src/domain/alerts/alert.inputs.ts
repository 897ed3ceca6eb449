// GraphQL inputs and payloads of the alerts area.
import { IsEnum, IsOptional, IsUUID, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType, OrderByInput } from '../../graphql/connection';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import { IdempotencyKey, SHORT_TEXT_MAX, TEXT_MAX, UUID_MESSAGE } from '../../graphql/validation';
import { Alert, InjuryCause, InjuryReport } from './alert.entity';

@InputType({ description: '上报异常苗头 / Raise an alert on a person' })
export class RaiseAlertInput {
  @Field(() => ID)
  @IsUUID('all', { message: `personId ${UUID_MESSAGE}` })
  personId: string;

  @Field({ description: '情况 / What was observed' })
  @Matches(/\S/, { message: 'description must not be empty' })
  @MaxLength(TEXT_MAX)
  description: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '确认收到预警 / Acknowledge an alert you received' })
export class AcknowledgeAlertInput {
  @Field(() => ID)
  @IsUUID('all', { message: `alertId ${UUID_MESSAGE}` })
  alertId: string;
}

@InputType({
  description: '警医联动报告 / Report an injury or poisoning (health facilities, SOCIAL_AFFAIRS)',
})
export class ReportInjuryInput {
  @Field({ description: '医疗机构 / Facility' })
  @Matches(/\S/, { message: 'facility must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  facility: string;

  @Field(() => InjuryCause)
  @IsEnum(InjuryCause)
  cause: InjuryCause;

  @Field({ description: '情况 / Description' })
  @Matches(/\S/, { message: 'description must not be empty' })
  @MaxLength(TEXT_MAX)
  description: string;

  @Field(() => ID, { description: '发生地网格 / Grid where it happened' })
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @Field(() => ID, { nullable: true, description: '伤者 / Injured person, if on record' })
  @IsOptional()
  @IsUUID('all', { message: `injuredPersonId ${UUID_MESSAGE}` })
  injuredPersonId?: string | null;

  @Field(() => ID, { nullable: true, description: '嫌疑人 / Suspected person, if on record' })
  @IsOptional()
  @IsUUID('all', { message: `suspectPersonId ${UUID_MESSAGE}` })
  suspectPersonId?: string | null;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@ObjectType({ description: '我收到的预警 / An alert addressed to you' })
export class ReceivedAlert {
  @Field(() => Alert)
  alert: Alert;

  @Field(() => Date, { nullable: true, description: '我的确认时间 / When you acknowledged it' })
  acknowledgedAt: Date | null;
}

export const ReceivedAlertConnection = ConnectionType(
  ReceivedAlert,
  'ReceivedAlert',
  '我收到的预警列表 / Alerts addressed to you',
);

export enum AlertSortField {
  RAISED_AT = 'RAISED_AT',
}
bilingualEnum(AlertSortField, 'AlertSortField', '预警列表排序字段 / What an alerts list is sorted by', {
  RAISED_AT: '预警时间 / Raised at',
});

export const AlertOrder = OrderByInput(
  AlertSortField,
  'Alert',
  '预警列表排序 / How an alerts list is sorted',
);
export type AlertOrder = InstanceType<typeof AlertOrder>;

@ObjectType()
export class AlertPayload {
  @Field(() => Alert, { nullable: true })
  alert: Alert | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class InjuryReportPayload {
  @Field(() => InjuryReport, { nullable: true })
  injuryReport: InjuryReport | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType({ description: '警医联动报告筛选 / Narrow the injury reports listed' })
export class InjuryReportFilter {
  @Field(() => [InjuryCause], { nullable: true, description: '致伤原因 / Any of these causes' })
  causes?: InjuryCause[] | null;

  @Field(() => Date, { nullable: true, description: '报告时间不早于 / Reported at or after' })
  reportedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: '报告时间早于 / Reported before' })
  reportedBefore?: Date | null;
}

export const InjuryReportConnection = ConnectionType(
  InjuryReport,
  'InjuryReport',
  '警医联动报告列表 / Injury reports filed in your jurisdiction, newest first',
);
