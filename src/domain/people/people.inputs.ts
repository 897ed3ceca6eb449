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
import { ConnectionType } from '../../graphql/connection';
import { UserError } from '../../graphql/errors';
import {
  IsCalendarDate,
  IsNationalIdNumber,
  IsPhoneNumber,
  NAME_MAX,
  SHORT_TEXT_MAX,
  UUID_MESSAGE,
} from '../../graphql/validation';
import { Tier } from '../risk/risk.enums';
import { Household } from './household.entity';
import { Gender, Residency, SpecialStatus } from './people.enums';
import { Person } from './person.entity';
import { idNumberAgreesWithBirthDate } from './rules';

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
  @IsNationalIdNumber()
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

  @Field(() => String, {
    nullable: true,
    description: '幂等键 / Retrying with the same key creates nothing new',
  })
  @IsOptional()
  @MinLength(1)
  @MaxLength(SHORT_TEXT_MAX)
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
  @IsNationalIdNumber()
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

  @Field(() => String, { nullable: true, description: '幂等键 / Idempotency key' })
  @IsOptional()
  @MinLength(1)
  @MaxLength(SHORT_TEXT_MAX)
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
}

@ObjectType()
export class RegisterPersonPayload {
  @Field(() => Person, { nullable: true })
  person: Person | null;

  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class UpdatePersonPayload {
  @Field(() => Person, { nullable: true })
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
