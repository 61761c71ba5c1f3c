// Plain names for the rule codes: the codes are the partnership's shared identifiers (contract 2),
// the names are how a page reads. Shared by My work, alerts, the child's page and learning reviews.
import { RULE_CATALOGUE } from './catalogue.ts';

/** Plain names for the rule codes, for the summary table and the alert headings. */
export const RULE_NAMES: Record<string, string> = {
  RM_EXCLUSION: 'Reachable moment: exclusion',
  RM_ARREST: 'Reachable moment: arrest',
  RM_INJURY: 'Reachable moment: injury',
  RM_FOUND_ITEMS: 'Reachable moment: found with weapons, drugs, cash or phones',
  RM_RETURN: 'Reachable moment: return from missing',
  RM_DISCLOSURE: 'Reachable moment: disclosure',
  RM_THREAT: 'Reachable moment: threat to life',
  RHI_OVERDUE: 'Return home interview overdue',
  MISSING_REPEAT: 'Repeat missing episodes',
  CME_10: 'Not on a school roll: 10 school days',
  CME_20: 'Not on a school roll: 20 school days',
  CME_DIRECTION: 'Seek a direction to admit',
  CME_TERM: 'Not on a school roll: a term',
  SCREENING_DUE: 'Exploitation screening due',
  RESCREEN_SUGGESTED: 'Re-screening suggested',
  NRM_PROMPT: 'Consider an NRM referral',
  VICTIM_LENS: 'See the child as a possible victim',
  RISK_NOT_REDUCING: 'Risk not reducing',
  PANEL_DRIFT: 'Panel drift',
  PLAN_REVIEW_OVERDUE: 'Plan review overdue',
  UNREGULATED_PLACEMENT: 'Unregulated placement',
  PARENT_UNANSWERED: 'Parent or carer not answered',
  RECORDS_NOT_RECEIVED: 'Records not received',
  AGENCY_GAP: 'Agency missing from the network',
  NETWORK_LINK: 'Linked to another child of concern',
  ADULT_OF_CONCERN: 'Adult of concern linked to several children',
  HOTSPOT: 'Place linked to several children',
  ESCALATION_OVERDUE: 'Escalation overdue',
  PLAN_ACTION_OVERDUE: 'Risk plan action overdue',
  REFERRAL_DECISION_DUE: "Referral to children's social care: decision due",
  ESCALATION_RESPONSE_DUE: 'Response to a disagreement due',
};

const CATALOGUE = new Map(RULE_CATALOGUE.map((r) => [r.code, r]));

export const ruleName = (code: string): string => RULE_NAMES[code] ?? CATALOGUE.get(code)?.description.split('. ')[0] ?? code;

/**
 * The alert an entry was recorded in response to: `details.respondsTo`, which the web form sets when
 * a practitioner records the action an alert asked for. An alert's id is the engine's natural key
 * (`RULE:child:key`), so its rule is read from the id itself: no look-up, and it still reads when the
 * alert has since been resolved. Null when the entry answers no alert, or the value is not an alert's id.
 */
export function respondedAlert(details: Record<string, unknown>): { id: string; ruleName: string } | null {
  const id = details.respondsTo;
  if (typeof id !== 'string') return null;
  const rule = /^([A-Z][A-Z0-9_]*):/.exec(id)?.[1];
  return rule ? { id, ruleName: ruleName(rule) } : null;
}
