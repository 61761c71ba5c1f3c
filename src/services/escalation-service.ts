// Resolving professional disagreements about a child (issue 5). The workflow lives in the
// chronology (src/domain/workflows/escalation.ts): reading is the child's escalation events folded
// into disagreements, inside an access-checked, audited transaction; acting is one event through
// recordEvents with the rules' hook, so ESCALATION_OVERDUE sees every raise and resolution. The
// check and the write share one transaction with the child's row locked, so two people acting at
// once cannot both move the same stage.
import { and, asc, eq, inArray } from 'drizzle-orm';
import { AGENCIES, AGENCY_NAMES, type Agency, type Problem } from '../domain/event.ts';
import { formatInstant } from '../domain/time.ts';
import * as wf from '../domain/workflows/escalation.ts';
import { childrenNamedIn, withoutChildName } from '../domain/workflows/panel.ts';
import { DEFAULT_RULES_CONFIG, type RulesConfig } from '../rules/config.ts';
import type { Db } from '../store/database.ts';
import { transactionRunAgain } from '../store/transactions.ts';
import * as repo from '../store/chronology-repository.ts';
import { children, events } from '../store/schema.ts';
import { mayReadCases, scopeOf, type Actor } from './actor.ts';
import { audit, namedChildren } from './audit-service.ts';
import { childToWrite, recordEvents, visibleChild, type AfterRecord } from './chronology-service.ts';
import { forbidden, notFound, validationFailed } from './errors.ts';
import { can } from './access.ts';

export interface EscalationOptions {
  /** the partnership's rules configuration: each stage's working days */
  config?: RulesConfig;
  /** the present moment; tests fix it */
  now?: () => number;
}

export interface EscalationView extends wf.Escalation {
  clock: wf.StageClock;
  allowed: ReturnType<typeof wf.allowedFor>;
  /** its first entry is restricted by another agency: show only who and when */
  restricted: boolean;
}

const MAX_TEXT = 2000;
const nowOf = (options: EscalationOptions) => (options.now ?? Date.now)();
const timescalesOf = (options: EscalationOptions) => (options.config ?? DEFAULT_RULES_CONFIG).escalation;

function sourcesOf(rows: repo.EventRow[], agency: Agency): wf.EscalationSource[] {
  return rows.map((r) => ({
    id: r.id,
    ref: r.ref,
    type: r.type,
    atMs: r.at.getTime(),
    agency: r.agency as Agency,
    details: r.details,
    summary: r.summary,
    redacted: r.sensitivity === 'restricted' && r.agency !== agency,
  }));
}

function present(esc: wf.Escalation, actor: Actor, options: EscalationOptions): EscalationView {
  return {
    ...esc,
    clock: wf.stageClock(esc, timescalesOf(options), nowOf(options)),
    allowed: wf.allowedFor(esc, actor.agency),
    restricted: esc.steps[0]?.redacted ?? false,
  };
}

async function escalationsIn(tx: Db, actor: Actor, childId: string): Promise<wf.Escalation[]> {
  const rows = await repo.eventsOfTypes(tx, childId, wf.ESCALATION_EVENT_TYPES);
  return wf.escalationsOf(sourcesOf(rows, actor.agency));
}

/** The child's disagreements (open first, then newest first) and the agencies involved with them. */
export async function childEscalations(db: Db, actor: Actor, childId: string, options: EscalationOptions = {}) {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const all = (await escalationsIn(tx, actor, child.id)).map((e) => present(e, actor, options));
    const involved = [...new Set((await repo.activeInvolvements(tx, child.id)).map((i) => i.agency as Agency))];
    await audit(tx, actor, 'escalation.viewed', child.id, { escalations: all.map((e) => e.id) });
    all.sort((a, b) => Number(a.state === 'resolved') - Number(b.state === 'resolved') || b.raisedAtMs - a.raisedAtMs);
    return { child, escalations: all, involved };
  });
}

/** One disagreement with its stage, clock, history and what the reader's agency may do next. */
export async function viewEscalation(db: Db, actor: Actor, childId: string, escalationId: string, options: EscalationOptions = {}) {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const found = (await escalationsIn(tx, actor, child.id)).find((e) => e.id === escalationId);
    if (!found) throw notFound();
    await audit(tx, actor, 'escalation.viewed', child.id, { escalation: found.id, shown: found.steps.filter((s) => !s.redacted).map((s) => s.eventId) });
    return { child, escalation: present(found, actor, options) };
  });
}

// --- acting ---------------------------------------------------------------------------------------

function refused(result: wf.Transition): asserts result is Extract<wf.Transition, { ok: true }> {
  if (!result.ok) throw validationFailed([result.problem]);
}

