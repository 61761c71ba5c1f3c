// The network rules read normalised identifiers (issue 6: matching across agencies is exact on
// normalised identifiers): one phone written two ways by two agencies is one phone, one registration
// one vehicle, "person:dex" and "DEX" one person — and different numbers are never one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventLink } from '../domain/event.ts';
import { expectAlerts, Story } from './test-story.ts';

const ali = { ref: 'ali', name: 'Ali' };
const kit = { ref: 'kit', name: 'Kit' };
const concern = (s: Story, at: string, child: string) => s.add(at, 'screening.completed', { level: 'moderate' }, { child });
const link = (s: Story, at: string, child: string, l: EventLink, agency: 'police' | 'education' | 'social_care' = 'police') =>
  s.add(at, 'police.intelligence', {}, { agency, child, links: [l] });

interface PairCase {
  name: string;
  kind: EventLink['kind'];
  /** as Sam's school wrote it, and as the police wrote it for Ali */
  mine: string;
  theirs: string;
  linked: boolean;
}

const pairs: PairCase[] = [
  { name: 'a mobile as 07700 900461 and +447700900461', kind: 'phone', mine: '07700 900461', theirs: '+447700900461', linked: true },
  { name: 'a mobile as 0044-7700-900461 and (07700) 900 461', kind: 'phone', mine: '0044-7700-900461', theirs: '(07700) 900 461', linked: true },
  { name: 'a mobile as +44 (0)7700 900461 and 07700900461', kind: 'phone', mine: '+44 (0)7700 900461', theirs: '07700900461', linked: true },
  { name: 'a handset id in two cases', kind: 'phone', mine: 'Burner A', theirs: 'burner a', linked: true },
  { name: 'a registration as ab12 cde and AB12CDE', kind: 'vehicle', mine: 'ab12 cde', theirs: 'AB12CDE', linked: true },
  { name: 'a registration as AB12-CDE and vehicle:ab12cde', kind: 'vehicle', mine: 'AB12-CDE', theirs: 'vehicle:ab12cde', linked: true },
  { name: 'a group as group:Eastside and EASTSIDE', kind: 'group', mine: 'group:Eastside', theirs: 'EASTSIDE', linked: true },
  { name: 'two mobiles one digit apart', kind: 'phone', mine: '07700 900461', theirs: '07700 900462', linked: false },
  { name: 'one mobile as a UK and as a French number', kind: 'phone', mine: '+44 7700 900461', theirs: '+33 7700 900461', linked: false },
  { name: 'two registrations one letter apart', kind: 'vehicle', mine: 'AB12 CDE', theirs: 'AB12 CDF', linked: false },
  { name: 'two handsets', kind: 'phone', mine: 'Burner A', theirs: 'Burner B', linked: false },
];

for (const c of pairs) {
  test(`NETWORK_LINK: ${c.name} ${c.linked ? 'is one link' : 'is no link'}`, () => {
    const s = new Story(undefined, ali);
    concern(s, '2018-01-05', 'ali');
    link(s, '2018-01-10', 'sam', { kind: c.kind, ref: c.mine }, 'education');
    link(s, '2018-02-01', 'ali', { kind: c.kind, ref: c.theirs });
    expectAlerts(
      s.alerts('2018-03-01'),
      'NETWORK_LINK',
      c.linked ? [{ child: 'sam', raisedOn: '2018-02-01', evidence: ['e2', 'e3'], details: { linkedChild: 'ali' }, status: 'open' }] : [],
      c.name,
    );
  });
}

