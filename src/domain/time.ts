// Instants are epoch milliseconds everywhere inside Reachable; strings appear only at the edges.
// Contract 1: a bare date (`2018-03-02`) means 09:00 Europe/London on that day. Contract 2 prints
// instants with the London offset of the moment (`2018-03-02T09:00:00+00:00`).

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Date.UTC for any year: Date.UTC itself reads years 0–99 as 1900–1999, so an instant would not match its text. */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year < 0 || year > 99) return Date.UTC(year, monthIndex, day, hour, minute, second);
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

// The UK offset changes only twice a year, so memoise by hour: the rules engine formats and parses
// instants on its hot path (contract 2 asks for ≥ 200,000 events/s).
const offsetCache = new Map<number, number>();

/** Minutes east of UTC that Europe/London is at the given instant (0 or 60). */
export function londonOffsetMinutes(ms: number): number {
  const hourKey = Math.floor(ms / HOUR);
  const cached = offsetCache.get(hourKey);
  if (cached !== undefined) return cached;
  const p: Record<string, string> = {};
  for (const part of londonParts.formatToParts(new Date(hourKey * HOUR))) p[part.type] = part.value;
  const asUtc = utc(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offset = Math.round((asUtc - hourKey * HOUR) / 60_000);
  if (offsetCache.size > 500_000) offsetCache.clear();
  offsetCache.set(hourKey, offset);
  return offset;
}

/**
 * The earliest year a date Reachable is given may name. Nothing it records about a child (an event,
 * a date of birth, a review date) is older, and years 0000–0099 are what a slip of the keyboard or a
 * two-digit year padded with zeros gives: `0024` meant 2024, not the year 24.
 */
export const EARLIEST_YEAR = 1900;

/** Whether an ISO date or date-time (`YYYY-…`) names a year before EARLIEST_YEAR. */
export function beforeEarliestYear(text: string): boolean {
  const m = /^(\d{4})-/.exec(text);
  return !!m && +m[1] < EARLIEST_YEAR;
}

/** The instant at which the London wall-clock reads the given local time. */
export function londonWallClock(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const naive = utc(year, month - 1, day, hour, minute, second);
  // Try the offset at the naive instant, then correct once: exact except inside the skipped hour.
  const first = naive - londonOffsetMinutes(naive) * 60_000;
  return naive - londonOffsetMinutes(first) * 60_000;
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(utc(y, m, 0)).getUTCDate();
}

/** A real calendar day written YYYY-MM-DD (a period's end, say): not 2025-02-30, not a date-time. */
export const isCalendarDate = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(parseAt(text));

/**
 * Parses contract-1 `at`. Returns NaN when the text is not a valid date or date-time, or names a
 * year before EARLIEST_YEAR (beforeEarliestYear tells the caller which, for its message).
 */
export function parseAt(text: string): number {
  let m = DATE_ONLY.exec(text);
  if (m) {
    const [y, mo, d] = [+m[1], +m[2], +m[3]];
    return y >= EARLIEST_YEAR && validDate(y, mo, d) ? londonWallClock(y, mo, d, 9) : NaN;
  }
  m = DATE_TIME.exec(text);
  if (m) {
    const [y, mo, d, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0)];
    if (y < EARLIEST_YEAR || !validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return NaN;
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? ms : NaN;
  }
  return NaN;
}

export function isValidAt(text: string): boolean {
  return !Number.isNaN(parseAt(text));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `2018-03-02T09:00:00+00:00`: the instant as London wall-clock time with its offset. */
export function formatInstant(ms: number): string {
  const offset = londonOffsetMinutes(ms);
  const local = new Date(ms + offset * 60_000);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The London calendar date (`YYYY-MM-DD`) of an instant. */
export function londonDate(ms: number): string {
  return formatInstant(ms).slice(0, 10);
}

/** Age in whole years on the London date of `atMs`, from an ISO date of birth. */
export function ageOn(dateOfBirth: string, atMs: number): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = londonDate(atMs).split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