/** What each field of the escalation forms is, for a message that names it. */
const FIELD_WORDS: Record<string, string> = {
  issue: 'The issue', wanted: 'What you want to happen', immediateReason: 'Why the child is at imminent risk', response: 'Your response',
  outcome: 'How it was resolved', learning: 'The learning', reason: 'Why it is raised',
};

const tooLong = (path: string): Problem => ({ path, message: `${FIELD_WORDS[path] ?? 'The text'} must be ${MAX_TEXT.toLocaleString('en-GB')} characters or fewer` });

function required(problems: Problem[], path: string, value: string | undefined, message: string): string {
  const text = value?.trim() ?? '';
  if (!text) problems.push({ path, message });
  else if (text.length > MAX_TEXT) problems.push(tooLong(path));
  return text;
}

function optional(problems: Problem[], path: string, value: string | undefined): string {
  const text = value?.trim() ?? '';
  if (text.length > MAX_TEXT) problems.push(tooLong(path));
  return text;
}

/**
 * Checks a command against the disagreement's state in the chronology and records its event, in
 * one transaction with the child's row locked. Returns the disagreement's id and the new event's.
 */
async function act(
  db: Db,
  actor: Actor,
  childId: string,
  decide: (all: wf.Escalation[], involved: Agency[], child: { name: string }) => { escalationId: string | null; event: wf.EscalationEvent },
  afterRecord: AfterRecord | undefined,
  options: EscalationOptions,
): Promise<{ escalationId: string; eventId: string }> {
  return transactionRunAgain(db, async (tx) => {
    // the child's row locked `for update` (childToWrite): two of these at once check the state one
    // after the other, and a record merged away is refused rather than written on
    const child = await childToWrite(tx, actor, childId, 'update');
    const involved = (await repo.activeInvolvements(tx, child.id)).map((i) => i.agency as Agency);
    const { escalationId, event } = decide(await escalationsIn(tx, actor, child.id), involved, child);
    const result = await recordEvents(tx, actor, child.id, [{
      type: event.type,
      at: formatInstant(nowOf(options)),
      agency: actor.agency,
      details: event.details,
      ...(event.summary ? { summary: event.summary } : {}),
    }], 'web', afterRecord);
    const eventId = result.created[0].id;
    return { escalationId: escalationId ?? eventId, eventId };
  });
}

function findEscalation(all: wf.Escalation[], escalationId: string): wf.Escalation {
  const esc = all.find((e) => e.id === escalationId);
  if (!esc) throw notFound();
  return esc;
}

export interface RaiseInput {
  toAgency: string;
  issue: string;
  wanted: string;
  /** the immediate route: the child is at imminent risk; start at `stage` with a reason */
  immediate?: boolean;
  stage?: number;
  immediateReason?: string;
}

/** Raises a new disagreement with another agency: stage 1, or higher on the immediate route. */
export async function raiseEscalation(db: Db, actor: Actor, childId: string, input: RaiseInput, afterRecord?: AfterRecord, options: EscalationOptions = {}) {
  const problems: Problem[] = [];
  if (!(AGENCIES as readonly string[]).includes(input.toAgency)) problems.push({ path: 'toAgency', message: 'Choose the agency you disagree with' });
  const issue = required(problems, 'issue', input.issue, 'Describe the issue: what you disagree about');
  const wanted = required(problems, 'wanted', input.wanted, 'Say what you want to happen');
  let stage: wf.Stage = 1;
  let immediateReason: string | undefined;
  if (input.immediate) {
    if (!wf.isStage(input.stage) || input.stage < 2) problems.push({ path: 'stage', message: 'Choose the stage to start at' });
    else stage = input.stage;
    immediateReason = required(problems, 'immediateReason', input.immediateReason, 'Say why the child is at imminent risk');
  }
  if (problems.length) throw validationFailed(problems);
  const toAgency = input.toAgency as Agency;
  return act(db, actor, childId, (all, involved) => {
    refused(wf.transition(null, { kind: 'raise', agency: actor.agency, toAgency, stage, immediateReason }));
    const second = wf.refuseSecondBetween(all, actor.agency, toAgency);
    if (second) throw validationFailed([second]);
    // the other side must see the child to respond: only an agency involved with them
    if (!involved.includes(toAgency)) {
      throw validationFailed([{ path: 'toAgency', message: `${AGENCY_NAMES[toAgency]} is not involved with this child: record their involvement first, so that they can see and respond` }]);
    }
    return { escalationId: null, event: wf.raiseEvent(actor.agency, { toAgency, issue, wanted, stage, immediateReason }) };
  }, afterRecord, options);
}

