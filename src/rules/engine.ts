// The rules engine: alerts as a pure function of the chronology and the clock (contract 2: "the same
// chronology and the same clock give the same alerts"). One engine for the server, the replay, the
// learning-review page and the benchmarks: no I/O, nothing from store/services/web/cli.
// Time passes inside it: each child's events are walked in order, and before each event every
// deadline that fell earlier fires at its own instant — exactly as if the clock ticked day by day —
// so a 72-hour interview duty fires at 72 hours, not when the next event happens to arrive.
import type { Alert } from '../domain/alert.ts';
import { formatInstant, parseAt } from '../domain/time.ts';
import { dayNumberOfIsoDate, endOfLondonDay } from './calendar/days.ts';
import { PartnershipCalendar, defaultCalendar } from './calendar/partnership-calendar.ts';
import { RULE_ORDER } from './catalogue.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from './config.ts';
import { ChildrenMissingEducation } from './education.ts';
import { EscalationTimescales } from './escalation.ts';
import { NrmPrompt, PanelDrift, ParentUnanswered, PlanReviewOverdue, RecordsNotReceived, RiskNotReducing, ScreeningDue, UnregulatedPlacement, VictimLens } from './exploitation.ts';
import { isConcernEvent } from './indicators.ts';
import { MissingFromHome } from './missing.ts';
import { AgencyGap, contextAlerts, type ContextChild } from './network.ts';
import { ReachableMoments } from './reachable-moments.ts';
import { AlertRecord, type ChildRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RaiseFields, type RuleDefinition } from './rule.ts';

export type { ChildRecord, EngineEvent } from './rule.ts';

/** An instant (epoch ms), or text: a bare date is the end of that London day; a date-time is exact. */
export type Clock = number | string;

export interface EngineInput {
  children: readonly ChildRecord[];
  events: readonly EngineEvent[];
  asOf: Clock;
  /** A configuration from `resolveRulesConfig`; default: DEFAULT_RULES_CONFIG. */
  config?: RulesConfig;
}

export interface ChildConcern {
  since: string;
  sinceMs: number;
  /** The event that made the child of concern. */
  ref: string;
}

export interface ChildEvaluation {
  child: string;
  /** The child's own alerts (every rule except the context ones), ordered by raisedAt. */
  alerts: Alert[];
  /** When the child became "of exploitation concern"; the server keeps it for `evaluateContext`. */
  concern: ChildConcern | null;
}

export interface ContextInput {
  /** Every child of the partnership, with `concernSince` from its latest `evaluateChild`. */
  children: ReadonlyArray<ChildRecord & { concernSince?: Clock | null }>;
  /** The partnership's events; only those with links and the response events matter. */
  events: readonly EngineEvent[];
  asOf: Clock;
  config?: RulesConfig;
}

/** `asOf` as an instant. A bare date means the whole of that day has passed (learning reviews). */
export function parseAsOf(asOf: Clock): number {
  if (typeof asOf === 'number') return asOf;
  const day = dayNumberOfIsoDate(asOf);
  return Number.isNaN(day) ? parseAt(asOf) : endOfLondonDay(day);
}

const calendars = new WeakMap<RulesConfig, PartnershipCalendar>();

function calendarFor(config: RulesConfig): PartnershipCalendar {
  if (config.calendar.schoolTerms === null) return defaultCalendar();
  let calendar = calendars.get(config);
  if (!calendar) {
    calendar = new PartnershipCalendar({ schoolTerms: config.calendar.schoolTerms });
    calendars.set(config, calendar);
  }
  return calendar;
}

// Bare dates repeat across a chronology (every event of a day shares one): parse each text once.
const parsedAt = new Map<string, number>();

function instantOf(e: EngineEvent): number {
  if (typeof e.atMs === 'number') return Math.floor(e.atMs);
  let t = parsedAt.get(e.at);
  if (t === undefined) {
    if (parsedAt.size > 200_000) parsedAt.clear();
    t = parseAt(e.at);
    parsedAt.set(e.at, t);
  }
  return t;
}

