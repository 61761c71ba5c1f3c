// Pre-fill from the chronology: the window edges (exactly 6 and 12 months), which events evidence
// which items, the reasons, and Jacob's chronology on 6 March 2018.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { londonWallClock, parseAt } from '../time.ts';
import { addMonths, prefillScreening, type ScreeningSourceEvent } from './prefill.ts';
import { scoreScreening } from './score.ts';

/** The end of a London day: a screening "as of" a date sees everything recorded that day. */
const endOf = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number);
  return londonWallClock(y, m, d, 23, 59, 59);
};
let seq = 0;
const ev = (type: string, at: string, details: Record<string, unknown> = {}, links?: ScreeningSourceEvent['links']): ScreeningSourceEvent =>
  ({ id: `e${++seq}-${type}`, type, atMs: parseAt(at), details, links });
const item = (p: ReturnType<typeof prefillScreening>, id: string) => p.items.find((i) => i.id === id)!;

for (const [from, months, to] of [
  ['2018-03-06', -6, '2017-09-06'],
  ['2018-03-06', -12, '2017-03-06'],
  ['2018-08-31', -6, '2018-02-28'],
  ['2020-08-31', -6, '2020-02-29'],
  ['2018-01-15', -1, '2017-12-15'],
] as const) {
  test(`${months} months from ${from} is ${to}`, () => assert.equal(addMonths(from, months), to));
}

// Significant indicators: 5 if in the last 6 months, 1 if 6–12 months ago, 6 if both (domain.md).
for (const [at, timing] of [
  ['2018-03-06', 'recent'],
  ['2017-09-06', 'recent'], // exactly 6 months: still "in the last 6 months"
  ['2017-09-05', 'earlier'],
  ['2017-03-06', 'earlier'], // exactly 12 months: still "6 to 12 months ago"
  ['2017-03-05', null],
  ['2018-03-07', null], // after the screening date
] as const) {
  test(`window edge: going missing on ${at}, screened on 6 March 2018 → ${timing ?? 'not ticked'}`, () => {
    const p = prefillScreening([ev('missing.started', at, { episode: 'x' })], {}, endOf('2018-03-06'));
    assert.equal(item(p, 'going_missing').timing, timing);
    assert.equal(item(p, 'going_missing').evidence.length, timing ? 1 : 0);
  });
}

for (const [at, ticked] of [
  ['2017-09-06', true],
  ['2017-09-05', false],
] as const) {
  test(`window edge: a risk indicator on ${at} ${ticked ? 'counts' : 'does not count'} on 6 March 2018`, () => {
    const p = prefillScreening([ev('police.arrested', at)], {}, endOf('2018-03-06'));
    assert.equal(item(p, 'offending').timing, ticked ? 'recent' : null);
  });
}

test('a significant indicator both recently and 6 to 12 months ago is "both", with a reason for each', () => {
  const p = prefillScreening(
    [ev('missing.started', '2017-05-01', { episode: 'a' }), ev('missing.started', '2017-12-01', { episode: 'b' }), ev('missing.started', '2018-01-22', { episode: 'c' })],
    {},
    endOf('2018-03-06'),
  );
  const missing = item(p, 'going_missing');
  assert.equal(missing.timing, 'both');
  assert.equal(missing.evidence.length, 3);
  assert.equal(missing.reason, 'going missing — 2 episodes in the last 6 months (latest 22 January 2018); 1 episode 6 to 12 months ago (1 May 2017)');
  assert.equal(scoreScreening(p.answers, p.age).score, 6);
});

