// The rules engine: alerts as a pure function of the chronology and the clock (contract 2: "the same
// chronology and the same clock give the same alerts"). One engine for the server, the replay, the
// learning-review page and the benchmarks: no I/O, nothing from store/services/web/cli.
// Time passes inside it: each child's events are walked in order, and before each event every
// deadline that fell earlier fires at its own instant — exactly as if the clock ticked day by day —
// so a 72-hour interview duty fires at 72 hours, not when the next event happens to arrive.
import type { Alert } from '../domain/alert.ts';
import { dayNumberOfIsoDate, endOfLondonDay } from './calendar/days.ts';
import { formatLondon, parseInstant } from './calendar/london-clock.ts';
import { AlertCollector } from './alert-collector.ts';
import { PartnershipCalendar, defaultCalendar } from './calendar/partnership-calendar.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from './config.ts';
import { ChildrenMissingEducation } from './education.ts';
import { EscalationTimescales } from './escalation.ts';
import { ReferralDecisions } from './referrals.ts';
import { NrmPrompt, PanelDrift, ParentUnanswered, PlanReviewOverdue, RecordsNotReceived, RiskNotReducing, ScreeningDue, UnregulatedPlacement, VictimLens } from './exploitation.ts';
import { isConcernEvent } from './indicators.ts';
import { MissingFromHome } from './missing.ts';
import { PlanActions } from './plans.ts';
import { AgencyGap, contextAlerts, type ContextChild } from './network.ts';
import { ReachableMoments } from './reachable-moments.ts';
import { RescreenSuggested } from './rescreening.ts';
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
  /**
   * The earliest instant (epoch ms) after `asOf` at which evaluating the same chronology could give
   * other alerts: a deadline a rule waits on, or an open alert's due time passing (it becomes
   * overdue), or an event dated after `asOf` coming due. Infinity: only a new event can change
   * them. The server's sweep evaluates a child again only once the clock reaches it.
   */
  nextChangeMs: number;
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
  return Number.isNaN(day) ? parseInstant(asOf) : endOfLondonDay(day);
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

function instantOf(e: EngineEvent): number {
  return typeof e.atMs === 'number' ? Math.floor(e.atMs) : parseInstant(e.at);
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
      new ScreeningDue(this), new RescreenSuggested(this), new NrmPrompt(this), new VictimLens(this), new RiskNotReducing(this),
      new PanelDrift(this), new PlanReviewOverdue(this), new PlanActions(this), new UnregulatedPlacement(this),
      new ParentUnanswered(this), new RecordsNotReceived(this), new EscalationTimescales(this),
      new ReferralDecisions(this), new AgencyGap(this),
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

  /**
   * After `finish(asOfMs)`: when the alerts can next differ with no new event. A family changes only
   * through `fireDue`, which runs once its deadline is reached; an alert changes only as its due
   * time passes (`toAlert`: overdue once the clock is past `dueMs`).
   */
  nextChange(asOfMs: number): number {
    let next = Infinity;
    for (const family of this.families) if (family.nextDeadline < next) next = family.nextDeadline;
    for (const record of this.alerts) {
      if (record.open && record.dueMs >= asOfMs && record.dueMs + 1 < next) next = record.dueMs + 1;
    }
    return next;
  }
}

function replayChild(child: ChildRecord, events: readonly EngineEvent[], { times, positions }: Timeline, order: number[], asOfMs: number, config: RulesConfig): ChildReplay {
  const run = new ChildReplay(child.ref, child.name, child.dateOfBirth, config, calendarFor(config));
  // Contract 3: sorted by time, file order for equal times. Feeds usually arrive in order: check first.
  let inOrder = true;
  for (let k = 1; k < order.length && inOrder; k++) {
    const a = order[k - 1];
    const b = order[k];
    inOrder = times[a] < times[b] || (times[a] === times[b] && positions[a] < positions[b]);
  }
  if (!inOrder) order.sort((a, b) => times[a] - times[b] || positions[a] - positions[b]);
  for (let k = 0; k < order.length; k++) run.step(events[order[k]], times[order[k]]);
  run.finish(asOfMs);
  return run;
}

/** Alerts of one evaluation in contract order: children by ref, context alerts after them. */
function collect(records: readonly AlertRecord[], asOfMs: number, config: RulesConfig): Alert[] {
  const refs = [...new Set(records.map((r) => r.child).filter((c): c is string => c !== null))].sort();
  const ranks = new Map(refs.map((ref, i) => [ref, i]));
  const collector = new AlertCollector(asOfMs, config.version);
  collector.add(records, (child) => (child === null ? refs.length : ranks.get(child)!));
  return collector.ordered();
}

