// Nunjucks filters: how dates, agencies and event types read on a page.
import nunjucks from 'nunjucks';
import { AGENCY_NAMES, EVENT_TYPE_NAMES, agencyRef, type Agency, type EventType } from '../domain/event.ts';
import { formatInstant, londonOffsetMinutes } from '../domain/time.ts';
import { hasOptionLabel, optionLabel } from '../domain/option-labels.ts';
import { ruleName } from '../rules/rule-names.ts';
import { ROLE_CATALOGUE } from '../services/access.ts';
import { linksText } from '../services/export-service.ts';
import type { Role } from '../services/actor.ts';

const dateFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });

const toDate = (value: unknown) => (value instanceof Date ? value : new Date(String(value)));

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FROM_1900 = Date.UTC(1900, 0, 1);

/**
 * The London wall clock of an instant as a Date read in UTC, from the offset domain/time.ts keeps
 * memoised by hour: what the formats above print, without Intl's formatting, which was a quarter of
 * the child page's rendering (a page prints a date or two for each alert and entry). Null before
 * 1900 (London kept local mean time, and Intl prints era years) and for an invalid date: Intl then.
 */
function londonWallClock(date: Date): Date | null {
  const ms = date.getTime();
  return ms >= FROM_1900 ? new Date(ms + londonOffsetMinutes(ms) * 60_000) : null;
}

/** 2 March 2018 */
function govukDate(date: Date): string {
  const wall = londonWallClock(date);
  return wall ? `${wall.getUTCDate()} ${MONTHS[wall.getUTCMonth()]} ${wall.getUTCFullYear()}` : dateFormat.format(date);
}

/** 9:00am, 12:30pm */
function govukTime(date: Date): string {
  const wall = londonWallClock(date);
  if (!wall) return timeFormat.format(date).replace(' ', '');
  const hour = wall.getUTCHours();
  return `${hour % 12 || 12}:${String(wall.getUTCMinutes()).padStart(2, '0')}${hour < 12 ? 'am' : 'pm'}`;
}

const words = (value: unknown) =>
  String(value ?? '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();

function detailText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return dateFormat.format(new Date(`${value}T12:00:00Z`));
  if (typeof value === 'string') {
    // coded values (contract 1's enums) read as words; free text stays as written
    return /^[a-z][a-z0-9_]*$/.test(value) || hasOptionLabel(value) ? optionLabel(value) : value;
  }
  // structured lists (a screening's scored indicators) have their own page: here, just how many
  if (Array.isArray(value) && value.some((v) => v && typeof v === 'object')) return `${value.length} recorded`;
  if (Array.isArray(value)) return value.map(detailText).join(', ');
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => `${words(k)} ${detailText(v)}`).join('; ');
  }
  return String(value);
}

export const viewFilters = {
  /**
   * nunjucks's own trim, the same result in linear time: its `/^\s*|\s*$/g` tries the second branch
   * from every character, rescanning each run of indentation — about 1 ms on a 50 KB fragment, and
   * the GOV.UK macros trim every `html` they are given, nested fragments again at each level (a
   * quarter of My work's time). JavaScript's trim removes the same characters as `\s`.
   */
  trim: (value: unknown) => {
    const trimmed = String.prototype.trim.call(value);
    // as nunjucks's copySafeness: markup stays markup
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(trimmed) : trimmed;
  },
  ruleName: (code: unknown) => ruleName(String(code)),
  /** A count as GOV.UK writes numbers over 999: with commas (227,480). */
  count: (value: unknown) => (typeof value === 'number' ? value.toLocaleString('en-GB') : String(value ?? '')),
  /** `2022-02` → "February 2022" */
  monthName: (month: unknown) => new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${String(month)}-15T00:00:00Z`)),
  /** a context's reference without its kind prefix: `person:dex` → `dex` */
  contextRef: (ref: unknown) => String(ref ?? '').replace(/^[a-z]+:/, ''),
  /** 2 March 2018 */
  govukDate: (value: unknown) => (value ? govukDate(toDate(value)) : ''),
  /** 2 March 2018 at 9:00am */
  govukDateTime: (value: unknown) => (value ? `${govukDate(toDate(value))} at ${govukTime(toDate(value))}` : ''),
  /** machine-readable, for <time datetime> */
  isoInstant: (value: unknown) => (value ? formatInstant(toDate(value).getTime()) : ''),
  agencyName: (value: unknown) => AGENCY_NAMES[value as Agency] ?? String(value),
  roleName: (value: unknown) => ROLE_CATALOGUE[value as Role]?.name.toLowerCase() ?? String(value),
  eventTypeName: (value: unknown) => EVENT_TYPE_NAMES[value as EventType] ?? String(value),
  /** an entry's reference when it is an agency's own (domain/event's agencyRef) */
  agencyRef: (ref: unknown) => agencyRef(typeof ref === 'string' ? ref : null),
  /** snake_case and camelCase values as words: "lead_professional" → "lead professional" */
  words,
  /** an entry's links (the people, places, phones, vehicles and groups it ties the child to) in words, as the exports write them */
  linksText,
  /** an event's details as label/text pairs for a definition list, any shape (unknown keys too) */
  detailRows: (details: unknown) =>
    Object.entries((details as Record<string, unknown>) ?? {}).map(([key, value]) => ({
      label: words(key)[0]?.toUpperCase() + words(key).slice(1),
      text: detailText(value),
    })),
  json: (value: unknown) => JSON.stringify(value, null, 2),
};
