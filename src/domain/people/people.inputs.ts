// GraphQL inputs, filters and payloads of the people area.
import {
  ArrayMaxSize,
  IsEnum,
  IsInt,
  IsOptional,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType, OrderByInput } from '../../graphql/connection';
import { bilingualEnum } from '../../graphql/enums';
import { UserError } from '../../graphql/errors';
import { nationalIdNumberProblem } from '../../graphql/input-hygiene';
import {
  IdempotencyKey,
  IsCalendarDate,
  IsPhoneNumber,
  NAME_MAX,
  SHORT_TEXT_MAX,
  UUID_MESSAGE,
} from '../../graphql/validation';
import { Tier } from '../risk/risk.enums';
import { Household } from './household.entity';
import { AgeGroup, Gender, Residency, SpecialStatus } from './people.enums';
import { Person } from './person.entity';
import { ID_NUMBER_NOT_ACCEPTED, idNumberAgreesWithBirthDate } from './rules';

/**
 * A valid national ID number (GB 11643). Every refusal gives one message, the one a number already on
 * record for a person hidden from the caller gets too (duplicates.service.ts): a refusal of a number
 * never tells whether someone holds it (SPEC §4).
 */
const IsRegistrableIdNumber = () =>
  ValidateBy({
    name: 'isRegistrableIdNumber',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && nationalIdNumberProblem(value) === null,
      defaultMessage: () => ID_NUMBER_NOT_ACCEPTED,
    },
  });

/** An ID number given with a birth date must hold that date (GB 11643: characters 7–14). */
const AgreesWithBirthDate = () =>
  ValidateBy({
    name: 'agreesWithBirthDate',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const birthDate = (args?.object as { birthDate?: unknown } | undefined)?.birthDate;
        return (
          typeof value !== 'string' ||
          typeof birthDate !== 'string' ||
          idNumberAgreesWithBirthDate(value, birthDate)
        );
      },
      defaultMessage: (args?: ValidationArguments) =>
        `idNumber holds the birth date ${String(args?.value).slice(6, 14)}, but birthDate is ${String(
          (args?.object as { birthDate?: unknown } | undefined)?.birthDate,
        )}`,
    },
  });

@InputType({ description: '登记人员 / Register a person' })
export class RegisterPersonInput {
  @Field({ description: '姓名 / Name, 1–100 characters' })
  @Matches(/\S/, { message: 'name must not be empty' })
  @MaxLength(NAME_MAX, { message: `name must be at most ${NAME_MAX} characters` })
  name: string;

  @Field(() => Gender, { defaultValue: Gender.UNKNOWN })
  @IsEnum(Gender)
  gender: Gender;

  @Field(() => String, { nullable: true, description: '出生日期 / YYYY-MM-DD' })
  @IsOptional()
  @IsCalendarDate()
  birthDate?: string | null;

  @Field(() => String, { nullable: true, description: '身份证号 / National ID number' })
  @IsOptional()
  @IsRegistrableIdNumber()
  @AgreesWithBirthDate()
  idNumber?: string | null;

  @Field(() => String, { nullable: true, description: '联系电话 / Phone' })
  @IsOptional()
  @IsPhoneNumber()
  phone?: string | null;

  @Field(() => String, { nullable: true, description: '住址 / Address' })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  address?: string | null;

  @Field(() => ID, { nullable: true, description: '户 / Household' })
  @IsOptional()
  @IsUUID('all', { message: `householdId ${UUID_MESSAGE}` })
  householdId?: string | null;

  @Field(() => ID, { description: '所属网格 / Grid' })
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @Field(() => Residency, { defaultValue: Residency.REGISTERED })
  @IsEnum(Residency)
  residency: Residency;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  employerName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  employerContact?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  landlordName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  landlordContact?: string | null;

  @Field(() => String, { nullable: true, description: '职业 / Occupation' })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  occupation?: string | null;

  @Field(() => [SpecialStatus], { defaultValue: [] })
  @IsEnum(SpecialStatus, { each: true })
  @ArrayMaxSize(7)
  specialStatuses: SpecialStatus[];

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '修改人员信息（只改所给字段） / Update a person: only the fields given change' })
export class UpdatePersonInput {
  @Field(() => ID)
  @IsUUID('all', { message: `id ${UUID_MESSAGE}` })
  id: string;

  @Field(() => Int, { description: '读取时的版本 / The version you read; a stale one is a CONFLICT' })
  @IsInt()
  @Min(1)
  expectedVersion: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/\S/, { message: 'name must not be empty' })
  @MaxLength(NAME_MAX, { message: `name must be at most ${NAME_MAX} characters` })
  name?: string;

  @Field(() => Gender, { nullable: true })
  @IsOptional()
  @IsEnum(Gender)
  gender?: Gender;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsCalendarDate()
  birthDate?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsRegistrableIdNumber()
  @AgreesWithBirthDate()
  idNumber?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsPhoneNumber()
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  address?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: `householdId ${UUID_MESSAGE}` })
  householdId?: string | null;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId?: string;

  @Field(() => Residency, { nullable: true })
  @IsOptional()
  @IsEnum(Residency)
  residency?: Residency;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  employerName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  employerContact?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  landlordName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  landlordContact?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(SHORT_TEXT_MAX)
  occupation?: string | null;

  @Field(() => [SpecialStatus], { nullable: true })
  @IsOptional()
  @IsEnum(SpecialStatus, { each: true })
  @ArrayMaxSize(7)
  specialStatuses?: SpecialStatus[];
}

