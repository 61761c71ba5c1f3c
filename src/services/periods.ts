// A period of London days chosen on a form or in a link (YYYY-MM-DD, both days in it), as an
// export of part of a chronology and the statutory returns take it: its checks and its test, once.
import type { Problem } from '../domain/event.ts';
import { EARLIEST_YEAR, beforeEarliestYear, isCalendarDate, londonDate } from '../domain/time.ts';

export interface DayPeriod {
  from?: string;
  to?: string;
}

/**
 * The period's ends as sent, each left out when blank, or their problems on `from` and `to` in the
 * words of the form's date fields (web/forms.ts).
 */
export function checkDayPeriod(input: { from?: string; to?: string }): { period: DayPeriod; problems: Problem[] } {
  const problems: Problem[] = [];
  const period: DayPeriod = {};
  for (const key of ['from', 'to'] as const) {
    const value = input[key]?.trim();
    if (!value) continue;
    const what = `The ${key === 'from' ? 'start' : 'end'} of the period`;
    if (isCalendarDate(value)) period[key] = value;
    else if (/^\d{4}-\d{2}-\d{2}$/.test(value) && beforeEarliestYear(value)) problems.push({ path: key, message: `${what} must be the same as or after 1 January ${EARLIEST_YEAR}` });
    else problems.push({ path: key, message: `${what} must be a real date` });
  }
  return { period, problems };
}

export const endBeforeStart = (): Problem => ({ path: 'to', message: 'The end of the period must be the same as or after the start' });

/** Whether a moment's London day falls in the period; an end left out does not bound it. */
export function inDayPeriod(period: DayPeriod, at: Date): boolean {
  if (!period.from && !period.to) return true;
  const day = londonDate(at.getTime());
  return (!period.from || day >= period.from) && (!period.to || day <= period.to);
}
