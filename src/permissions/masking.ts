// Pure masking of values shown to readers who need the person but not the number (SPEC §4). A mask
// must hold against everything else the same reader can read: src/permissions/inference.ts counts
// what each mask leaves unknown, and a test holds every account to at least 1,000 candidates.

/** Birth date (digits 7–14) of an 18-character national ID number, when it is one. */
function birthDateInNationalId(value: string): Date | null {
  const match = /^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dXx]$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 ? date : null;
}

function isMinorOn(birth: Date, today: Date): boolean {
  const adulthood = new Date(birth);
  adulthood.setUTCFullYear(birth.getUTCFullYear() + 18);
  return adulthood > today;
}

/**
 * The last 4 characters only: `**************123X`. A minor's check digit is hidden too
 * (`**************123*`): with the age group MINOR (18 years of birth dates) a known check digit
 * would leave ~600 candidates, since only 1 in 11 birth dates gives it.
 */
export function maskNationalId(value: string, today: Date): string {
  if (value.length <= 4) return '*'.repeat(value.length);
  const birth = birthDateInNationalId(value);
  const shown = birth && isMinorOn(birth, today) ? `${value.slice(-4, -1)}*` : value.slice(-4);
  return `${'*'.repeat(value.length - 4)}${shown}`;
}

export function maskPhone(value: string): string {
  const digits = value.replace(/[^0-9+]/g, '');
  if (digits.length <= 7) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** An address shown only to village level: the village (村/社区) the record's grid belongs to. */
export function maskAddress(villageName: string | null): string {
  return villageName
    ? `${villageName}（详细地址不可见 / street address hidden）`
    : '（详细地址不可见 / address hidden）';
}
