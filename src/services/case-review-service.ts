// The case review pack (issue 9): what a practice review needs of one child, in one document — the
// chronology, the alerts with how long each stayed open, panel decisions, disagreements between
// agencies and the risk plan. Each part is read from the chronology as this reader may see it
// (export-service: another agency's restricted entry is who and when only); reading, the access
// check and the audit of the export share one transaction.
import type { Agency } from '../domain/event.ts';
import * as wf from '../domain/workflows/escalation.ts';
import type { Db } from '../store/database.ts';
import type * as repo from '../store/chronology-repository.ts';
import type { Actor } from './actor.ts';
import { audit } from './audit-service.ts';
import { redactFor, visibleChild, type VisibleEntry } from './chronology-service.ts';
import type { PlanAction } from './plan-service.ts';
import {
  alertsOf, allEntries, exportEntry, latestRecorded, producer, type ChronologyExport, type ExportAlert, type ExportOptions,
} from './export-service.ts';

export interface PanelDecision {
  eventId: string;
  at: Date;
  agency: Agency;
  kind: 'reviewed' | 'referred';
  /** the contract's panel code (`missing_exploited`, …) */
  panel: string | null;
  outcome: string | null;
  /** the decision as recorded (the entry's summary) */
  decision: string | null;
  rationale: string | null;
  actions: number | null;
  attending: Agency[];
  /** a referral's reason */
  reason: string | null;
}

export interface EscalationSummary {
  id: string;
  issue: string | null;
  wanted: string | null;
  parties: readonly [Agency, Agency];
  stage: wf.Stage;
  stageName: string;
  state: wf.EscalationState;
  raisedAt: Date;
  resolvedAt: Date | null;
  outcome: string | null;
  learning: string | null;
  openMs: number;
  /** its first entry is another agency's restricted entry */
  restricted: boolean;
  steps: { at: Date; kind: wf.EscalationStep['kind']; agency: Agency; stage: wf.Stage; text: string | null; redacted: boolean }[];
}

export interface PlanReviewSummary {
  eventId: string;
  at: Date;
  agency: Agency;
  riskLevel: string;
  nextReviewBy: string | null;
  risks: Record<string, string>;
  contingency: string | null;
  summary: string | null;
}

export interface CaseReviewPack extends ChronologyExport {
  alerts: ExportAlert[];
  panel: PanelDecision[];
  escalations: EscalationSummary[];
  plan: { reviews: PlanReviewSummary[]; actions: PlanAction[] };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v : null);

/**
 * Panel referrals and decisions the reader may read. Another agency's restricted entry is not
 * listed here even when it is one: listing it under its kind would say what it is (the s45 pack's
 * rule); it is in the chronology as who and when.
 */
function panelDecisions(entries: VisibleEntry[]): PanelDecision[] {
  return entries
    .filter((e) => !e.redacted && (e.type === 'panel.reviewed' || e.type === 'panel.referred'))
    .map((e) => {
      const d = e.details;
      return {
        eventId: e.id,
        at: e.at,
        agency: e.agency as Agency,
        kind: e.type === 'panel.reviewed' ? 'reviewed' as const : 'referred' as const,
        panel: str(d.panel),
        outcome: str(d.outcome),
        decision: e.summary,
        rationale: str(d.rationale),
        actions: typeof d.actions === 'number' ? d.actions : null,
        attending: Array.isArray(d.attendingAgencies) ? (d.attendingAgencies as Agency[]) : [],
        reason: str(d.reason),
      };
    });
}

/**
 * The disagreements, read as the escalation workflow reads them: a restricted step of another
 * agency counts for the stage and state (who raised it with whom, when) but its words are not shown.
 */
