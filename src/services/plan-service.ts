// The child's multi-agency risk plan. The plan lives in the chronology: each review is a
// `plan.reviewed` event carrying the risks by context, the contingency plan and the next review
// date; each SMART action is a `plan.action` event and its completion `plan.action_done`. So the
// plan is exported, audited and replayed like everything else, and the rules see its dates.
import { randomUUID } from 'node:crypto';
import { AGENCIES, RISK_LEVELS, type Agency, type Problem, type RiskLevel } from '../domain/event.ts';
import type { Db } from '../store/database.ts';
import * as repo from '../store/chronology-repository.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { dateWords, recordEvents, visibleChild, type AfterRecord } from './chronology-service.ts';
import { dayNumberOfIsoDate, isoDateOfDayNumber } from '../rules/calendar/days.ts';
import { validationFailed } from './errors.ts';
import { UUID } from '../domain/identifiers.ts';
import { londonDate, parseAt } from '../domain/time.ts';

/** Contextual safeguarding's contexts: where the risks to the child sit. */
export const PLAN_CONTEXTS = ['home', 'school', 'peers', 'places', 'online'] as const;
export type PlanContext = (typeof PLAN_CONTEXTS)[number];

export interface PlanAction {
  actionId: string;
  action: string;
  ownerAgency: Agency;
  ownerPerson: string | null;
  dueBy: string;
  setAt: Date;
  done: { at: Date; outcome: string | null } | null;
  overdue: boolean;
}

export interface PlanReview {
  id: string;
  at: Date;
  agency: string;
  riskLevel: RiskLevel;
  nextReviewBy: string | null;
  risks: Partial<Record<PlanContext, string>>;
  contingency: string | null;
  summary: string | null;
}

export interface RiskPlan {
  current: PlanReview | null;
  reviews: PlanReview[];
  actions: PlanAction[];
}


const endOfDay = (isoDate: string) => Date.parse(`${isoDate}T23:59:59Z`);

/**
 * Whether a date the plan sets (the next review, an action's due date) is before the London day it
 * is set: such a plan reads "Overdue" and raises its alert the moment it is saved, so it is refused.
 * The day of `at`, not of the server's clock: a plan recorded as set on an earlier day may be due
 * on a day since passed.
 */
/**
 * The longest a plan may go to its next review, by the risk the network agrees: the partnership's
 * usual cycle (MACE and missing panels review every 12 weeks, domain.md), longer only for low risk.
 */
const REVIEW_WITHIN_WEEKS: Record<RiskLevel, number> = { significant: 12, moderate: 12, low: 26, none: 26 };

const beforeTheDayOf = (isoDate: string | undefined, at: string) => {
  const setAt = parseAt(at);
  return !!isoDate && Number.isFinite(setAt) && isoDate < londonDate(setAt);
};

function planOf(rows: repo.EventRow[], now: number): RiskPlan {
  const reviews: PlanReview[] = [];
  const actions = new Map<string, PlanAction>();
  for (const r of rows) {
    const d = r.details;
    if (r.type === 'plan.reviewed') {
      reviews.push({
        id: r.id,
        at: r.at,
        agency: r.agency,
        riskLevel: d.riskLevel as RiskLevel,
        nextReviewBy: typeof d.nextReviewBy === 'string' ? d.nextReviewBy : null,
        risks: (d.risks as PlanReview['risks']) ?? {},
        contingency: typeof d.contingency === 'string' ? d.contingency : null,
        summary: r.summary,
      });
    } else if (r.type === 'plan.action') {
      const id = String(d.actionId);
      actions.set(id, {
        actionId: id,
        action: String(d.action),
        ownerAgency: d.ownerAgency as Agency,
        ownerPerson: typeof d.ownerPerson === 'string' ? d.ownerPerson : null,
        dueBy: String(d.dueBy),
        setAt: r.at,
        done: null,
        overdue: false,
      });
    } else if (r.type === 'plan.action_done') {
      const a = actions.get(String(d.actionId));
      if (a) a.done = { at: r.at, outcome: typeof d.outcome === 'string' ? d.outcome : null };
    }
  }
  for (const a of actions.values()) a.overdue = !a.done && endOfDay(a.dueBy) < now;
  return {
    current: reviews.at(-1) ?? null,
    reviews: reviews.reverse(),
    actions: [...actions.values()].sort((a, b) => Number(!!a.done) - Number(!!b.done) || a.dueBy.localeCompare(b.dueBy)),
  };
}

const PLAN_TYPES = ['plan.reviewed', 'plan.action', 'plan.action_done'];

export async function riskPlan(db: Db, actor: Actor, childId: string, now = Date.now()) {
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const rows = await repo.eventsOfTypes(tx, child.id, PLAN_TYPES);
    await audit(tx, actor, 'plan.viewed', child.id);
    return { child, plan: planOf(rows.filter((r) => !(r.sensitivity === 'restricted' && r.agency !== actor.agency)), now) };
  });
}

export interface ReviewInput {
  riskLevel: string;
  nextReviewBy?: string;
  risks: Partial<Record<PlanContext, string>>;
  contingency?: string;
  summary?: string;
  /** the form's one-time submission id (a UUID): the review's `ref`, so a double click records one review */
  submission?: string;
}

