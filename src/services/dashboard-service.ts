// The partnership dashboard (issue 9): whether the partnership is keeping children safer, month by
// month — children of exploitation concern by band, missing episodes and return home interviews,
// children missing education, the response to reachable moments, NRM referrals and decisions,
// alerts, escalations, panel drift and agency gaps. Partnership analysts, managers and
// administrators (`partnership_reports`); every view is audited.
//
// Every figure is a pseudonymised aggregate: no child is named or identified, and small numbers
// are suppressed (SMALL_NUMBER below) so that no child can be picked out of a count. The figures'
// definitions are on the page (views/dashboard/definitions.njk) and in the comments here.
import { AGENCIES, RISK_LEVELS, type Agency, type Problem } from '../domain/event.ts';
import { londonDate, londonWallClock } from '../domain/time.ts';
import { cmePeriod, DEFAULT_CME_OPTIONS, type CmeEvent, type SchoolDayCounter } from '../domain/workflows/cme.ts';
import * as escalation from '../domain/workflows/escalation.ts';
import { RULES } from '../rules/catalogue.ts';
import { londonDayNumber } from '../rules/calendar/days.ts';
import { defaultCalendar, PartnershipCalendar } from '../rules/calendar/partnership-calendar.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from '../rules/config.ts';
import type { Db } from '../store/database.ts';
import { dashboardFigures, keepView, keptView, markViewed, type DashboardFigures, type Durations, type FoldedEventRow } from '../store/dashboard-repository.ts';
import type { Actor } from './actor.ts';
import { requireCapability } from './access.ts';
import { audit } from './audit-service.ts';
import { validationFailed } from './errors.ts';

/** Counts from 1 to SMALL_NUMBER − 1 are shown as "fewer than 5" (the partnership's disclosure rule). */
export const SMALL_NUMBER = 5;
export const DEFAULT_MONTHS = 12;
export const MAX_MONTHS = 36;

export type FigureKind = 'count' | 'percent' | 'hours' | 'days';

export interface Figure {
  /** what is drawn and compared: null when suppressed, or when there is nothing to measure */
  value: number | null;
  /** what the table says */
  text: string;
  suppressed: boolean;
}

export interface Column {
  key: string;
  label: string;
  kind: FigureKind;
}

export interface Row {
  key: string;
  /** for rows that are not months, rules or agencies (stages, age bands) */
  label?: string;
  cells: Record<string, Figure>;
}

export interface Grid {
  rowKind: 'month' | 'rule' | 'agency' | 'other';
  columns: Column[];
  rows: Row[];
}

export interface DashboardQuery {
  /** 'YYYY-MM' */
  from?: string;
  to?: string;
  area?: string;
  agency?: string;
}

export interface DashboardOptions {
  /** the partnership's rules configuration: the interview hours, CME thresholds, term dates, stage times */
  config?: RulesConfig;
  now?: () => number;
  /**
   * Where the figures are read: the streaming replica when there is one (a month's aggregates may
   * lag the primary by the replica's delay, seconds at most); the audit entry is always written to `db`.
   */
  reads?: Db;
  /**
   * Show a view kept in dashboard_views if it was computed less than this long ago (ms), and keep
   * what is computed; 0 or unset: compute every view as it is asked for, keep nothing.
   */
  keptForMs?: number;
}

export interface Dashboard {
  period: { from: string; to: string; months: string[]; currentMonth: string };
  filter: { area: string | null; agency: Agency | null };
  /** the moment the figures describe (ISO): when they were computed */
  asOf: string;
  areas: string[];
  concernChildren: Figure;
  concernWithoutArea: Figure;
  concern: Grid;
  missing: Grid;
  cme: Grid;
  moments: Grid;
  momentsByRule: Grid;
  nrm: Grid;
  alerts: Grid;
  alertsByRule: Grid;
  alertsByOwner: Grid;
  escalations: Grid;
  escalationsByStage: Grid;
  escalationsByAge: Grid;
  panels: Grid;
  agencyGaps: Grid;
  agencyGapsNow: Grid;
}

// --- small numbers --------------------------------------------------------------------------------

const NONE: Figure = { value: null, text: 'none', suppressed: false };
const HIDDEN: Figure = { value: null, text: 'not shown (fewer than 5)', suppressed: true };

