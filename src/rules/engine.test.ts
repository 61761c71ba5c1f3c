import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Alert } from '../domain/alert.ts';
import { parseScenario } from '../domain/scenario.ts';
import { parseAt } from '../domain/time.ts';
import { dayNumberOfIsoDate, endOfLondonDay, isoDateOfDayNumber } from './calendar/days.ts';
import { RULES, RULE_CATALOGUE } from './catalogue.ts';
import { evaluate, evaluateChild, evaluateContext, parseAsOf } from './engine.ts';
import { Story } from './test-story.ts';

const jacobFile = parseScenario(JSON.parse(readFileSync(new URL('../demo/scenarios/jacob.json', import.meta.url), 'utf8')));
assert.ok(jacobFile.ok);
const jacob = jacobFile.value;

/** What an alert looked like at `cutMs`, judged from a later evaluation. */
function asAt(a: Alert, cutMs: number) {
  const resolved = a.resolvedAt !== null && Date.parse(a.resolvedAt) <= cutMs;
  return { id: a.id, rule: a.rule, raisedAt: a.raisedAt, dueBy: a.dueBy, status: resolved ? 'resolved' : 'open', resolvedAt: resolved ? a.resolvedAt : null, resolvedBy: resolved ? a.resolvedBy : null };
}
const shape = (a: Alert) => asAt(a, Infinity);

test('time passing day by day gives the same alerts as one replay to the end', () => {
  const end = '2019-04-30';
  const final = evaluate({ children: jacob.children, events: jacob.events, asOf: end });
  for (let d = dayNumberOfIsoDate('2017-07-09'); d <= dayNumberOfIsoDate(end); d++) {
    const cut = endOfLondonDay(d);
    const daily = evaluate({ children: jacob.children, events: jacob.events, asOf: isoDateOfDayNumber(d) });
    const expected = final.filter((a) => Date.parse(a.raisedAt) <= cut).map((a) => asAt(a, cut));
    assert.deepEqual(daily.map(shape), expected, `as of ${isoDateOfDayNumber(d)}`);
  }
});

test('events after asOf are ignored and nothing is raised after it', () => {
  const s = new Story();
  s.add('2018-03-05', 'missing.returned', { episode: 'm1' }, { agency: 'police' });
  s.add('2018-03-06', 'contact.direct_work');
  const alerts = s.alerts('2018-03-05T12:00:00+00:00');
  assert.deepEqual(alerts.map((a) => [a.rule, a.status]), [['RM_RETURN', 'open']]);
});

test('asOf: a bare date is the end of that London day; numbers and date-times are exact', () => {
  assert.equal(parseAsOf('2018-07-01'), Date.parse('2018-07-01T23:59:59+01:00'));
  assert.equal(parseAsOf('2018-07-01T10:00:00+01:00'), parseAt('2018-07-01T10:00:00+01:00'));
  assert.equal(parseAsOf(1234), 1234);
});

test('alert ids are natural keys, identical on every run', () => {
  const alerts = evaluate({ children: jacob.children, events: jacob.events, asOf: '2019-04-30' });
  const ids = alerts.map((a) => a.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.includes('RHI_OVERDUE:jacob:m3'));
  assert.ok(ids.includes('RM_ARREST:jacob:j-021'));
  assert.ok(ids.includes('CME_DIRECTION:jacob:j-002'));
  assert.ok(ids.some((id) => id.startsWith('AGENCY_GAP:jacob:education:')));
  assert.deepEqual(evaluate({ children: jacob.children, events: jacob.events, asOf: '2019-04-30' }), alerts);
});

