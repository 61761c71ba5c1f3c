// Contextual safeguarding (domain.md; Firmin): the people, places, phones, vehicles and groups
// around children are contexts of harm in their own right — referred, assessed, planned for and
// disrupted. Jacob's review: "those who exploited Jacob were untouchable: their details remained
// unknown to all agencies". These are the words and the identity rules every layer shares.
import type { EventLink } from './event.ts';
import { LINK_KINDS } from './event.ts';

export type ContextKind = (typeof LINK_KINDS)[number];

export const CONTEXT_KIND_NAMES: Record<ContextKind, string> = {
  person: 'Person',
  location: 'Place',
  phone: 'Phone number',
  vehicle: 'Vehicle',
  group: 'Group',
};

/** How sure the recording agency is of a link (the intelligence grading practitioners use). */
export const CONFIDENCES = ['confirmed', 'tentative', 'unconfirmed'] as const;
export type Confidence = (typeof CONFIDENCES)[number];
export const CONFIDENCE_NAMES: Record<Confidence, string> = {
  confirmed: 'Confirmed',
  tentative: 'Tentative',
  unconfirmed: 'Unconfirmed',
};
/** A link without a grading was recorded as a fact on the chronology. */
export const DEFAULT_CONFIDENCE: Confidence = 'confirmed';

export const PERSON_ROLE_NAMES: Record<string, string> = {
  peer: 'Peer',
  adult_of_concern: 'Adult of concern',
  family: 'Family',
  professional: 'Professional',
};

export const LOCATION_TYPES = [
  'home', 'care_placement', 'school', 'park', 'shop', 'takeaway', 'transport_hub', 'trap_house',
  'hotel', 'short_let', 'street', 'other',
] as const;
export const LOCATION_TYPE_NAMES: Record<(typeof LOCATION_TYPES)[number], string> = {
  home: 'Home address',
  care_placement: 'Care placement',
  school: 'School or college',
  park: 'Park or open space',
  shop: 'Shop',
  takeaway: 'Takeaway or café',
  transport_hub: 'Station or transport hub',
  trap_house: 'Address used to supply drugs (trap house)',
  hotel: 'Hotel',
  short_let: 'Short-let or holiday let',
  street: 'Street or estate',
  other: 'Other',
};

/** Home Office toolkit tactics, recorded against people and places (domain.md). */
export const DISRUPTION_TACTICS = [
  'child_abduction_warning_notice', 'slavery_trafficking_prevention_order', 'slavery_trafficking_risk_order',
  'closure_order', 'licensing_action', 'targeted_patrol', 'arrest', 'civil_injunction', 'community_protection_notice',
  'housing_action', 'other',
] as const;
export type DisruptionTactic = (typeof DISRUPTION_TACTICS)[number];
export const DISRUPTION_TACTIC_NAMES: Record<DisruptionTactic, string> = {
  child_abduction_warning_notice: 'Child abduction warning notice',
  slavery_trafficking_prevention_order: 'Slavery and trafficking prevention order',
  slavery_trafficking_risk_order: 'Slavery and trafficking risk order',
  closure_order: 'Closure order',
  licensing_action: 'Licensing action',
  targeted_patrol: 'Targeted patrol',
  arrest: 'Arrest',
  civil_injunction: 'Civil (gang) injunction',
  community_protection_notice: 'Community protection notice',
  housing_action: 'Housing or tenancy action',
  other: 'Other tactic',
};
/** Which tactics fit which context (a closure order is for a place, a warning notice for a person). */
export const DISRUPTION_TACTICS_FOR: Record<'person' | 'location' | 'other', readonly DisruptionTactic[]> = {
  person: ['child_abduction_warning_notice', 'slavery_trafficking_prevention_order', 'slavery_trafficking_risk_order', 'arrest', 'civil_injunction', 'community_protection_notice', 'other'],
  location: ['closure_order', 'licensing_action', 'targeted_patrol', 'community_protection_notice', 'housing_action', 'other'],
  other: ['targeted_patrol', 'arrest', 'other'],
};
export const DISRUPTION_OUTCOMES = ['in_place', 'breached', 'ended', 'refused', 'not_pursued'] as const;
export const DISRUPTION_OUTCOME_NAMES: Record<(typeof DISRUPTION_OUTCOMES)[number], string> = {
  in_place: 'In place',
  breached: 'Breached',
  ended: 'Ended',
  refused: 'Refused by the court or authority',
  not_pursued: 'Not pursued',
};

/**
 * A UK phone number in E.164 (+447700900461), so "07700 900461", "+44 7700 900461" and
 * "0044-7700-900461" are one phone across agencies. Anything that is not recognisably a number is
 * kept as written (trimmed): an agency's own handset id still links to itself.
 */
export function normalisePhone(raw: string): string {
  // the kind prefix (however often, and any space after it) is not part of the identifier
  const trimmed = raw.trim().replace(/^(?:phone:\s*)+/i, '');
  const compact = trimmed.replace(/[\s().-]/g, '');
  if (!/^\+?\d{6,15}$/.test(compact)) return trimmed.toLowerCase();
  const international = compact.startsWith('+') ? compact
    : compact.startsWith('00') ? `+${compact.slice(2)}`
    : compact.startsWith('0') ? `+44${compact.slice(1)}`
    : compact.length >= 10 && compact.startsWith('44') ? `+${compact}` : compact;
  // "+44 (0)7700 900461": the trunk 0 is never dialled after +44
  return international.replace(/^\+440+/, '+44');
}

/** A vehicle registration as DVLA writes it without spaces: "ab12 cde" → "AB12CDE". */
export function normaliseRegistration(raw: string): string {
  return raw.trim().replace(/^vehicle:/i, '').replace(/[^0-9a-z]/gi, '').toUpperCase();
}

/** A UK postcode in its standard form ("ng13ab" → "NG1 3AB"), or null when it is not one. */
export function normalisePostcode(raw: string): string | null {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(compact)) return null;
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** The postcode district ("NG1 3AB" → "NG1"): the "area" filter of the partnership view. */
export function postcodeDistrict(postcode: string | null | undefined): string | null {
  const normal = postcode ? normalisePostcode(postcode) : null;
  return normal ? normal.split(' ')[0] : null;
}

/**
 * The identity of a context across agencies: exact on the normalised identifier (design: matching
 * the same phone, vehicle or person is exact on normalised identifiers; person names go to a human).
 */
export function contextKey(kind: string, ref: string): string {
  switch (kind) {
    case 'phone':
      return normalisePhone(ref);
    case 'vehicle':
      return normaliseRegistration(ref);
    default: {
      // "person:dex" and "dex" name one person: the kind is already known
      let key = ref.trim().replace(/\s+/g, ' ').toLowerCase();
      while (key.startsWith(`${kind}:`)) key = key.slice(kind.length + 1).trimStart();
      return key;
    }
  }
}

/** `kind:key`, the one string the rules and the store use for "the same context". */
export const contextId = (link: Pick<EventLink, 'kind' | 'ref'>): string => `${link.kind}:${contextKey(link.kind, link.ref)}`;

/** Is a link's role one that makes the link a context of harm (a professional is the network working)? */
export const isHarmContext = (link: Pick<EventLink, 'kind' | 'role'>): boolean =>
  !(link.kind === 'person' && link.role === 'professional');
