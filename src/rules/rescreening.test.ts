import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkLanguage } from '../domain/language.ts';
import { formatInstant } from '../domain/time.ts';
import { RULE_CATALOGUE } from './catalogue.ts';
import { evaluate } from './engine.ts';
import { RESCREEN_SUGGESTED } from './rescreening.ts';
import type { EngineEvent } from './rule.ts';
import { expectAlerts, Story, type RuleCase } from './test-story.ts';

const missing = (s: Story, at: string, extras = {}) => s.add(at, 'missing.started', { episode: `m${s.events.length + 1}` }, { agency: 'police', ...extras });
const observed = (s: Story, at: string, indicator: string) => s.add(at, 'indicator.observed', { indicator });
/** A screening as the screening service records it: each ticked item with the events that evidence it. */
const screening = (s: Story, at: string, indicators?: unknown[], more: Record<string, unknown> = {}) =>
  s.add(at, 'screening.completed', { level: 'low', ...(indicators ? { setVersion: 'reachable-screening/1', indicators } : {}), ...more });
const ticked = (id: string, ...evidence: string[]) => ({ id, timing: 'recent', points: 5, evidence, source: evidence.length ? 'chronology' : 'practitioner' });

const cases: Record<string, RuleCase[]> = {
  fires: [
    {
      name: 'a kind the screening did not include, within 90 days: one info suggestion, no due date',
      asOf: '2018-04-01',
      build: (s) => { missing(s, '2018-03-01'); screening(s, '2018-03-05', [ticked('going_missing', 'e1')]); observed(s, '2018-03-20', 'drug_debt'); },
      expect: [{ raisedOn: '2018-03-20', severity: 'info', owner: 'social_care', status: 'open', dueBy: null, overdue: false, evidence: ['e3'], details: { indicators: ['drug_debt'], screening: 'e2' } }],
    },
    {
      name: 'a screening that recorded no indicators: any indicator after it',
      asOf: '2018-04-01',
      build: (s) => { screening(s, '2018-03-05'); missing(s, '2018-03-06'); },
      expect: [{ raisedOn: '2018-03-06', evidence: ['e2'], details: { indicators: ['missing'] } }],
    },
    {
      name: 'indicator codes as the ids of the screening\'s indicators',
      asOf: '2018-04-01',
      build: (s) => { screening(s, '2018-03-05', ['missing', { id: 'multiple_phones' }]); observed(s, '2018-03-06', 'multiple_phones'); missing(s, '2018-03-07'); observed(s, '2018-03-08', 'travel_out_of_area'); },
      expect: [{ raisedOn: '2018-03-08', evidence: ['e4'], details: { indicators: ['travel_out_of_area'] } }],
    },
    {
      name: 'a link to an adult of concern on an episode of a kind already screened',
      asOf: '2018-04-01',
      build: (s) => { missing(s, '2018-03-01'); screening(s, '2018-03-05', [ticked('going_missing', 'e1')]); missing(s, '2018-03-10', { links: [{ kind: 'person', ref: 'p1', role: 'adult_of_concern' }] }); },
      expect: [{ evidence: ['e3'], details: { indicators: ['adult_of_concern'] } }],
    },
    {
      name: 'on the 90th day after the screening (SCREENING_DUE is still silent)',
      asOf: '2018-06-30',
      build: (s) => { screening(s, '2018-03-05', []); observed(s, '2018-06-03', 'drug_debt'); },
      expect: [{ raisedOn: '2018-06-03' }],
    },
    {
      name: 'later triggers join the one open suggestion, new kinds listed once',
      asOf: '2018-05-01',
      build: (s) => {
        missing(s, '2018-03-01'); screening(s, '2018-03-05', [ticked('going_missing', 'e1')]);
        observed(s, '2018-03-10', 'drug_debt'); missing(s, '2018-03-12'); observed(s, '2018-03-15', 'multiple_phones'); observed(s, '2018-03-20', 'drug_debt');
      },
      expect: [{ raisedOn: '2018-03-10', evidence: ['e3', 'e5', 'e6'], details: { indicators: ['drug_debt', 'multiple_phones'] } }],
    },
    {
      name: 'another partnership\'s set: item ids do not count, the cited events still do',
      asOf: '2018-04-01',
      build: (s) => {
        missing(s, '2018-03-01');
        screening(s, '2018-03-05', [ticked('going_missing'), ticked('risk_item_1', 'e1')], { setVersion: 'county-tool/2' });
        missing(s, '2018-03-06'); observed(s, '2018-03-07', 'unexplained_money');
      },
      expect: [{ evidence: ['e4'], details: { indicators: ['unexplained_money'] } }],
    },
  ],
  'does not fire': [
    { name: 'no screening yet: SCREENING_DUE asks instead', asOf: '2018-04-01', build: (s) => { missing(s, '2018-03-01'); observed(s, '2018-03-02', 'drug_debt'); }, expect: [] },
    {
      name: 'the same kind as the screening\'s evidence',
      asOf: '2018-04-01',
      build: (s) => { missing(s, '2018-03-01'); screening(s, '2018-03-05', [ticked('going_missing', 'e1')]); missing(s, '2018-03-10'); missing(s, '2018-03-20'); },
      expect: [],
    },
    {
      name: 'a kind the practitioner ticked without linking an event (default set item)',
      asOf: '2018-04-01',
      build: (s) => { screening(s, '2018-03-05', [ticked('controlling_adult'), ticked('unexplained_money_goods')]); observed(s, '2018-03-06', 'older_associates'); observed(s, '2018-03-07', 'multiple_phones'); },
      expect: [],
    },
    {
      name: 'a kind the practitioner looked at and set aside',
      asOf: '2018-04-01',
      build: (s) => { observed(s, '2018-03-01', 'change_in_behaviour'); screening(s, '2018-03-05', [], { setAside: [{ id: 'change_in_presentation', evidence: ['e1'] }] }); observed(s, '2018-03-06', 'change_in_behaviour'); },
      expect: [],
    },
    {
      name: 'an indicator recorded before the screening, even one it did not include',
      asOf: '2018-04-01',
      build: (s) => { observed(s, '2018-03-01', 'drug_debt'); screening(s, '2018-03-05', []); },
      expect: [],
    },
    {
      name: '91 days after the screening: SCREENING_DUE, not both',
      asOf: '2018-07-01',
      build: (s) => { screening(s, '2018-03-05', []); observed(s, '2018-06-04', 'drug_debt'); },
      expect: [],
    },
    {
      name: 'an event that is not an exploitation indicator',
      asOf: '2018-04-01',
      build: (s) => { screening(s, '2018-03-05', []); s.add('2018-03-06', 'police.incident', { role: 'suspect', category: 'violence' }, { agency: 'police' }); s.add('2018-03-07', 'police.arrested', {}, { agency: 'police' }); },
      expect: [],
    },
  ],
  resolves: [
    {
      name: 'by the next completed screening',
      asOf: '2018-04-01',
      build: (s) => { screening(s, '2018-03-05', []); observed(s, '2018-03-06', 'drug_debt'); screening(s, '2018-03-20', [ticked('drug_debt', 'e2')]); observed(s, '2018-03-25', 'drug_debt'); },
      expect: [{ raisedOn: '2018-03-06', status: 'resolved', resolvedBy: 'e3', resolvedOn: '2018-03-20' }],
    },
    {
      name: 'a new kind after the next screening is a new suggestion',
      asOf: '2018-05-01',
      build: (s) => { screening(s, '2018-03-05', []); observed(s, '2018-03-06', 'drug_debt'); screening(s, '2018-03-20', [ticked('drug_debt', 'e2')]); missing(s, '2018-04-02'); },
      expect: [{ resolvedBy: 'e3' }, { raisedOn: '2018-04-02', status: 'open', evidence: ['e4'] }],
    },
    {
      name: 'closed when SCREENING_DUE takes over, by the indicator that raises it',
      asOf: '2018-07-01',
      build: (s) => { screening(s, '2018-03-05', []); observed(s, '2018-03-06', 'drug_debt'); missing(s, '2018-06-10'); },
      expect: [{ raisedOn: '2018-03-06', status: 'resolved', resolvedBy: 'e3', resolvedOn: '2018-06-10' }],
    },
  ],
};