test('a vulnerability counts at any time before the screening; a state counts while it lasts', () => {
  const p = prefillScreening(
    [
      ev('care.looked_after', '2012-04-02', { status: 'started' }),
      ev('education.left_roll', '2017-07-10', { reason: 'arrived with no school' }),
    ],
    {},
    endOf('2018-03-06'),
  );
  assert.equal(item(p, 'history_of_care').reason, 'history of local authority care — 1 record of care (2 April 2012)');
  assert.equal(item(p, 'not_in_education').finding, 'not on a school roll full time since 10 July 2017');
  // not in school for 8 months: present in the last 6 months
  assert.equal(item(p, 'exclusion_or_not_in_school').timing, 'recent');

  const back = prefillScreening(
    [ev('education.left_roll', '2017-07-10'), ev('education.on_roll', '2017-10-01', { school: 'X', fullTime: false }), ev('education.on_roll', '2018-01-08', { school: 'Y', fullTime: true })],
    {},
    endOf('2018-03-06'),
  );
  assert.equal(item(back, 'not_in_education').timing, null, 'a full-time place ends the period; a part-time one does not');
});

test('contract-1 events map onto the items', () => {
  const p = prefillScreening(
    [
      ev('police.found_in_possession', '2018-01-15', { items: ['cash', 'phone'] }),
      ev('police.found_in_possession', '2018-02-01', { items: ['weapon'] }),
      ev('indicator.observed', '2018-02-02', { indicator: 'travel_out_of_area' }),
      ev('police.arrested', '2018-02-03', { outOfArea: true }),
      ev('child.disclosure', '2018-02-04', { concern: 'is frightened of people he owes' }),
      ev('contact.direct_work', '2018-02-05', {}, [{ kind: 'person', ref: 'dex', role: 'adult_of_concern' }]),
      ev('education.excluded', '2018-02-06', { kind: 'suspension', reasons: ['OW', 'DA'] }),
      ev('health.ed_attendance', '2018-02-07', { injury: 'stab' }),
      ev('health.ed_attendance', '2018-02-08', { injury: 'self_harm' }),
      ev('police.incident', '2018-02-09', { role: 'suspect', category: 'robbery' }),
      ev('police.incident', '2018-02-10', { role: 'victim', category: 'robbery' }),
      ev('indicator.observed', '2018-02-11', { indicator: 'drug_debt' }),
      ev('missing.returned', '2018-02-12', { episode: 'x' }, [{ kind: 'vehicle', ref: 'AB12CDE' }]),
    ],
    { dateOfBirth: '2004-06-01' },
    endOf('2018-03-06'),
  );
  const ticked = Object.fromEntries(p.items.filter((i) => i.timing).map((i) => [i.id, i.evidence.map((r) => r.date)]));
  assert.deepEqual(ticked, {
    offending: ['2018-02-03', '2018-02-09'],
    exclusion_or_not_in_school: ['2018-02-06'],
    self_harm: ['2018-02-08'],
    substance_misuse: ['2018-02-06'],
    unexplained_injury: ['2018-02-07'],
    carries_weapons: ['2018-02-01', '2018-02-06'],
    controlling_adult: ['2018-02-05'],
    vehicles_unknown_adults: ['2018-02-12'],
    unexplained_money_goods: ['2018-01-15'],
    drug_debt: ['2018-02-11'],
    found_out_of_area: ['2018-02-02', '2018-02-03'],
    found_with_drugs_or_weapon: ['2018-02-01'],
    disclosure: ['2018-02-04'],
  });
  assert.equal(p.age, 13);
  const score = scoreScreening(p.answers, p.age);
  assert.equal(score.level, 'significant');
  assert.equal(score.rows.every((r) => r.source === 'chronology' && r.evidence.length > 0), true);
});

test('an exploitation indicator no item takes is listed, never dropped', () => {
  const p = prefillScreening(
    [ev('indicator.observed', '2018-02-01', { indicator: 'exploitation_concern' }), ev('indicator.observed', '2016-02-01', { indicator: 'exploitation_concern' })],
    {},
    endOf('2018-03-06'),
  );
  assert.deepEqual(p.unmatched.map((u) => [u.date, u.text]), [['2018-02-01', 'was the subject of an exploitation concern']]);
  assert.deepEqual(p.answers, []);
});

