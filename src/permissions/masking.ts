// Pure masking of values shown to readers who need the person but not the number (SPEC §4).
export function maskNationalId(value: string): string {
  if (value.length <= 7) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}`;
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
