// Contract 3: a scenario replayed through the rules, as the `reachable replay` command, the
// learning-review page and the API show it. Pure: the scenario is already parsed and validated.
// A learning review asks "what would the system have said, and when?" — so besides the alerts we
// summarise each rule: how often it fired, how often anyone acted, how long alerts stayed open.
import type { Alert } from '../domain/alert.ts';
import type { Scenario } from '../domain/scenario.ts';
import { parseAt } from '../domain/time.ts';
import { isoDateOfDayNumber, londonDayNumber } from './calendar/days.ts';
import { RULE_ORDER } from './catalogue.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from './config.ts';
import { evaluate, parseAsOf } from './engine.ts';

export const REPLAY_FORMAT = 'reachable-replay/1';

/** Contract 3: `asOf` defaults to 30 days after the last event. */
export const DEFAULT_ASOF_DAYS_AFTER_LAST_EVENT = 30;

export interface ReplayDocument {
  format: typeof REPLAY_FORMAT;
  asOf: string;
  alerts: Alert[];
}

export interface RuleSummary {
  rule: string;
  raised: number;
  resolved: number;
  open: number;
  /** Alerts whose `dueBy` passed while they were open. */
  overdue: number;
  /** Median days from raised to resolved (or to `asOf` when still open); null when none raised. */
  medianDaysOpen: number | null;
}

export interface Replay {
  document: ReplayDocument;
  asOfMs: number;
  summary: RuleSummary[];
}

/** The London date 30 days after the scenario's latest event (1970-01-31 for an empty scenario). */
export function defaultAsOf(scenario: Pick<Scenario, 'events'>): string {
  let last = 0;
  for (const e of scenario.events) {
    const t = parseAt(e.at);
    if (t > last) last = t;
  }
  return isoDateOfDayNumber(londonDayNumber(last) + DEFAULT_ASOF_DAYS_AFTER_LAST_EVENT);
}

/**
 * Replays a scenario to `asOf` (the option, else the scenario's, else the default). `asOf` is
 * printed as given; a bare date counts the whole of that day.
 */
export function replayScenario(scenario: Scenario, options: { asOf?: string; config?: RulesConfig } = {}): Replay {
  const asOf = options.asOf ?? scenario.asOf ?? defaultAsOf(scenario);
  const asOfMs = parseAsOf(asOf);
  const alerts = evaluate({
    children: scenario.children,
    events: scenario.events,
    asOf: asOfMs,
    config: options.config ?? DEFAULT_RULES_CONFIG,
  });
  return { document: { format: REPLAY_FORMAT, asOf, alerts }, asOfMs, summary: summariseAlerts(alerts, asOfMs) };
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const value = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(value * 10) / 10;
}

/** Per rule, in catalogue order: raised, resolved, still open, overdue, median days open. */
export function summariseAlerts(alerts: readonly Alert[], asOfMs: number): RuleSummary[] {
  const byRule = new Map<string, Alert[]>();
  for (const a of alerts) {
    const list = byRule.get(a.rule);
    if (list) list.push(a);
    else byRule.set(a.rule, [a]);
  }
  return [...byRule.entries()]
    .sort(([a], [b]) => (RULE_ORDER.get(a) ?? Infinity) - (RULE_ORDER.get(b) ?? Infinity) || (a < b ? -1 : 1))
    .map(([rule, list]) => ({
      rule,
      raised: list.length,
      resolved: list.filter((a) => a.status === 'resolved').length,
      open: list.filter((a) => a.status === 'open').length,
      overdue: list.filter((a) => a.overdue).length,
      medianDaysOpen: median(list.map((a) => ((a.resolvedAt ? Date.parse(a.resolvedAt) : asOfMs) - Date.parse(a.raisedAt)) / 86_400_000)),
    }));
}
