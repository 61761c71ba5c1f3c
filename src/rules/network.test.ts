import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventLink } from '../domain/event.ts';
import { expectAlerts, Story, type RuleCase } from './test-story.ts';

const involve = (s: Story, at: string, ...agencies: string[]) => agencies.forEach((agency) => s.add(at, 'involvement.started', { agency }));
const concern = (s: Story, at: string, child?: string) => s.add(at, 'screening.completed', { level: 'moderate' }, { child });
const ALL_FOUR = ['social_care', 'police', 'health', 'education'];

const gapCases: RuleCase[] = [
  { name: 'every expected agency involved', asOf: '2018-06-01', build: (s) => { involve(s, '2018-01-01', ...ALL_FOUR); concern(s, '2018-02-01'); }, expect: [] },
  { name: 'not a child of exploitation concern', asOf: '2018-06-01', build: (s) => { s.add('2018-01-01', 'police.arrested', {}, { agency: 'police' }); }, expect: [] },
  {
    name: 'education missing when the child becomes of concern; resolved by its involvement', asOf: '2018-06-01',
    build: (s) => { involve(s, '2018-01-01', 'social_care', 'police', 'health'); concern(s, '2018-02-01'); involve(s, '2018-03-01', 'education'); },
    expect: [{ raisedOn: '2018-02-01', details: { agency: 'education' }, evidence: ['e4'], resolvedBy: 'e5', severity: 'warning' }],
  },
  {
    name: 'youth justice is expected from the first arrest', asOf: '2018-06-01',
    build: (s) => { involve(s, '2018-01-01', ...ALL_FOUR); concern(s, '2018-02-01'); s.add('2018-03-01', 'police.arrested', {}, { agency: 'police' }); },
    expect: [{ raisedOn: '2018-03-01', details: { agency: 'youth_justice' }, evidence: ['e5', 'e6'], status: 'open' }],
  },
  {
    name: 'housing is expected once a placement is recorded', asOf: '2018-06-01',
    build: (s) => { involve(s, '2018-01-01', ...ALL_FOUR); s.add('2018-01-05', 'care.placement', { kind: 'foster' }); concern(s, '2018-02-01'); },
    expect: [{ raisedOn: '2018-02-01', details: { agency: 'housing' }, evidence: ['e6', 'e5'] }],
  },
  {
    name: 'an agency leaving the network opens a new gap', asOf: '2018-06-01',
    build: (s) => { involve(s, '2018-01-01', ...ALL_FOUR); concern(s, '2018-02-01'); s.add('2018-04-01', 'involvement.ended', { agency: 'health' }); },
    expect: [{ raisedOn: '2018-04-01', details: { agency: 'health' } }],
  },
  {
    name: 'a concern raised by MISSING_REPEAT counts', asOf: '2018-06-01',
    build: (s) => {
      involve(s, '2018-01-01', 'social_care', 'police', 'health');
      ['2018-02-01', '2018-03-01', '2018-04-01'].forEach((at, i) => s.add(at, 'missing.started', { episode: `m${i}` }, { agency: 'police' }));
    },
    expect: [{ raisedOn: '2018-04-01', details: { agency: 'education' } }],
  },
];

for (const c of gapCases) {
  test(`AGENCY_GAP: ${c.name}`, () => {
    const s = new Story();
    c.build(s);
    expectAlerts(s.alerts(c.asOf, c.config), 'AGENCY_GAP', c.expect, c.name);
  });
}

const ali = { ref: 'ali', name: 'Ali' };
const kit = { ref: 'kit', name: 'Kit' };
const link = (s: Story, at: string, child: string, l: EventLink) => s.add(at, 'police.intelligence', {}, { agency: 'police', child, links: [l] });
const phone: EventLink = { kind: 'phone', ref: '07700900123', label: 'deal line' };

test('NETWORK_LINK: a child linked to the phone of a child of concern', () => {
  const s = new Story(undefined, ali);
  concern(s, '2018-01-05', 'ali');
  link(s, '2018-01-10', 'sam', phone);
  link(s, '2018-02-01', 'ali', phone);
  const alerts = s.alerts('2018-03-01');
  expectAlerts(alerts, 'NETWORK_LINK', [{ child: 'sam', raisedOn: '2018-02-01', evidence: ['e2', 'e3'], details: { linkedChild: 'ali' }, status: 'open' }]);
  assert.match(alerts.find((a) => a.rule === 'NETWORK_LINK')!.message, /^Sam shares a phone \(deal line\) with Ali, a child of exploitation concern/);
});

