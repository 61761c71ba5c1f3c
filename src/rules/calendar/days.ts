// Day numbers: a London calendar date as whole days since 1970-01-01. Deadlines in contract 2 are
// counted in London days ("within N working days of T" ends at the end of a London day), so the
// engine turns each instant into a day number once and does all calendar arithmetic on integers.
import { DAY } from '../../domain/time.ts';
import { civilPacked, londonOffsetMs, londonWall } from './london-clock.ts';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The London date of an instant, as a day number. */
export function londonDayNumber(ms: number): number {
  return Math.floor((ms + londonOffsetMs(ms)) / DAY);
}

/** `YYYY-MM-DD` → day number; NaN when it is not a real date. */
export function dayNumberOfIsoDate(text: string): number {
  const m = ISO_DATE.exec(text);
  if (!m) return NaN;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return NaN;
  return ms / DAY;
}

export function dayNumberOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function isoDateOfDayNumber(dn: number): string {
  const packed = civilPacked(dn);
  return `${Math.floor(packed / 10_000)}-${pad(Math.floor(packed / 100) % 100)}-${pad(packed % 100)}`;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(dn: number): number {
  return (((dn + 4) % 7) + 7) % 7;
}

export function isWeekend(dn: number): boolean {
  const w = weekdayOf(dn);
  return w === 0 || w === 6;
}

/** The instant London's wall clock reads 00:00 on that day. */
export function startOfLondonDay(dn: number): number {
  return londonWall(dn * DAY);
}

/**
 * The last second of a London day (23:59:59). Deadlines are whole seconds so that the printed
 * `dueBy` reads back to the same instant, and they print on the day they fall due.
 */
export function endOfLondonDay(dn: number): number {
  return startOfLondonDay(dn + 1) - 1000;
}