export async function reviewPlan(db: Db, actor: Actor, childId: string, input: ReviewInput, at: string, afterRecord?: AfterRecord) {
  const problems: Problem[] = [];
  if (!(RISK_LEVELS as readonly string[]).includes(input.riskLevel)) problems.push({ path: 'riskLevel', message: 'Select the risk level the network agrees' });
  if (!PLAN_CONTEXTS.some((c) => input.risks[c]?.trim())) problems.push({ path: 'risks.home', message: 'Describe the risks in at least one of the child’s contexts' });
  if (!input.contingency?.trim()) problems.push({ path: 'contingency', message: 'Write the contingency plan: what every agency does if things get worse' });
  // in the order of the form's fields, so the error summary lists them as the page does
  if (!input.nextReviewBy) problems.push({ path: 'nextReviewBy', message: 'Enter the date of the next review' });
  else if (beforeTheDayOf(input.nextReviewBy, at)) problems.push({ path: 'nextReviewBy', message: 'The next review date must be today or in the future' });
  else {
    // a date years ahead silences PLAN_REVIEW_OVERDUE for years (a tester set 2035)
    const weeks = REVIEW_WITHIN_WEEKS[input.riskLevel as RiskLevel] ?? REVIEW_WITHIN_WEEKS.none;
    const latest = isoDateOfDayNumber(dayNumberOfIsoDate(londonDate(parseAt(at))) + weeks * 7);
    if (input.nextReviewBy > latest) {
      const level = input.riskLevel === 'none' ? 'a plan with no risk identified' : (RISK_LEVELS as readonly string[]).includes(input.riskLevel) ? `a plan at ${input.riskLevel} risk` : 'a plan';
      problems.push({ path: 'nextReviewBy', message: `The next review must be by ${dateWords(latest)}: ${level} is reviewed at least every ${weeks} weeks` });
    }
  }
  // the contract's limit (plan.reviewed's summary), said in plain words here rather than by the schema
  if ((input.summary?.trim().length ?? 0) > 10_000) problems.push({ path: 'summary', message: 'What changed must be 10,000 characters or fewer' });
  if (problems.length) throw validationFailed(problems);
  const { plan } = await riskPlan(db, actor, childId);
  const risks = Object.fromEntries(PLAN_CONTEXTS.filter((c) => input.risks[c]?.trim()).map((c) => [c, input.risks[c]!.trim()]));
  const submission = input.submission && UUID.test(input.submission) ? input.submission.toLowerCase() : undefined;
  return recordEvents(db, actor, childId, [{
    type: 'plan.reviewed',
    at,
    agency: actor.agency,
    ...(submission ? { ref: `web:${submission}` } : {}),
    summary: input.summary?.trim() || undefined,
    details: {
      riskLevel: input.riskLevel,
      actions: plan.actions.filter((a) => !a.done).length,
      nextReviewBy: input.nextReviewBy,
      risks,
      contingency: input.contingency!.trim(),
    },
  }], 'web', afterRecord);
}

export interface ActionInput {
  action: string;
  ownerAgency: string;
  ownerPerson?: string;
  dueBy?: string;
  /**
   * The form's one-time submission id (a UUID): its event's `ref` comes from it, so the same
   * submission sent twice (a double click) sets one action.
   */
  submission?: string;
}

export async function addPlanAction(db: Db, actor: Actor, childId: string, input: ActionInput, at: string, afterRecord?: AfterRecord) {
  // each field's problem in plain words, by the form's field, before the contract's schema (plan.action) sees it
  const problems: Problem[] = [];
  if (!input.action.trim()) problems.push({ path: 'action', message: 'Describe the action: what will be done, by whom' });
  else if (input.action.trim().length > 1000) problems.push({ path: 'action', message: 'The action must be 1,000 characters or fewer' });
  if (!(AGENCIES as readonly string[]).includes(input.ownerAgency)) problems.push({ path: 'ownerAgency', message: 'Select the agency that owns the action' });
  if ((input.ownerPerson?.trim().length ?? 0) > 200) problems.push({ path: 'ownerPerson', message: 'The owner’s name must be 200 characters or fewer' });
  if (!input.dueBy) problems.push({ path: 'dueBy', message: 'Enter the date the action is due by' });
  else if (beforeTheDayOf(input.dueBy, at)) problems.push({ path: 'dueBy', message: 'The due date must be today or in the future' });
  if (problems.length) throw validationFailed(problems);
  const submission = input.submission && UUID.test(input.submission) ? input.submission.toLowerCase() : undefined;
  return recordEvents(db, actor, childId, [{
    type: 'plan.action',
    at,
    agency: actor.agency,
    // unique by (agency, ref): recorded once however often the submission is sent
    ...(submission ? { ref: `web:${submission}` } : {}),
    details: {
      // not from the submission, which the browser sends: the ref already makes a re-send one action
      actionId: randomUUID().slice(0, 8),
      action: input.action.trim(),
      ownerAgency: input.ownerAgency,
      ...(input.ownerPerson?.trim() ? { ownerPerson: input.ownerPerson.trim() } : {}),
      dueBy: input.dueBy,
    },
  }], 'web', afterRecord);
}

export async function completePlanAction(db: Db, actor: Actor, childId: string, actionId: string, outcome: string, at: string, afterRecord?: AfterRecord) {
  const { plan } = await riskPlan(db, actor, childId);
  const action = plan.actions.find((a) => a.actionId === actionId);
  if (!action || action.done) throw validationFailed([{ path: 'actionId', message: 'That action is not open in this plan' }]);
  if (outcome.trim().length > 2000) throw validationFailed([{ path: 'outcome', message: 'The outcome must be 2,000 characters or fewer' }]);
  return recordEvents(db, actor, childId, [{
    type: 'plan.action_done',
    at,
    agency: actor.agency,
    details: { actionId, ...(outcome.trim() ? { outcome: outcome.trim() } : {}) },
  }], 'web', afterRecord);
}