test('NETWORK_LINK: raised when the other child becomes of concern, and resolved by a response for the child', () => {
  const s = new Story(undefined, ali);
  link(s, '2018-01-10', 'sam', phone);
  link(s, '2018-01-20', 'ali', phone);
  concern(s, '2018-03-01', 'ali');
  s.add('2018-03-02', 'contact.direct_work', {}, { child: 'sam' });
  expectAlerts(s.alerts('2018-04-01'), 'NETWORK_LINK', [{ child: 'sam', raisedOn: '2018-03-01', resolvedBy: 'e4' }]);
});

test('NETWORK_LINK: both children of concern: one alert each way', () => {
  const s = new Story(undefined, ali);
  concern(s, '2018-01-01', 'sam');
  concern(s, '2018-01-01', 'ali');
  link(s, '2018-01-10', 'sam', { kind: 'vehicle', ref: 'AB12CDE' });
  link(s, '2018-01-20', 'ali', { kind: 'vehicle', ref: 'AB12CDE' });
  expectAlerts(s.alerts('2018-04-01'), 'NETWORK_LINK', [{ child: 'ali', details: { linkedChild: 'sam' } }, { child: 'sam', details: { linkedChild: 'ali' } }]);
});

test('NETWORK_LINK: a professional linked to both children is not a link', () => {
  const s = new Story(undefined, ali);
  concern(s, '2018-01-01', 'ali');
  const worker: EventLink = { kind: 'person', ref: 'sw-1', role: 'professional' };
  link(s, '2018-01-10', 'sam', worker);
  link(s, '2018-01-20', 'ali', worker);
  expectAlerts(s.alerts('2018-04-01'), 'NETWORK_LINK', []);
});

test('ADULT_OF_CONCERN: a person linked as an adult of concern to two children', () => {
  const s = new Story(undefined, ali);
  const adult: EventLink = { kind: 'person', ref: 'p-77', label: 'Older male known as T', role: 'adult_of_concern' };
  link(s, '2018-01-10', 'sam', adult);
  link(s, '2018-02-01', 'ali', adult);
  const alerts = s.alerts('2018-04-01');
  expectAlerts(alerts, 'ADULT_OF_CONCERN', [{ child: null, subject: { kind: 'person', ref: 'p-77' }, owner: 'police', raisedOn: '2018-02-01', evidence: ['e1', 'e2'], details: { children: ['sam', 'ali'] } }]);
  assert.match(alerts.find((a) => a.rule === 'ADULT_OF_CONCERN')!.message, /^An adult \(Older male known as T\) is linked as an adult of concern to 2 children: Sam and Ali/);
});

test('ADULT_OF_CONCERN: a peer link, or one child, is not enough', () => {
  const s = new Story(undefined, ali);
  link(s, '2018-01-10', 'sam', { kind: 'person', ref: 'p-77', role: 'adult_of_concern' });
  link(s, '2018-02-01', 'ali', { kind: 'person', ref: 'p-77', role: 'peer' });
  expectAlerts(s.alerts('2018-04-01'), 'ADULT_OF_CONCERN', []);
});

test('HOTSPOT: a place linked to events of 3 children within 180 days', () => {
  const s = new Story(undefined, ali, kit);
  const park: EventLink = { kind: 'location', ref: 'loc-park', label: 'the skate park' };
  link(s, '2018-01-10', 'sam', park);
  link(s, '2018-02-01', 'ali', park);
  link(s, '2018-03-01', 'sam', park);
  link(s, '2018-06-01', 'kit', park);
  expectAlerts(s.alerts('2018-07-01'), 'HOTSPOT', [{ child: null, subject: { kind: 'location', ref: 'loc-park' }, raisedOn: '2018-06-01', details: { children: ['sam', 'ali', 'kit'] }, evidence: ['e1', 'e2', 'e4'] }]);
});

test('HOTSPOT: three children spread over more than 180 days', () => {
  const s = new Story(undefined, ali, kit);
  const park: EventLink = { kind: 'location', ref: 'loc-park' };
  link(s, '2018-01-10', 'sam', park);
  link(s, '2018-02-01', 'ali', park);
  link(s, '2018-07-10', 'kit', park);
  expectAlerts(s.alerts('2018-12-01'), 'HOTSPOT', []);
});
