// Contract 2, "Exploitation indicators" and "child of exploitation concern". The same predicates
// drive the rules (SCREENING_DUE, VICTIM_LENS, NRM_PROMPT, AGENCY_GAP, NETWORK_LINK) and pre-fill the
// screening tool, so a practitioner sees exactly which recorded events made the system ask.
// National panel review ("It was hard to escape", 2020): recognising the risk was not the obstacle;
// acting on it was — so an indicator is a prompt to screen, never a score or a label on the child.
import type { EventLink } from '../domain/event.ts';

export interface IndicatorSource {
  type: string;
  details: Record<string, unknown>;
  links?: readonly EventLink[];
}

export const INDICATOR_LABELS = {
  missing: 'was reported missing',
  found_in_possession: 'was found in possession of items that point to exploitation',
  suspect_drug_supply: 'was recorded as a suspect in drug supply',
  suspect_weapon: 'was recorded as a suspect in a weapon offence',
  arrested_out_of_area: 'was arrested out of area',
  injury: 'attended the emergency department with an injury',
  permanent_exclusion: 'was permanently excluded from school',
  adult_of_concern: 'was linked to an adult of concern',
  disclosure: 'told someone of harm, fear or coercion',
  multiple_phones: 'was seen with more than one phone',
  unexplained_money: 'had money that could not be explained',
  unexplained_gifts: 'had gifts that could not be explained',
  older_associates: 'was seen with older people who may be exploiting them',
  drug_debt: 'may owe a drug debt',
  travel_out_of_area: 'travelled out of area',
  gang_association: 'may be controlled by a gang',
  substance_misuse: 'may be misusing substances',
  change_in_behaviour: 'showed a change in behaviour',
  exploitation_concern: 'was the subject of an exploitation concern',
} as const;

export type IndicatorCode = keyof typeof INDICATOR_LABELS;

const OBSERVED = new Set<string>([
  'multiple_phones', 'unexplained_money', 'unexplained_gifts', 'older_associates', 'drug_debt',
  'travel_out_of_area', 'gang_association', 'substance_misuse', 'change_in_behaviour', 'exploitation_concern',
]);
const INDICATOR_INJURIES = new Set<string>(['stab', 'laceration', 'gunshot', 'assault']);

export function hasAdultOfConcernLink(e: { links?: readonly EventLink[] }): boolean {
  const links = e.links;
  if (!links) return false;
  for (let i = 0; i < links.length; i++) {
    if (links[i].kind === 'person' && links[i].role === 'adult_of_concern') return true;
  }
  return false;
}

/** The indicator an event's type and details evidence, ignoring its links. */
function typeIndicator(e: IndicatorSource): IndicatorCode | null {
  const d = e.details;
  switch (e.type) {
    case 'missing.started':
      return 'missing';
    case 'police.found_in_possession':
      return 'found_in_possession';
    case 'police.incident':
      if (d.role !== 'suspect') return null;
      return d.category === 'drug_supply' ? 'suspect_drug_supply' : d.category === 'weapon' ? 'suspect_weapon' : null;
    case 'police.arrested':
      return d.outOfArea === true ? 'arrested_out_of_area' : null;
    case 'health.ed_attendance':
      return INDICATOR_INJURIES.has(d.injury as string) ? 'injury' : null;
    case 'education.excluded':
      return d.kind === 'permanent' ? 'permanent_exclusion' : null;
    case 'child.disclosure':
      return 'disclosure';
    case 'indicator.observed':
      return OBSERVED.has(d.indicator as string) ? (d.indicator as IndicatorCode) : null;
    default:
      return null;
  }
}

/** The first exploitation indicator an event evidences, or null. */
export function indicatorOf(e: IndicatorSource): IndicatorCode | null {
  return typeIndicator(e) ?? (hasAdultOfConcernLink(e) ? 'adult_of_concern' : null);
}

/** Every indicator an event evidences (the screening tool ticks each, linked to this event). */
export function indicatorsOf(e: IndicatorSource): IndicatorCode[] {
  const out: IndicatorCode[] = [];
  const own = typeIndicator(e);
  if (own) out.push(own);
  if (hasAdultOfConcernLink(e)) out.push('adult_of_concern');
  return out;
}

export function isExploitationIndicator(e: IndicatorSource): boolean {
  return indicatorOf(e) !== null;
}

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
