import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indicatorOf, isConcernEvent, isOffenceContact, nrmEvidenceOf, type IndicatorSource } from './indicators.ts';
import { indicatorOf as domainIndicatorOf } from '../domain/indicators.ts';

const ev = (type: string, details: Record<string, unknown> = {}, links?: IndicatorSource['links']): IndicatorSource => ({ type, details, links });
const adult = [{ kind: 'person' as const, ref: 'p1', role: 'adult_of_concern' }];

test('the rules read the indicator predicate of domain/ (re-exported: one definition)', () => {
  assert.equal(indicatorOf, domainIndicatorOf);
});

test('NRM evidence', () => {
  assert.equal(nrmEvidenceOf(ev('screening.completed', { level: 'significant' })), 'screening');
  assert.equal(nrmEvidenceOf(ev('screening.completed', { level: 'low' })), null);
  assert.equal(nrmEvidenceOf(ev('police.found_in_possession', { items: ['cash', 'drugs'] })), 'found_with_drugs');
  assert.equal(nrmEvidenceOf(ev('police.found_in_possession', { items: ['weapon'] })), null);
  assert.equal(nrmEvidenceOf(ev('police.incident', { role: 'suspect', category: 'drug_supply' })), 'suspect_drug_supply');
  assert.equal(nrmEvidenceOf(ev('child.voice', {}, adult)), 'adult_of_concern');
});

test('child of exploitation concern: a moderate or significant screening, or an NRM referral', () => {
  assert.ok(isConcernEvent(ev('screening.completed', { level: 'moderate' })));
  assert.ok(!isConcernEvent(ev('screening.completed', { level: 'low' })));
  assert.ok(isConcernEvent(ev('nrm.referred')));
  assert.ok(!isConcernEvent(ev('missing.started', { episode: 'm1' })));
});

test('offence contact: arrests and suspect reports', () => {
  assert.ok(isOffenceContact(ev('police.arrested')));
  assert.ok(isOffenceContact(ev('police.incident', { role: 'suspect', category: 'other' })));
  assert.ok(!isOffenceContact(ev('police.incident', { role: 'witness', category: 'other' })));
});
