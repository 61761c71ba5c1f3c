// The partnership dashboard (/reports/dashboard, issue 9): the period, agency and area filters, and
// each figure as a chart drawn on the server (inline SVG: no script, so it shows under the strict
// CSP and without JavaScript) with the same numbers in a GOV.UK table below it. Here the charts'
// geometry is worked out; views/dashboard/chart.njk draws it.
import type { FastifyInstance } from 'fastify';
import { AGENCIES, AGENCY_NAMES, type Agency, type Problem } from '../../domain/event.ts';
import { partnershipDashboard, SMALL_NUMBER, type Dashboard, type DashboardQuery, type Figure, type Grid } from '../../services/dashboard-service.ts';
import { ServiceError } from '../../services/errors.ts';
import { asString, formErrors } from '../forms.ts';
import { ruleName } from '../../rules/rule-names.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

type Query = Record<string, unknown>;

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const monthLabel = (month: string) => `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

/** A row's name as a reader reads it: a month, a rule, an agency, or the service's own label. */
export function rowLabel(grid: Grid, row: Grid['rows'][number]): string {
  if (grid.rowKind === 'month') return monthLabel(row.key);
  if (grid.rowKind === 'rule') return ruleName(row.key);
  if (grid.rowKind === 'agency') return AGENCY_NAMES[row.key as Agency] ?? row.key;
  return row.label ?? row.key;
}

// --- the period fields ------------------------------------------------------------------------------

/** A GOV.UK month-and-year input (`from-month`, `from-year`) as 'YYYY-MM', or a problem. */
function monthField(q: Query, name: 'from' | 'to', problems: Problem[]): string | undefined {
  const month = asString(q[`${name}-month`]).trim();
  const year = asString(q[`${name}-year`]).trim();
  const which = name === 'from' ? 'The start of the period' : 'The end of the period';
  if (!month && !year) return undefined;
  if (!month || !year) {
    problems.push({ path: name, message: `${which} must include a ${month ? 'year' : 'month'}` });
    return undefined;
  }
  if (!/^\d{1,2}$/.test(month) || Number(month) < 1 || Number(month) > 12 || !/^\d{4}$/.test(year)) {
    problems.push({ path: name, message: `${which} must be a real month and year, like 4 2025` });
    return undefined;
  }
  return `${year}-${month.padStart(2, '0')}`;
}

// --- the charts -------------------------------------------------------------------------------------

// GOV.UK colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by the legend
// and the table as well as by colour.
const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#4c2c92', '#505a5f', '#912b88'];

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  height: number;
  colour: string;
  /** drawn as a dashed outline up to 4: the true count is between 1 and 4 */
  suppressed: boolean;
  category: string;
  series: string;
  /** the figure as the table shows it */
  text: string;
  title: string;
}

export interface ChartPoint {
  x: number;
  y: number;
  colour: string;
  category: string;
  series: string;
  text: string;
  title: string;
}

export interface ChartView {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  ticks: { y: number; label: string }[];
  bars: ChartBar[];
  lines: { d: string; colour: string }[];
  points: ChartPoint[];
  labels: { x: number; lines: string[] }[];
  legend: { x: number; y: number; colour: string; label: string; dashed: boolean }[];
  unit: string;
}

export interface ChartSpec {
  id: string;
  title: string;
  grid: Grid;
  /** the table's columns drawn, in the legend's order */
  columns: string[];
  kind: 'bars' | 'lines';
  /** what the axis measures, for the description */
  unit: string;
}

const WIDTH = 960;
const PLOT = { left: 70, right: WIDTH - 20, top: 24, bottom: 244 };

/** A round number at or above `n` for the axis: 1, 2 or 5 times a power of ten. */
export function niceMax(n: number): number {
  if (n <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= n)!;
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A category's name on the axis. Months: the short name and, at each January and the first month,
 * the year; with many months only every third or sixth is named (the table names them all).
 * Other categories: their name wrapped to the bar group's width.
 */
function axisLabel(grid: Grid, index: number, perCategory: number): string[] {
  const row = grid.rows[index];
  if (grid.rowKind === 'month') {
    const month = Number(row.key.slice(5, 7));
    const every = perCategory >= 36 ? 1 : perCategory >= 18 ? 3 : 6;
    if (index > 0 && (month - 1) % every !== 0) return [];
    return [SHORT_MONTHS[month - 1], ...(month === 1 || index === 0 ? [row.key.slice(0, 4)] : [])];
  }
  const words = rowLabel(grid, row).split(' ');
  const limit = Math.max(8, Math.floor(perCategory / 7.5));
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && (last + ' ' + word).length <= limit) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.slice(0, 4);
}

const drawn = (f: Figure) => (f.suppressed ? SMALL_NUMBER - 1 : f.value ?? 0);
const round1 = (n: number) => Math.round(n * 10) / 10;

export function chartOf(spec: ChartSpec): ChartView {
  const { grid } = spec;
  const columns = spec.columns.map((key) => grid.columns.find((c) => c.key === key)!);
  const percent = columns.every((c) => c.kind === 'percent');
  const max = percent ? 100 : niceMax(Math.max(0, ...grid.rows.flatMap((r) => columns.map((c) => drawn(r.cells[c.key])))));
  const plotHeight = PLOT.bottom - PLOT.top;
  const step = (PLOT.right - PLOT.left) / Math.max(grid.rows.length, 1);
  const yOf = (v: number) => round1(PLOT.bottom - (v / max) * plotHeight);
  const bars: ChartBar[] = [];
  const points: ChartPoint[] = [];
  const lines: ChartView['lines'] = [];
  const titleOf = (label: string, series: string, f: Figure) => `${label}, ${series}: ${f.text}`;
  columns.forEach((column, j) => {
    const colour = COLOURS[j % COLOURS.length];
    if (spec.kind === 'bars') {
      const width = (step * 0.8) / columns.length;
      grid.rows.forEach((row, i) => {
        const f = row.cells[column.key];
        const label = rowLabel(grid, row);
        const top = yOf(drawn(f));
        bars.push({
          x: round1(PLOT.left + i * step + step * 0.1 + j * width),
          y: top,
          width: round1(Math.max(width - 1, 1)),
          height: round1(PLOT.bottom - top),
          colour,
          suppressed: f.suppressed,
          category: row.key,
          series: column.key,
          text: f.text,
          title: titleOf(label, column.label, f),
        });
      });
    } else {
      let d = '';
      grid.rows.forEach((row, i) => {
        const f = row.cells[column.key];
        const x = round1(PLOT.left + (i + 0.5) * step);
        if (f.value === null) {
          // not shown (too few) or nothing to measure: the line breaks here
          if (d) lines.push({ d, colour });
          d = '';
          return;
        }
        const y = yOf(f.value);
        d += `${d ? 'L' : 'M'}${x} ${y} `;
        points.push({ x, y, colour, category: row.key, series: column.key, text: f.text, title: titleOf(rowLabel(grid, row), column.label, f) });
      });
      if (d) lines.push({ d: d.trim(), colour });
    }
  });
  const legendY = PLOT.bottom + 70;
  const legend: ChartView['legend'] = [];
  let x = PLOT.left;
  for (const [j, column] of columns.entries()) {
    legend.push({ x, y: legendY, colour: COLOURS[j % COLOURS.length], label: column.label, dashed: false });
    x += 30 + column.label.length * 7.2;
  }
  const anySuppressed = bars.some((b) => b.suppressed);
  if (anySuppressed) legend.push({ x, y: legendY, colour: '#0b0c0c', label: `Dashed outline: fewer than ${SMALL_NUMBER}`, dashed: true });
  const rowsLegend = legend.some((l) => l.x > WIDTH - 200) ? reflow(legend, legendY) : legend;
  const height = Math.max(...rowsLegend.map((l) => l.y)) + 20;
  const first = grid.rows[0];
  const last = grid.rows.at(-1);
  const span = first && last ? (grid.rowKind === 'month' ? ` by month, ${monthLabel(first.key)} to ${monthLabel(last.key)}` : ` by ${grid.rowKind === 'agency' ? 'agency' : grid.rowKind === 'rule' ? 'rule' : 'group'}`) : '';
  return {
    id: spec.id,
    title: spec.title,
    description: `${spec.kind === 'bars' ? 'Bar' : 'Line'} chart of ${columns.map((c) => c.label.toLowerCase()).join(', ')}${span}, in ${spec.unit}. The table below it has the same numbers.`,
    width: WIDTH,
    height,
    plot: PLOT,
    // counts are whole: no tick half way up an axis of 5
    ticks: [0, max / 2, max]
      .filter((v) => Number.isInteger(v) || columns.some((c) => c.kind === 'hours' || c.kind === 'days'))
      .map((v) => ({ y: yOf(v), label: `${Number.isInteger(v) ? v : v.toFixed(1)}${percent ? '%' : ''}` })),
    bars,
    lines,
    points,
    labels: grid.rows.map((_, i) => ({ x: round1(PLOT.left + (i + 0.5) * step), lines: axisLabel(grid, i, step) })).filter((l) => l.lines.length),
    legend: rowsLegend,
    unit: spec.unit,
  };
}

/** Legend entries that run past the chart's edge go on further lines. */
function reflow(legend: ChartView['legend'], top: number): ChartView['legend'] {
  let x = PLOT.left;
  let y = top;
  return legend.map((entry) => {
    const width = 30 + entry.label.length * 7.2;
    if (x + width > WIDTH - 10 && x > PLOT.left) {
      x = PLOT.left;
      y += 22;
    }
    const placed = { ...entry, x, y };
    x += width;
    return placed;
  });
}

// --- the page ---------------------------------------------------------------------------------------

const ROW_HEADINGS: Record<Grid['rowKind'], string> = { month: 'Month', rule: 'Rule', agency: 'Agency', other: '' };

/** Each section of the page: its heading, what the figures mean, the chart(s) and the table(s). */
function sectionsOf(d: Dashboard) {
  const table = (id: string, caption: string, grid: Grid, rowHeading = ROW_HEADINGS[grid.rowKind]) => ({
    id,
    caption,
    rowHeading,
    columns: grid.columns,
    rows: grid.rows.map((row) => ({ label: rowLabel(grid, row), key: row.key, cells: grid.columns.map((c) => ({ key: c.key, ...row.cells[c.key] })) })),
    empty: grid.rows.length === 0,
  });
  const chart = (spec: ChartSpec) => (spec.grid.rows.length ? chartOf(spec) : null);
  return [
    {
      id: 'concern', heading: 'Children of exploitation concern', blocks: [
        { chart: chart({ id: 'concern-chart', title: 'Children of exploitation concern at each month’s end, by their latest screening', grid: d.concern, columns: ['unscreened', 'none', 'low', 'moderate', 'significant'], kind: 'bars', unit: 'children' }),
          table: table('concern-table', 'Children of exploitation concern at each month’s end, by their latest screening', d.concern) },
      ],
    },
    {
      id: 'missing', heading: 'Missing episodes and return home interviews', blocks: [
        { chart: chart({ id: 'missing-chart', title: 'Missing episodes and children missing each month', grid: d.missing, columns: ['started', 'children'], kind: 'bars', unit: 'episodes and children' }), table: null },
        { chart: chart({ id: 'rhi-chart', title: 'Share of returns with a return home interview in time', grid: d.missing, columns: ['share'], kind: 'lines', unit: 'per cent of returns' }),
          table: table('missing-table', 'Missing episodes and return home interviews by month', d.missing) },
      ],
    },
    {
      id: 'cme', heading: 'Children missing education', blocks: [
        { chart: chart({ id: 'cme-chart', title: 'Children without a full-time school place at each month’s end', grid: d.cme, columns: ['children', 'escalate'], kind: 'bars', unit: 'children' }),
          table: table('cme-table', 'Children without a full-time school place and their school days out', d.cme) },
      ],
    },
    {
      id: 'moments', heading: 'Reachable moments: time to the first response', blocks: [
        { chart: chart({ id: 'moments-chart', title: 'Hours from a reachable moment to the first response', grid: d.moments, columns: ['hoursMedian', 'hoursP90'], kind: 'lines', unit: 'hours' }),
          table: table('moments-table', 'Reachable moments and the first response, by the month of the moment', d.moments) },
        { chart: null, table: table('moments-rule-table', 'Reachable moments and the first response, by kind of moment (the whole period)', d.momentsByRule, 'Reachable moment') },
      ],
    },
    {
      id: 'nrm', heading: 'National Referral Mechanism', blocks: [
        { chart: chart({ id: 'nrm-chart', title: 'NRM referrals and decisions each month', grid: d.nrm, columns: ['referred', 'rg', 'cg'], kind: 'bars', unit: 'referrals and decisions' }),
          table: table('nrm-table', 'NRM prompts, referrals and decisions, and the days from the first prompt', d.nrm) },
      ],
    },
    {
      id: 'alerts', heading: 'Alerts raised, resolved and overdue', blocks: [
        { chart: chart({ id: 'alerts-chart', title: 'Alerts raised, resolved and gone overdue each month', grid: d.alerts, columns: ['raised', 'resolved', 'overdue'], kind: 'bars', unit: 'alerts' }),
          table: table('alerts-table', 'Alerts by month', d.alerts) },
        { chart: chart({ id: 'alerts-owner-chart', title: 'Alerts by the agency that owns them (the whole period)', grid: d.alertsByOwner, columns: ['raised', 'resolved', 'overdue'], kind: 'bars', unit: 'alerts' }),
          table: table('alerts-owner-table', 'Alerts by the agency that owns them (the whole period)', d.alertsByOwner, 'Owner') },
        { chart: null, table: table('alerts-rule-table', 'Alerts by rule (the whole period)', d.alertsByRule) },
      ],
    },
    {
      id: 'escalations', heading: 'Escalations', blocks: [
        { chart: chart({ id: 'escalations-chart', title: 'Disagreements raised and resolved each month', grid: d.escalations, columns: ['raised', 'resolved'], kind: 'bars', unit: 'disagreements' }),
          table: table('escalations-table', 'Disagreements raised and resolved by month', d.escalations) },
        { chart: chart({ id: 'escalations-stage-chart', title: 'Disagreements open now, by stage', grid: d.escalationsByStage, columns: ['open', 'overdue'], kind: 'bars', unit: 'disagreements' }),
          table: table('escalations-stage-table', 'Disagreements open now, by stage', d.escalationsByStage, 'Stage') },
        { chart: chart({ id: 'escalations-age-chart', title: 'Disagreements open now, by age', grid: d.escalationsByAge, columns: ['open'], kind: 'bars', unit: 'disagreements' }),
          table: table('escalations-age-table', 'Disagreements open now, by working days since first raised', d.escalationsByAge, 'Age') },
      ],
    },
    {
      id: 'panels', heading: 'Panel drift', blocks: [
        { chart: chart({ id: 'panels-chart', title: 'Deferred panel reviews and children with panel drift', grid: d.panels, columns: ['deferred', 'driftOpen'], kind: 'bars', unit: 'reviews and children' }),
          table: table('panels-table', 'Panel reviews, deferrals and panel drift by month', d.panels) },
      ],
    },
    {
      id: 'gaps', heading: 'Agency gaps', blocks: [
        { chart: chart({ id: 'gaps-chart', title: 'Children with an expected agency missing at each month’s end', grid: d.agencyGaps, columns: ['children'], kind: 'bars', unit: 'children' }),
          table: table('gaps-table', 'Children with an expected agency missing at each month’s end', d.agencyGaps) },
        { chart: chart({ id: 'gaps-agency-chart', title: 'Agency gaps open now, by the agency missing', grid: d.agencyGapsNow, columns: ['open'], kind: 'bars', unit: 'children' }),
          table: table('gaps-agency-table', 'Agency gaps open now, by the agency missing', d.agencyGapsNow, 'Agency missing') },
      ],
    },
  ];
}

/** "every 5 minutes", "every minute", "every 45 seconds"; null when views are not kept. */
export function refreshText(seconds: number): string | null {
  if (seconds <= 0) return null;
  if (seconds < 90) return seconds === 60 ? 'every minute' : `every ${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `every ${minutes} minutes` : `every ${Math.round(minutes / 60)} hours`;
}

