// Turning GOV.UK form posts into service input and service problems back into error summaries.
import { randomUUID } from 'node:crypto';
import type { Problem } from '../domain/event.ts';
import { EARLIEST_YEAR, londonDate } from '../domain/time.ts';
import { UUID } from '../domain/identifiers.ts';

export interface ErrorSummaryItem {
  text: string;
  href: string;
}

/** Problems as the GOV.UK error summary wants them, and a field → message map for the inputs. */
export function formErrors(problems: Problem[], anchors: Record<string, string> = {}) {
  const errorFor: Record<string, string> = {};
  const errors: ErrorSummaryItem[] = [];
  for (const p of problems) {
    const field = p.path;
    if (errorFor[field]) continue;
    errorFor[field] = p.message;
    errors.push({ text: p.message, href: `#${anchors[field] ?? field.replace(/\./g, '-')}` });
  }
  return { errors, errorFor };
}

export interface DateRules {
  /** when the practitioner says when something happened: not after today (London), as the screening and NRM forms ask */
  notFuture?: boolean;
  /** now, for `notFuture` (tests) */
  now?: number;
}

/**
 * A GOV.UK date input (`name-day`, `name-month`, `name-year`) as YYYY-MM-DD, or a problem. A year
 * before 1900 is refused (0024 is 2024 mistyped, not the year 24: see EARLIEST_YEAR).
 */
export function dateFromParts(
  body: Record<string, unknown>,
  name: string,
  label: string,
  required: boolean,
  rules: DateRules = {},
): { value?: string; problem?: Problem } {
  const day = String(body[`${name}-day`] ?? '').trim();
  const month = String(body[`${name}-month`] ?? '').trim();
  const year = String(body[`${name}-year`] ?? '').trim();
  if (!day && !month && !year) {
    return required ? { problem: { path: name, message: `Enter ${label}` } } : {};
  }
  if (!day || !month || !year) {
    const missing = [!day && 'day', !month && 'month', !year && 'year'].filter(Boolean).join(' and ');
    return { problem: { path: name, message: `${label[0].toUpperCase()}${label.slice(1)} must include a ${missing}` } };
  }
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    return { problem: { path: name, message: `${label[0].toUpperCase()}${label.slice(1)} must be a real date` } };
  }
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) {
    return { problem: { path: name, message: `${label[0].toUpperCase()}${label.slice(1)} must be a real date` } };
  }
  if (+year < EARLIEST_YEAR) {
    return { problem: { path: name, message: `${label[0].toUpperCase()}${label.slice(1)} must be the same as or after 1 January ${EARLIEST_YEAR}` } };
  }
  if (rules.notFuture && iso > londonDate(rules.now ?? Date.now())) {
    return { problem: { path: name, message: `${label[0].toUpperCase()}${label.slice(1)} must be today or in the past` } };
  }
  return { value: iso };
}


/**
 * A form's one-time submission id: made when the form is first shown (a hidden `submission` field),
 * kept when it is shown again with errors, so that one entry is one submission however often it is
 * sent — a double click, a re-post from the browser's back button, a retry after a slow answer.
 */
export function submissionId(body: Record<string, unknown>): string {
  const sent = asString(body.submission);
  return UUID.test(sent) ? sent.toLowerCase() : randomUUID();
}

/**
 * The `ref` of what a form submission records: events are unique by (agency, ref), so the same
 * submission sent again is recognised as recorded already. `web:` keeps it apart from the refs of an
 * agency's own systems; a UUID from no one else's form. Undefined for a form shown before the field.
 */
export function submissionRef(body: Record<string, unknown>): string | undefined {
  const sent = asString(body.submission);
  return UUID.test(sent) ? `web:${sent.toLowerCase()}` : undefined;
}

export function dateParts(iso: string | undefined): { day: string; month: string; year: string } {
  const [year, month, day] = (iso ?? '').split('-');
  return { day: day ?? '', month: month ?? '', year: year ?? '' };
}

export const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
export const asArray = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? [value] : [];