test('NETWORK_LINK: both children of concern, a phone written two ways: one alert each way', () => {
  const s = new Story(undefined, ali);
  concern(s, '2018-01-01', 'sam');
  concern(s, '2018-01-01', 'ali');
  link(s, '2018-01-10', 'sam', { kind: 'phone', ref: '0044 7700 900461' }, 'education');
  link(s, '2018-01-20', 'ali', { kind: 'phone', ref: '07700-900-461' });
  expectAlerts(s.alerts('2018-04-01'), 'NETWORK_LINK', [
    { child: 'ali', details: { linkedChild: 'sam' }, raisedOn: '2018-01-20' },
    { child: 'sam', details: { linkedChild: 'ali' }, raisedOn: '2018-01-20' },
  ]);
});

test('NETWORK_LINK: a phone and a vehicle with the same characters are two contexts', () => {
  const s = new Story(undefined, ali);
  concern(s, '2018-01-05', 'ali');
  link(s, '2018-01-10', 'sam', { kind: 'phone', ref: 'AB12CDE' });
  link(s, '2018-02-01', 'ali', { kind: 'vehicle', ref: 'AB12CDE' });
  expectAlerts(s.alerts('2018-03-01'), 'NETWORK_LINK', []);
});

test('ADULT_OF_CONCERN: "person:dex" and "DEX" are one person linked to two children', () => {
  const s = new Story(undefined, ali);
  link(s, '2018-01-10', 'sam', { kind: 'person', ref: 'person:dex', label: 'Dex', role: 'adult_of_concern' }, 'education');
  link(s, '2018-02-01', 'ali', { kind: 'person', ref: 'DEX', role: 'adult_of_concern' });
  const alerts = s.alerts('2018-04-01');
  expectAlerts(alerts, 'ADULT_OF_CONCERN', [
    { child: null, owner: 'police', raisedOn: '2018-02-01', evidence: ['e1', 'e2'], details: { children: ['sam', 'ali'], count: 2 } },
  ]);
  const adult = alerts.find((a) => a.rule === 'ADULT_OF_CONCERN')!;
  // one identity for the alert whichever way the person was written
  assert.equal(adult.id, 'ADULT_OF_CONCERN:person:dex');
  assert.equal(adult.subject?.kind, 'person');
  assert.match(adult.message, /^An adult \(Dex\) is linked as an adult of concern to 2 children: Sam and Ali/);
});

test('ADULT_OF_CONCERN: the same written in three ways to three children counts three', () => {
  const s = new Story(undefined, ali, kit);
  link(s, '2018-01-10', 'sam', { kind: 'person', ref: 'person:dex', role: 'adult_of_concern' });
  link(s, '2018-02-01', 'ali', { kind: 'person', ref: 'DEX', role: 'adult_of_concern' });
  link(s, '2018-03-01', 'kit', { kind: 'person', ref: '  Person: Dex ', role: 'adult_of_concern' });
  expectAlerts(s.alerts('2018-04-01'), 'ADULT_OF_CONCERN', [{ raisedOn: '2018-02-01', details: { children: ['sam', 'ali', 'kit'], count: 3 } }]);
});

test('ADULT_OF_CONCERN: two different people are not one', () => {
  const s = new Story(undefined, ali);
  link(s, '2018-01-10', 'sam', { kind: 'person', ref: 'person:dex', role: 'adult_of_concern' });
  link(s, '2018-02-01', 'ali', { kind: 'person', ref: 'DEXTER', role: 'adult_of_concern' });
  expectAlerts(s.alerts('2018-04-01'), 'ADULT_OF_CONCERN', []);
});

test('HOTSPOT: one place written three ways by three agencies', () => {
  const s = new Story(undefined, ali, kit);
  link(s, '2018-01-10', 'sam', { kind: 'location', ref: 'location:loc-park' }, 'education');
  link(s, '2018-02-01', 'ali', { kind: 'location', ref: 'LOC-PARK' });
  link(s, '2018-03-01', 'kit', { kind: 'location', ref: ' loc-park ' }, 'social_care');
  expectAlerts(s.alerts('2018-04-01'), 'HOTSPOT', [{ child: null, raisedOn: '2018-03-01', details: { children: ['sam', 'ali', 'kit'] } }]);
});
