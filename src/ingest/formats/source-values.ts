// Values the agency formats read the same way: a source id, a name, a sex, a postcode, a date or a
// date-time, a code from a list. Each reads one column through the row's RowCheck, so a refusal
// names the column and the value (cut short: a 20,000-character field must not become a
// 20,000-character message), and a value that only helps matching is left out with a warning
// rather than losing the record it came with.
import { isValidAt, formatInstant, londonWallClock } from '../../domain/time.ts';
import { normalisePostcode } from '../../domain/context.ts';
import { FREE_TEXT_ID_MAX } from '../../domain/identifiers.ts';
import { sourceDate, type IncomingPerson, type RowCheck } from '../format.ts';

/** The value as a message quotes it: at most `max` characters, control characters shown as spaces. */
export function quoted(value: string, max = 40): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return `"${clean.length > max ? `${clean.slice(0, max)}…` : clean}"`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A source system's id (a nominal id, an attendance id): one line, at most 50 characters. */
export function sourceId(row: RowCheck, column: string, required = true): string | undefined {
  const v = required ? row.required(column) : row.optional(column);
  if (!v) return undefined;
  if (CONTROL.test(v)) {
    row.fail(column, `${column} ${quoted(v)} must be on one line, without tabs or other control characters`);
    return undefined;
  }
  if (v.length > FREE_TEXT_ID_MAX) {
    row.fail(column, `${column} ${quoted(v)} is ${v.length} characters long: an id has at most ${FREE_TEXT_ID_MAX}`);
    return undefined;
  }
  return v;
}

/** Longest name we take: a longer one is a broken file or a note in the wrong column. */
export const NAME_MAX = 100;

/** A forename or surname: one line, at most 100 characters, inner spaces collapsed. */
export function personName(row: RowCheck, column: string, required: boolean): string | undefined {
  const v = required ? row.required(column) : row.optional(column);
  if (!v) return undefined;
  if (CONTROL.test(v)) {
    row.fail(column, `${column} ${quoted(v)} must be on one line, without tabs or other control characters`);
    return undefined;
  }
  if (v.length > NAME_MAX) {
    row.fail(column, `${column} ${quoted(v)} is ${v.length} characters long: a name has at most ${NAME_MAX}`);
    return undefined;
  }
  return v.replace(/\s+/g, ' ');
}

// NHS Data Dictionary person gender codes (0 not known, 1 male, 2 female, 9 not specified), the
// school census (M, F) and police systems (M, F, U): "not known" is no value, never a disagreement.
const SEXES: Record<string, IncomingPerson['sex'] | null> = {
  '1': 'male', M: 'male', MALE: 'male',
  '2': 'female', F: 'female', FEMALE: 'female',
  I: 'other', INDETERMINATE: 'other', O: 'other', OTHER: 'other',
  '0': null, '9': null, U: null, X: null, UNKNOWN: null, 'NOT KNOWN': null, 'NOT SPECIFIED': null, 'NOT STATED': null,
};

/** Sex as the source writes it; an unreadable value only helps matching, so it is left out with a warning. */
export function personSex(row: RowCheck, column: string): IncomingPerson['sex'] | undefined {
  const v = row.optional(column);
  if (!v) return undefined;
  const key = v.toUpperCase().replace(/\s+/g, ' ');
  if (!Object.hasOwn(SEXES, key)) {
    row.warn(column, `${column} ${quoted(v, 20)} left out: expected M, F, 1 (male), 2 (female) or U (not known)`);
    return undefined;
  }
  return SEXES[key] ?? undefined;
}

const OUTWARD_CODE = /^[A-Z]{1,2}\d[A-Z\d]?$/;

/** A UK postcode in its standard form ("ng13ab" → "NG1 3AB"), or the outward code alone ("NG1"); otherwise a warning. */
export function personPostcode(row: RowCheck, column: string): string | undefined {
  const v = row.optional(column);
  if (!v) return undefined;
  const full = normalisePostcode(v);
  if (full) return full;
  const outward = v.replace(/\s+/g, '').toUpperCase();
  if (OUTWARD_CODE.test(outward)) return outward;
  row.warn(column, `${column} ${quoted(v, 20)} left out: it is not a UK postcode`);
  return undefined;
}

/** A postcode that is part of the record (where something happened): refused when unreadable. */
export function placePostcode(row: RowCheck, column: string): string | undefined {
  const v = row.optional(column);
  if (!v) return undefined;
  const full = normalisePostcode(v);
  if (full) return full;
  row.fail(column, `${column} ${quoted(v, 20)} is not a full UK postcode (for example NG1 3AB)`);
  return undefined;
}

