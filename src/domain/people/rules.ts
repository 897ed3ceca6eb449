// Pure rules about persons: age in whole years on a given day, the age group shown instead, whether a
// national ID number agrees with a birth date, and the forms in which duplicates are found.
import { pinyin } from 'pinyin-pro';
import { AgeGroup } from './people.enums';

export function ageOn(birthDate: string, today: Date): number {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - year;
  const beforeBirthday =
    today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age;
}

/**
 * The birth dates (YYYY-MM-DD) of those aged at least `years` on `today`: born on or before the day
 * returned — the same day `years` years earlier, 28 February for a 29 February in a common year.
 */
export function bornOnOrBeforeForAge(years: number, today: Date): string {
  const year = today.getUTCFullYear() - years;
  const month = today.getUTCMonth() + 1;
  let day = today.getUTCDate();
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month === 2 && day === 29 && !leap) day = 28;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** MINOR under 18, ADULT 18–59, SENIOR 60 and over. */
export function ageGroupOf(age: number): AgeGroup {
  if (age < 18) return AgeGroup.MINOR;
  return age < 60 ? AgeGroup.ADULT : AgeGroup.SENIOR;
}

/**
 * Whether a national ID number agrees with a birth date: characters 7–14 of the number are the birth
 * date as YYYYMMDD (GB 11643-1999). Only numbers of the right shape are compared; the shape itself is
 * IsNationalIdNumber's to refuse.
 */
export function idNumberAgreesWithBirthDate(idNumber: string, birthDate: string): boolean {
  if (!/^\d{17}[\dX]$/.test(idNumber)) return true;
  return idNumber.slice(6, 14) === birthDate.replace(/-/g, '');
}

/**
 * The form in which a national ID number is unique (SPEC §5a, one record per person): without
 * surrounding spaces, the check character X upper-case. The unique index of migration
 * OnePersonOneRecord is on the same expression, `upper(btrim(id_number))`.
 */
export function normalisedIdNumber(idNumber: string): string {
  return idNumber.trim().toUpperCase();
}

/**
 * A name as romanised search text (persons.name_search): each Chinese character as its toneless
 * pinyin (a surname read as a surname: 单 shan, 曾 zeng), other letters and digits as they are,
 * lower-case, separated by single spaces — 张三 → "zhang san", 吕布 → "lv bu". Under the database's C
 * locale pg_trgm makes no trigrams of Chinese characters, so trigram similarity of names works on
 * this; it also finds homophones (张/章), the commonest slip of a pinyin input method.
 */
export function nameSearchKey(name: string): string {
  const syllables = pinyin(name.normalize('NFKC'), {
    toneType: 'none',
    type: 'array',
    surname: 'head',
    nonZh: 'consecutive',
    v: true,
  });
  return syllables
    .join(' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The distinct characters of a name, letters and digits only: what "similar by characters" compares. */
export function nameCharacters(name: string): string[] {
  return [...new Set([...name.normalize('NFKC').toLowerCase()].filter((c) => /[\p{L}\p{N}]/u.test(c)))];
}

/**
 * The one answer to a national ID number that cannot be registered: an invalid number (GB 11643), or
 * the number of a person on record whom the caller may not see, or whose number they read masked.
 * Both answer alike, so a refusal never tells that a hidden person exists (SPEC §4, no existence
 * signals; see duplicates.service.ts).
 */
export const ID_NUMBER_NOT_ACCEPTED =
  'idNumber cannot be registered: it must be an 18-character national ID number (17 digits and a ' +
  'digit or X; characters 7–14 the birth date; the GB 11643 check character) that is not already on ' +
  'record — check it against the ID card';

/** What a registration or an import sets of a person (special statuses have their own rules). */
export const PERSON_RECORD_FIELDS = [
  'name',
  'gender',
  'birthDate',
  'idNumber',
  'phone',
  'address',
  'householdId',
  'gridId',
  'residency',
  'employerName',
  'employerContact',
  'landlordName',
  'landlordContact',
  'occupation',
] as const;
