// Multi-agency risk plans: every SMART action has an owner and a date, and a date that passes with
// the action not done is an alert to its owner (issue 4, PLAN_ACTION_OVERDUE). The review's
// learning: "manage risk through multi-agency assessments, plans and contingency"; Jacob's plans
// were reviewed while the actions in them drifted.
import type { Agency } from '../domain/event.ts';
import { dayNumberOfIsoDate, endOfLondonDay } from './calendar/days.ts';
import { spokenDate, type AlertRecord, type ChildRuleFamily, type ChildRun, type EngineEvent, type RuleDefinition } from './rule.ts';

export const PLAN_ACTION_OVERDUE: RuleDefinition = {
  code: 'PLAN_ACTION_OVERDUE', family: 'exploitation', severity: 'warning', owner: 'social_care',
  finding: 'Manage risk through multi-agency plans with owners and dates (Jacob review): an action nobody has done by its date is drift, whoever owns it.',
  description: 'An action of the child\'s risk plan passes its due date without being recorded as done. Raised at the end of the due day, to the action\'s owner agency; resolved when it is done or given a new date.',
  actions: ['Do the action, or record why it cannot be done and agree a new date at the plan review', 'Tell the lead professional'],
};

interface PendingAction {
  ref: string;
  action: string;
  owner: Agency;
  ownerPerson: string | null;
  /** the end of the due day, as the plan says */
  due: number;
  /** when the alert can fire: the due time, or — for an action set already late — when it was set */
  fireAt: number;
  open: AlertRecord | null;
}

export class PlanActions implements ChildRuleFamily {
  nextDeadline = Infinity;
  private readonly actions = new Map<string, PendingAction>();

  constructor(private readonly run: ChildRun) {}

  private recompute(): void {
    let next = Infinity;
    for (const a of this.actions.values()) if (!a.open && a.fireAt < next) next = a.fireAt;
    this.nextDeadline = next;
  }

  fireDue(until: number): void {
    for (const [id, a] of this.actions) {
      if (a.open || a.fireAt > until) continue;
      a.open = this.run.raise(PLAN_ACTION_OVERDUE, id, a.fireAt, {
        evidence: [a.ref],
        dueMs: a.due,
        owner: a.owner,
        details: { actionId: id, action: a.action, ownerPerson: a.ownerPerson },
        message: `An action in ${this.run.name}'s risk plan was due by ${spokenDate(a.due)} and is not recorded as done: "${a.action}"${a.ownerPerson ? ` (${a.ownerPerson})` : ''}.`,
      });
    }
    this.recompute();
  }

  onEvent(e: EngineEvent, t: number): void {
    if (e.type !== 'plan.action' && e.type !== 'plan.action_done') return;
    const id = typeof e.details.actionId === 'string' ? e.details.actionId : e.ref;
    const existing = this.actions.get(id);
    if (e.type === 'plan.action_done') {
      existing?.open?.resolve(t, e.ref);
      this.actions.delete(id);
    } else {
      // a new date for the same action replaces the old one and answers its alert
      existing?.open?.resolve(t, e.ref);
      const day = typeof e.details.dueBy === 'string' ? dayNumberOfIsoDate(e.details.dueBy) : NaN;
      if (Number.isNaN(day)) this.actions.delete(id);
      else {
        this.actions.set(id, {
          ref: e.ref,
          action: String(e.details.action ?? ''),
          owner: (e.details.ownerAgency as Agency) ?? e.agency,
          ownerPerson: typeof e.details.ownerPerson === 'string' ? e.details.ownerPerson : null,
          due: endOfLondonDay(day),
          fireAt: Math.max(endOfLondonDay(day), t),
          open: null,
        });
      }
    }
    this.recompute();
  }
}