/** The other side's response at the current stage (the clock keeps running). */
export async function respondToEscalation(db: Db, actor: Actor, childId: string, escalationId: string, input: { response: string }, afterRecord?: AfterRecord, options: EscalationOptions = {}) {
  const problems: Problem[] = [];
  const response = required(problems, 'response', input.response, 'Write your response');
  if (problems.length) throw validationFailed(problems);
  return act(db, actor, childId, (all) => {
    const esc = findEscalation(all, escalationId);
    refused(wf.transition(esc, { kind: 'respond', agency: actor.agency }));
    return { escalationId: esc.id, event: wf.respondEvent(esc, response) };
  }, afterRecord, options);
}

/** Either side records how it was resolved, and the learning for the partnership. */
export async function resolveEscalation(db: Db, actor: Actor, childId: string, escalationId: string, input: { outcome: string; learning?: string }, afterRecord?: AfterRecord, options: EscalationOptions = {}) {
  const problems: Problem[] = [];
  const outcome = required(problems, 'outcome', input.outcome, 'Say how it was resolved: what was agreed');
  const learning = optional(problems, 'learning', input.learning);
  if (problems.length) throw validationFailed(problems);
  return act(db, actor, childId, (all, _involved, child) => {
    const esc = findEscalation(all, escalationId);
    refused(wf.transition(esc, { kind: 'resolve', agency: actor.agency }));
    // the learning is read by managers across the partnership, most of whom may not see the child
    const named = learning ? childrenNamedIn(learning, [child]) : [];
    if (named.length) {
      throw validationFailed([{ path: 'learning', message: `Remove "${named[0].as}" from the learning: managers across the partnership read it without the child's name. Write "the child" instead` }]);
    }
    return { escalationId: esc.id, event: wf.resolveEvent(esc, outcome, learning) };
  }, afterRecord, options);
}

export interface EscalateInput {
  /** default: the next stage */
  stage?: number;
  /** why it is raised (kept as the event's summary) */
  reason?: string;
  /** skipping a stage is the immediate route: why the child is at imminent risk */
  immediateReason?: string;
}

/** Raises the disagreement to a higher stage (up to the partnership's independent chair). */
export async function escalateEscalation(db: Db, actor: Actor, childId: string, escalationId: string, input: EscalateInput, afterRecord?: AfterRecord, options: EscalationOptions = {}) {
  const problems: Problem[] = [];
  const reason = optional(problems, 'reason', input.reason);
  const immediateReason = optional(problems, 'immediateReason', input.immediateReason);
  if (input.stage !== undefined && !wf.isStage(input.stage)) problems.push({ path: 'stage', message: 'Choose the stage to raise it to' });
  if (problems.length) throw validationFailed(problems);
  return act(db, actor, childId, (all) => {
    const esc = findEscalation(all, escalationId);
    const stage = (input.stage ?? Math.min(esc.stage + 1, wf.CHAIR_STAGE)) as wf.Stage;
    // the reason for the immediate route counts only when a stage is skipped
    const skipping = stage > esc.stage + 1 ? immediateReason : undefined;
    refused(wf.transition(esc, { kind: 'escalate', agency: actor.agency, stage, immediateReason: skipping }));
    return { escalationId: esc.id, event: wf.escalateEvent(esc, actor.agency, stage, reason, skipping) };
  }, afterRecord, options);
}

// --- the partnership view -------------------------------------------------------------------------

export interface PartnershipEscalation {
  id: string;
  /** null: the reader may not see this child ("a child") */
  childId: string | null;
  childName: string | null;
  parties: readonly [Agency, Agency];
  stage: wf.Stage;
  state: wf.EscalationState;
  raisedAtMs: number;
  clock: wf.StageClock;
  /** only for children the reader may see */
  issue: string | null;
  outcome: string | null;
  learning: string | null;
  resolvedAtMs: number | null;
}

export interface PartnershipEscalations {
  byStage: { stage: wf.Stage; name: string; open: number; overdue: number }[];
  byPair: { parties: [Agency, Agency]; open: number; overdue: number; oldestWorkingDays: number }[];
  byAge: { label: string; open: number }[];
  open: PartnershipEscalation[];
  learning: PartnershipEscalation[];
  resolved: number;
}

const AGE_BANDS: { label: string; upTo: number }[] = [
  { label: '0 to 1 working day', upTo: 1 },
  { label: '2 to 5 working days', upTo: 5 },
  { label: '6 to 10 working days', upTo: 10 },
  { label: '11 to 20 working days', upTo: 20 },
  { label: 'More than 20 working days', upTo: Infinity },
];

