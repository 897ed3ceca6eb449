// Shared input rules, so every area validates names, IDs and free text the same way.
import { Matches } from 'class-validator';

export const NAME_MAX = 100;
export const TEXT_MAX = 5000;
export const SHORT_TEXT_MAX = 200;
export const UUID_MESSAGE = 'must be an ID this API issued (a UUID)';

/** 18-character PRC resident ID number: 17 digits and a digit or X. */
export const IsNationalIdNumber = () =>
  Matches(/^\d{17}[\dX]$/, {
    message: 'must be an 18-character national ID number (17 digits and a digit or X)',
  });

export const IsPhoneNumber = () =>
  Matches(/^\+?[0-9][0-9 -]{4,19}$/, { message: 'must be a phone number of 5 to 20 digits' });

export const IsCalendarDate = () =>
  Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD' });
