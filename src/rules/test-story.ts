// Builds a child's chronology for the rule tests, one event a line, and checks the alerts a rule
// raised against a compact expectation table (raised on, status, resolved by, due, overdue…).
import assert from 'node:assert/strict';
import type { Alert } from '../domain/alert.ts';
import type { Agency, EventLink } from '../domain/event.ts';
import type { RulesConfig } from './config.ts';
import { evaluate } from './engine.ts';
import type { ChildRecord, EngineEvent } from './rule.ts';

export interface EventExtras {
  ref?: string;
  agency?: Agency;
  links?: EventLink[];
  sensitivity?: 'standard' | 'restricted';
  child?: string;
}

export class Story {
  readonly events: EngineEvent[] = [];
  readonly children: ChildRecord[];

  constructor(readonly child: ChildRecord = { ref: 'sam', name: 'Sam', dateOfBirth: '2005-03-01' }, ...others: ChildRecord[]) {
    this.children = [child, ...others];
  }

  /** Adds an event; returns its ref (`e1`, `e2`… unless given). */
  add(at: string, type: string, details: Record<string, unknown> = {}, extras: EventExtras = {}): string {
    const ref = extras.ref ?? `e${this.events.length + 1}`;
    this.events.push({
      type, at, details, ref,
      agency: extras.agency ?? 'social_care',
      child: extras.child ?? this.child.ref,
      index: this.events.length,
      ...(extras.links ? { links: extras.links } : {}),
      ...(extras.sensitivity ? { sensitivity: extras.sensitivity } : {}),
    });
    return ref;
  }

  alerts(asOf: string | number, config?: RulesConfig): Alert[] {
    return evaluate({ children: this.children, events: this.events, asOf, config });
  }
}

export interface Expected {
  raisedOn?: string;
  /** raisedAt exactly, e.g. '2018-03-05T17:00:00+00:00' */
  raisedAt?: string;
  status?: 'open' | 'resolved';
  resolvedOn?: string;
  resolvedBy?: string | null;
  dueOn?: string | null;
  dueBy?: string | null;
  overdue?: boolean;
  severity?: Alert['severity'];
  evidence?: string[];
  details?: Record<string, unknown>;
  child?: string | null;
  subject?: Alert['subject'];
  owner?: Agency;
}

const day = (instant: string | null) => (instant === null ? null : instant.slice(0, 10));

/** The alerts of `rule`, in order, must match `expected` one for one. */
export function expectAlerts(alerts: Alert[], rule: string, expected: Expected[], label = rule): void {
  const found = alerts.filter((a) => a.rule === rule);
  assert.equal(found.length, expected.length, `${label}: expected ${expected.length} ${rule}, got ${found.length}: ${found.map((a) => `${a.raisedAt}/${a.status}`).join(', ')}`);
  found.forEach((a, i) => {
    const x = expected[i];
    const at = `${label}: ${rule}[${i}]`;
    if (x.raisedOn !== undefined) assert.equal(day(a.raisedAt), x.raisedOn, `${at} raised on`);
    if (x.raisedAt !== undefined) assert.equal(a.raisedAt, x.raisedAt, `${at} raisedAt`);
    if (x.status !== undefined) assert.equal(a.status, x.status, `${at} status`);
    if (x.resolvedOn !== undefined) assert.equal(day(a.resolvedAt), x.resolvedOn, `${at} resolved on`);
    if (x.resolvedBy !== undefined) assert.equal(a.resolvedBy, x.resolvedBy, `${at} resolved by`);
    if (x.dueOn !== undefined) assert.equal(day(a.dueBy), x.dueOn, `${at} due on`);
    if (x.dueBy !== undefined) assert.equal(a.dueBy, x.dueBy, `${at} dueBy`);
    if (x.overdue !== undefined) assert.equal(a.overdue, x.overdue, `${at} overdue`);
    if (x.severity !== undefined) assert.equal(a.severity, x.severity, `${at} severity`);
    if (x.evidence !== undefined) assert.deepEqual(a.evidence, x.evidence, `${at} evidence`);
    if (x.child !== undefined) assert.equal(a.child, x.child, `${at} child`);
    if (x.subject !== undefined) assert.deepEqual(a.subject, x.subject, `${at} subject`);
    if (x.owner !== undefined) assert.equal(a.owner, x.owner, `${at} owner`);
    for (const [key, value] of Object.entries(x.details ?? {})) assert.deepEqual(a.details[key], value, `${at} details.${key}`);
  });
}

/** A table of cases for one rule: build a story, replay it to `asOf`, compare that rule's alerts. */
export interface RuleCase {
  name: string;
  build: (s: Story) => void;
  asOf: string;
  expect: Expected[];
  config?: RulesConfig;
  child?: ChildRecord;
}