/** A count: 0 and 5 or more as they are; 1 to 4 as "fewer than 5". */
export function countFigure(n: number): Figure {
  if (n > 0 && n < SMALL_NUMBER) return { value: null, text: 'fewer than 5', suppressed: true };
  return { value: n, text: n.toLocaleString('en-GB'), suppressed: false };
}

/**
 * A share. Not shown when fewer than 5 are counted below it, nor when the count above it is itself
 * suppressed: otherwise the hidden count could be worked back from the percentage and the total.
 */
export function percentFigure(numerator: number, denominator: number): Figure {
  if (denominator === 0) return NONE;
  if (denominator < SMALL_NUMBER || (numerator > 0 && numerator < SMALL_NUMBER)) return HIDDEN;
  const value = Math.round((100 * numerator) / denominator);
  return { value, text: `${value}%`, suppressed: false };
}

/** A median, percentile or total over `over` children or events: not shown over fewer than 5. */
export function derivedFigure(value: number | null, over: number, decimals = 1): Figure {
  if (over === 0 || value === null) return NONE;
  if (over < SMALL_NUMBER) return HIDDEN;
  const rounded = Number(value.toFixed(decimals));
  return { value: rounded, text: rounded.toLocaleString('en-GB', { maximumFractionDigits: decimals }), suppressed: false };
}

// --- the period -----------------------------------------------------------------------------------

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

const monthsBetween = (from: string, to: string) => {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
};

/** London midnight at the start of a month. */
const monthStart = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return londonWallClock(y, m, 1);
};

function periodOf(query: DashboardQuery, currentMonth: string, problems: Problem[]): { from: string; to: string } {
  const given = (value: string | undefined, path: string) => {
    if (!value) return null;
    if (!MONTH.test(value)) {
      problems.push({ path, message: `Enter a real month and year for the ${path === 'from' ? 'start' : 'end'} of the period` });
      return null;
    }
    return value;
  };
  const from = given(query.from, 'from');
  const to = given(query.to, 'to');
  if (to && to > currentMonth) problems.push({ path: 'to', message: 'The end of the period must be this month or earlier' });
  if (from && from > currentMonth) problems.push({ path: 'from', message: 'The start of the period must be this month or earlier' });
  const end = to ?? (from ? [addMonths(from, DEFAULT_MONTHS - 1), currentMonth].sort()[0] : currentMonth);
  const start = from ?? addMonths(end, -(DEFAULT_MONTHS - 1));
  if (start > end) problems.push({ path: 'from', message: 'The start of the period must be the same as or before its end' });
  else if (monthsBetween(start, end).length > MAX_MONTHS) problems.push({ path: 'from', message: `Choose a period of ${MAX_MONTHS} months or fewer` });
  return { from: start, to: end };
}

// --- folding the workflows ------------------------------------------------------------------------

// The escalations page's age bands (escalation-service.ts), so both pages read alike.
const AGE_BANDS: { label: string; upTo: number }[] = [
  { label: '0 to 1 working day', upTo: 1 },
  { label: '2 to 5 working days', upTo: 5 },
  { label: '6 to 10 working days', upTo: 10 },
  { label: '11 to 20 working days', upTo: 20 },
  { label: 'More than 20 working days', upTo: Infinity },
];