function escalationSummaries(actor: Actor, entries: repo.ChronologyEntry[], now: number): EscalationSummary[] {
  const sources: wf.EscalationSource[] = entries
    .filter((e) => wf.ESCALATION_EVENT_TYPES.includes(e.type))
    .map((e) => ({ id: e.id, ref: e.ref, type: e.type, atMs: e.at.getTime(), agency: e.agency as Agency, details: e.details, summary: e.summary, redacted: redactFor(actor, e).redacted }));
  return wf.escalationsOf(sources).map((esc) => {
    const resolvedAt = esc.resolution ? new Date(esc.resolution.atMs) : null;
    return {
      id: esc.id,
      issue: esc.issue,
      wanted: esc.wanted,
      parties: esc.parties,
      stage: esc.stage,
      stageName: wf.STAGE_NAMES[esc.stage],
      state: esc.state,
      raisedAt: new Date(esc.raisedAtMs),
      resolvedAt,
      outcome: esc.resolution?.outcome ?? null,
      learning: esc.resolution?.learning ?? null,
      openMs: Math.max(0, (esc.resolution?.atMs ?? now) - esc.raisedAtMs),
      restricted: esc.steps[0]?.redacted ?? false,
      steps: esc.steps.map((s) => ({ at: new Date(s.atMs), kind: s.kind, agency: s.agency, stage: s.stage, text: s.redacted ? null : s.text ?? s.note, redacted: s.redacted })),
    };
  });
}

const endOfDay = (isoDate: string) => Date.parse(`${isoDate}T23:59:59Z`);

/** The risk plan's reviews (oldest first) and its actions, from the entries this reader may read (as panelDecisions). */
function planOf(entries: VisibleEntry[], now: number): CaseReviewPack['plan'] {
  const reviews: PlanReviewSummary[] = [];
  const actions = new Map<string, PlanAction>();
  for (const e of entries) {
    if (e.redacted) continue;
    const d = e.details;
    if (e.type === 'plan.reviewed') {
      reviews.push({
        eventId: e.id,
        at: e.at,
        agency: e.agency as Agency,
        riskLevel: String(d.riskLevel ?? ''),
        nextReviewBy: str(d.nextReviewBy),
        risks: Object.fromEntries(Object.entries((d.risks as Record<string, unknown>) ?? {}).filter(([, v]) => typeof v === 'string' && v.trim())) as Record<string, string>,
        contingency: str(d.contingency),
        summary: e.summary,
      });
    } else if (e.type === 'plan.action') {
      const id = String(d.actionId);
      actions.set(id, {
        actionId: id,
        action: String(d.action ?? ''),
        ownerAgency: d.ownerAgency as Agency,
        ownerPerson: str(d.ownerPerson),
        dueBy: String(d.dueBy ?? ''),
        setAt: e.at,
        done: null,
        overdue: false,
      });
    } else if (e.type === 'plan.action_done') {
      const a = actions.get(String(d.actionId));
      if (a) a.done = { at: e.at, outcome: str(d.outcome) };
    }
  }
  for (const a of actions.values()) a.overdue = !a.done && endOfDay(a.dueBy) < now;
  return { reviews, actions: [...actions.values()].sort((a, b) => a.setAt.getTime() - b.setAt.getTime() || a.dueBy.localeCompare(b.dueBy)) };
}

/**
 * What a practice review needs of one child, in one document: the chronology, the alerts with how
 * long each stayed open, panel decisions, disagreements between agencies and the risk plan — each
 * as this reader may see it. Audited as an export, with what it held.
 */
export async function caseReviewPack(db: Db, actor: Actor, childId: string, options: ExportOptions = {}): Promise<CaseReviewPack> {
  const now = (options.now ?? Date.now)();
  return db.transaction(async (tx) => {
    const child = await visibleChild(tx, actor, childId);
    const stored = await allEntries(tx, child.id);
    const visible = stored.map((e) => redactFor(actor, e));
    const entries = visible.map(exportEntry);
    const alerts = await alertsOf(tx, actor, child.id, now);
    const panel = panelDecisions(visible);
    const escalations = escalationSummaries(actor, stored, now);
    const plan = planOf(visible, now);
    const restricted = entries.filter((e) => e.redacted).length;
    await audit(tx, actor, 'case_review.exported', child.id, {
      format: 'pdf',
      count: entries.length,
      restricted,
      alerts: alerts.length,
      panelDecisions: panel.length,
      escalations: escalations.length,
      planReviews: plan.reviews.length,
      planActions: plan.actions.length,
      lastRecordedAt: latestRecorded(entries),
    });
    return { child, entries, alerts, restricted, scope: {}, panel, escalations, plan, producedAtMs: now, producedBy: producer(actor) };
  });
}