const ANCHORS: Record<string, string> = { from: 'from-month', to: 'to-month', agency: 'agency', area: 'area' };

export default async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const { db, reads, config } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  app.get<{ Querystring: Query }>('/reports/dashboard', async (request, reply) => {
    const actor = signedIn(request);
    const q = request.query;
    const problems: Problem[] = [];
    const query: DashboardQuery = {
      from: monthField(q, 'from', problems),
      to: monthField(q, 'to', problems),
      agency: asString(q.agency) || undefined,
      area: asString(q.area) || undefined,
    };
    // a county's figures take seconds: the view as kept (and kept current in the background) is shown
    const options = { config: config.rules, reads, keptForMs: 2 * config.dashboardRefreshSeconds * 1000 };
    let dashboard: Dashboard;
    try {
      dashboard = await partnershipDashboard(db, actor, problems.length ? {} : query, options);
    } catch (error) {
      if (!(error instanceof ServiceError) || error.id !== 'validation_error') throw error;
      problems.push(...error.details);
      dashboard = await partnershipDashboard(db, actor, {}, options);
    }
    if (problems.length) reply.code(400);
    const areas = [...new Set([...dashboard.areas, ...(query.area ? [query.area] : [])])];
    return reply.page('dashboard/dashboard.njk', {
      title: 'Partnership dashboard',
      dashboard,
      sections: sectionsOf(dashboard),
      periodText: `${monthLabel(dashboard.period.from)} to ${monthLabel(dashboard.period.to)}`,
      currentIncluded: dashboard.period.to === dashboard.period.currentMonth,
      smallNumber: SMALL_NUMBER,
      refreshEvery: refreshText(config.dashboardRefreshSeconds),
      form: {
        from: { month: asString(q['from-month']) || (problems.length ? '' : String(Number(dashboard.period.from.slice(5)))), year: asString(q['from-year']) || (problems.length ? '' : dashboard.period.from.slice(0, 4)) },
        to: { month: asString(q['to-month']) || (problems.length ? '' : String(Number(dashboard.period.to.slice(5)))), year: asString(q['to-year']) || (problems.length ? '' : dashboard.period.to.slice(0, 4)) },
        agencyItems: [{ value: '', text: 'All agencies' }, ...AGENCIES.map((a) => ({ value: a, text: AGENCY_NAMES[a], selected: query.agency === a }))],
        areaItems: [{ value: '', text: 'All areas' }, ...areas.map((a) => ({ value: a, text: a, selected: query.area === a }))],
      },
      filtered: !!(dashboard.filter.agency || dashboard.filter.area),
      agencyName: dashboard.filter.agency ? AGENCY_NAMES[dashboard.filter.agency] : null,
      ...formErrors(problems, ANCHORS),
    });
  });
}
