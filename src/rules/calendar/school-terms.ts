// School terms. Contract 2 counts children-missing-education time in school days (DfE: schools tell
// the local authority after 10 school days of absence; deletion after 20), so the engine needs term
// dates. We ship a default English calendar — three terms a year, each split by a half term, the
// summer holiday from about 22 July to the first week of September — generated for 2010–2035, and a
// partnership replaces it with its own published term dates (`parseSchoolTerms`).
import type { Problem, Parsed } from '../../domain/event.ts';
import { dayNumberOf, dayNumberOfIsoDate, isoDateOfDayNumber, weekdayOf } from './days.ts';

/** A span of school (teaching) days, both ends included, as ISO dates. Half terms fall between ranges. */
export interface TermRange {
  start: string;
  end: string;
}

export const DEFAULT_TERMS_VERSION = 'england-default-terms.1';
export const DEFAULT_TERMS_FIRST_YEAR = 2010;
export const DEFAULT_TERMS_LAST_YEAR = 2035;

/** Easter Sunday (anonymous Gregorian algorithm) as a day number. */
export function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumberOf(year, month, day);
}

const firstWeekdayOnOrAfter = (dn: number) => {
  while (weekdayOf(dn) === 0 || weekdayOf(dn) === 6) dn++;
  return dn;
};
const lastWeekdayOnOrBefore = (dn: number) => {
  while (weekdayOf(dn) === 0 || weekdayOf(dn) === 6) dn--;
  return dn;
};
const mondayOnOrAfter = (dn: number) => dn + ((8 - weekdayOf(dn)) % 7);
const mondayOfWeek = (dn: number) => dn - ((weekdayOf(dn) + 6) % 7);

/**
 * The summer half term is the week of the spring bank holiday, which moved for the 2012 and 2022
 * jubilees: take it from the bank-holiday list when it has one for the year.
 */
function summerHalfTermMonday(year: number, bankHolidays: ReadonlySet<number>): number {
  for (let dn = dayNumberOf(year, 5, 25); dn <= dayNumberOf(year, 6, 7); dn++) {
    if (bankHolidays.has(dn)) return mondayOfWeek(dn);
  }
  return mondayOfWeek(dayNumberOf(year, 5, 31)); // the last Monday in May
}

/** One academic year (September `year` to July `year + 1`): six half terms. */
function academicYear(year: number, bankHolidays: ReadonlySet<number>): Array<[number, number]> {
  const next = year + 1;
  const autumnStart = firstWeekdayOnOrAfter(dayNumberOf(year, 9, 3));
  const octoberHalfTerm = mondayOnOrAfter(dayNumberOf(year, 10, 22));
  const autumnEnd = lastWeekdayOnOrBefore(dayNumberOf(year, 12, 20));
  const springStart = firstWeekdayOnOrAfter(dayNumberOf(next, 1, 4));
  const februaryHalfTerm = mondayOnOrAfter(dayNumberOf(next, 2, 12));
  const easter = easterSunday(next);
  // Easter holiday: the fortnight from the Monday of Holy Week to the Friday after Easter Monday.
  const easterHolidayStart = easter - 6;
  const summerStart = easter + 8;
  const mayHalfTerm = summerHalfTermMonday(next, bankHolidays);
  const summerEnd = lastWeekdayOnOrBefore(dayNumberOf(next, 7, 22));
  return [
    [autumnStart, octoberHalfTerm - 3],
    [octoberHalfTerm + 7, autumnEnd],
    [springStart, februaryHalfTerm - 3],
    [februaryHalfTerm + 7, easterHolidayStart - 3],
    [summerStart, mayHalfTerm - 3],
    [mayHalfTerm + 7, summerEnd],
  ];
}

/** The default English term calendar for every calendar year from `firstYear` to `lastYear`. */
export function defaultSchoolTerms(
  bankHolidays: readonly string[],
  firstYear = DEFAULT_TERMS_FIRST_YEAR,
  lastYear = DEFAULT_TERMS_LAST_YEAR,
): TermRange[] {
  const holidays = new Set(bankHolidays.map(dayNumberOfIsoDate));
  const terms: TermRange[] = [];
  for (let year = firstYear - 1; year <= lastYear; year++) {
    for (const [start, end] of academicYear(year, holidays)) {
      if (end < dayNumberOf(firstYear, 1, 1) || start > dayNumberOf(lastYear, 12, 31)) continue;
      terms.push({ start: isoDateOfDayNumber(start), end: isoDateOfDayNumber(end) });
    }
  }
  return terms;
}

/**
 * Validates a partnership's own term dates: a list of `{ start, end }` ISO dates, each range in
 * order, none overlapping another. Every problem is named by its path (`[3].end: …`).
 */
export function parseSchoolTerms(input: unknown): Parsed<TermRange[]> {
  if (!Array.isArray(input)) return { ok: false, problems: [{ path: '(root)', message: 'expected a list of { start, end } term ranges' }] };
  const problems: Problem[] = [];
  const spans: Array<{ start: number; end: number; i: number }> = [];
  input.forEach((raw: unknown, i) => {
    const range = raw as Partial<Record<'start' | 'end', unknown>> | null;
    if (!range || typeof range !== 'object') {
      problems.push({ path: `[${i}]`, message: 'expected { start, end }' });
      return;
    }
    const start = typeof range.start === 'string' ? dayNumberOfIsoDate(range.start) : NaN;
    const end = typeof range.end === 'string' ? dayNumberOfIsoDate(range.end) : NaN;
    if (Number.isNaN(start)) problems.push({ path: `[${i}].start`, message: 'expected a date as YYYY-MM-DD' });
    if (Number.isNaN(end)) problems.push({ path: `[${i}].end`, message: 'expected a date as YYYY-MM-DD' });
    if (!Number.isNaN(start) && !Number.isNaN(end)) {
      if (end < start) problems.push({ path: `[${i}].end`, message: 'the term ends before it starts' });
      else spans.push({ start, end, i });
    }
  });
  spans.sort((a, b) => a.start - b.start);
  for (let k = 1; k < spans.length; k++) {
    if (spans[k].start <= spans[k - 1].end) {
      problems.push({ path: `[${spans[k].i}].start`, message: `overlaps the term at [${spans[k - 1].i}]` });
    }
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: spans.map((s) => ({ start: isoDateOfDayNumber(s.start), end: isoDateOfDayNumber(s.end) })),
  };
}
