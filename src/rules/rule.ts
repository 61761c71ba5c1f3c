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

/** An alert while the engine runs: instants as epoch ms (NaN: none), strings made once at the end. */
export class AlertRecord {
  resolvedMs = NaN;
  resolvedBy: string | null = null;

  readonly id: string;
  message: string;

  constructor(
    readonly rule: RuleDefinition,
    id: string,
    readonly child: string | null,
    readonly subject: AlertSubject | null,
    readonly raisedMs: number,
    public dueMs: number,
    public severity: Severity,
    readonly evidence: string[],
    public details: Record<string, unknown>,
    message: string,
    public actions: readonly string[],
    public owner: Agency,
  ) {
    this.id = flat(id);
    this.message = flat(message);
  }

  get open(): boolean {
    return Number.isNaN(this.resolvedMs);
  }

  addEvidence(ref: string): void {
    if (this.evidence.length < EVIDENCE_LIMIT && !this.evidence.includes(ref)) this.evidence.push(ref);
  }

  resolve(atMs: number, ref: string | null): void {
    if (!this.open) return;
    this.resolvedMs = atMs;
    this.resolvedBy = ref;
  }

  /**
   * The contract-2 alert as it stands at `asOfMs`. The record hands over its evidence and details
   * (it is finished with once converted), so a million-event replay copies nothing it need not.
   */
  toAlert(asOfMs: number, configVersion: string, format: (ms: number) => string = formatLondon): Alert {
    const open = this.open;
    const hasDue = !Number.isNaN(this.dueMs);
    return {
      id: this.id,
      rule: this.rule.code,
      child: this.child,
      subject: this.subject,
      severity: this.severity,
      raisedAt: format(this.raisedMs),
      dueBy: hasDue ? format(this.dueMs) : null,
      status: open ? 'open' : 'resolved',
      overdue: hasDue && (open ? asOfMs > this.dueMs : this.resolvedMs > this.dueMs),
      resolvedAt: open ? null : format(this.resolvedMs),
      resolvedBy: this.resolvedBy,
      evidence: this.evidence,
      details: withVersion(this.details, configVersion),
      owner: this.owner,
      message: this.message,
      // Shared and frozen (catalogue.ts): a county's alerts need not carry a copy each.
      actions: this.actions as string[],
    };
  }
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

function withVersion(details: Record<string, unknown>, configVersion: string): Record<string, unknown> {
  details.configVersion = configVersion;
  return details;
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
