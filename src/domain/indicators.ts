// Contract 2, "Exploitation indicators": which recorded events are a prompt to think about
// exploitation. Domain knowledge, not a rule: the rules engine (SCREENING_DUE, RESCREEN_SUGGESTED,
// VICTIM_LENS, …), the screening tool's pre-fill and the NRM referral all read the same predicate,
// so a practitioner sees exactly which recorded events made the system ask. It lives in domain/
// because the screening tool (domain/screening) needs it and domain/ imports nothing from rules/.
// National panel review ("It was hard to escape", 2020): recognising the risk was not the obstacle;
// acting on it was — so an indicator is a prompt to screen, never a score or a label on the child.
import { OBSERVED_INDICATORS, type EventLink } from './event.ts';

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
  // extension (housing.cuckooing): not in contract 2's list, which knows no housing entry; the
  // Home Office's county lines guidance names cuckooing as a sign of exploitation
  cuckooing: 'was in a home taken over by people who exploit (cuckooing)',
} as const;

export type IndicatorCode = keyof typeof INDICATOR_LABELS;

export function isIndicatorCode(value: unknown): value is IndicatorCode {
  return typeof value === 'string' && Object.hasOwn(INDICATOR_LABELS, value);
}

const OBSERVED = new Set<string>(OBSERVED_INDICATORS);
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
    case 'housing.cuckooing':
      return 'cuckooing';
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
