// Resolving professional disagreements (issue 5; domain.md "escalation"). Jacob's review: "no
// formal dispute resolutions were raised ... and escalation did not take place". A disagreement is
// an explicit state machine kept entirely in the child's chronology — no table of its own:
//
//   (none) --raise--> raised@1 --respond--> responded@N --resolve--> resolved
//                      raised@N --resolve--> resolved
//                      raised@N | responded@N --raise to N+1--> raised@N+1   … up to 5, the chair
//
// Refused: anything on a resolved disagreement; responding twice at a stage, or by anyone but the
// agency the stage was raised with; raising to the same or a lower stage, or past the chair;
// skipping a stage (or starting above stage 1) unless marked immediate — a child at imminent risk —
// with a written reason; acting by an agency that is not one of the two in the disagreement.
//
// Every transition is one contract-1 event the rules read (ESCALATION_OVERDUE):
//   raise          escalation.raised   { stage, fromAgency, toAgency, issue, wanted }
//   raise to N+1   escalation.raised   { stage: N+1, …, escalation: <id of the disagreement> }
//   respond        escalation.responded { escalation: <event id of the current stage>, response }
//   resolve        escalation.resolved  { escalation: <event id of the current stage>, outcome, learning? }
// The disagreement's id is the event id of its first escalation.raised. A resolution names the event
// id of the stage it ends, which is how the engine (src/rules/escalation.ts) stops that stage's clock.
//
// Stage 5, the partnership's independent chair: contract 1 allows escalation.raised stages 1–4
// only, so the chair is recorded as a compatible extension — escalation.raised with `stage: 4` and
// `toChair: true` (unknown details keys are kept, contract 1). Readers that do not know the key see
// a stage-4 escalation; this workflow reads it as stage 5. Stage 5 has no deadline here: the
// partnership's policy gives the chair none ("with the chair").
import type { Agency, Problem } from '../event.ts';
import { AGENCY_NAMES } from '../event.ts';
import { londonDayNumber } from '../../rules/calendar/days.ts';
import { defaultCalendar, type PartnershipCalendar } from '../../rules/calendar/partnership-calendar.ts';

export const CHAIR_STAGE = 5;
export type Stage = 1 | 2 | 3 | 4 | 5;
export const STAGES: readonly Stage[] = [1, 2, 3, 4, 5];

export const STAGE_NAMES: Record<Stage, string> = {
  1: 'Practitioner to practitioner',
  2: 'Line managers',
  3: 'Senior or service managers',
  4: 'Directors or safeguarding leads',
  5: "The partnership's independent chair",
};

export const isStage = (n: unknown): n is Stage => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5;

export type EscalationState = 'raised' | 'responded' | 'resolved';

/** What the transitions need to know of a disagreement. */
export interface Snapshot {
  state: EscalationState;
  stage: Stage;
  /** the two agencies in the disagreement: who first raised it, and with whom */
  parties: readonly [Agency, Agency];
  /** the agency the current stage was raised with: the one to respond */
  stageTo: Agency;
}

export type Command =
  | { kind: 'raise'; agency: Agency; toAgency: Agency; stage: Stage; immediateReason?: string }
  | { kind: 'respond'; agency: Agency }
  | { kind: 'resolve'; agency: Agency }
  | { kind: 'escalate'; agency: Agency; stage: Stage; immediateReason?: string };

export type Transition = { ok: true; next: Snapshot } | { ok: false; problem: Problem };

const refuse = (path: string, message: string): Transition => ({ ok: false, problem: { path, message } });
const name = (a: Agency) => AGENCY_NAMES[a] ?? a;
const other = (parties: readonly [Agency, Agency], agency: Agency): Agency => (parties[0] === agency ? parties[1] : parties[0]);

/**
 * The state machine: from a disagreement's snapshot (null: none yet) and a command, the next
 * snapshot or the reason it is refused. Pure; the services and the table tests use it.
 */