function requireManager(actor: Actor): void {
  if (!can(actor, 'partnership_escalations')) throw forbidden();
}

/**
 * Every disagreement in the partnership, for managers and administrators: open ones by stage,
 * agency pair and age in working days, and the learning recorded at resolution. A child's name
 * (and the words of the disagreement) only for readers who may see that child; otherwise "a child".
 */
export async function partnershipEscalations(db: Db, actor: Actor, options: EscalationOptions = {}): Promise<PartnershipEscalations> {
  requireManager(actor);
  const now = nowOf(options);
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ event: events, childName: children.name })
      .from(events)
      .innerJoin(children, eq(children.id, events.childId))
      .where(inArray(events.type, wf.ESCALATION_EVENT_TYPES))
      .orderBy(asc(events.childId), asc(events.at), asc(events.recordedAt));
    const byChild = new Map<string, { name: string; rows: repo.EventRow[] }>();
    for (const r of rows) {
      const entry = byChild.get(r.event.childId) ?? { name: r.childName, rows: [] };
      entry.rows.push(r.event);
      byChild.set(r.event.childId, entry);
    }
    const ids = [...byChild.keys()];
    const visible = new Set<string>();
    if (mayReadCases(actor) && ids.length) {
      const seen = await tx.select({ id: children.id }).from(children).where(and(inArray(children.id, ids), repo.childVisibleTo(scopeOf(actor))));
      for (const s of seen) visible.add(s.id);
    }
    const all: PartnershipEscalation[] = [];
    for (const [childId, { name, rows: childRows }] of byChild) {
      const mayRead = visible.has(childId);
      for (const esc of wf.escalationsOf(sourcesOf(childRows, actor.agency))) {
        all.push({
          id: esc.id,
          childId: mayRead ? childId : null,
          childName: mayRead ? name : null,
          parties: esc.parties,
          stage: esc.stage,
          state: esc.state,
          raisedAtMs: esc.raisedAtMs,
          clock: wf.stageClock(esc, timescalesOf(options), now),
          issue: mayRead ? esc.issue : null,
          outcome: mayRead ? esc.resolution?.outcome ?? null : null,
          // the learning is for the partnership: shown to every manager, the child's name taken out
          // for those who may not see the child (the form refuses it; this is for learning written before)
          learning: esc.resolution?.learning ? (mayRead ? esc.resolution.learning : withoutChildName(esc.resolution.learning, name)) : null,
          resolvedAtMs: esc.resolution?.atMs ?? null,
        });
      }
    }
    const open = all.filter((e) => e.state !== 'resolved').sort((a, b) => b.clock.ageWorkingDays - a.clock.ageWorkingDays || a.raisedAtMs - b.raisedAtMs);
    const pairs = new Map<string, PartnershipEscalations['byPair'][number]>();
    for (const e of open) {
      const parties = [...e.parties].sort((a, b) => AGENCY_NAMES[a].localeCompare(AGENCY_NAMES[b])) as [Agency, Agency];
      const key = parties.join('|');
      const pair = pairs.get(key) ?? { parties, open: 0, overdue: 0, oldestWorkingDays: 0 };
      pair.open++;
      if (e.clock.overdue) pair.overdue++;
      pair.oldestWorkingDays = Math.max(pair.oldestWorkingDays, e.clock.ageWorkingDays);
      pairs.set(key, pair);
    }
    const learning = all.filter((e) => e.state === 'resolved' && e.learning).sort((a, b) => b.resolvedAtMs! - a.resolvedAtMs!);
    // the list names children (their escalations, their learning): each child's access log shows it
    const named = namedChildren([...open, ...learning]);
    await audit(tx, actor, 'report.viewed', null, { report: 'escalations', open: open.length, resolved: all.length - open.length, children: named });
    return {
      byStage: wf.STAGES.map((stage) => ({
        stage,
        name: wf.STAGE_NAMES[stage],
        open: open.filter((e) => e.stage === stage).length,
        overdue: open.filter((e) => e.stage === stage && e.clock.overdue).length,
      })),
      byPair: [...pairs.values()].sort((a, b) => b.open - a.open || b.oldestWorkingDays - a.oldestWorkingDays),
      byAge: AGE_BANDS.map((band, i) => ({
        label: band.label,
        open: open.filter((e) => e.clock.ageWorkingDays <= band.upTo && (i === 0 || e.clock.ageWorkingDays > AGE_BANDS[i - 1].upTo)).length,
      })),
      open,
      learning,
      resolved: all.length - open.length,
    };
  });
}