for (const [group, list] of Object.entries(cases)) {
  for (const c of list) {
    test(`RESCREEN_SUGGESTED ${group}: ${c.name}`, () => {
      const s = new Story(c.child);
      c.build(s);
      expectAlerts(s.alerts(c.asOf, c.config), 'RESCREEN_SUGGESTED', c.expect, c.name);
    });
  }
}

test('RESCREEN_SUGGESTED and SCREENING_DUE: exactly one asks, whichever applies', () => {
  const s = new Story();
  screening(s, '2018-03-05', []);
  observed(s, '2018-03-06', 'drug_debt');
  missing(s, '2018-06-10');
  const alerts = s.alerts('2018-07-01');
  const open = alerts.filter((a) => a.status === 'open' && (a.rule === 'SCREENING_DUE' || a.rule === 'RESCREEN_SUGGESTED'));
  assert.deepEqual(open.map((a) => [a.rule, a.evidence]), [['SCREENING_DUE', ['e3']]]);
});

test('RESCREEN_SUGGESTED: evidence is capped like the other rules\'', () => {
  const s = new Story();
  screening(s, '2018-01-01', []);
  for (let day = 2; day < 30; day++) observed(s, `2018-01-${String(day).padStart(2, '0')}`, 'drug_debt');
  const [alert] = s.alerts('2018-02-01').filter((a) => a.rule === 'RESCREEN_SUGGESTED');
  assert.equal(alert.evidence.length, 20);
  assert.equal(alert.evidence[0], 'e2');
});