export function transition(current: Snapshot | null, command: Command): Transition {
  if (command.kind === 'raise') {
    if (current) return refuse('escalation', 'This disagreement is already raised');
    if (command.toAgency === command.agency) return refuse('toAgency', 'Choose the other agency: a disagreement is between two agencies');
    if (!isStage(command.stage)) return refuse('stage', 'Choose a stage from 1 to 5');
    if (command.stage > 1 && !command.immediateReason?.trim()) {
      return refuse('immediateReason', 'A disagreement starts at stage 1, unless the child is at imminent risk: say why it must start higher');
    }
    return { ok: true, next: { state: 'raised', stage: command.stage, parties: [command.agency, command.toAgency], stageTo: command.toAgency } };
  }
  if (!current) return refuse('escalation', 'There is no such disagreement');
  if (!current.parties.includes(command.agency)) {
    return refuse('escalation', `Only ${name(current.parties[0])} and ${name(current.parties[1])} can act on this disagreement`);
  }
  if (current.state === 'resolved') {
    return refuse('escalation', command.kind === 'escalate'
      ? 'This disagreement is resolved: raise a new one if you still disagree'
      : command.kind === 'respond' ? 'This disagreement is resolved: there is nothing to respond to' : 'This disagreement is already resolved');
  }
  switch (command.kind) {
    case 'respond':
      if (command.agency !== current.stageTo) return refuse('response', `Only ${name(current.stageTo)}, with whom this stage was raised, responds at this stage`);
      if (current.state === 'responded') return refuse('response', 'A response is already recorded at this stage: resolve the disagreement or raise it to the next stage');
      return { ok: true, next: { ...current, state: 'responded' } };
    case 'resolve':
      return { ok: true, next: { ...current, state: 'resolved' } };
    case 'escalate': {
      if (current.stage === CHAIR_STAGE) return refuse('stage', "The partnership's independent chair is the last stage: record the chair's decision as the resolution");
      if (!isStage(command.stage) || command.stage <= current.stage) {
        return refuse('stage', `A disagreement at stage ${current.stage} can only be raised to a higher stage`);
      }
      if (command.stage > current.stage + 1 && !command.immediateReason?.trim()) {
        return refuse('immediateReason', `Raise it to stage ${current.stage + 1} next: skipping a stage needs the child to be at imminent risk, and a reason`);
      }
      return { ok: true, next: { ...current, state: 'raised', stage: command.stage, stageTo: other(current.parties, command.agency) } };
    }
  }
}

/**
 * One open disagreement between two agencies about a child at a time. Contract 1's escalation.raised
 * carries no disagreement id of its own, so the rules read a higher stage between the same two
 * agencies as taking over their open lower stage: a second disagreement between them would be
 * merged with the first. Raise it to the next stage, or resolve it, instead.
 */
export function refuseSecondBetween(open: readonly Pick<Snapshot, 'state' | 'parties'>[], agency: Agency, toAgency: Agency): Problem | null {
  const clash = open.some((e) => e.state !== 'resolved' && e.parties.includes(agency) && e.parties.includes(toAgency) && agency !== toAgency);
  return clash
    ? { path: 'toAgency', message: `A disagreement with ${name(toAgency)} about this child is already open: respond to it, raise it to the next stage or resolve it` }
    : null;
}

// --- reading a disagreement from the chronology ---------------------------------------------------

/** A chronology entry as this workflow reads it. */
export interface EscalationSource {
  id: string;
  /** the source system's own id (imports, scenarios): a resolution may name it */
  ref?: string | null;
  type: string;
  atMs: number;
  agency: Agency;
  details: Record<string, unknown>;
  summary?: string | null;
  /** a restricted entry of another agency: it counts for the state, its words are not shown */
  redacted?: boolean;
}

export interface EscalationStep {
  kind: 'raised' | 'responded' | 'resolved';
  eventId: string;
  atMs: number;
  /** who recorded it */
  agency: Agency;
  /** the stage it happened at */
  stage: Stage;
  fromAgency: Agency | null;
  toAgency: Agency | null;
  /** raised: the issue; responded: the response; resolved: the outcome (null when redacted) */
  text: string | null;
  wanted: string | null;
  learning: string | null;
  /** the practitioner's note (the event's summary) */
  note: string | null;
  /** raised on the immediate route: the child at imminent risk */
  immediate: boolean;
  immediateReason: string | null;
  redacted: boolean;
}

export interface Escalation extends Snapshot {
  /** the event id of the first escalation.raised */
  id: string;
  /** ids and source refs of its raised stages: what responses and resolutions may name */
  names: string[];
  issue: string | null;
  wanted: string | null;
  raisedAtMs: number;
  /** the current stage's escalation.raised */
  stageEventId: string;
  stageRaisedAtMs: number;
  stageFrom: Agency;
  immediate: boolean;
  resolution: { atMs: number; agency: Agency; outcome: string | null; learning: string | null; eventId: string } | null;
  steps: EscalationStep[];
}

export const ESCALATION_EVENT_TYPES = ['escalation.raised', 'escalation.responded', 'escalation.resolved'];

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);
const samePair = (e: Escalation, a: unknown, b: unknown) =>
  (e.parties[0] === a && e.parties[1] === b) || (e.parties[0] === b && e.parties[1] === a);