test('alerts raised at the same instant are ordered by child, then the catalogue, then id', () => {
  const s = new Story({ ref: 'b', name: 'Bea' }, { ref: 'a', name: 'Abi' });
  s.add('2018-03-05', 'police.found_in_possession', { items: ['drugs'] }, { child: 'b', agency: 'police' });
  s.add('2018-03-05', 'police.arrested', {}, { child: 'b', agency: 'police' });
  s.add('2018-03-05', 'police.arrested', {}, { child: 'a', agency: 'police' });
  const alerts = s.alerts('2018-03-05');
  assert.deepEqual(alerts.map((a) => `${a.child}:${a.rule}`).slice(0, 5), ['a:RM_ARREST', 'b:RM_ARREST', 'b:RM_FOUND_ITEMS', 'b:SCREENING_DUE', 'b:NRM_PROMPT']);
  // The NRM prompt makes Bea a child of exploitation concern, with no agency yet in her network.
  assert.deepEqual(alerts.slice(5).map((a) => a.details.agency), ['education', 'health', 'police', 'social_care', 'youth_justice']);
});

test('the server\'s two entry points, per child and context, add up to evaluate', () => {
  const s = new Story({ ref: 'sam', name: 'Sam' }, { ref: 'ali', name: 'Ali' });
  const phone = [{ kind: 'phone' as const, ref: '07700900123' }];
  s.add('2018-01-05', 'screening.completed', { level: 'significant' }, { child: 'ali' });
  s.add('2018-01-10', 'police.intelligence', {}, { child: 'sam', agency: 'police', links: phone });
  s.add('2018-02-01', 'missing.started', { episode: 'm1' }, { child: 'ali', agency: 'police', links: phone });
  s.add('2018-02-02', 'missing.returned', { episode: 'm1' }, { child: 'ali', agency: 'police' });
  const asOf = '2018-04-01';
  const all = s.alerts(asOf);
  const perChild = s.children.map((child) => evaluateChild({ child, events: s.events, asOf }));
  assert.equal(perChild[1].concern?.ref, 'e1');
  assert.equal(perChild[0].concern, null);
  const context = evaluateContext({ children: s.children.map((c, i) => ({ ...c, concernSince: perChild[i].concern?.since ?? null })), events: s.events, asOf });
  assert.deepEqual(context.map((a) => a.rule), ['NETWORK_LINK']);
  const combined = [...perChild.flatMap((p) => p.alerts), ...context].map((a) => a.id).sort();
  assert.deepEqual(combined, all.map((a) => a.id).sort());
  assert.deepEqual(perChild[0].alerts, all.filter((a) => a.child === 'sam' && a.rule !== 'NETWORK_LINK'));
});

test('a child missing from the list is named by its ref', () => {
  const alerts = evaluate({
    children: [],
    events: [{ type: 'police.arrested', at: '2018-03-05', agency: 'police', child: 'x1', ref: 'r1', details: {} }],
    asOf: '2018-03-07',
  });
  assert.match(alerts[0].message, /^x1 was arrested/);
  assert.equal(alerts[0].id, 'RM_ARREST:x1:r1');
});

test('the catalogue lists every rule of contract 2 once (and the plan-action, re-screening, referral-decision and escalation-response extensions), each with a finding', () => {
  const codes = [
    'RM_EXCLUSION', 'RM_ARREST', 'RM_INJURY', 'RM_FOUND_ITEMS', 'RM_RETURN', 'RM_DISCLOSURE', 'RM_THREAT', 'RHI_OVERDUE',
    'MISSING_REPEAT', 'CME_10', 'CME_20', 'CME_DIRECTION', 'CME_TERM', 'SCREENING_DUE', 'NRM_PROMPT', 'VICTIM_LENS',
    'RISK_NOT_REDUCING', 'PANEL_DRIFT', 'PLAN_REVIEW_OVERDUE', 'UNREGULATED_PLACEMENT', 'PARENT_UNANSWERED',
    'RECORDS_NOT_RECEIVED', 'RESCREEN_SUGGESTED', 'PLAN_ACTION_OVERDUE', 'AGENCY_GAP', 'NETWORK_LINK', 'ADULT_OF_CONCERN', 'HOTSPOT', 'ESCALATION_OVERDUE',
    'ESCALATION_RESPONSE_DUE', 'REFERRAL_DECISION_DUE',
  ];
  assert.deepEqual(RULES.map((r) => r.code).sort(), codes.sort());
  for (const entry of RULE_CATALOGUE) {
    assert.ok(entry.finding.length > 20 && entry.description.length > 20 && entry.actions.length > 0, entry.code);
  }
});
