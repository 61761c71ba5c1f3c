// Turning GOV.UK form posts into service input and service problems back into error summaries.
import type { Problem } from '../domain/event.ts';

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

/** A GOV.UK date input (`name-day`, `name-month`, `name-year`) as YYYY-MM-DD, or a problem. */
export function dateFromParts(
  body: Record<string, unknown>,
  name: string,
  label: string,
  required: boolean,
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
  return { value: iso };
}

export function dateParts(iso: string | undefined): { day: string; month: string; year: string } {
  const [year, month, day] = (iso ?? '').split('-');
  return { day: day ?? '', month: month ?? '', year: year ?? '' };
}

export const asString = (value: unknown): string => (typeof value === 'string' ? value : '');
export const asArray = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? [value] : [];
