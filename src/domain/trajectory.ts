// The child's trajectory month by month: is anything changing? (issue 4; the review: "escalate
// when risks are not reducing"). Counts of the events a panel watches, and the latest screening
// score and risk level known at the end of each month.
import type { RiskLevel } from './event.ts';
import { londonDate } from './time.ts';

export interface TrajectoryEvent {
  type: string;
  atMs: number;
  details: Record<string, unknown>;
}

export interface TrajectoryMonth {
  month: string;
  missing: number;
  policeIncidents: number;
  exclusions: number;
  edAttendances: number;
  /** the last screening score recorded by the end of the month */
  screeningScore: number | null;
  /** the last risk level (screening or plan review) recorded by the end of the month */
  riskLevel: RiskLevel | null;
}

export const RISK_RANK: Record<RiskLevel, number> = { none: 0, low: 1, moderate: 2, significant: 3 };

const monthOf = (ms: number) => londonDate(ms).slice(0, 7);

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Every month from the first event to `untilMs` (at most `maxMonths`, the latest kept). */
export function trajectory(events: readonly TrajectoryEvent[], untilMs: number, maxMonths = 60): TrajectoryMonth[] {
  const sorted = [...events].filter((e) => e.atMs <= untilMs).sort((a, b) => a.atMs - b.atMs);
  if (!sorted.length) return [];
  const months: TrajectoryMonth[] = [];
  const last = monthOf(untilMs);
  let score: number | null = null;
  let level: RiskLevel | null = null;
  let i = 0;
  for (let month = monthOf(sorted[0].atMs); month <= last; month = nextMonth(month)) {
    const row: TrajectoryMonth = { month, missing: 0, policeIncidents: 0, exclusions: 0, edAttendances: 0, screeningScore: null, riskLevel: null };
    for (; i < sorted.length && monthOf(sorted[i].atMs) === month; i++) {
      const e = sorted[i];
      if (e.type === 'missing.started') row.missing++;
      else if (e.type === 'police.incident' || e.type === 'police.arrested') row.policeIncidents++;
      else if (e.type === 'education.excluded') row.exclusions++;
      else if (e.type === 'health.ed_attendance') row.edAttendances++;
      else if (e.type === 'screening.completed') {
        if (typeof e.details.score === 'number') score = e.details.score;
        level = e.details.level as RiskLevel;
      } else if (e.type === 'plan.reviewed') level = e.details.riskLevel as RiskLevel;
    }
    row.screeningScore = score;
    row.riskLevel = level;
    months.push(row);
  }
  return months.slice(-maxMonths);
}
