// Children missing education (issue 5): Jacob was not on a school roll for 22 months, refused by
// 4 schools, and no direction to admit was ever sought. This is the register's view of one child:
// the current period without a full-time place, how many school days it has cost, who refused and
// when, and each direction to admit with its clock, until a full-time place starts.
//
// A period starts at `education.left_roll`, at arrival in the area with no full-time place
// (`household.moved` intoArea), or at a part-time place only; `education.on_roll` with
// `fullTime: true` ends it (contract 2, the CME_* rules). Directions to admit (domain.md): a
// maintained school by the local authority (7 days' consultation, then notice); an academy by the
// Secretary of State through the DfE, who gives the academy 7 days to respond.
import { endOfLondonDay, londonDayNumber } from '../../rules/calendar/days.ts';

export interface CmeEvent {
  id: string;
  type: string;
  atMs: number;
  details: Record<string, unknown>;
}

/** Counts school days (the partnership's calendar) after one London day up to and including another. */
export interface SchoolDayCounter {
  schoolDaysBetween(fromDayNumber: number, toDayNumber: number): number;
}

export interface CmeOptions {
  /** the school-day thresholds of the CME_* rules (rules config `education`) */
  thresholds: { noticeSchoolDays: number; escalateSchoolDays: number; directionSchoolDays: number; termSchoolDays: number };
  /** calendar days a school has to answer a direction request (domain.md: 7) */
  responseDays: number;
}

export const DEFAULT_CME_OPTIONS: CmeOptions = {
  thresholds: { noticeSchoolDays: 10, escalateSchoolDays: 20, directionSchoolDays: 30, termSchoolDays: 60 },
  responseDays: 7,
};

export const DIRECTION_OUTCOMES = ['directed', 'admitted', 'refused', 'withdrawn'] as const;
export type DirectionOutcome = (typeof DIRECTION_OUTCOMES)[number];

export const DIRECTION_OUTCOME_NAMES: Record<DirectionOutcome, string> = {
  directed: 'Direction to admit issued',
  admitted: 'Admitted',
  refused: 'Direction refused',
  withdrawn: 'Request withdrawn',
};

export interface Refusal {
  eventId: string;
  school: string;
  academy: boolean;
  atMs: number;
}

export interface Direction {
  eventId: string | null;
  school: string;
  academy: boolean;
  /** who directs: the local authority (maintained school) or the Secretary of State via the DfE (academy) */
  by: 'local_authority' | 'secretary_of_state';
  reference: string | null;
  requestedMs: number | null;
  /** end of the 7th day after the request: the academy's response, or the LA's consultation */
  respondByMs: number | null;
  overdue: boolean;
  outcome: { outcome: DirectionOutcome; atMs: number; eventId: string } | null;
}

export interface Threshold {
  schoolDays: number;
  rule: 'CME_10' | 'CME_20' | 'CME_DIRECTION' | 'CME_TERM';
  reached: boolean;
}

export interface CmePeriod {
  startedBy: 'left_roll' | 'arrival' | 'part_time';
  sinceMs: number;
  sinceEventId: string;
  /** the school the child left, when recorded */
  fromSchool: string | null;
  reason: string | null;
  schoolDays: number;
  /** a part-time place only (not an end to the period) */
  partTime: { school: string; sinceMs: number } | null;
  refusals: Refusal[];
  directions: Direction[];
  thresholds: Threshold[];
  /** a school refused or the direction threshold passed, and no direction has been sought */
  directionNeeded: boolean;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const sameSchool = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The child's current period without a full-time school place, or null when they have one. */
export function cmePeriod(
  events: readonly CmeEvent[],
  asOfMs: number,
  calendar: SchoolDayCounter,
  options: CmeOptions = DEFAULT_CME_OPTIONS,
): CmePeriod | null {
  let period: CmePeriod | null = null;
  let fullTime = false;
  const start = (e: CmeEvent, startedBy: CmePeriod['startedBy'], fromSchool: string | null, reason: string | null): CmePeriod => ({
    startedBy, sinceMs: e.atMs, sinceEventId: e.id, fromSchool, reason, schoolDays: 0, partTime: null,
    refusals: [], directions: [], thresholds: [], directionNeeded: false,
  });
  const ordered = events.filter((e) => e.atMs <= asOfMs).sort((a, b) => a.atMs - b.atMs);
  for (const e of ordered) {
    const d = e.details;
    switch (e.type) {
      case 'education.left_roll':
        fullTime = false;
        period ??= start(e, 'left_roll', text(d.school), text(d.reason));
        break;
      case 'household.moved':
        if (d.intoArea === true && !fullTime) period ??= start(e, 'arrival', null, text(d.fromArea) ? `arrived from ${text(d.fromArea)}` : 'arrived in the area');
        break;
      case 'education.on_roll':
        if (d.fullTime === true) {
          fullTime = true;
          period = null;
        } else {
          fullTime = false;
          period ??= start(e, 'part_time', null, null);
          period.partTime = { school: text(d.school) ?? 'a school', sinceMs: e.atMs };
        }
        break;
      case 'education.place_refused':
        period?.refusals.push({ eventId: e.id, school: text(d.school) ?? 'A school', academy: d.academy === true, atMs: e.atMs });
        break;
      case 'education.direction_requested': {
        if (!period) break;
        const academy = d.academy === true;
        const respondByMs = endOfLondonDay(londonDayNumber(e.atMs) + options.responseDays);
        period.directions.push({
          eventId: e.id, school: text(d.school) ?? 'A school', academy,
          by: academy ? 'secretary_of_state' : 'local_authority',
          reference: text(d.reference), requestedMs: e.atMs, respondByMs, overdue: false, outcome: null,
        });
        break;
      }
      case 'education.direction_outcome': {
        if (!period) break;
        const school = text(d.school) ?? 'A school';
        const outcome = { outcome: d.outcome as DirectionOutcome, atMs: e.atMs, eventId: e.id };
        // the latest request to that school still waiting for an answer, else its latest request
        const forSchool = period.directions.filter((x) => sameSchool(x.school, school));
        const target = forSchool.filter((x) => !x.outcome).at(-1) ?? forSchool.at(-1);
        if (target) target.outcome = outcome;
        else {
          const academy = period.refusals.find((r) => sameSchool(r.school, school))?.academy ?? false;
          period.directions.push({
            eventId: null, school, academy, by: academy ? 'secretary_of_state' : 'local_authority',
            reference: null, requestedMs: null, respondByMs: null, overdue: false, outcome,
          });
        }
        break;
      }
    }
  }
  if (!period) return null;
  period.schoolDays = calendar.schoolDaysBetween(londonDayNumber(period.sinceMs), londonDayNumber(asOfMs));
  for (const dir of period.directions) {
    // a direction issued is still waiting for the place; any outcome stops the response clock
    dir.overdue = dir.outcome === null && dir.respondByMs !== null && asOfMs > dir.respondByMs;
  }
  const t = options.thresholds;
  period.thresholds = ([
    [t.noticeSchoolDays, 'CME_10'],
    [t.escalateSchoolDays, 'CME_20'],
    [t.directionSchoolDays, 'CME_DIRECTION'],
    [t.termSchoolDays, 'CME_TERM'],
  ] as const).map(([schoolDays, rule]) => ({ schoolDays, rule, reached: period!.schoolDays >= schoolDays }));
  period.directionNeeded =
    period.directions.length === 0 && (period.refusals.length > 0 || period.schoolDays >= t.directionSchoolDays);
  return period;
}