test('a link recorded as tentative or unconfirmed ticks nothing: it is listed for the practitioner to weigh', () => {
  const adult = (confidence?: 'confirmed' | 'tentative' | 'unconfirmed') => ({ kind: 'person' as const, ref: `dex-${confidence}`, role: 'adult_of_concern', ...(confidence ? { confidence } : {}) });
  const car = (confidence?: 'confirmed' | 'tentative' | 'unconfirmed') => ({ kind: 'vehicle' as const, ref: `car-${confidence}`, ...(confidence ? { confidence } : {}) });
  const unsure = prefillScreening(
    [ev('context.linked', '2018-02-01', {}, [adult('tentative')]), ev('context.linked', '2018-02-02', {}, [car('unconfirmed')])],
    {},
    endOf('2018-03-06'),
  );
  assert.equal(item(unsure, 'controlling_adult').timing, null);
  assert.equal(item(unsure, 'vehicles_unknown_adults').timing, null);
  assert.deepEqual(unsure.answers, []);
  assert.deepEqual(unsure.unmatched.map((u) => [u.date, u.text]), [
    ['2018-02-01', 'was linked to an adult of concern (a link recorded as tentative: not ticked)'],
    ['2018-02-02', 'was linked to a vehicle (a link recorded as unconfirmed: not ticked)'],
  ]);
  // recorded as a fact, or confirmed: ticked, and not listed
  for (const confidence of [undefined, 'confirmed'] as const) {
    const sure = prefillScreening([ev('context.linked', '2018-02-01', {}, [adult(confidence), car(confidence)])], {}, endOf('2018-03-06'));
    assert.equal(item(sure, 'controlling_adult').timing, 'recent');
    assert.equal(item(sure, 'vehicles_unknown_adults').timing, 'recent');
    assert.deepEqual(sure.unmatched, []);
  }
});

test("Jacob's chronology on 6 March 2018: pre-filled, 19 points, significant", () => {
  const scenario = JSON.parse(readFileSync(new URL('../../demo/scenarios/jacob.json', import.meta.url), 'utf8')) as {
    children: { dateOfBirth: string }[];
    events: { type: string; at: string; details?: Record<string, unknown>; links?: ScreeningSourceEvent['links'] }[];
  };
  const events = scenario.events.map((e, i) => ({ id: `j${i}`, type: e.type, atMs: parseAt(e.at), details: e.details ?? {}, links: e.links }));
  const p = prefillScreening(events, scenario.children[0], endOf('2018-03-06'));
  assert.equal(p.age, 15);
  assert.deepEqual(
    p.items.filter((i) => i.timing).map((i) => [i.id, i.timing, i.reason]),
    [
      ['not_in_education', 'recent', 'not in education — not on a school roll full time since 10 July 2017'],
      ['offending', 'recent', 'offending or antisocial behaviour — 3 arrests or reports as a suspect in the last 6 months (latest 5 March 2018)'],
      ['exclusion_or_not_in_school', 'recent', 'exclusion, or not in school — not on a school roll full time since 10 July 2017'],
      ['unexplained_injury', 'recent', 'physical injury without a plausible explanation — 1 emergency department attendance with an injury in the last 6 months (19 February 2018)'],
      ['going_missing', 'recent', 'going missing — 3 episodes in the last 6 months (latest 22 January 2018)'],
      ['unexplained_money_goods', 'recent', 'unexplained money, phones, clothes or goods — 3 records in the last 6 months (latest 5 March 2018)'],
      ['found_with_drugs_or_weapon', 'recent', 'found with drugs or a weapon — 1 find in the last 6 months (5 March 2018)'],
    ],
  );
  const score = scoreScreening(p.answers, p.age);
  assert.equal(score.score, 19);
  assert.equal(score.level, 'significant');
  assert.deepEqual(p.unmatched, []);
  assert.equal(p.lastScreening, null);
});
