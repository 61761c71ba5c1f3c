// What every rule family shares: the rule definition (code, severity, owner, the review finding it
// encodes), the engine's view of an event, the mutable alert record a rule raises and resolves while
// time passes, and the per-child run the families report to. Contract 2 is the source of truth.
import type { Alert, AlertSubject, Severity } from '../domain/alert.ts';
import { AGENCY_NAMES, type Agency, type EventLink } from '../domain/event.ts';
import { civilPacked, formatLondon } from './calendar/london-clock.ts';
import { londonDayNumber } from './calendar/days.ts';
import type { PartnershipCalendar } from './calendar/partnership-calendar.ts';
import type { RulesConfig } from './config.ts';

export const RULE_FAMILIES = ['reachable_moments', 'missing', 'education', 'exploitation', 'network', 'escalation'] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

export interface RuleDefinition {
  code: string;
  family: RuleFamily;
  severity: Severity;
  owner: Agency;
  /** The review finding or guidance the rule encodes, shown beside the alert in the UI. */
  finding: string;
  /** When it fires and what resolves it, in plain words. */
  description: string;
  actions: readonly string[];
}

/** A contract-1 event as the engine reads it: `ref` and `child` always set, `index` the file order. */
export interface EngineEvent {
  type: string;
  at: string;
  agency: Agency;
  child: string;
  /**
   * Unique among the events given (the store's event id; a scenario's ref or `#<index>`): alert ids
   * are natural keys built from it (`RHI_OVERDUE:jacob:m3`, `RM_ARREST:jacob:j-021`).
   */
  ref: string;
  /** Position in the source (file order): the tie-break for events at the same instant. */
  index?: number;
  /** `at` already parsed to epoch ms, when the caller has it (the store does). */
  atMs?: number;
  details: Record<string, unknown>;
  links?: readonly EventLink[];
  sensitivity?: 'standard' | 'restricted';
  summary?: string;
}

export interface ChildRecord {
  ref: string;
  name: string;
  dateOfBirth?: string;
}

/** Evidence lists stay readable: long-running alerts keep their first triggers (alert fatigue). */
export const EVIDENCE_LIMIT = 20;

/**
 * An alert while the engine runs. The contract-2 object is made once, when the alert is raised, and
 * updated in place as it is resolved; instants stay epoch ms alongside for the rules. A county
 * replay keeps most of a million alerts, so each is one object (not a record and then a copy).
 */
export class AlertRecord {
  readonly alert: Alert;
  resolvedMs = NaN;

  constructor(
    readonly rule: RuleDefinition,
    id: string,
    child: string | null,
    subject: AlertSubject | null,
    readonly raisedMs: number,
    readonly dueMs: number,
    severity: Severity,
    evidence: string[],
    details: Record<string, unknown>,
    message: string,
    actions: readonly string[],
    owner: Agency,
  ) {
    this.alert = {
      id: flat(id),
      rule: rule.code,
      child,
      subject,
      severity,
      raisedAt: instantText(raisedMs),
      dueBy: Number.isNaN(dueMs) ? null : instantText(dueMs),
      status: 'open',
      overdue: false,
      resolvedAt: null,
      resolvedBy: null,
      evidence,
      details,
      owner,
      message: flat(message),
      // Shared and frozen (catalogue.ts): a county's alerts need not carry a copy each.
      actions: actions as string[],
    };
  }

  get id(): string {
    return this.alert.id;
  }

  get child(): string | null {
    return this.alert.child;
  }

  get open(): boolean {
    return Number.isNaN(this.resolvedMs);
  }

  addEvidence(ref: string): void {
    const evidence = this.alert.evidence;
    if (evidence.length < EVIDENCE_LIMIT && !evidence.includes(ref)) evidence.push(ref);
  }

  resolve(atMs: number, ref: string | null): void {
    if (!this.open) return;
    this.resolvedMs = atMs;
    this.alert.status = 'resolved';
    this.alert.resolvedAt = instantText(atMs);
    this.alert.resolvedBy = ref;
  }

  /** The contract-2 alert as it stands at `asOfMs`, with the configuration version in force. */
  toAlert(asOfMs: number, configVersion: string): Alert {
    const alert = this.alert;
    if (!Number.isNaN(this.dueMs)) alert.overdue = this.open ? asOfMs > this.dueMs : this.resolvedMs > this.dueMs;
    alert.details.configVersion = configVersion;
    return alert;
  }
}

// Many alerts share instants (09:00 on a day, the end of a working day): a small direct-mapped
// cache prints each once and lets the alerts share the string.
const TEXT_SLOTS = 16_384;
const cachedMs = new Float64Array(TEXT_SLOTS).fill(NaN);
const cachedText: string[] = new Array(TEXT_SLOTS).fill('');

/** `formatLondon`, remembered. */
export function instantText(ms: number): string {
  const slot = Math.imul(Math.floor(ms / 1000) | 0, 0x9e3779b1) >>> 18; // 14 bits of a Fibonacci hash
  if (cachedMs[slot] === ms) return cachedText[slot];
  const text = flat(formatLondon(ms));
  cachedMs[slot] = ms;
  cachedText[slot] = text;
  return text;
}

/**
 * V8 keeps a string built by `+` or a template as a tree of pieces until someone reads it whole;
 * converting it to a number flattens it in place. A replay keeps every alert's message and id, so
 * one flat string each, made while it is young, spares the collector most of a county's objects.
 */
export function flat(text: string): string {
  Number(text);
  return text;
}

export interface RaiseFields {
  evidence: string[];
  message: string;
  dueMs?: number;
  details?: Record<string, unknown>;
  severity?: Severity;
  actions?: readonly string[];
  owner?: Agency;
}

/** One child's replay, as the rule families see it. */
export interface ChildRun {
  readonly child: string;
  readonly name: string;
  readonly dateOfBirth: string | undefined;
  readonly config: RulesConfig;
  readonly calendar: PartnershipCalendar;
  /** When the child became "of exploitation concern" (contract 2); Infinity: not (yet). */
  readonly concernSinceMs: number;
  /** The event that made the child of concern (the screening, referral or alert's trigger). */
  readonly concernRef: string | null;
  /** `key` makes the id a natural key: `RULE:child:key`, identical on every re-run. */
  raise(rule: RuleDefinition, key: string, atMs: number, fields: RaiseFields): AlertRecord;
  markConcern(atMs: number, ref: string): void;
}

/** A rule family's state for one child as time passes through the chronology. */
export interface ChildRuleFamily {
  /** The earliest pending deadline (epoch ms); Infinity when none. */
  readonly nextDeadline: number;
  /** Raise every alert whose deadline is at or before `until`. */
  fireDue(until: number): void;
  onEvent(e: EngineEvent, t: number): void;
}

/** Restricted entries show to other agencies only as "a restricted entry by AGENCY" (contract 1). */
export function isRestricted(e: EngineEvent): boolean {
  return e.sensitivity === 'restricted';
}

export function restrictedEntry(e: EngineEvent): string {
  return `a restricted entry by ${AGENCY_NAMES[e.agency] ?? e.agency}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "3 September 2018": the London date of an instant, for messages. */
export function spokenDate(ms: number): string {
  const packed = civilPacked(londonDayNumber(ms));
  return `${packed % 100} ${MONTHS[(Math.floor(packed / 100) % 100) - 1]} ${Math.floor(packed / 10_000)}`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
