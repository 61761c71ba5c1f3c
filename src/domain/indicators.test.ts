import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OBSERVED_INDICATORS } from './event.ts';
import { INDICATOR_LABELS, indicatorOf, indicatorsOf, isExploitationIndicator, isIndicatorCode, type IndicatorSource } from './indicators.ts';

const ev = (type: string, details: Record<string, unknown> = {}, links?: IndicatorSource['links']): IndicatorSource => ({ type, details, links });
const adult = [{ kind: 'person' as const, ref: 'p1', role: 'adult_of_concern' }];

const indicatorTable: Array<[string, IndicatorSource, string | null]> = [
  ['missing', ev('missing.started', { episode: 'm1' }), 'missing'],
  ['found in possession', ev('police.found_in_possession', { items: ['cash'] }), 'found_in_possession'],
  ['suspect in drug supply', ev('police.incident', { role: 'suspect', category: 'drug_supply' }), 'suspect_drug_supply'],
  ['suspect in a weapon offence', ev('police.incident', { role: 'suspect', category: 'weapon' }), 'suspect_weapon'],
  ['victim of drug supply is not', ev('police.incident', { role: 'victim', category: 'drug_supply' }), null],
  ['suspect in violence is not', ev('police.incident', { role: 'suspect', category: 'violence' }), null],
  ['arrested out of area', ev('police.arrested', { outOfArea: true }), 'arrested_out_of_area'],
  ['arrested in area is not', ev('police.arrested', {}), null],
  ['stab injury', ev('health.ed_attendance', { injury: 'stab' }), 'injury'],
  ['laceration', ev('health.ed_attendance', { injury: 'laceration' }), 'injury'],
  ['overdose is not', ev('health.ed_attendance', { injury: 'overdose' }), null],
  ['permanent exclusion', ev('education.excluded', { kind: 'permanent' }), 'permanent_exclusion'],
  ['suspension is not', ev('education.excluded', { kind: 'suspension' }), null],
  ['disclosure', ev('child.disclosure', { concern: 'fear' }), 'disclosure'],
  ['link to an adult of concern', ev('police.intelligence', {}, adult), 'adult_of_concern'],
  ['link to a peer is not', ev('police.intelligence', {}, [{ kind: 'person', ref: 'p2', role: 'peer' }]), null],
  ['child voice is not', ev('child.voice'), null],
  // extensions
  ['a home taken over (cuckooing)', ev('housing.cuckooing', { home: 'family_home' }), 'cuckooing'],
  ['a tenancy at risk is not', ev('housing.tenancy_at_risk', { reason: 'arrears' }), null],
  ['a court outcome is not', ev('youth_justice.court_outcome', { outcome: 'referral_order' }), null],
];

for (const [name, event, expected] of indicatorTable) {
  test(`indicator: ${name}`, () => {
    assert.equal(indicatorOf(event), expected);
    assert.equal(isExploitationIndicator(event), expected !== null);
  });
}

test('indicator: every observed indicator of contract 2', () => {
  for (const indicator of OBSERVED_INDICATORS) assert.equal(indicatorOf(ev('indicator.observed', { indicator })), indicator);
});

test('indicators: an event can evidence two (the screening tool ticks both)', () => {
  assert.deepEqual(indicatorsOf(ev('missing.started', { episode: 'm1' }, adult)), ['missing', 'adult_of_concern']);
});

test('indicator codes: every label is a code; nothing else is', () => {
  for (const code of Object.keys(INDICATOR_LABELS)) assert.ok(isIndicatorCode(code), code);
  for (const other of ['going_missing', 'toString', '', 3, null]) assert.ok(!isIndicatorCode(other), String(other));
});