test('RESCREEN_SUGGESTED: a plain message in the language guide, naming the child, the indicator and the screening', () => {
  const s = new Story();
  missing(s, '2018-03-01');
  screening(s, '2018-03-05', [ticked('going_missing', 'e1')]);
  observed(s, '2018-03-20', 'older_associates');
  screening(s, '2018-04-01');
  missing(s, '2018-04-02');
  const [first, second] = s.alerts('2018-05-01').filter((a) => a.rule === 'RESCREEN_SUGGESTED');
  assert.equal(first.message, 'Sam was seen with older people who may be exploiting them on 20 March 2018. Sam\'s exploitation screening on 5 March 2018 did not include this. Consider screening again with the network, and talk to Sam and the family about what has changed.');
  assert.match(second.message, /^Sam was reported missing on 2 April 2018\. Sam's exploitation screening on 1 April 2018 did not record which indicators it took into account\./);
  for (const text of [first.message, second.message, RESCREEN_SUGGESTED.finding, RESCREEN_SUGGESTED.description, ...RESCREEN_SUGGESTED.actions]) {
    assert.deepEqual(checkLanguage(text), [], text);
  }
});

test('RESCREEN_SUGGESTED: a restricted entry does not show its details', () => {
  const s = new Story();
  screening(s, '2018-03-05', []);
  s.add('2018-03-06', 'indicator.observed', { indicator: 'drug_debt' }, { agency: 'police', sensitivity: 'restricted' });
  const [alert] = s.alerts('2018-04-01').filter((a) => a.rule === 'RESCREEN_SUGGESTED');
  assert.match(alert.message, /^a restricted entry by Police records an exploitation indicator for Sam on 6 March 2018\./);
  assert.doesNotMatch(alert.message, /debt/);
});

test('RESCREEN_SUGGESTED is in the catalogue: exploitation, info, social care, after the contract\'s exploitation rules', () => {
  const codes = RULE_CATALOGUE.map((r) => r.code);
  const entry = RULE_CATALOGUE.find((r) => r.code === 'RESCREEN_SUGGESTED')!;
  assert.deepEqual([entry.family, entry.severity, entry.owner], ['exploitation', 'info', 'social_care']);
  assert.equal(codes.indexOf('RESCREEN_SUGGESTED'), codes.indexOf('RECORDS_NOT_RECEIVED') + 1);
});

// Generated chronologies of one child: indicators of a few kinds, and screenings that cite some
// earlier events (or record no indicators at all).
const KINDS = ['missing', 'drug_debt', 'multiple_phones', 'older_associates'] as const;
const step = fc.record({
  gapDays: fc.integer({ min: 0, max: 70 }),
  kind: fc.constantFrom(...KINDS, 'screening', 'screening_bare'),
  cite: fc.array(fc.nat(40), { maxLength: 3 }),
});

function chronologyOf(steps: Array<{ gapDays: number; kind: string; cite: number[] }>): EngineEvent[] {
  let at = Date.UTC(2018, 0, 1, 9);
  return steps.map(({ gapDays, kind, cite }, i): EngineEvent => {
    at += gapDays * 86_400_000 + 60_000;
    const base = { at: formatInstant(at), agency: 'social_care' as const, child: 'sam', ref: `e${i}`, index: i };
    if (kind === 'screening_bare') return { ...base, type: 'screening.completed', details: { level: 'low' } };
    if (kind === 'screening') {
      const evidence = cite.filter((n) => n < i).map((n) => `e${n}`);
      return { ...base, type: 'screening.completed', details: { level: 'low', setVersion: 'reachable-screening/1', indicators: [{ id: 'cited', evidence }] } };
    }
    if (kind === 'missing') return { ...base, type: 'missing.started', details: { episode: `m${i}` } };
    return { ...base, type: 'indicator.observed', details: { indicator: kind } };
  });
}

test('property: never a SCREENING_DUE and a RESCREEN_SUGGESTED open together; at most one suggestion open', () => {
  fc.assert(fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 0, max: 3000 }), (steps, asOfDays) => {
    const events = chronologyOf(steps);
    const asOf = formatInstant(Date.UTC(2018, 0, 1) + asOfDays * 86_400_000);
    const alerts = evaluate({ children: [{ ref: 'sam', name: 'Sam' }], events, asOf });
    // Open at each instant an alert was raised: replaying to that instant must not show both open.
    for (const at of new Set(alerts.map((a) => a.raisedAt))) {
      const then = evaluate({ children: [{ ref: 'sam', name: 'Sam' }], events, asOf: at });
      const open = then.filter((a) => a.status === 'open');
      const due = open.filter((a) => a.rule === 'SCREENING_DUE').length;
      const rescreen = open.filter((a) => a.rule === 'RESCREEN_SUGGESTED').length;
      assert.ok(rescreen <= 1, `one suggestion at ${at}`);
      assert.ok(!(due && rescreen), `not both at ${at}`);
    }
  }), { numRuns: 150 });
});
