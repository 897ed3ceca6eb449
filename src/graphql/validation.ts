// Shared input rules, so every area validates names, IDs and free text the same way.
import {
  IsOptional,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  type ValidationArguments,
} from 'class-validator';
import { Field } from 'type-graphql';
import { calendarDayProblem } from './dates';
import { nationalIdNumberProblem } from './input-hygiene';

export const NAME_MAX = 100;
export const TEXT_MAX = 5000;
export const SHORT_TEXT_MAX = 200;
export const UUID_MESSAGE = 'must be an ID this API issued (a UUID)';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` has the form of the IDs this API issues. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * 18-character PRC resident ID number (GB 11643-1999): 17 digits and a digit or X, a real birth date
 * in characters 7–14, and the right check character. A class-validator rule rather than part of the
 * input hygiene layer, because ID numbers also arrive inside documents (the hazard-sales import) that
 * no GraphQL argument describes field by field.
 */
export const IsNationalIdNumber = () =>
  ValidateBy({
    name: 'isNationalIdNumber',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && nationalIdNumberProblem(value) === null,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'the ID number'} ${
          typeof args?.value === 'string'
            ? (nationalIdNumberProblem(args.value) ?? '')
            : 'must be an 18-character national ID number'
        }`,
    },
  });

export const IsPhoneNumber = () =>
  Matches(/^\+?[0-9][0-9 -]{4,19}$/, { message: 'must be a phone number of 5 to 20 digits' });

/** 'YYYY-MM-DD' and a day of the calendar; the plausible range is the input hygiene's (dates.ts). */
export const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && calendarDayProblem(value) === null,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'the date'} ${
          typeof args?.value === 'string'
            ? (calendarDayProblem(args.value) ?? '')
            : 'must be a date as YYYY-MM-DD'
        }`,
    },
  });

/**
 * The `idempotencyKey` of a creating mutation's input (SPEC §5): optional; a retry with the same key
 * creates nothing new, and the same key with another input is a CONFLICT (src/database/idempotency.ts).
 */
export function IdempotencyKey(): PropertyDecorator {
  const decorators: PropertyDecorator[] = [
    Field(() => String, {
      nullable: true,
      description:
        '幂等键 / Retrying with the same key creates nothing new; the same key with another input is a CONFLICT',
    }),
    IsOptional(),
    MinLength(1),
    MaxLength(SHORT_TEXT_MAX),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}