/** One child's replay: the rule families in the order that lets AGENCY_GAP see a concern raised by the same event. */
class ChildReplay implements ChildRun {
  readonly alerts: AlertRecord[] = [];
  concernSinceMs = Infinity;
  concernRef: string | null = null;
  private readonly families: ChildRuleFamily[];

  constructor(
    readonly child: string,
    readonly name: string,
    readonly dateOfBirth: string | undefined,
    readonly config: RulesConfig,
    readonly calendar: PartnershipCalendar,
  ) {
    this.families = [
      new ReachableMoments(this), new MissingFromHome(this), new ChildrenMissingEducation(this),
      new ScreeningDue(this), new NrmPrompt(this), new VictimLens(this), new RiskNotReducing(this),
      new PanelDrift(this), new PlanReviewOverdue(this), new UnregulatedPlacement(this),
      new ParentUnanswered(this), new RecordsNotReceived(this), new EscalationTimescales(this),
      new AgencyGap(this),
    ];
  }

  raise(rule: RuleDefinition, key: string, atMs: number, f: RaiseFields): AlertRecord {
    const alert = new AlertRecord(
      rule, `${rule.code}:${this.child}:${key}`, this.child, null, atMs, f.dueMs ?? NaN, f.severity ?? rule.severity,
      f.evidence, f.details ?? {}, f.message, f.actions ?? rule.actions, f.owner ?? rule.owner,
    );
    this.alerts.push(alert);
    return alert;
  }

  markConcern(atMs: number, ref: string): void {
    if (atMs < this.concernSinceMs) {
      this.concernSinceMs = atMs;
      this.concernRef = ref;
    }
  }

  /** Fires every deadline before `t`, then lets each family see the event. */
  step(e: EngineEvent, t: number): void {
    const families = this.families;
    for (let i = 0; i < families.length; i++) if (families[i].nextDeadline < t) families[i].fireDue(t - 1);
    if (isConcernEvent(e)) this.markConcern(t, e.ref);
    for (let i = 0; i < families.length; i++) families[i].onEvent(e, t);
  }

  finish(asOfMs: number): void {
    for (const family of this.families) if (family.nextDeadline <= asOfMs) family.fireDue(asOfMs);
  }
}

function replayChild(child: ChildRecord, events: readonly EngineEvent[], times: ArrayLike<number>, order: number[], asOfMs: number, config: RulesConfig): ChildReplay {
  const run = new ChildReplay(child.ref, child.name, child.dateOfBirth, config, calendarFor(config));
  order.sort((a, b) => times[a] - times[b] || (events[a].index ?? a) - (events[b].index ?? b));
  for (let k = 0; k < order.length; k++) run.step(events[order[k]], times[order[k]]);
  run.finish(asOfMs);
  return run;
}

/** Ordered by raisedAt; ties by child, catalogue order, then id — the same whichever way it was evaluated. */
function compareRecords(a: AlertRecord, b: AlertRecord): number {
  if (a.raisedMs !== b.raisedMs) return a.raisedMs - b.raisedMs;
  const ca = a.child ?? '\uffff';
  const cb = b.child ?? '\uffff';
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ra = RULE_ORDER.get(a.rule.code)!;
  const rb = RULE_ORDER.get(b.rule.code)!;
  if (ra !== rb) return ra - rb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function toAlerts(records: AlertRecord[], asOfMs: number, config: RulesConfig): Alert[] {
  records.sort(compareRecords);
  const formatted = new Map<number, string>();
  const format = (ms: number) => {
    let text = formatted.get(ms);
    if (text === undefined) formatted.set(ms, (text = formatInstant(ms)));
    return text;
  };
  const seen = new Set<string>();
  return records.map((record) => {
    const alert = record.toAlert(asOfMs, config.version, format);
    // Duplicate source refs must not make two alerts share an id (the server upserts by id).
    if (seen.has(alert.id)) {
      let n = 2;
      while (seen.has(`${alert.id}#${n}`)) n++;
      alert.id = `${alert.id}#${n}`;
    }
    seen.add(alert.id);
    return alert;
  });
}

function timesOf(events: readonly EngineEvent[]): Float64Array {
  const times = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) times[i] = instantOf(events[i]);
  return times;
}

