// Disagreement and escalation (contract 2: ESCALATION_OVERDUE). Jacob's review: "no formal dispute
// resolutions were raised by Children's Social Care and escalation did not take place"; escalation
// could have been used on unregulated placements, the lack of education and drift in care planning.
// Partnership policies (local) give each stage a time: 1 practitioners (1 working day), 2 line
// managers (2), 3 senior managers (5), 4 directors (10); then the partnership's independent chair.
import { AGENCY_NAMES, type Agency } from '../domain/event.ts';
import { isRestricted, spokenDate, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

export const ESCALATION_OVERDUE: RuleDefinition = {
  code: 'ESCALATION_OVERDUE', family: 'escalation', severity: 'high', owner: 'social_care',
  finding: 'No formal dispute resolution and no escalation took place in Jacob\'s case: a disagreement must be resolved or raised to the next stage within the stage\'s time.',
  description: 'An escalation neither resolved nor raised to a higher stage within its stage\'s time (stage 1: 1 working day, 2: 2, 3: 5, 4: 10). Resolved by its resolution or a higher stage.',
  actions: ['Raise the disagreement to the next stage', 'Record the resolution and what was agreed', 'Use the immediate route if the child is at imminent risk'],
};

/**
 * The other side of a disagreement is told: the agency it is raised with owns this alert from the
 * moment it is raised until it responds (or it is resolved, or raised again). Without it the
 * agency learnt of the disagreement only by opening the child's record; ESCALATION_OVERDUE goes to
 * the agency that raised it. An extension of contract 2 (as PLAN_ACTION_OVERDUE is).
 */
export const ESCALATION_RESPONSE_DUE: RuleDefinition = {
  code: 'ESCALATION_RESPONSE_DUE', family: 'escalation', severity: 'warning', owner: 'social_care',
  finding: 'No formal dispute resolution and no escalation took place in Jacob\'s case: a disagreement raised with an agency must reach it, and it responds within the stage\'s time.',
  description: 'A disagreement raised with an agency, waiting for its response: owned by that agency, due by the end of the stage\'s time; high when raised on the immediate route (the child at imminent risk). Resolved by its response, its resolution or a higher stage.',
  actions: ['Read the disagreement and record your response', 'Agree with the other agency how it is resolved', 'Raise it to the next stage if you cannot agree'],
};

export const ESCALATION_RULES = [ESCALATION_OVERDUE, ESCALATION_RESPONSE_DUE];

const NEXT_STAGE = ['', 'line managers (stage 2)', 'senior managers (stage 3)', 'directors (stage 4)', "the partnership's independent chair"];

interface Escalation {
  ref: string;
  /** The disagreement's own id across its stages (`details.escalation`), when the recorder gave one. */
  id: string | null;
  /** refs of the lower stages this one took over: a resolution naming any of them ends it */
  chain: string[];
  stage: number;
  from: Agency;
  to: Agency;
  issue: string | null;
  raisedMs: number;
  deadline: number;
  alert: AlertRecord | null;
  /** ESCALATION_RESPONSE_DUE, until the agency it was raised with responds */
  awaiting: AlertRecord | null;
}

const samePair = (a: Escalation, from: unknown, to: unknown) =>
  (a.from === from && a.to === to) || (a.from === to && a.to === from);

/** A higher stage takes over a lower one of the same disagreement: the same id, or (no ids) the same two agencies. */
function sameDisagreement(esc: Escalation, id: string | null, from: unknown, to: unknown): boolean {
  if (id !== null && esc.id !== null) return esc.id === id;
  return samePair(esc, from, to);
}

export class EscalationTimescales implements ChildRuleFamily {
  nextDeadline = Infinity;
  private open: Escalation[] = [];

  constructor(private readonly run: ChildRun) {}

  fireDue(until: number): void {
    for (const esc of this.open) {
      if (esc.alert || esc.deadline > until) continue;
      esc.alert = this.raiseOverdue(esc);
    }
    this.updateNextDeadline();
  }

  onEvent(e: EngineEvent, t: number): void {
    if (e.type === 'escalation.raised') this.onRaised(e, t);
    else if (e.type === 'escalation.responded') this.onResponded(e, t);
    else if (e.type === 'escalation.resolved') this.onResolved(e, t);
  }

  private onRaised(e: EngineEvent, t: number): void {
    const stage = Number(e.details.stage);
    if (!(stage >= 1 && stage <= 4)) return;
    const id = typeof e.details.escalation === 'string' ? e.details.escalation : null;
    // Stage 5, the partnership's independent chair, travels as stage 4 with `toChair` (contract 1
    // allows stages 1–4): it takes over the stage-4 clock and has no timescale of its own.
    const toChair = e.details.toChair === true;
    const chain: string[] = [];
    this.open = this.open.filter((esc) => {
      const takesOver = toChair ? esc.stage <= stage : esc.stage < stage;
      if (!takesOver || !sameDisagreement(esc, id, e.details.fromAgency, e.details.toAgency)) return true;
      // Raised to a higher stage: the lower stage's clock stops.
      esc.alert?.resolve(t, e.ref);
      esc.awaiting?.resolve(t, e.ref);
      chain.push(esc.ref, ...esc.chain);
      return false;
    });
    const days = this.run.config.escalation.stageWorkingDays[stage - 1];
    this.open.push({
      ref: e.ref, id, chain, stage,
      from: e.details.fromAgency as Agency,
      to: e.details.toAgency as Agency,
      issue: isRestricted(e) || typeof e.details.issue !== 'string' ? null : e.details.issue,
      raisedMs: t,
      deadline: toChair ? Infinity : this.run.calendar.workingDaysDeadline(t, days),
      alert: null,
      awaiting: null,
    });
    // the partnership's independent chair is not an agency that responds in Reachable
    const raised = this.open[this.open.length - 1];
    if (!toChair && raised.to && raised.to !== raised.from) raised.awaiting = this.raiseAwaited(raised, typeof e.details.immediateReason === 'string');
    this.updateNextDeadline();
  }

  /** The agency a stage was raised with records its response to that stage: the stage's ref, or the disagreement's id or an earlier stage's ref. */
  private onResponded(e: EngineEvent, t: number): void {
    const named = typeof e.details.escalation === 'string' ? e.details.escalation : null;
    if (!named) return;
    for (const esc of this.open) {
      if (esc.to !== e.agency || !(esc.ref === named || esc.id === named || esc.chain.includes(named))) continue;
      esc.awaiting?.resolve(t, e.ref);
      esc.awaiting = null;
    }
  }

  private onResolved(e: EngineEvent, t: number): void {
    const named = typeof e.details.escalation === 'string' ? e.details.escalation : null;
    const matches = named ? this.open.filter((esc) => esc.id === named || esc.ref === named || esc.chain.includes(named)) : [];
    // A resolution that names no open escalation ends them all: the disagreement is settled.
    const ended = matches.length ? matches : this.open;
    for (const esc of ended) {
      esc.alert?.resolve(t, e.ref);
      esc.awaiting?.resolve(t, e.ref);
    }
    this.open = this.open.filter((esc) => !ended.includes(esc));
    this.updateNextDeadline();
  }

  private raiseOverdue(esc: Escalation): AlertRecord {
    const { name, config } = this.run;
    const days = config.escalation.stageWorkingDays[esc.stage - 1];
    const issue = esc.issue ? ` ("${esc.issue.length > 120 ? `${esc.issue.slice(0, 117)}...` : esc.issue}")` : '';
    return this.run.raise(ESCALATION_OVERDUE, esc.ref, esc.deadline, {
      evidence: [esc.ref],
      dueMs: esc.deadline,
      owner: esc.from,
      details: { stage: esc.stage, fromAgency: esc.from, toAgency: esc.to, workingDays: days },
      message: `A stage ${esc.stage} escalation about ${name} from ${AGENCY_NAMES[esc.from] ?? esc.from} to ${AGENCY_NAMES[esc.to] ?? esc.to}${issue}, raised on ${spokenDate(esc.raisedMs)}, has not been resolved or raised within ${days} working day${days === 1 ? '' : 's'}. Raise it to ${NEXT_STAGE[esc.stage]} or record how it was resolved.`,
    });
  }

  private raiseAwaited(esc: Escalation, immediate: boolean): AlertRecord {
    const issue = esc.issue ? ` ("${esc.issue.length > 120 ? `${esc.issue.slice(0, 117)}...` : esc.issue}")` : '';
    const from = AGENCY_NAMES[esc.from] ?? esc.from;
    const to = AGENCY_NAMES[esc.to] ?? esc.to;
    const by = Number.isFinite(esc.deadline) ? ` by ${spokenDate(esc.deadline)}` : '';
    return this.run.raise(ESCALATION_RESPONSE_DUE, esc.ref, esc.raisedMs, {
      evidence: [esc.ref],
      ...(Number.isFinite(esc.deadline) ? { dueMs: esc.deadline } : {}),
      owner: esc.to,
      severity: immediate ? 'high' : 'warning',
      // the disagreement's id (its first stage's event: stage 1 carries none) leads to its page
      details: { stage: esc.stage, fromAgency: esc.from, toAgency: esc.to, immediate, escalation: esc.id ?? esc.ref },
      message: `${from} raised a stage ${esc.stage} disagreement with ${to} about ${this.run.name}${issue} on ${spokenDate(esc.raisedMs)}${immediate ? ', on the immediate route: the child is at imminent risk' : ''}. ${to} should read it and record a response${by}.`,
    });
  }

  private updateNextDeadline(): void {
    let next = Infinity;
    for (const esc of this.open) if (!esc.alert && esc.deadline < next) next = esc.deadline;
    this.nextDeadline = next;
  }
}