@InputType({ description: '登记户 / Register a household' })
export class RegisterHouseholdInput {
  @Field({ description: '住址 / Address' })
  @MinLength(1, { message: 'address must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  address: string;

  @Field(() => ID, { description: '所属网格 / Grid' })
  @IsUUID('all', { message: `gridId ${UUID_MESSAGE}` })
  gridId: string;

  @IdempotencyKey()
  idempotencyKey?: string | null;
}

@InputType({ description: '人员筛选 / Filter persons' })
export class PersonFilter {
  @Field(() => [Tier], { nullable: true, description: '预警级别 / Any of these tiers' })
  tiers?: Tier[] | null;

  @Field(() => ID, {
    nullable: true,
    description: '网格或其上级辖区 / In the subtree of this jurisdiction node',
  })
  jurisdictionId?: string | null;

  @Field(() => Residency, { nullable: true })
  residency?: Residency | null;

  @Field(() => String, { nullable: true, description: '姓名包含 / Name contains' })
  nameContains?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      '待（重新）评估 / Persons with a special status not assessed since their record last changed (a status never raises the tier)',
  })
  needsAssessment?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      '随访逾期 / Tiered persons whose follow-up cadence has passed since their last follow-up (or since the tier began)',
  })
  followUpOverdue?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: '逾期未复核 / Persons whose tier’s review-by date has passed (as Person.reviewOverdue)',
  })
  reviewOverdue?: boolean | null;

  @Field(() => Int, { nullable: true, description: '最小年龄（含） / Aged at least this many whole years' })
  minAge?: number | null;

  @Field(() => Int, { nullable: true, description: '最大年龄（含） / Aged at most this many whole years' })
  maxAge?: number | null;

  @Field(() => [AgeGroup], { nullable: true, description: '年龄段 / Any of these age groups' })
  ageGroups?: AgeGroup[] | null;

  @Field(() => [SpecialStatus], {
    nullable: true,
    description:
      '特殊身份 / Holding any of these special statuses: only statuses your department owns and reads (others are refused)',
  })
  specialStatuses?: SpecialStatus[] | null;
}

export enum PersonSortField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
bilingualEnum(PersonSortField, 'PersonSortField', '人员列表排序字段 / What a persons list is sorted by', {
  NAME: '姓名 / Name',
  CREATED_AT: '登记时间 / Registered at',
  UPDATED_AT: '更新时间 / Last changed at',
});

export const PersonOrder = OrderByInput(
  PersonSortField,
  'Person',
  '人员列表排序 / How a persons list is sorted: only by fields you read',
);
export type PersonOrder = InstanceType<typeof PersonOrder>;

const EXISTING_PERSON_DESCRIPTION =
  '已登记同一身份证号的人员 / The person already on record with this ID number: only when you see them and read ID numbers in full';

@ObjectType()
export class RegisterPersonPayload {
  @Field(() => Person, { nullable: true })
  person: Person | null;

  @Field(() => ID, { nullable: true, description: EXISTING_PERSON_DESCRIPTION })
  existingPersonId: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class UpdatePersonPayload {
  @Field(() => Person, { nullable: true })
  person: Person | null;

  @Field(() => ID, { nullable: true, description: EXISTING_PERSON_DESCRIPTION })
  existingPersonId: string | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@InputType({
  description:
    '合并重复人员（网格长） / Merge two records of one person: the grid leader of both keeps one; every record of the other (disputes, assessments, assignments, follow-ups, referrals, alerts, police records …) moves to it',
})
export class MergePersonsInput {
  @Field(() => ID, { description: '保留的记录 / The record that stays' })
  @IsUUID('all', { message: `keepPersonId ${UUID_MESSAGE}` })
  keepPersonId: string;

  @Field(() => Int, { description: '保留记录读取时的版本 / The version of the kept record you read' })
  @IsInt()
  @Min(1)
  keepExpectedVersion: number;

  @Field(() => ID, { description: '并入的记录（合并后删除） / The record merged into it, then removed' })
  @IsUUID('all', { message: `mergePersonId ${UUID_MESSAGE}` })
  mergePersonId: string;

  @Field(() => Int, { description: '并入记录读取时的版本 / The version of the merged record you read' })
  @IsInt()
  @Min(1)
  mergeExpectedVersion: number;
}

@ObjectType()
export class MergePersonsPayload {
  @Field(() => Person, { nullable: true, description: '合并后的人员 / The kept record, as merged' })
  person: Person | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class RegisterHouseholdPayload {
  @Field(() => Household, { nullable: true })
  household: Household | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

export const PersonConnection = ConnectionType(Person, 'Person', '人员列表 / Persons');

@InputType({ description: '户筛选 / Which households to list' })
export class HouseholdFilter {
  @Field(() => ID, {
    nullable: true,
    description: '网格或其上级辖区 / In the subtree of this jurisdiction node',
  })
  jurisdictionId?: string | null;
}

export const HouseholdConnection = ConnectionType(Household, 'Household', '户列表 / Households');

@InputType({
  description:
    '更正人员信息（须说明理由） / Correct a person’s data with a reason: the values replaced are kept in the history',
})
export class CorrectPersonInput extends UpdatePersonInput {
  @Field({ description: '更正理由 / Why the data was wrong' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(SHORT_TEXT_MAX)
  reason: string;
}
