// The string work person matching rests on: names as agencies spell them, dates as their systems
// write them, postcodes as people type them. Pure functions, no I/O.
//
// Agencies spell the same child's name differently (issue 7): accents dropped by one system and
// kept by another, "O'Brien" and "OBRIEN", hyphens and double spaces. Normalising first means the
// comparisons below measure spelling, not typography.

/**
 * Letters NFKD does not decompose (no accent to strip), as an English record writes them, so that
 * "Lukasz" is "Łukasz" and "Soren" is "Søren". Left alone they would be punctuation, a space, and
 * "Łukasz Nowak" would be another child than "Lukasz Nowak" born the same day. Exported because name
 * search folds stored names by the same table in SQL (src/store/name-search.ts): one table, so the
 * two folds cannot drift apart.
 */
export const WHOLE_LETTERS: Readonly<Record<string, string>> = {
  ø: 'o', Ø: 'o', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd', ð: 'd', Ð: 'd', ħ: 'h', Ħ: 'h', ı: 'i', ŧ: 't', Ŧ: 't',
  æ: 'ae', Æ: 'ae', œ: 'oe', Œ: 'oe', ß: 'ss', ẞ: 'ss', þ: 'th', Þ: 'th',
};
const WHOLE_LETTER = new RegExp(`[${Object.keys(WHOLE_LETTERS).join('')}]`, 'g');
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Lower case, accents removed, the letters NFKD leaves whole written plain (WHOLE_LETTERS),
 * apostrophes dropped, other punctuation as spaces, spaces collapsed. The one fold of names: person
 * matching, Add a child's check for a child already recorded, and name search (in SQL too) all use it.
 */