/** The stage an escalation.raised stands for: contract stage 1–4, or 5 when `toChair`. */
export function stageOfRaised(details: Record<string, unknown>): Stage | null {
  if (details.toChair === true) return CHAIR_STAGE;
  const n = Number(details.stage);
  return n >= 1 && n <= 4 && Number.isInteger(n) ? (n as Stage) : null;
}

/**
 * Every disagreement of one child, from their escalation events in time order. Reading is lenient
 * (imports and the record-an-event form may hold what the commands would refuse) and follows the
 * engine: a raise that names no disagreement takes over an open lower stage between the same two
 * agencies; a resolution that names no open disagreement ends them all.
 */
export function escalationsOf(sources: readonly EscalationSource[]): Escalation[] {
  const all: Escalation[] = [];
  const find = (named: string | null) => (named ? all.find((e) => e.names.includes(named)) : undefined);
  for (const s of sources) {
    const d = s.details;
    const named = str(d.escalation);
    const text = (v: unknown) => (s.redacted ? null : str(v));
    if (s.type === 'escalation.raised') {
      const stage = stageOfRaised(d);
      const from = d.fromAgency as Agency;
      const to = d.toAgency as Agency;
      if (!stage) continue;
      let esc = find(named);
      if (!esc) {
        esc = [...all].reverse().find((e) => e.state !== 'resolved' && e.stage < stage && samePair(e, from, to));
      }
      const step: EscalationStep = {
        kind: 'raised', eventId: s.id, atMs: s.atMs, agency: s.agency, stage, fromAgency: from, toAgency: to,
        text: text(d.issue), wanted: text(d.wanted), learning: null, note: text(s.summary),
        immediate: d.immediate === true,
        immediateReason: d.immediate === true ? text(d.immediateReason) : null,
        redacted: !!s.redacted,
      };
      if (!esc) {
        all.push({
          id: s.id,
          names: [s.id, ...(s.ref ? [s.ref] : [])],
          state: 'raised', stage, parties: [from, to], stageTo: to, stageFrom: from,
          issue: step.text, wanted: step.wanted,
          raisedAtMs: s.atMs, stageEventId: s.id, stageRaisedAtMs: s.atMs,
          immediate: d.immediate === true,
          resolution: null,
          steps: [step],
        });
        continue;
      }
      esc.names.push(s.id, ...(s.ref ? [s.ref] : []));
      esc.state = 'raised';
      esc.stage = stage;
      esc.stageEventId = s.id;
      esc.stageRaisedAtMs = s.atMs;
      esc.stageFrom = from;
      esc.stageTo = to;
      esc.resolution = null;
      if (d.immediate === true) esc.immediate = true;
      esc.steps.push(step);
    } else if (s.type === 'escalation.responded') {
      const esc = find(named);
      if (!esc) continue;
      if (esc.state === 'raised') esc.state = 'responded';
      esc.steps.push({
        kind: 'responded', eventId: s.id, atMs: s.atMs, agency: s.agency, stage: esc.stage, fromAgency: null, toAgency: null,
        text: text(d.response), wanted: null, learning: null, note: text(s.summary), immediate: false, immediateReason: null, redacted: !!s.redacted,
      });
    } else if (s.type === 'escalation.resolved') {
      const open = all.filter((e) => e.state !== 'resolved');
      const matches = named ? open.filter((e) => e.names.includes(named)) : [];
      for (const esc of matches.length ? matches : open) {
        esc.state = 'resolved';
        esc.resolution = { atMs: s.atMs, agency: s.agency, outcome: text(d.outcome), learning: text(d.learning), eventId: s.id };
        esc.steps.push({
          kind: 'resolved', eventId: s.id, atMs: s.atMs, agency: s.agency, stage: esc.stage, fromAgency: null, toAgency: null,
          text: text(d.outcome), wanted: null, learning: text(d.learning), note: text(s.summary), immediate: false, immediateReason: null, redacted: !!s.redacted,
        });
      }
    }
  }
  return all;
}

// --- the events each transition adds --------------------------------------------------------------

export interface EscalationEvent {
  type: 'escalation.raised' | 'escalation.responded' | 'escalation.resolved';
  details: Record<string, unknown>;
  summary?: string;
}

export interface RaiseInput {
  toAgency: Agency;
  issue: string;
  wanted: string;
  stage: Stage;
  immediateReason?: string;
}

