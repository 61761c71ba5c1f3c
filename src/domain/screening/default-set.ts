// `reachable-screening/1`: the default indicator set, in the shape the English tools share (SERAF,
// Hampshire; CERAF; West Midlands; Pan-Cheshire — domain.md). Items the chronology can evidence say
// which contract-1 events do; the rest (low self-esteem, isolation…) only a practitioner can tick.
// The contract-2 indicator codes are reused on purpose: the events that made the system ask for a
// screening (SCREENING_DUE) are the ones the form shows ticked.
import { parseIndicatorSet, type IndicatorSet, type IndicatorSetInput } from './indicator-set.ts';

const EPISODES = { one: 'episode', many: 'episodes' };

export const DEFAULT_SCREENING_SET_INPUT: IndicatorSetInput = {
  version: 'reachable-screening/1',
  name: 'Reachable exploitation screening (SERAF shape)',
  windows: { recentMonths: 6, earlierMonths: 12 },
  sections: {
    vulnerability: {
      label: 'Vulnerabilities',
      hint: '1 point each.',
      window: 'ever',
      points: { recent: 1 },
    },
    risk: {
      label: 'Risk indicators',
      hint: '1 point each, if present in the last 6 months.',
      window: 'recent',
      points: { recent: 1 },
    },
    significant: {
      label: 'Significant indicators',
      hint: '5 points if in the last 6 months, 1 point if 6 to 12 months ago, 6 points if both.',
      window: 'recent_and_earlier',
      points: { recent: 5, earlier: 1, both: 6 },
    },
  },
  bands: [
    { level: 'none', from: 0, label: 'No current concern' },
    { level: 'low', from: 6, label: 'Emerging concern' },
    { level: 'moderate', from: 11, label: 'Moderate concern' },
    { level: 'significant', from: 16, label: 'Significant concern' },
  ],
  overrides: {
    disclosure: { items: ['disclosure'], level: 'significant' },
    youngChild: { maxAge: 13, level: 'moderate' },
  },
  items: [
    // Vulnerabilities
    {
      id: 'history_of_care', section: 'vulnerability', label: 'History of local authority care',
      unit: { one: 'record of care', many: 'records of care' },
      evidence: [
        { type: 'care.looked_after', where: { status: 'started' } },
        { type: 'care.placement', where: { kind: ['foster', 'residential', 'semi_independent', 'unregulated', 'secure'] } },
      ],
    },
    { id: 'isolated_from_peers', section: 'vulnerability', label: 'Isolated from peers' },
    { id: 'low_self_esteem', section: 'vulnerability', label: 'Low self-esteem' },
    { id: 'family_breakdown', section: 'vulnerability', label: 'Family relationship breakdown' },
    { id: 'family_history', section: 'vulnerability', label: 'Family history of abuse, neglect or offending' },
    { id: 'no_positive_adult', section: 'vulnerability', label: 'No positive relationship with an adult' },
    { id: 'send', section: 'vulnerability', label: 'Special educational needs or disability' },
    { id: 'not_in_education', section: 'vulnerability', label: 'Not in education', evidence: [{ state: 'not_on_roll' }] },

    // Risk indicators (last 6 months)
    {
      id: 'offending', section: 'risk', label: 'Offending or antisocial behaviour',
      hint: 'Seen through the victim lens: offending can be a sign of exploitation.',
      unit: { one: 'arrest or report as a suspect', many: 'arrests or reports as a suspect' },
      evidence: [{ type: 'police.arrested' }, { type: 'police.incident', where: { role: 'suspect' } }],
    },
    {
      id: 'exclusion_or_not_in_school', section: 'risk', label: 'Exclusion, or not in school',
      unit: { one: 'exclusion', many: 'exclusions' },
      evidence: [{ type: 'education.excluded' }, { state: 'not_on_roll' }],
    },
    { id: 'unexplained_absence', section: 'risk', label: 'Unexplained school absence' },
    {
      id: 'self_harm', section: 'risk', label: 'Self-harm or expressions of despair',
      unit: { one: 'attendance', many: 'attendances' },
      evidence: [{ type: 'health.ed_attendance', where: { injury: 'self_harm' } }],
    },
    {
      id: 'substance_misuse', section: 'risk', label: 'Substance misuse',
      evidence: [
        { indicator: ['substance_misuse'] },
        { type: 'health.ed_attendance', where: { injury: ['overdose', 'intoxication'] } },
        { type: 'education.excluded', where: { reasons: 'DA' } },
      ],
    },
    { id: 'phone_social_media', section: 'risk', label: 'Worrying phone or social media use' },
    {
      id: 'peer_associations', section: 'risk', label: 'Peers who may be exploiting or harming the child',
      evidence: [{ link: { kind: 'group' } }],
    },
    { id: 'unknown_adults_calling', section: 'risk', label: 'Unknown adults calling' },
    {
      id: 'unexplained_injury', section: 'risk', label: 'Physical injury without a plausible explanation',
      unit: { one: 'emergency department attendance with an injury', many: 'emergency department attendances with an injury' },
      evidence: [{ indicator: ['injury'] }],
    },
    {
      id: 'change_in_presentation', section: 'risk', label: 'Change in presentation',
      evidence: [{ indicator: ['change_in_behaviour'] }],
    },
    { id: 'over_reaction', section: 'risk', label: 'Over-reaction to concern' },
    {
      id: 'carries_weapons', section: 'risk', label: 'Known to carry weapons',
      evidence: [
        { type: 'police.found_in_possession', where: { items: 'weapon' } },
        { indicator: ['suspect_weapon'] },
        { type: 'education.excluded', where: { reasons: 'OW' } },
      ],
    },

    // Significant indicators (5 in the last 6 months, 1 if 6 to 12 months ago, 6 if both)
    {
      id: 'going_missing', section: 'significant', label: 'Going missing', unit: EPISODES,
      evidence: [{ indicator: ['missing'] }],
    },
    {
      id: 'controlling_adult', section: 'significant', label: 'Controlled by an older person or group',
      hint: 'Describe who controls the child, not a relationship the child chose.',
      evidence: [{ indicator: ['adult_of_concern', 'older_associates', 'gang_association'] }],
    },
    {
      id: 'vehicles_unknown_adults', section: 'significant', label: 'Entering or leaving vehicles driven by unknown adults',
      evidence: [{ link: { kind: 'vehicle' } }],
    },
    {
      id: 'unexplained_money_goods', section: 'significant', label: 'Unexplained money, phones, clothes or goods',
      evidence: [
        { type: 'police.found_in_possession', where: { items: ['cash', 'phone'] } },
        { indicator: ['unexplained_money', 'multiple_phones', 'unexplained_gifts'] },
      ],
    },
    { id: 'drug_debt', section: 'significant', label: 'Drug debt', evidence: [{ indicator: ['drug_debt'] }] },
    { id: 'exploitation_places', section: 'significant', label: 'Seen at places known for exploitation' },
    {
      id: 'found_out_of_area', section: 'significant', label: 'Found in another area (county lines)',
      evidence: [{ indicator: ['arrested_out_of_area', 'travel_out_of_area'] }],
    },
    {
      id: 'found_with_drugs_or_weapon', section: 'significant', label: 'Found with drugs or a weapon',
      unit: { one: 'find', many: 'finds' },
      evidence: [{ type: 'police.found_in_possession', where: { items: ['drugs', 'weapon'] } }],
    },
    {
      id: 'disclosure', section: 'significant', label: 'Disclosure',
      hint: 'The child has told someone of harm, fear or coercion. A disclosure makes the concern significant.',
      unit: { one: 'disclosure', many: 'disclosures' },
      evidence: [{ indicator: ['disclosure'] }],
    },
  ],
};

function build(): IndicatorSet {
  const parsed = parseIndicatorSet(DEFAULT_SCREENING_SET_INPUT);
  if (!parsed.ok) throw new Error(`the default screening set is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return parsed.value;
}

export const DEFAULT_SCREENING_SET: IndicatorSet = build();
