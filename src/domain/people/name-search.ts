// `nameContains` as an indexed search (issue 23 item 4). The database's C locale gives pg_trgm no
// trigrams of Chinese characters, so a substring search by LIKE alone reads every person. The GIN
// index persons_name_grams (migration ReviewByAndNameSearch) holds each name's characters and pairs
// of neighbouring characters, and its pinyin syllables, syllable pairs and initials: the query asks
// the index for the grams every match must hold, and the exact substring is checked on what it finds.
// The grams here must be written as person_name_grams writes them: spaces dropped, only ASCII letters
// lower-cased (what lower() does under the C locale).
import type { SqlPredicate } from '../../permissions/scope';

const SPACES = /[ \t\r\n\f\v]+/g;

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/**
 * The grams every name containing `query` holds: the query itself when it is one character, else
 * each pair of neighbouring characters (a name holding the query holds all of its pairs).
 */
export function nameGramsOf(query: string): string[] {
  const characters = [...asciiLower(query.replace(SPACES, ''))];
  if (characters.length <= 1) return characters;
  const pairs = new Set<string>();
  for (let index = 0; index + 1 < characters.length; index += 1) {
    pairs.add(`${characters[index]}${characters[index + 1]}`);
  }
  return [...pairs].sort();
}

/**
 * The pinyin tokens a query typed in letters may match: one syllable, two neighbouring syllables or
 * the whole name run together ("wang", "wangyu", "wangyuxuan"), or the initials ("wyx"). None for a
 * query with anything but ASCII letters, spaces and apostrophes (the pinyin separator), or of one
 * letter (an initial alone would match a name in every few).
 */
export function pinyinTokensOf(query: string): string[] {
  if (!/^[A-Za-z' ]+$/.test(query)) return [];
  const letters = asciiLower(query).replace(/[' ]/g, '');
  if (letters.length < 2) return [];
  return [`~${letters}`, `^${letters}`];
}

/** The index expression over a person row aliased `alias`. */
const gramsOf = (alias: string) => `person_name_grams(${alias}.name, ${alias}.name_search)`;

/**
 * Persons (alias p) whose name holds `query` as written (ASCII letters in either case), or whose
 * romanised name matches it as pinyin. Both are answered by the GIN index; the exact substring is
 * then checked on the rows it finds, with strpos rather than ILIKE: an ILIKE here would invite the
 * planner to the trigram index on the name, which for Chinese characters has no trigrams to look up
 * and hands back every person to recheck. With pinyin the two matches are a union of ids, each
 * answered by the index alone: as one OR, every row found would compute its grams again to tell
 * which half it matched.
 */
export function nameContainsPredicate(query: string): SqlPredicate {
  const grams = nameGramsOf(query);
  const pinyin = pinyinTokensOf(query);
  // lower() under the C locale folds ASCII letters only, as asciiLower does.
  const holds = (alias: string) => `strpos(lower(${alias}.name), :nameNeedle) > 0`;
  const bySubstring = (alias: string) =>
    grams.length > 0 ? `(${gramsOf(alias)} @> :nameGrams::text[] AND ${holds(alias)})` : holds(alias);
  const sql =
    pinyin.length > 0
      ? `p.id IN (SELECT n.id FROM persons n WHERE ${bySubstring('n')}
                  UNION ALL SELECT n.id FROM persons n WHERE ${gramsOf('n')} && :namePinyin::text[])`
      : bySubstring('p');
  return {
    sql,
    params: { nameGrams: grams, nameNeedle: asciiLower(query), namePinyin: pinyin },
  };
}