// A date-time as case systems export it without an offset: read as UK clock time (contract 1
// reads a bare date as 09:00 Europe/London; a time written without an offset is a London time).
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const LOCAL_UK = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function londonTime(y: number, mo: number, d: number, h: number, mi: number, s: number): string | null {
  const date = sourceDate(`${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  if (!date || h > 23 || mi > 59 || s > 59) return null;
  return formatInstant(londonWallClock(y, mo, d, h, mi, s));
}

/**
 * When something happened: a date (ISO, DD/MM/YYYY or YYYYMMDD), a contract-1 date-time with its
 * offset (kept as given), or a date-time without one (read as UK time). 31/02/2018 is refused.
 */
export function sourceAt(text: string): string | null {
  const v = text.trim();
  if (isValidAt(v)) return v;
  let m = LOCAL_ISO.exec(v);
  if (m) return londonTime(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0));
  m = LOCAL_UK.exec(v);
  if (m) return londonTime(+m[3], +m[2], +m[1], +m[4], +m[5], +(m[6] ?? 0));
  // a date-time with an offset that is not a real moment must not lose its time silently
  if (/\d[T ]\d/.test(v)) return null;
  return sourceDate(v);
}

/** The column read with `sourceAt`; a refusal names the value and the forms accepted. */
export function dateOrTime(row: RowCheck, column: string, required: boolean): string | undefined {
  const v = required ? row.required(column) : row.optional(column);
  if (!v) return undefined;
  const at = sourceAt(v);
  if (!at) {
    row.fail(column, `${column} ${quoted(v)} is not a real date or date-time (expected YYYY-MM-DD, DD/MM/YYYY, YYYYMMDD, or a date with a time such as 2024-03-02T21:15 or 02/03/2024 21:15)`);
  }
  return at ?? undefined;
}

/** The London calendar date of a `sourceAt` value, to compare with a date of birth. */
export const dayOf = (at: string): string => (at.length === 10 ? at : formatInstant(Date.parse(at)).slice(0, 10));

/**
 * One code from a list, read as people write it: any case, with spaces or hyphens for the
 * underscores ("Drug supply", "self-harm"). The message lists the codes as documented.
 */
export function code<T extends string>(row: RowCheck, column: string, allowed: readonly T[], required: boolean, synonyms: Record<string, T> = {}): T | undefined {
  const v = required ? row.required(column) : row.optional(column);
  if (!v) return undefined;
  const key = v.toLowerCase().replace(/[\s-]+/g, '_');
  const found = (allowed as readonly string[]).includes(key) ? (key as T) : Object.hasOwn(synonyms, key) ? synonyms[key] : undefined;
  if (!found) row.fail(column, `${column} ${quoted(v)} is not one of ${allowed.join(', ')}`);
  return found;
}

const YES = new Set(['Y', 'YES', 'TRUE', '1']);
const NO = new Set(['N', 'NO', 'FALSE', '0']);

/** Y or N (also yes/no, true/false, 1/0); empty is no value. */
export function yesNo(row: RowCheck, column: string): boolean | undefined {
  const v = row.optional(column);
  if (!v) return undefined;
  const key = v.toUpperCase();
  if (YES.has(key)) return true;
  if (NO.has(key)) return false;
  row.fail(column, `${column} ${quoted(v, 20)} is not Y or N`);
  return undefined;
}

/** A free-text value that becomes part of the record (a place name): one line, at most `max` characters. */
export function shortText(row: RowCheck, column: string, max: number): string | undefined {
  const v = row.optional(column);
  if (!v) return undefined;
  if (CONTROL.test(v)) {
    row.fail(column, `${column} ${quoted(v)} must be on one line, without tabs or other control characters`);
    return undefined;
  }
  if (v.length > max) {
    row.fail(column, `${column} ${quoted(v)} is ${v.length} characters long: at most ${max}`);
    return undefined;
  }
  return v.replace(/\s+/g, ' ');
}

/** A person without the keys the row left empty, so the match sees only what the source said. */
export function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/**
 * Why a fallback column is needed when an identifier is missing or fails its check: a refused row
 * keeps no warnings, so the refusal itself says what was wrong with the identifier.
 */
export function fallbackReason(row: RowCheck, idColumn: string, missing: string): string {
  const warning = row.warnings.find((w) => w.path === idColumn);
  return warning ? `it is required because ${warning.message.replace(/ left out: /, ' cannot be used: ')}` : `it is required ${missing}`;
}
