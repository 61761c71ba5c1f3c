// Contract 2, "child of exploitation concern", NRM evidence and offence contact: the predicates the
// rules (SCREENING_DUE, RESCREEN_SUGGESTED, VICTIM_LENS, NRM_PROMPT, AGENCY_GAP, NETWORK_LINK) read
// beside the exploitation indicators, which live in domain/indicators.ts (the screening tool's
// pre-fill reads them too, and domain/ must not import rules/).
import { hasAdultOfConcernLink, type IndicatorSource } from '../domain/indicators.ts';

// The indicator predicate itself is domain knowledge (the screening tool reads it too): re-exported
// here so the rules keep one place to import their predicates from.
export {
  INDICATOR_LABELS, hasAdultOfConcernLink, indicatorOf, indicatorsOf, isExploitationIndicator, isIndicatorCode,
  type IndicatorCode, type IndicatorSource,
} from '../domain/indicators.ts';

export const NRM_EVIDENCE_LABELS = {
  screening: 'an exploitation screening found moderate or significant concern',
  found_with_drugs: 'was found with drugs',
  suspect_drug_supply: 'was recorded as a suspect in drug supply',
  adult_of_concern: 'was linked to an adult of concern',
} as const;
export type NrmEvidence = keyof typeof NRM_EVIDENCE_LABELS;

const isConcernLevel = (level: unknown) => level === 'moderate' || level === 'significant';

/**
 * Evidence of exploitation that calls for a National Referral Mechanism referral (NRM_PROMPT).
 * Children do not have to consent to a referral, and the review found Jacob's came a year late.
 */
export function nrmEvidenceOf(e: IndicatorSource): NrmEvidence | null {
  const d = e.details;
  switch (e.type) {
    case 'screening.completed':
      if (isConcernLevel(d.level)) return 'screening';
      break;
    case 'police.found_in_possession':
      if (Array.isArray(d.items) && d.items.includes('drugs')) return 'found_with_drugs';
      break;
    case 'police.incident':
      if (d.role === 'suspect' && d.category === 'drug_supply') return 'suspect_drug_supply';
      break;
  }
  return hasAdultOfConcernLink(e) ? 'adult_of_concern' : null;
}

/** Rules whose raising makes a child "of exploitation concern" (contract 2). */
export const CONCERN_RULES: ReadonlySet<string> = new Set(['MISSING_REPEAT', 'NRM_PROMPT']);

/**
 * Whether the event itself makes the child "of exploitation concern": a screening at moderate or
 * significant, or an NRM referral. (The other two routes are the CONCERN_RULES being raised.)
 */
export function isConcernEvent(e: IndicatorSource): boolean {
  return (e.type === 'screening.completed' && isConcernLevel(e.details.level)) || e.type === 'nrm.referred';
}

/** Police contact that, repeated, calls for the victim lens: an arrest, or an incident as suspect. */
export function isOffenceContact(e: IndicatorSource): boolean {
  return e.type === 'police.arrested' || (e.type === 'police.incident' && e.details.role === 'suspect');
}
