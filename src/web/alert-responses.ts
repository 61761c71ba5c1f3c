// What a practitioner can record to answer each alert (contract 2, "resolved by"). This only
// guides the form: the response is an event on the chronology, and the rules decide if it resolves.
import { AGENCY_NAMES, type Agency, type EventType } from '../domain/event.ts';
import type { AlertRow } from '../store/alert-repository.ts';

const MULTI_AGENCY: EventType[] = ['care.strategy_discussion', 'contact.direct_work', 'screening.completed', 'plan.reviewed', 'panel.reviewed'];

const RESPONSES: Record<string, EventType[]> = {
  RHI_OVERDUE: ['missing.rhi'],
  MISSING_REPEAT: ['panel.reviewed'],
  CME_10: ['education.on_roll'],
  CME_20: ['education.on_roll'],
  CME_DIRECTION: ['education.on_roll'],
  CME_TERM: ['education.on_roll'],
  SCREENING_DUE: ['screening.completed'],
  RESCREEN_SUGGESTED: ['screening.completed'],
  NRM_PROMPT: ['nrm.referred'],
  VICTIM_LENS: ['nrm.referred', 'care.strategy_discussion'],
  RISK_NOT_REDUCING: ['escalation.raised', 'panel.reviewed', 'plan.reviewed', 'screening.completed'],
  PANEL_DRIFT: ['panel.reviewed', 'escalation.raised'],
  PLAN_REVIEW_OVERDUE: ['plan.reviewed'],
  UNREGULATED_PLACEMENT: ['care.placement'],
  PARENT_UNANSWERED: MULTI_AGENCY,
  RECORDS_NOT_RECEIVED: ['records.received'],
  ESCALATION_OVERDUE: ['escalation.resolved', 'escalation.raised'],
  NETWORK_LINK: ['care.strategy_discussion', 'panel.reviewed'],
  REFERRAL_DECISION_DUE: ['care.referral_decision', 'care.strategy_discussion'],
};

export interface ResponseLink {
  type: EventType;
  href: string;
  /** what the link records, where the type's name alone does not say ("Agency involvement started": whose?) */
  text?: string;
}

/** Links to the record-an-event form, pre-filled with what the alert already knows. */
export function responsesFor(alert: AlertRow): ResponseLink[] {
  if (!alert.childId) return [];
  const base = `/children/${alert.childId}`;
  const joining = (agency: string): ResponseLink => ({
    type: 'involvement.started',
    text: `${AGENCY_NAMES[agency as Agency] ?? 'Agency'} involvement started`,
    href: `${base}/involvements/new?agency=${encodeURIComponent(agency)}&change=started&alert=${encodeURIComponent(alert.id)}`,
  });
  if (alert.rule === 'AGENCY_GAP') return [joining(String(alert.details.agency ?? ''))];
  // a referral social care may not see (alert-service's routedToActors gave it to an agency that
  // can): only bringing them into the child's network lets them read it and decide
  if (alert.rule === 'REFERRAL_DECISION_DUE' && alert.details.ruleOwner === 'social_care') return [joining('social_care')];
  // the disagreement's own page, where the agency it was raised with responds
  if (alert.rule === 'ESCALATION_RESPONSE_DUE' && typeof alert.details.escalation === 'string') {
    return [{ type: 'escalation.responded', href: `${base}/escalations/${encodeURIComponent(alert.details.escalation)}` }];
  }
  // reachable moments (RM_*) and anything else: a multi-agency response (contract 1)
  const types = RESPONSES[alert.rule] ?? MULTI_AGENCY;
  return types.map((type) => {
    const params = new URLSearchParams({ type, alert: alert.id });
    if (type === 'missing.rhi' && alert.details.episode) params.set('details.episode', String(alert.details.episode));
    if (type === 'panel.reviewed' && alert.rule === 'MISSING_REPEAT') params.set('details.panel', 'missing_exploited');
    if (type === 'panel.reviewed') params.set('details.outcome', 'actions_agreed');
    return { type, href: `${base}/events/new?${params}` };
  });
}
