// Names as the searches compare them: folded as person matching folds them (normaliseName,
// src/linkage/strings.ts), the query in JavaScript and the stored name in SQL, alike on PGlite and
// PostgreSQL. A tester's "Zoe OBrien" and "zoe o'brien" did not find "Zoë O’Brien", nor "Zoë" a "Zoe":
// the searches lower-cased the stored name and nothing more. One place, for every search of
// children's names (children, emergency access, the matcher's candidates).
//
// The SQL needs no extension (unaccent is not in PGlite): normalize(…, NFKD) and the combining marks
// stripped, as normaliseName does, then translate() for the apostrophes normaliseName drops and the
// few letters NFKD leaves whole — by normaliseName's own table (WHOLE_LETTERS), so that the two
// folds stay in step. A name all ASCII (most) skips all that: its octet length is its length, and
// lower() with the two ASCII apostrophes dropped is its fold. The searches by words use no index on
// the name, as before (a leading-wildcard LIKE cannot): the fold is computed once a row (LIKE ALL /
// ANY over the words), only lower() and replace() for an ASCII name.
// The SQL's Unicode tables are older than Node's: a few letters added in Unicode 16 and 17 (U+A7F1,
// U+1CCD6–U+1CCF9, none in a name) fold to a letter in JavaScript and to a space in SQL; every other
// code point folds alike (a reviewer compared all 129,040 on PGlite and PostgreSQL).
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { normaliseName, WHOLE_LETTERS } from '../linkage/strings.ts';

/** The apostrophes normaliseName drops ("O'Brien" is "OBrien"): deleted from the stored name too. */
const APOSTROPHES = "'\u2018\u2019\u02bc`";

/** LIKE's own characters: kept in a query, and matched as themselves (escaped in the pattern). */
const LIKE_CHARACTERS = /([%_\\])/;

/**
 * The words of a query as the searches compare them ("Smith-Jones" is "smith" and "jones"). A word
 * holding one of LIKE's own characters keeps it, the rest of the word folded: "Jordan%" is the
 * word "jordan%", found in a name holding it, never a wildcard nor the word "jordan" (the security
 * tests' query: normaliseName alone made it "jordan", and "Jor%an" the words "jor" and "an").
 */
export function nameWords(text: string | null | undefined): string[] {
  return (text ?? '').split(/\s+/).flatMap((token) => {
    if (!LIKE_CHARACTERS.test(token)) return normaliseName(token).split(' ').filter(Boolean);
    const word = token.split(LIKE_CHARACTERS).map((part) => (LIKE_CHARACTERS.test(part) ? part : normaliseName(part))).join('');
    return [word];
  });
}

// ——— the same in SQL ———

const literal = (text: string) => sql.raw(`'${text.replace(/'/g, "''")}'`);
const singles = Object.entries(WHOLE_LETTERS).filter(([, plain]) => plain.length === 1);
// a letter written as two (æ → ae): its capital made small by translate (lower() is ASCII-only
// under the C locale), then the small one replaced
const doubles = Object.entries(WHOLE_LETTERS).filter(([letter, plain]) => plain.length > 1 && letter === letter.toLowerCase());
const capitals = Object.keys(WHOLE_LETTERS).filter((letter) => WHOLE_LETTERS[letter].length > 1 && letter !== letter.toLowerCase());
const TRANSLATE_FROM = singles.map(([letter]) => letter).join('') + capitals.join('') + APOSTROPHES;
const TRANSLATE_TO = singles.map(([, plain]) => plain).join('') + capitals.map((c) => c.toLowerCase()).join('');
const COMBINING_MARKS = `[${String.fromCharCode(0x300)}-${String.fromCharCode(0x36f)}]`;

/**
 * `value` (a text column or expression) folded: lower case, accents stripped, apostrophes dropped —
 * what normaliseName makes of it, but for its punctuation, which a word of letters and digits is
 * found in or not alike. For LIKE; normalisedName for equality.
 */
export function foldedName(value: AnyPgColumn | SQL): SQL {
  let folded = sql`regexp_replace(normalize(${value}, NFKD), ${literal(COMBINING_MARKS)}, '', 'g')`;
  folded = sql`translate(${folded}, ${literal(TRANSLATE_FROM)}, ${literal(TRANSLATE_TO)})`;
  for (const [letter, plain] of doubles) folded = sql`replace(${folded}, ${literal(letter)}, ${literal(plain)})`;
  return sql`(case when octet_length(${value}) = length(${value})
    then replace(replace(lower(${value}), ${literal("'")}, ''), ${literal('`')}, '') else lower(${folded}) end)`;
}

/** `value` as normaliseName writes it (punctuation a single space, trimmed): for equality. */
export function normalisedName(value: AnyPgColumn | SQL): SQL {
  return sql`trim(regexp_replace(${foldedName(value)}, '[^a-z0-9]+', ' ', 'g'))`;
}

const escapeLike = (word: string) => word.replace(/[%_\\]/g, '\\$&');

/**
 * `value`, folded, contains every word (`all`: a search, "marsh leon" finds Leon Marsh) or one of
 * them (`any`). Words as nameWords gives them; an empty list is `all`'s true and `any`'s false.
 */
export function nameHasWords(value: AnyPgColumn | SQL, words: readonly string[], quantifier: 'all' | 'any'): SQL {
  if (!words.length) return quantifier === 'all' ? sql`true` : sql`false`;
  const patterns = sql.join(words.map((word) => sql`${`%${escapeLike(word)}%`}`), sql`, `);
  return quantifier === 'all'
    ? sql`${foldedName(value)} like all (array[${patterns}]::text[])`
    : sql`${foldedName(value)} like any (array[${patterns}]::text[])`;
}
