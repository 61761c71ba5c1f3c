// Europe/London time by arithmetic, for the engine's hot path. Contract 2 asks for ≥ 200,000 events
// a second, and asking Intl for the offset of every instant (domain/time.ts) costs more than all the
// rules together. The UK offset changes twice a year, so we learn each year's two transitions once
// from the domain's own Intl-based `londonOffsetMinutes` (so both always agree) and afterwards find
// an offset with a few comparisons. Parsing and printing follow `parseAt` and `formatInstant`
// exactly; anything unusual falls back to them.
import { DAY, HOUR, formatInstant, londonOffsetMinutes, parseAt } from '../../domain/time.ts';

const FIRST_YEAR = 1970;
const LAST_YEAR = 2100;
const TABLE_START = Date.UTC(FIRST_YEAR, 0, 1);
const TABLE_END = Date.UTC(LAST_YEAR + 1, 0, 1);

let transitions: Float64Array | null = null;
/** offsets[i] (ms) holds from transitions[i] until transitions[i + 1] */
let offsets: Float64Array | null = null;

/** The first hour at which London's offset differs from its offset at `from` (binary search on hours). */
function transitionBetween(from: number, to: number): number {
  const before = londonOffsetMinutes(from);
  if (londonOffsetMinutes(to) === before) return NaN;
  let lo = from / HOUR;
  let hi = to / HOUR;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (londonOffsetMinutes(mid * HOUR) === before) lo = mid;
    else hi = mid;
  }
  return hi * HOUR;
}

function buildTable(): void {
  const at: number[] = [TABLE_START];
  const off: number[] = [londonOffsetMinutes(TABLE_START) * 60_000];
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    const bounds = [Date.UTC(y, 0, 1), Date.UTC(y, 6, 1), Date.UTC(y + 1, 0, 1)];
    for (let k = 0; k < 2; k++) {
      const t = transitionBetween(bounds[k], bounds[k + 1]);
      if (Number.isNaN(t)) continue;
      at.push(t);
      off.push(londonOffsetMinutes(t) * 60_000);
    }
  }
  transitions = Float64Array.from(at);
  offsets = Float64Array.from(off);
}

/** London's offset from UTC at an instant, in milliseconds. */
export function londonOffsetMs(ms: number): number {
  if (!(ms >= TABLE_START && ms < TABLE_END)) return londonOffsetMinutes(ms) * 60_000;
  if (transitions === null) buildTable();
  const t = transitions!;
  let lo = 0;
  let hi = t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (t[mid] <= ms) lo = mid;
    else hi = mid - 1;
  }
  return offsets![lo];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number. */
export function civilFromDays(dn: number): [number, number, number] {
  const packed = civilPacked(dn);
  return [Math.floor(packed / 10_000), Math.floor(packed / 100) % 100, packed % 100];
}

/** year × 10000 + month × 100 + day of a day number (civil_from_days), with no allocation. */
export function civilPacked(dn: number): number {
  const z = dn + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return (yoe + era * 400 + (m <= 2 ? 1 : 0)) * 10_000 + m * 100 + d;
}

/** The instant London's wall clock reads `localMs` (a naive local time as if it were UTC). */
export function londonWall(localMs: number): number {
  const first = localMs - londonOffsetMs(localMs);
  return localMs - londonOffsetMs(first);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Reads `n` digits at `i`; -1 when any is not a digit. */
function digits(text: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = text.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Contract-1 `at` as epoch ms: exactly `parseAt`, without its regular expressions and Intl calls
 * for the common forms (`2018-03-02`, `2018-03-02T09:00:00+00:00`, `…Z`). NaN when invalid.
 */
export function parseInstant(text: string): number {
  const len = text.length;
  if (len < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return parseAt(text);
  const y = digits(text, 0, 4);
  const m = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  if (y < FIRST_YEAR || y > LAST_YEAR || m < 1 || m > 12 || d < 1 || d > (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1])) return parseAt(text);
  const day = daysFromCivil(y, m, d);
  if (len === 10) return londonWall(day * DAY + 9 * HOUR);
  // YYYY-MM-DDTHH:MM:SS[.sss] then Z or ±HH:MM; any other form goes to parseAt.
  if (text.charCodeAt(10) !== 84 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return parseAt(text);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return parseAt(text);
  // An optional fraction of exactly milliseconds (`.250`), as toISOString() prints.
  let i = 19;
  let fraction = 0;
  if (text.charCodeAt(19) === 46) {
    fraction = digits(text, 20, 3);
    if (fraction < 0) return parseAt(text);
    i = 23;
  }
  let offset: number;
  if (len === i + 1 && text.charCodeAt(i) === 90) offset = 0;
  else if (len === i + 6 && text.charCodeAt(i + 3) === 58 && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === 45)) {
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return parseAt(text);
    offset = (text.charCodeAt(i) === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return parseAt(text);
  const ms = day * DAY + h * HOUR + mi * 60_000 + s * 1000 + fraction - offset;
  return ms >= TABLE_START && ms < TABLE_END ? ms : parseAt(text);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

// A replay prints most of a million instants: the date part is shared by every instant of a day and
// the time part by every instant at that time of day, so each is made once (and flattened: reading
// it as a number makes V8 store it as one string rather than a tree of pieces).
const dateTexts: string[] = [];
const timeTexts: string[] = [];
const FIRST_DAY = TABLE_START / DAY;

function dateText(dn: number): string {
  let text = dateTexts[dn - FIRST_DAY];
  if (text === undefined) {
    const packed = civilPacked(dn);
    text = `${Math.floor(packed / 10_000)}-${pad2(Math.floor(packed / 100) % 100)}-${pad2(packed % 100)}T`;
    Number(text);
    dateTexts[dn - FIRST_DAY] = text;
  }
  return text;
}

function timeText(secs: number): string {
  let text = timeTexts[secs];
  if (text === undefined) {
    text = `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
    Number(text);
    timeTexts[secs] = text;
  }
  return text;
}

function offsetText(offset: number): string {
  if (offset === 0) return '+00:00';
  if (offset === HOUR) return '+01:00';
  const abs = Math.abs(offset) / 60_000;
  return `${offset >= 0 ? '+' : '-'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `2018-03-02T09:00:00+00:00`: exactly `formatInstant`, by arithmetic. */
export function formatLondon(ms: number): string {
  if (!(ms >= TABLE_START && ms < TABLE_END)) return formatInstant(ms);
  const offset = londonOffsetMs(ms);
  const local = ms + offset;
  const dn = Math.floor(local / DAY);
  return dateText(dn) + timeText(Math.floor((local - dn * DAY) / 1000)) + offsetText(offset);
}
