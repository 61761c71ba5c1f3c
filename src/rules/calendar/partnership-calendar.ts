// Working days and school days (contract 2): Monday–Friday except bank holidays in England and
// Wales, in Europe/London time; school days are working days inside a term. "Within N working days
// of T" means by the end of the Nth working day after T — Working Together 2023 counts its
// timescales (referral decisions, conferences, assessments) this way.
import bankHolidayFile from './bank-holidays.json' with { type: 'json' };
import { dayNumberOfIsoDate, endOfLondonDay, isWeekend, londonDayNumber } from './days.ts';
import { DEFAULT_TERMS_VERSION, defaultSchoolTerms, type TermRange } from './school-terms.ts';

export const BANK_HOLIDAYS: readonly string[] = bankHolidayFile.dates;
export const BANK_HOLIDAYS_VERSION: string = bankHolidayFile.version;

export interface CalendarSource {
  /** ISO dates; default: England and Wales 2010–2035 (bank-holidays.json). */
  bankHolidays?: readonly string[];
  /** The partnership's term dates; default: the generated English calendar. */
  schoolTerms?: readonly TermRange[] | null;
}

export class PartnershipCalendar {
  /** Which holiday list and term dates are in force; recorded with the rules configuration. */
  readonly version: string;
  private readonly holidayBase: number;
  private readonly holidayFlags: Uint8Array;
  private readonly schoolBase: number;
  /** 1 for each school day from the first term's start to the last term's end. */
  private readonly schoolFlags: Uint8Array;

  constructor(source: CalendarSource = {}) {
    const holidays = (source.bankHolidays ?? BANK_HOLIDAYS).map(dayNumberOfIsoDate).filter((d) => !Number.isNaN(d));
    this.holidayBase = holidays.length ? Math.min(...holidays) : 0;
    this.holidayFlags = new Uint8Array(holidays.length ? Math.max(...holidays) - this.holidayBase + 1 : 0);
    for (const d of holidays) this.holidayFlags[d - this.holidayBase] = 1;

    const terms = source.schoolTerms ?? defaultSchoolTerms(source.bankHolidays ?? BANK_HOLIDAYS);
    const spans = terms.map((t) => [dayNumberOfIsoDate(t.start), dayNumberOfIsoDate(t.end)] as const);
    this.schoolBase = spans.length ? Math.min(...spans.map((s) => s[0])) : 0;
    const last = spans.length ? Math.max(...spans.map((s) => s[1])) : -1;
    this.schoolFlags = new Uint8Array(Math.max(0, last - this.schoolBase + 1));
    for (const [start, end] of spans) {
      for (let d = start; d <= end; d++) if (this.isWorkingDay(d)) this.schoolFlags[d - this.schoolBase] = 1;
    }
    this.version = [
      source.bankHolidays ? 'local-bank-holidays' : BANK_HOLIDAYS_VERSION,
      source.schoolTerms ? `local-terms-${spans.length}` : DEFAULT_TERMS_VERSION,
    ].join('+');
  }

  isBankHoliday(dn: number): boolean {
    const i = dn - this.holidayBase;
    return i >= 0 && i < this.holidayFlags.length && this.holidayFlags[i] === 1;
  }

  isWorkingDay(dn: number): boolean {
    return !isWeekend(dn) && !this.isBankHoliday(dn);
  }

  isSchoolDay(dn: number): boolean {
    const i = dn - this.schoolBase;
    return i >= 0 && i < this.schoolFlags.length && this.schoolFlags[i] === 1;
  }

  /** The day number of the Nth working day after `dn` (`n` = 0: `dn` itself). */
  nthWorkingDayAfter(dn: number, n: number): number {
    let d = dn;
    for (let left = n; left > 0; ) {
      d++;
      if (this.isWorkingDay(d)) left--;
    }
    return d;
  }

  /** The Nth school day after `dn`, or Infinity when the term calendar ends first. */
  nthSchoolDayAfter(dn: number, n: number): number {
    if (n <= 0) return dn;
    let i = Math.max(dn + 1 - this.schoolBase, 0);
    for (let left = n; i < this.schoolFlags.length; i++) {
      if (this.schoolFlags[i] === 1 && --left === 0) return i + this.schoolBase;
    }
    return Infinity;
  }

  /** School days after `fromDn` up to and including `toDn`. */
  schoolDaysBetween(fromDn: number, toDn: number): number {
    let count = 0;
    const end = Math.min(toDn - this.schoolBase, this.schoolFlags.length - 1);
    for (let i = Math.max(fromDn + 1 - this.schoolBase, 0); i <= end; i++) count += this.schoolFlags[i];
    return count;
  }

  /** End (23:59:59 London) of the Nth working day after the London date of `ms`. */
  workingDaysDeadline(ms: number, n: number): number {
    return endOfLondonDay(this.nthWorkingDayAfter(londonDayNumber(ms), n));
  }

  /** End of the Nth school day after the London date of `ms`; Infinity past the last term. */
  schoolDaysDeadline(ms: number, n: number): number {
    const dn = this.nthSchoolDayAfter(londonDayNumber(ms), n);
    return dn === Infinity ? Infinity : endOfLondonDay(dn);
  }
}

let shared: PartnershipCalendar | undefined;

/** The default England and Wales calendar, built once. */
export function defaultCalendar(): PartnershipCalendar {
  shared ??= new PartnershipCalendar();
  return shared;
}
