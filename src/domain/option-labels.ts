// Plain English for contract 1's coded values, as a practitioner reads them on the record form and
// in the chronology, and an entry's details as the chronology shows them (chronologyDetails). A code
// reads as its words ("no_further_action": no further action) unless it is one a practitioner would
// not know ("s20", "PP") or whose words read wrongly ("section47", "no_apparent", "gang_association":
// the appropriate-language guide asks for "controlled by", not "association"). Written as they read
// mid-sentence; the form capitalises the first letter.
import { AGENCY_NAMES, OBSERVED_INDICATORS, type Agency } from './event.ts';
import { INDICATOR_LABELS } from './indicators.ts';
import { DEFAULT_SCREENING_SET } from './screening/default-set.ts';

const LABELS: Record<string, string> = {
  // missing.started
  away: 'away from placement without permission',
  no_apparent: 'no apparent risk',
  // care
  section47: 'section 47 enquiry',
  s20: 'section 20 (accommodated with consent)',
  s31: 'section 31 (care order)',
  semi_independent: 'semi-independent',
  // care.referral_decision
  assessment: 'child and family assessment',
  strategy_discussion: 'strategy discussion (significant harm suspected)',
  already_open: "already open to children's social care",
  // health
  self_harm: 'self-harm',
  // youth justice (extension)
  detention_and_training_order: 'detention and training order (custody)',
  remanded_to_youth_detention: 'remanded to youth detention accommodation',
  remanded_to_local_authority: 'remanded to local authority accommodation',
  outcome_22: 'Outcome 22 (prosecution deferred while the child takes part in an intervention)',
  // housing (extension)
  antisocial_behaviour: 'antisocial behaviour',
  cuckooing: 'cuckooing (the home taken over by people who exploit)',
  family_home: "the child's family home",
  another_home: 'another home the child was found in',
  bed_and_breakfast: 'bed and breakfast',
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

// ——— an entry's details as the chronology shows them ———

/**
 * The screening bands in words, by contract 1's level: the default set's names for them
 * ("no current concern"). A partnership's own set (SCREENING_SET) may name its bands otherwise; its
 * levels are still these four, and the screening's own page shows the set's words.
 */
const SCREENING_BANDS: Record<string, string> = Object.fromEntries(DEFAULT_SCREENING_SET.bands.map((b) => [b.level, b.label.toLowerCase()]));
const band = (level: unknown) => SCREENING_BANDS[String(level)] ?? optionLabel(String(level));
const points = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'point' : 'points'}`;

const withoutKey = (details: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(details).filter(([k]) => k !== key));

/**
 * An entry's details as a reader of the chronology wants them. A screening reads as its outcome
 * ("no current concern, 5 points"), who changed its band and why, and how many indicators were
 * present — not the fields it is stored with (the level code, the score's own band, the set's
 * version, the date it was as of, the band's reasoning and the items set aside, which the exports
 * and the screening keep). `provenance` (the entry's own page) adds which screening set scored it.
 * Other types, and any key a screening's sender added, are shown as stored, but for `respondsTo`
 * (the alert the entry answers), which the pages show as a link to the alert.
 */
export function chronologyDetails(type: string, allDetails: Record<string, unknown>, options: { provenance?: boolean } = {}): Record<string, unknown> {
  // the alert an entry answers is shown as a link to it, not as its id (rules/rule-names.ts: respondedAlert)
  const details = 'respondsTo' in allDetails ? withoutKey(allDetails, 'respondsTo') : allDetails;
  // a panel's review names its meeting by id: the entry's own page links to the meeting instead
  if (type === 'panel.reviewed' && 'meeting' in details) return withoutKey(details, 'meeting');
  if (type !== 'screening.completed') return details;
  const { level, score, setVersion, asOf: _asOf, scoreLevel, indicators, bandReasons: _reasons, override, setAside: _setAside, noIndicatorsPresent, ...others } = details;
  const shown: Record<string, unknown> = {};
  if (level !== undefined) {
    // raised by a rule of the set (a young child's), not by a person: said beside the outcome
    const raised = scoreLevel !== undefined && scoreLevel !== level && !override ? ` (raised from ${band(scoreLevel)})` : '';
    shown.outcome = `${band(level)}${raised}${typeof score === 'number' ? `, ${points(score)}` : ''}`;
  }
  const judgement = override as { from?: unknown; to?: unknown; rationale?: unknown } | undefined;
  if (judgement && typeof judgement === 'object' && judgement.from !== undefined) {
    const order = Object.keys(SCREENING_BANDS);
    const way = order.indexOf(String(judgement.to ?? level)) >= order.indexOf(String(judgement.from)) ? 'raised' : 'lowered';
    shown.professionalJudgement = `${way} from ${band(judgement.from)}${typeof judgement.rationale === 'string' ? `: ${judgement.rationale}` : ''}`;
  }
  if (noIndicatorsPresent === true) shown.indicators = 'none present';
  else if (Array.isArray(indicators)) shown.indicators = indicators.length ? `${indicators.length} present` : 'none present';
  if (options.provenance && typeof setVersion === 'string') shown.screeningSet = setVersion;
  return { ...shown, ...others };
}