/** Each event's instant, and its file position for ties, read once into flat arrays. */
interface Timeline {
  times: Float64Array;
  positions: Float64Array;
}

function timelineOf(events: readonly EngineEvent[]): Timeline {
  const times = new Float64Array(events.length);
  const positions = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    times[i] = instantOf(e);
    positions[i] = e.index ?? i;
  }
  return { times, positions };
}

/**
 * Every alert — per child and context — as it stands at `asOf`. Events after `asOf` are ignored.
 * The replay and the learning-review page call this; the server uses the two parts below.
 */
export function evaluate({ children, events, asOf, config = DEFAULT_RULES_CONFIG }: EngineInput): Alert[] {
  const asOfMs = parseAsOf(asOf);
  const timeline = timelineOf(events);
  const { times } = timeline;
  const byChild = new Map<string, number[]>();
  let lastChild: string | undefined;
  let list: number[] = [];
  for (let i = 0; i < events.length; i++) {
    if (!(times[i] <= asOfMs)) continue;
    const child = events[i].child;
    // Stores hand over chronologies child by child: look the child up only when it changes.
    if (child !== lastChild) {
      lastChild = child;
      list = byChild.get(child) ?? [];
      if (!list.length) byChild.set(child, list);
    }
    list.push(i);
  }
  const records = new Map(children.map((c) => [c.ref, c]));
  for (const ref of byChild.keys()) if (!records.has(ref)) records.set(ref, { ref, name: ref });
  const refs = [...records.keys()].sort();
  const ranks = new Map(refs.map((ref, i) => [ref, i]));
  const collector = new AlertCollector(asOfMs, config.version);
  const context = new Map<string, ContextChild>();
  for (let i = 0; i < refs.length; i++) {
    const child = records.get(refs[i])!;
    const run = replayChild(child, events, timeline, byChild.get(child.ref) ?? [], asOfMs, config);
    collector.add(run.alerts, () => i);
    context.set(child.ref, { name: child.name, concernSinceMs: run.concernSinceMs });
  }
  collector.add(contextAlerts({ children: context, events, times, asOfMs, config }), (child) => (child === null ? refs.length : ranks.get(child) ?? refs.length));
  return collector.ordered();
}

/**
 * One child's own alerts at `asOf` (all rules but NETWORK_LINK, ADULT_OF_CONCERN and HOTSPOT). The
 * server calls it after each new event for the child and replaces the child's stored alerts by id.
 */
export function evaluateChild(input: { child: ChildRecord; events: readonly EngineEvent[]; asOf: Clock; config?: RulesConfig }): ChildEvaluation {
  const { child, asOf, config = DEFAULT_RULES_CONFIG } = input;
  const asOfMs = parseAsOf(asOf);
  const events = input.events.filter((e) => e.child === child.ref);
  const timeline = timelineOf(events);
  const order: number[] = [];
  // an event dated after the clock (a feed's future-dated entry) counts once the clock reaches it
  let nextEventMs = Infinity;
  for (let i = 0; i < events.length; i++) {
    const t = timeline.times[i];
    if (t <= asOfMs) order.push(i);
    else if (t < nextEventMs) nextEventMs = t;
  }
  const run = replayChild(child, events, timeline, order, asOfMs, config);
  return {
    child: child.ref,
    alerts: collect(run.alerts, asOfMs, config),
    concern: run.concernRef === null ? null : { since: formatLondon(run.concernSinceMs), sinceMs: run.concernSinceMs, ref: run.concernRef },
    nextChangeMs: Math.min(run.nextChange(asOfMs), nextEventMs),
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
  return collect(contextAlerts({ children: context, events, times: timelineOf(events).times, asOfMs, config }), asOfMs, config);
}

/**
 * When the partnership-wide rules can next give other alerts for the same data: they read the
 * clock only through which events have happened (a child's concern is always in its past), so at
 * the earliest of `events` dated after `asOf`; Infinity when none is.
 */
export function contextNextChangeMs(events: readonly EngineEvent[], asOf: Clock): number {
  const asOfMs = parseAsOf(asOf);
  let next = Infinity;
  for (const e of events) {
    const t = instantOf(e);
    if (t > asOfMs && t < next) next = t;
  }
  return next;
}

/** A stored concern instant: epoch ms or the printed `since` (a date-time). */
function parseAsOfInstant(value: Clock): number {
  return typeof value === 'number' ? value : parseInstant(value);
}