/**
 * Every alert — per child and context — as it stands at `asOf`. Events after `asOf` are ignored.
 * The replay and the learning-review page call this; the server uses the two parts below.
 */
export function evaluate({ children, events, asOf, config = DEFAULT_RULES_CONFIG }: EngineInput): Alert[] {
  const asOfMs = parseAsOf(asOf);
  const times = timesOf(events);
  const byChild = new Map<string, number[]>();
  for (let i = 0; i < events.length; i++) {
    if (!(times[i] <= asOfMs)) continue;
    const list = byChild.get(events[i].child);
    if (list) list.push(i);
    else byChild.set(events[i].child, [i]);
  }
  const records = new Map(children.map((c) => [c.ref, c]));
  for (const ref of [...byChild.keys()].sort()) if (!records.has(ref)) records.set(ref, { ref, name: ref });
  const all: AlertRecord[] = [];
  const context = new Map<string, ContextChild>();
  for (const child of records.values()) {
    const run = replayChild(child, events, times, byChild.get(child.ref) ?? [], asOfMs, config);
    for (const alert of run.alerts) all.push(alert);
    context.set(child.ref, { name: child.name, concernSinceMs: run.concernSinceMs });
  }
  for (const alert of contextAlerts({ children: context, events, times, asOfMs, config })) all.push(alert);
  return toAlerts(all, asOfMs, config);
}

/**
 * One child's own alerts at `asOf` (all rules but NETWORK_LINK, ADULT_OF_CONCERN and HOTSPOT). The
 * server calls it after each new event for the child and replaces the child's stored alerts by id.
 */
export function evaluateChild(input: { child: ChildRecord; events: readonly EngineEvent[]; asOf: Clock; config?: RulesConfig }): ChildEvaluation {
  const { child, asOf, config = DEFAULT_RULES_CONFIG } = input;
  const asOfMs = parseAsOf(asOf);
  const events = input.events.filter((e) => e.child === child.ref);
  const times = timesOf(events);
  const order: number[] = [];
  for (let i = 0; i < events.length; i++) if (times[i] <= asOfMs) order.push(i);
  const run = replayChild(child, events, times, order, asOfMs, config);
  return {
    child: child.ref,
    alerts: toAlerts(run.alerts, asOfMs, config),
    concern: run.concernRef === null ? null : { since: formatInstant(run.concernSinceMs), sinceMs: run.concernSinceMs, ref: run.concernRef },
  };
}

/**
 * The partnership-wide rules (NETWORK_LINK, ADULT_OF_CONCERN, HOTSPOT) at `asOf`, given each child's
 * concern from `evaluateChild`. The server calls it after an event with links, and in its sweep.
 */
export function evaluateContext({ children, events, asOf, config = DEFAULT_RULES_CONFIG }: ContextInput): Alert[] {
  const asOfMs = parseAsOf(asOf);
  const context = new Map<string, ContextChild>();
  for (const c of children) {
    const since = c.concernSince === undefined || c.concernSince === null ? Infinity : parseAsOfInstant(c.concernSince);
    context.set(c.ref, { name: c.name, concernSinceMs: Number.isNaN(since) ? Infinity : since });
  }
  return toAlerts(contextAlerts({ children: context, events, times: timesOf(events), asOfMs, config }), asOfMs, config);
}

/** A stored concern instant: epoch ms or the printed `since` (a date-time). */
function parseAsOfInstant(value: Clock): number {
  return typeof value === 'number' ? value : parseAt(value);
}