function byChild(rows: readonly FoldedEventRow[]): Map<string, FoldedEventRow[]> {
  const out = new Map<string, FoldedEventRow[]>();
  for (const r of rows) {
    const list = out.get(r.childId);
    if (list) list.push(r);
    else out.set(r.childId, [r]);
  }
  return out;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The school days out of each child without a full-time school place at the end of each month (the
 * present moment for the current month), by the CME register's own reading of a child's education
 * events (cmePeriod) on the partnership's term calendar. A child who has died is not counted after.
 */
export function cmeAtMonthEnds(rows: readonly FoldedEventRow[], months: readonly string[], nowMs: number, config: RulesConfig = DEFAULT_RULES_CONFIG): number[][] {
  const days: number[][] = months.map(() => []);
  if (!rows.length) return days;
  const terms = config.calendar.schoolTerms === null ? defaultCalendar() : new PartnershipCalendar({ schoolTerms: config.calendar.schoolTerms });
  const calendar = runningSchoolDays(terms, londonDayNumber(rows.reduce((first, r) => Math.min(first, r.atMs), Infinity)), londonDayNumber(nowMs));
  const options = { ...DEFAULT_CME_OPTIONS, thresholds: config.education };
  const ends = months.map((m) => Math.min(monthStart(addMonths(m, 1)) - 1, nowMs));
  for (const events of byChild(rows).values()) {
    const died = Math.min(Infinity, ...events.filter((e) => e.type === 'harm.serious' && e.details?.kind === 'death').map((e) => e.atMs));
    const education: CmeEvent[] = events.filter((e) => e.type !== 'harm.serious').map((e) => ({ id: e.id, type: e.type, atMs: e.atMs, details: e.details ?? {} }));
    if (!education.length) continue;
    months.forEach((_, i) => {
      if (died <= ends[i] || education[0].atMs > ends[i]) return;
      const period = cmePeriod(education, ends[i], calendar, options);
      if (period) days[i].push(period.schoolDays);
    });
  }
  return days;
}

/**
 * The term calendar's school days as running totals over the days the rows span, so that each
 * child's count at each month end is a subtraction (the calendar counts day by day: a county's
 * periods run to years, asked for every child and month).
 */
function runningSchoolDays(calendar: PartnershipCalendar, firstDay: number, lastDay: number): SchoolDayCounter {
  const totals = new Int32Array(Math.max(0, lastDay - firstDay) + 2);
  for (let d = firstDay; d <= lastDay; d++) totals[d - firstDay + 1] = totals[d - firstDay] + (calendar.isSchoolDay(d) ? 1 : 0);
  // school days from the first day up to and including `day`
  const upTo = (day: number) => totals[Math.max(0, Math.min(day, lastDay) - firstDay + 1)];
  return { schoolDaysBetween: (from, to) => (to <= from ? 0 : upTo(to) - upTo(from)) };
}

function cmeGrid(days: number[][], months: readonly string[], config: RulesConfig): Grid {
  const threshold = config.education.escalateSchoolDays;
  return {
    rowKind: 'month',
    columns: [
      { key: 'children', label: 'Children without a full-time school place at the month’s end', kind: 'count' },
      { key: 'escalate', label: `Of them, out ${threshold} or more school days`, kind: 'count' },
      { key: 'median', label: 'Median school days out', kind: 'days' },
      { key: 'total', label: 'School days out (all of them)', kind: 'days' },
    ],
    rows: months.map((month, i) => ({
      key: month,
      cells: {
        children: countFigure(days[i].length),
        escalate: countFigure(days[i].filter((d) => d >= threshold).length),
        median: derivedFigure(median(days[i]), days[i].length),
        total: derivedFigure(days[i].reduce((a, b) => a + b, 0), days[i].length, 0),
      },
    })),
  };
}

export interface EscalationCounts {
  /** disagreements first raised, and resolved, by London month */
  raised: Map<string, number>;
  resolved: Map<string, number>;
  /** open now: by current stage, and by age in working days (AGE_BANDS) */
  stages: Map<escalation.Stage, { open: number; overdue: number }>;
  ages: number[];
}

/** Every disagreement of the rows' children, by the escalation workflow's own reading and clock. */
export function escalationCounts(rows: readonly FoldedEventRow[], nowMs: number, config: RulesConfig = DEFAULT_RULES_CONFIG): EscalationCounts {
  const counts: EscalationCounts = {
    raised: new Map(),
    resolved: new Map(),
    stages: new Map(escalation.STAGES.map((s) => [s, { open: 0, overdue: 0 }])),
    ages: AGE_BANDS.map(() => 0),
  };
  const bump = (map: Map<string, number>, ms: number) => {
    const month = londonDate(ms).slice(0, 7);
    map.set(month, (map.get(month) ?? 0) + 1);
  };
  for (const events of byChild(rows).values()) {
    const sources: escalation.EscalationSource[] = events.map((e) => ({ id: e.id, type: e.type, atMs: e.atMs, agency: e.agency as Agency, details: e.details ?? {} }));
    for (const esc of escalation.escalationsOf(sources)) {
      bump(counts.raised, esc.raisedAtMs);
      if (esc.resolution) bump(counts.resolved, esc.resolution.atMs);
      if (esc.state === 'resolved') continue;
      const clock = escalation.stageClock(esc, config.escalation, nowMs);
      const stage = counts.stages.get(esc.stage)!;
      stage.open++;
      if (clock.overdue) stage.overdue++;
      counts.ages[AGE_BANDS.findIndex((b) => clock.ageWorkingDays <= b.upTo)]++;
    }
  }
  return counts;
}

function escalationGrids(counts: EscalationCounts, months: readonly string[]) {
  return {
    escalations: {
      rowKind: 'month',
      columns: [
        { key: 'raised', label: 'Disagreements raised', kind: 'count' },
        { key: 'resolved', label: 'Disagreements resolved', kind: 'count' },
      ],
      rows: months.map((m) => ({ key: m, cells: { raised: countFigure(counts.raised.get(m) ?? 0), resolved: countFigure(counts.resolved.get(m) ?? 0) } })),
    } satisfies Grid,
    escalationsByStage: {
      rowKind: 'other',
      columns: [
        { key: 'open', label: 'Open now', kind: 'count' },
        { key: 'overdue', label: 'Past the stage’s time now', kind: 'count' },
      ],
      rows: escalation.STAGES.map((s) => ({
        key: String(s),
        label: `Stage ${s}: ${escalation.STAGE_NAMES[s]}`,
        cells: { open: countFigure(counts.stages.get(s)!.open), overdue: countFigure(counts.stages.get(s)!.overdue) },
      })),
    } satisfies Grid,
    escalationsByAge: {
      rowKind: 'other',
      columns: [{ key: 'open', label: 'Open now', kind: 'count' }],
      rows: AGE_BANDS.map((b, i) => ({ key: String(i), label: b.label, cells: { open: countFigure(counts.ages[i]) } })),
    } satisfies Grid,
  };
}

// --- the figures as grids -------------------------------------------------------------------------

const BANDS = ['unscreened', ...RISK_LEVELS] as const;
export const BAND_NAMES: Record<(typeof BANDS)[number], string> = {
  unscreened: 'No screening yet',
  none: 'None',
  low: 'Low',
  moderate: 'Moderate',
  significant: 'Significant',
};

const lookup = <T extends { month: string }>(rows: readonly T[]) => new Map(rows.map((r) => [r.month, r]));

function durationCells(d: Durations, prefix: string): Record<string, Figure> {
  return { [`${prefix}Median`]: derivedFigure(d.median, d.n), [`${prefix}P90`]: derivedFigure(d.p90, d.n) };
}

function grids(f: DashboardFigures, months: string[], hours: number) {
  const concern = new Map<string, Map<string, number>>();
  for (const c of f.concern) {
    const month = concern.get(c.month) ?? new Map<string, number>();
    month.set(c.band, c.n);
    concern.set(c.month, month);
  }
  const started = lookup(f.missingStarted);
  const missingChildren = lookup(f.childrenMissing);
  const returns = lookup(f.returns);
  const momentColumns: Column[] = [
    { key: 'raised', label: 'Reachable moments', kind: 'count' },
    { key: 'responded', label: 'Responded to', kind: 'count' },
    { key: 'respondedInTime', label: 'Responded to by the time due', kind: 'count' },
    { key: 'waiting', label: 'Still waiting for a response', kind: 'count' },
    { key: 'hoursMedian', label: 'Median hours to the first response', kind: 'hours' },
    { key: 'hoursP90', label: '90th percentile hours to the first response', kind: 'hours' },
  ];
  const momentRow = (key: string, m: DashboardFigures['momentsByMonth'][number] | undefined): Row => ({
    key,
    cells: {
      raised: countFigure(m?.raised ?? 0),
      responded: countFigure(m?.responded ?? 0),
      respondedInTime: countFigure(m?.respondedInTime ?? 0),
      waiting: countFigure(m?.waiting ?? 0),
      ...durationCells(m ?? { n: 0, median: null, p90: null }, 'hours'),
    },
  });
  const momentsByMonth = new Map(f.momentsByMonth.map((m) => [m.key, m]));
  const nrm = new Map(f.nrm.map((n) => [`${n.month}|${n.kind}`, n]));
  const prompts = lookup(f.nrmPrompts);
  const nrmCells = (month: string, kind: string, prefix: string): Record<string, Figure> => {
    const n = nrm.get(`${month}|${kind}`);
    return {
      [prefix]: countFigure(n?.n ?? 0),
      [`${prefix}AfterPrompt`]: countFigure(n?.fromPrompt.n ?? 0),
      [`${prefix}Median`]: derivedFigure(n?.fromPrompt.median ?? null, n?.fromPrompt.n ?? 0),
    };
  };
  const alertColumns: Column[] = [
    { key: 'raised', label: 'Raised', kind: 'count' },
    { key: 'resolved', label: 'Resolved', kind: 'count' },
    { key: 'overdue', label: 'Went overdue (of those raised)', kind: 'count' },
  ];
  const alertRow = (a: { key: string; raised: number; resolved: number; overdue: number } | undefined, key: string): Row => ({
    key,
    cells: { raised: countFigure(a?.raised ?? 0), resolved: countFigure(a?.resolved ?? 0), overdue: countFigure(a?.overdue ?? 0) },
  });
  const alertsByMonth = new Map(f.alertsByMonth.map((a) => [a.key, a]));
  const reviews = lookup(f.panelReviews);
  const driftRaised = lookup(f.driftRaised);
  const driftOpen = lookup(f.driftOpen);
  const gapChildren = lookup(f.gapChildren);
  const anyAlerts = (a: { raised: number; resolved: number; overdue: number }) => a.raised + a.resolved + a.overdue > 0;

  return {
    concern: {
      rowKind: 'month',
      columns: [
        ...BANDS.map((b): Column => ({ key: b, label: BAND_NAMES[b], kind: 'count' })),
        { key: 'all', label: 'All children of concern', kind: 'count' },
      ],
      rows: months.map((m) => {
        const bands = concern.get(m) ?? new Map<string, number>();
        const cells: Record<string, Figure> = Object.fromEntries(BANDS.map((b) => [b, countFigure(bands.get(b) ?? 0)]));
        cells.all = countFigure([...bands.values()].reduce((a, b) => a + b, 0));
        return { key: m, cells };
      }),
    } satisfies Grid,
    missing: {
      rowKind: 'month',
      columns: [
        { key: 'started', label: 'Missing episodes', kind: 'count' },
        { key: 'children', label: 'Children missing', kind: 'count' },
        { key: 'returns', label: `Returns whose ${hours} hours have passed`, kind: 'count' },
        { key: 'inTime', label: `Return home interviews within ${hours} hours`, kind: 'count' },
        { key: 'share', label: `Share interviewed within ${hours} hours`, kind: 'percent' },
      ],
      rows: months.map((m) => {
        const r = returns.get(m);
        return {
          key: m,
          cells: {
            started: countFigure(started.get(m)?.n ?? 0),
            children: countFigure(missingChildren.get(m)?.n ?? 0),
            returns: countFigure(r?.due ?? 0),
            inTime: countFigure(r?.inTime ?? 0),
            share: percentFigure(r?.inTime ?? 0, r?.due ?? 0),
          },
        };
      }),
    } satisfies Grid,
    moments: { rowKind: 'month', columns: momentColumns, rows: months.map((m) => momentRow(m, momentsByMonth.get(m))) } satisfies Grid,
    momentsByRule: { rowKind: 'rule', columns: momentColumns, rows: f.momentsByRule.map((m) => momentRow(m.key, m)) } satisfies Grid,
    nrm: {
      rowKind: 'month',
      columns: [
        { key: 'prompts', label: 'NRM prompts raised', kind: 'count' },
        { key: 'referred', label: 'Referrals', kind: 'count' },
        { key: 'referredAfterPrompt', label: 'Referrals after a prompt', kind: 'count' },
        { key: 'referredMedian', label: 'Median days from the first prompt to the referral', kind: 'days' },
        { key: 'rg', label: 'Reasonable grounds decisions', kind: 'count' },
        { key: 'rgAfterPrompt', label: 'Reasonable grounds decisions after a prompt', kind: 'count' },
        { key: 'rgMedian', label: 'Median days from the first prompt to reasonable grounds', kind: 'days' },
        { key: 'cg', label: 'Conclusive grounds decisions', kind: 'count' },
        { key: 'cgAfterPrompt', label: 'Conclusive grounds decisions after a prompt', kind: 'count' },
        { key: 'cgMedian', label: 'Median days from the first prompt to conclusive grounds', kind: 'days' },
      ],
      rows: months.map((m) => ({
        key: m,
        cells: {
          prompts: countFigure(prompts.get(m)?.n ?? 0),
          ...nrmCells(m, 'referred', 'referred'),
          ...nrmCells(m, 'reasonable_grounds', 'rg'),
          ...nrmCells(m, 'conclusive_grounds', 'cg'),
        },
      })),
    } satisfies Grid,
    alerts: { rowKind: 'month', columns: alertColumns, rows: months.map((m) => alertRow(alertsByMonth.get(m), m)) } satisfies Grid,
    alertsByRule: { rowKind: 'rule', columns: alertColumns, rows: f.alertsByRule.filter(anyAlerts).map((a) => alertRow(a, a.key)) } satisfies Grid,
    alertsByOwner: { rowKind: 'agency', columns: alertColumns, rows: f.alertsByOwner.filter(anyAlerts).map((a) => alertRow(a, a.key)) } satisfies Grid,
    panels: {
      rowKind: 'month',
      columns: [
        { key: 'reviews', label: 'Panel reviews of a child', kind: 'count' },
        { key: 'deferred', label: 'Deferred', kind: 'count' },
        { key: 'deferredShare', label: 'Share deferred', kind: 'percent' },
        { key: 'driftRaised', label: 'Panel drift alerts raised', kind: 'count' },
        { key: 'driftOpen', label: 'Children with panel drift at the month’s end', kind: 'count' },
      ],
      rows: months.map((m) => {
        const r = reviews.get(m);
        return {
          key: m,
          cells: {
            reviews: countFigure(r?.reviews ?? 0),
            deferred: countFigure(r?.deferred ?? 0),
            deferredShare: percentFigure(r?.deferred ?? 0, r?.reviews ?? 0),
            driftRaised: countFigure(driftRaised.get(m)?.n ?? 0),
            driftOpen: countFigure(driftOpen.get(m)?.n ?? 0),
          },
        };
      }),
    } satisfies Grid,
    agencyGaps: {
      rowKind: 'month',
      columns: [{ key: 'children', label: 'Children with an expected agency missing at the month’s end', kind: 'count' }],
      rows: months.map((m) => ({ key: m, cells: { children: countFigure(gapChildren.get(m)?.n ?? 0) } })),
    } satisfies Grid,
    agencyGapsNow: {
      rowKind: 'agency',
      columns: [{ key: 'open', label: 'Children it is missing for now', kind: 'count' }],
      rows: f.gapsOpenNow.map((g) => ({ key: g.agency, cells: { open: countFigure(g.n) } })),
    } satisfies Grid,
  };
}

// --- the dashboard --------------------------------------------------------------------------------

/** The reachable-moment rules, from the catalogue (so a new one is counted without a change here). */
const MOMENT_RULES = RULES.filter((r) => r.family === 'reachable_moments').map((r) => r.code);

/** A dashboard query once read: the period as asked (null: the default) and the filters. */
export interface AskedView {
  from: string | null;
  to: string | null;
  area: string | null;
  agency: Agency | null;
}

/**
 * What a kept view was worked out by: raised whenever the Dashboard's shape or a figure's meaning
 * changes, so that figures kept by the code before (or by an older instance during a rolling
 * deploy) are never shown as this code's.
 */
export const DASHBOARD_VERSION = 1;

/**
 * A view's key in dashboard_views: the period as asked — none is "the last 12 months", whichever
 * month it is — the filters, and what worked it out (DASHBOARD_VERSION and the rules configuration's
 * version: a change of interview hours or term dates is a change of figures).
 */
export const viewKey = (v: AskedView, config: RulesConfig = DEFAULT_RULES_CONFIG) =>
  JSON.stringify([v.from ?? '', v.to ?? '', v.area ?? '', v.agency ?? '', DASHBOARD_VERSION, config.version]);
export const DEFAULT_VIEW: AskedView = { from: null, to: null, area: null, agency: null };

/** Reads a query, or throws validation_error naming each field that cannot be read. */
export function askedView(query: DashboardQuery, nowMs: number): AskedView {
  const problems: Problem[] = [];
  periodOf(query, londonDate(nowMs).slice(0, 7), problems);
  const agency = query.agency?.trim() || null;
  if (agency !== null && !(AGENCIES as readonly string[]).includes(agency)) problems.push({ path: 'agency', message: 'Choose an agency from the list' });
  const area = query.area?.trim() || null;
  if (area !== null && area.length > 200) problems.push({ path: 'area', message: 'Choose an area from the list' });
  if (problems.length) throw validationFailed(problems);
  return { from: query.from || null, to: query.to || null, area, agency: agency as Agency | null };
}

/** Every figure of a view, computed from the chronology and the alerts as they stand at `nowMs`. */
export async function computeDashboard(reads: Db, view: AskedView, nowMs: number, config: RulesConfig = DEFAULT_RULES_CONFIG): Promise<Dashboard> {
  const currentMonth = londonDate(nowMs).slice(0, 7);
  const { from, to } = periodOf({ from: view.from ?? undefined, to: view.to ?? undefined }, currentMonth, []);
  const months = monthsBetween(from, to);
  const hours = config.missing.returnInterviewHours;
  const figures = await reads.transaction(async (tx) =>
    dashboardFigures(tx, {
      fromMonth: from,
      toMonth: to,
      start: new Date(monthStart(from)),
      end: new Date(monthStart(addMonths(to, 1))),
      now: new Date(nowMs),
      area: view.area,
      agency: view.agency,
      momentRules: MOMENT_RULES,
      returnInterviewHours: hours,
    }),
  );
  return {
    period: { from, to, months, currentMonth },
    filter: { area: view.area, agency: view.agency },
    asOf: new Date(nowMs).toISOString(),
    areas: figures.areas,
    concernChildren: countFigure(figures.concernChildren),
    concernWithoutArea: countFigure(figures.concernWithoutArea),
    ...grids(figures, months, hours),
    cme: cmeGrid(cmeAtMonthEnds(figures.cmeEvents, months, nowMs, config), months, config),
    ...escalationGrids(escalationCounts(figures.escalationEvents, nowMs, config), months),
  };
}

/** Whether a view kept at `computedAtMs` may still be shown at `nowMs`. */
export function stillCurrent(computedAtMs: number, nowMs: number, keptForMs: number): boolean {
  const age = nowMs - computedAtMs;
  // a view kept last month has last month as its "current" month (and a rolling period ends there)
  return age >= 0 && age < keptForMs && londonDate(computedAtMs).slice(0, 7) === londonDate(nowMs).slice(0, 7);
}

/**
 * The dashboard for a period (whole months, London time; the last 12 by default) and the filters.
 * Throws validation_error for a period or agency that cannot be read, before anything is audited.
 *
 * With `keptForMs`, a view computed less than that long ago (dashboard_views, kept current by
 * src/services/dashboard-refresher.ts) is shown as it was computed — its `asOf` says when — and a
 * view computed now is kept for the next person: a county's figures take seconds to compute.
 */
export async function partnershipDashboard(db: Db, actor: Actor, query: DashboardQuery = {}, options: DashboardOptions = {}): Promise<Dashboard> {
  requireCapability(actor, 'partnership_reports');
  const config = options.config ?? DEFAULT_RULES_CONFIG;
  const nowMs = (options.now ?? Date.now)();
  const view = askedView(query, nowMs);
  const key = viewKey(view, config);
  const keptForMs = options.keptForMs ?? 0;
  const kept = keptForMs > 0 ? await keptView(db, key) : undefined;
  let dashboard: Dashboard;
  if (kept && stillCurrent(kept.computedAt.getTime(), nowMs, keptForMs)) {
    dashboard = kept.dashboard as Dashboard;
    await markViewed(db, key, new Date(nowMs));
  } else {
    // read first (on the replica if there is one), then kept and audited on the primary: a failed read audits nothing
    const started = performance.now();
    dashboard = await computeDashboard(options.reads ?? db, view, nowMs, config);
    if (keptForMs > 0) {
      await keepView(db, { key, query: view, dashboard, computedAt: new Date(nowMs), tookMs: Math.round(performance.now() - started) }, true);
    }
  }
  const { from, to } = dashboard.period;
  await db.transaction((tx) =>
    audit(tx, actor, 'report.viewed', null, { report: 'dashboard', from, to, area: view.area, agency: view.agency, asOf: dashboard.asOf }),
  );
  return dashboard;
}
