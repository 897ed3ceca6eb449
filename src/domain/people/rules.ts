// Pure rules about persons: age in whole years on a given day, the age group shown instead, and
// whether a national ID number agrees with a birth date.
import { AgeGroup } from './people.enums';

export function ageOn(birthDate: string, today: Date): number {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - year;
  const beforeBirthday =
    today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age;
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