function raisedDetails(stage: Stage, from: Agency, to: Agency, issue: string, wanted: string | null, immediateReason?: string) {
  return {
    // contract 1 has stages 1–4: the chair is stage 4 with `toChair` (see the top of this file)
    stage: stage === CHAIR_STAGE ? 4 : stage,
    ...(stage === CHAIR_STAGE ? { toChair: true } : {}),
    fromAgency: from,
    toAgency: to,
    issue,
    ...(wanted ? { wanted } : {}),
    ...(immediateReason?.trim() ? { immediate: true, immediateReason: immediateReason.trim() } : {}),
  };
}

/** The event that raises a new disagreement. */
export function raiseEvent(agency: Agency, input: RaiseInput): EscalationEvent {
  return { type: 'escalation.raised', details: raisedDetails(input.stage, agency, input.toAgency, input.issue.trim(), input.wanted.trim(), input.immediateReason) };
}

/** The event that raises a disagreement to a higher stage, from one of its two agencies. */
export function escalateEvent(esc: Escalation, agency: Agency, stage: Stage, reason?: string, immediateReason?: string): EscalationEvent {
  const issue = esc.issue ?? `The disagreement raised on stage ${esc.steps[0]?.stage ?? 1} (its first entry is restricted)`;
  return {
    type: 'escalation.raised',
    details: { ...raisedDetails(stage, agency, other(esc.parties, agency), issue, esc.wanted, immediateReason), escalation: esc.id },
    ...(reason?.trim() ? { summary: reason.trim() } : {}),
  };
}

export function respondEvent(esc: Escalation, response: string): EscalationEvent {
  return { type: 'escalation.responded', details: { escalation: esc.stageEventId, response: response.trim() } };
}

export function resolveEvent(esc: Escalation, outcome: string, learning?: string): EscalationEvent {
  return {
    type: 'escalation.resolved',
    details: { escalation: esc.stageEventId, outcome: outcome.trim(), ...(learning?.trim() ? { learning: learning.trim() } : {}) },
  };
}

// --- clocks ----------------------------------------------------------------------------------------

export interface EscalationTimescales {
  /** working days each of stages 1–4 has (RulesConfig.escalation.stageWorkingDays) */
  stageWorkingDays: readonly number[];
}

export interface StageClock {
  /** when the current stage must be resolved or raised; null at the chair or once resolved */
  dueMs: number | null;
  overdue: boolean;
  withChair: boolean;
  /** the stage's time in working days (null at the chair) */
  workingDays: number | null;
  /** working days since the disagreement was first raised (to its resolution, once resolved) */
  ageWorkingDays: number;
}

/** Working days after the London date of `fromMs`, up to and including the London date of `toMs`. */
export function workingDaysBetween(calendar: PartnershipCalendar, fromMs: number, toMs: number): number {
  let count = 0;
  const end = londonDayNumber(toMs);
  for (let d = londonDayNumber(fromMs) + 1; d <= end; d++) if (calendar.isWorkingDay(d)) count++;
  return count;
}

/** The current stage's clock, as the engine counts it ("within N working days": end of the Nth). */
export function stageClock(esc: Escalation, timescales: EscalationTimescales, nowMs: number, calendar = defaultCalendar()): StageClock {
  const resolved = esc.state === 'resolved';
  const ageWorkingDays = workingDaysBetween(calendar, esc.raisedAtMs, resolved ? esc.resolution!.atMs : nowMs);
  if (esc.stage === CHAIR_STAGE) return { dueMs: null, overdue: false, withChair: !resolved, workingDays: null, ageWorkingDays };
  const workingDays = timescales.stageWorkingDays[esc.stage - 1] ?? null;
  if (resolved || workingDays === null) return { dueMs: null, overdue: false, withChair: false, workingDays, ageWorkingDays };
  const dueMs = calendar.workingDaysDeadline(esc.stageRaisedAtMs, workingDays);
  return { dueMs, overdue: nowMs > dueMs, withChair: false, workingDays, ageWorkingDays };
}

/** What the agency may do next on a disagreement (for the page's forms). */
export function allowedFor(esc: Escalation, agency: Agency): { respond: boolean; resolve: boolean; escalateTo: Stage[]; nextStage: Stage | null } {
  const ok = (command: Command) => transition(esc, command).ok;
  const higher = STAGES.filter((s) => s > esc.stage);
  return {
    respond: ok({ kind: 'respond', agency }),
    resolve: ok({ kind: 'resolve', agency }),
    escalateTo: higher.filter((s) => ok({ kind: 'escalate', agency, stage: s, immediateReason: 'x' })),
    nextStage: ok({ kind: 'escalate', agency, stage: (esc.stage + 1) as Stage }) ? ((esc.stage + 1) as Stage) : null,
  };
}