export function normaliseName(text: string | null | undefined): string {
  if (!text) return '';
  // Most names are all ASCII, and this runs millions of times when deduplicating a large file: an
  // ASCII name has no accent and no whole letter, so NFKD and the table would change nothing, and
  // are skipped. The table after NFKD, not before: NFKD makes some letters one of its own (Ǣ is Æ
  // and a macron, Ǿ is Ø and an acute).
  const letters = ASCII.test(text)
    ? text
    : text.normalize('NFKD').replace(WHOLE_LETTER, (c) => WHOLE_LETTERS[c]).replace(/[\u0300-\u036f]/g, '');
  return letters
    .toLowerCase()
    // "O'Brien" and "OBrien" are the same name; "Smith-Jones" is two words.
    .replace(/['\u2018\u2019\u02bc`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Jaro–Winkler

// Scratch space reused between calls: a comparison runs millions of times when deduplicating a
// large file, and allocating per call is most of its cost. Still pure: no state survives a call.
let matchedA = new Uint8Array(64);
let matchedB = new Uint8Array(64);

/** Jaro similarity in [0, 1]: shared characters within a window, penalised for transpositions. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > matchedA.length) matchedA = new Uint8Array(la * 2);
  if (lb > matchedB.length) matchedB = new Uint8Array(lb * 2);
  matchedA.fill(0, 0, la);
  matchedB.fill(0, 0, lb);
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = from; j <= to; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === c) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let k = 0;
  let halfTranspositions = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) halfTranspositions++;
    k++;
  }
  const t = halfTranspositions / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

/**
 * Jaro–Winkler similarity (Winkler 1990): Jaro, raised for a shared prefix of up to four
 * characters, because people mistype the ends of names more than their beginnings. The boost
 * applies only above a Jaro of 0.7, as Winkler specified, so unrelated names sharing a first letter
 * are not pulled up.
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const limit = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

// ---------------------------------------------------------------------------------------------
// NYSIIS (New York State Identification and Intelligence System, Taft 1970)

const VOWELS = 'AEIOU';
const isVowel = (c: string | undefined) => c !== undefined && VOWELS.includes(c);

/**
 * The NYSIIS phonetic code of a name (letters only; other characters are ignored), untruncated.
 * NYSIIS was designed for names on criminal justice records and keeps the first sound, which
 * makes it a good blocking key: "Reid"/"Read", "Catherine"/"Katherine" and "Phillips"/"Fillips"
 * share a code.
 * Returns '' for a name with no letters.
 */
export function nysiis(name: string): string {
  let s = name.normalize('NFKD').toUpperCase().replace(/[^A-Z]/g, '');
  if (s === '') return '';
  // Step 1: the openings that are spelt differently but said alike.
  if (s.startsWith('MAC')) s = 'MCC' + s.slice(3);
  else if (s.startsWith('KN')) s = 'NN' + s.slice(2);
  else if (s.startsWith('K')) s = 'C' + s.slice(1);
  else if (s.startsWith('PH') || s.startsWith('PF')) s = 'FF' + s.slice(2);
  else if (s.startsWith('SCH')) s = 'SSS' + s.slice(3);
  // Step 2: the endings.
  if (s.endsWith('EE') || s.endsWith('IE')) s = s.slice(0, -2) + 'Y';
  else if (/(DT|RT|RD|NT|ND)$/.test(s)) s = s.slice(0, -2) + 'D';

  const c = s.split('');
  let key = c[0];
  // Step 3: translate the rest in place, so each rule sees the letters already translated.
  for (let i = 1; i < c.length; i++) {
    const here = c[i];
    const next = c[i + 1];
    if (here === 'E' && next === 'V') {
      c[i] = 'A';
      c[i + 1] = 'F';
    } else if (isVowel(here)) c[i] = 'A';
    else if (here === 'Q') c[i] = 'G';
    else if (here === 'Z') c[i] = 'S';
    else if (here === 'M') c[i] = 'N';
    else if (here === 'K') c[i] = next === 'N' ? 'N' : 'C';
    else if (here === 'S' && next === 'C' && c[i + 2] === 'H') {
      c[i + 1] = 'S';
      c[i + 2] = 'S';
    } else if (here === 'P' && next === 'H') {
      c[i] = 'F';
      c[i + 1] = 'F';
    } else if (here === 'H') {
      if (!isVowel(c[i - 1]) || !isVowel(next)) c[i] = c[i - 1];
    } else if (here === 'W') {
      if (isVowel(c[i - 1])) c[i] = c[i - 1];
    }
    if (c[i] !== key[key.length - 1]) key += c[i];
  }
  // Step 4: the tail.
  if (key.length > 1 && key.endsWith('S')) key = key.slice(0, -1);
  if (key.length > 1 && key.endsWith('AY')) key = key.slice(0, -2) + 'Y';
  if (key.length > 1 && key.endsWith('A')) key = key.slice(0, -1);
  return key;
}

// ---------------------------------------------------------------------------------------------
// Dates of birth

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A real calendar date (31/02/2018 is not one), or null. */
export function calendarDate(year: number, month: number, day: number): CalendarDate | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  if (day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

/**
 * A date as agency systems export it: ISO `yyyy-mm-dd` (an ISO date-time keeps its date part),
 * British `dd/mm/yyyy` (also with `-` or `.`), or `yyyymmdd`. An impossible date such as
 * 31/02/2018 is null, never rolled over into March: a rolled date would match the wrong child.
 * American month-first dates are not guessed at: 03/04/2010 is the 3rd of April.
 */
export function parseDate(text: string | null | undefined): CalendarDate | null {
  const s = (text ?? '').trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (m) return calendarDate(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return null;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** yyyy-mm-dd */
export function formatDate(date: CalendarDate): string {
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

// ---------------------------------------------------------------------------------------------
// UK postcodes

export interface UkPostcode {
  /** "SW1A 1AA"; null when only the outward code was given */
  full: string | null;
  /** "SW1A 1": a few streets */
  sector: string | null;
  /** "SW1A": the outward code, a town or part of a city */
  district: string;
}

const OUTWARD = /^[A-Z]{1,2}[0-9][A-Z0-9]?$/;
const INWARD = /^[0-9][A-Z]{2}$/;

/**
 * A UK postcode in its standard form, from however it was typed ("sw1a1aa", " SW1A  1AA "). An
 * outward code alone ("SW1A") is kept as the district. Anything else is null: a postcode that
 * cannot be read should count as missing, not as a disagreement.
 */
export function normalisePostcode(text: string | null | undefined): UkPostcode | null {
  const s = (text ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (s.length >= 5 && s.length <= 7) {
    const outward = s.slice(0, -3);
    const inward = s.slice(-3);
    if (OUTWARD.test(outward) && INWARD.test(inward)) {
      return { full: `${outward} ${inward}`, sector: `${outward} ${inward[0]}`, district: outward };
    }
  }
  if (s.length >= 2 && s.length <= 4 && OUTWARD.test(s)) return { full: null, sector: null, district: s };
  return null;
}
