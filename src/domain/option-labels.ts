// Plain English for contract 1's coded values, as a practitioner reads them on the record form and
// in the chronology. A code reads as its words ("no_further_action": no further action) unless it is
// one a practitioner would not know ("s20", "PP") or whose words read wrongly ("section47",
// "no_apparent", "gang_association": the appropriate-language guide asks for "controlled by", not
// "association"). Written as they read mid-sentence; the form capitalises the first letter.
import { AGENCY_NAMES, OBSERVED_INDICATORS, type Agency } from './event.ts';
import { INDICATOR_LABELS } from './indicators.ts';

const LABELS: Record<string, string> = {
  // missing.started
  away: 'away from placement without permission',
  no_apparent: 'no apparent risk',
  // care
  section47: 'section 47 enquiry',
  s20: 'section 20 (accommodated with consent)',
  s31: 'section 31 (care order)',
  semi_independent: 'semi-independent',
  // health
  self_harm: 'self-harm',
  // panels (contract 1's panel codes; the partnership's own panel names are in PANEL_TYPES)
  missing_exploited: 'missing and exploited children panel',
  complex_child: 'complex child panel',
  mace: 'multi-agency child exploitation (MACE) panel',
  fair_access: 'fair access panel',
  cme: 'children missing education panel',
  // NRM
  home_office: 'Home Office',
  devolved_panel: 'devolved decision-making panel',
  // exclusion reasons: the school census codes, each with what it stands for
  PP: 'physical assault against a pupil (PP)',
  PA: 'physical assault against an adult (PA)',
  VP: 'verbal abuse or threatening behaviour against a pupil (VP)',
  VA: 'verbal abuse or threatening behaviour against an adult (VA)',
  OW: 'use or threat of use of an offensive weapon or prohibited item (OW)',
  BU: 'bullying (BU)',
  RA: 'racist abuse (RA)',
  LG: 'abuse against sexual orientation or gender identity (LG)',
  DS: 'abuse relating to disability (DS)',
  SM: 'sexual misconduct (SM)',
  DA: 'drug and alcohol related (DA)',
  DM: 'damage (DM)',
  TH: 'theft (TH)',
  DB: 'persistent or general disruptive behaviour (DB)',
  MT: 'inappropriate use of social media or online technology (MT)',
  PH: 'wilful and repeated breach of measures to protect public health (PH)',
};

// an observed indicator reads as the indicator's own description ("was seen with older people who
// may be exploiting them"), without its "was"
for (const code of OBSERVED_INDICATORS) LABELS[code] ??= INDICATOR_LABELS[code].replace(/^was /, '');

const words = (code: string) => code.replace(/_/g, ' ');

/** A coded value as words, mid-sentence: an agency's name, the label above, or the code's own words. */
export function optionLabel(code: string): string {
  return AGENCY_NAMES[code as Agency] ?? LABELS[code] ?? words(code);
}

/** The same, as a form's option: first letter capitalised. */
export function optionText(code: string): string {
  const label = optionLabel(code);
  return label[0].toUpperCase() + label.slice(1);
}

/** Whether the code has words of its own here (not only its spelling with spaces). */
export const hasOptionLabel = (code: string) => Object.hasOwn(LABELS, code);
