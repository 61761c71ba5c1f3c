// The web form's date. A bare date is 09:00 London (contract 1), so an entry dated today and sent
// before 09:00 was in the future to the rules, which count an entry once its time comes: a child's
// disclosure recorded at 03:30 raised nothing until the 09:00 sweep (testers found "No open alerts"
// on a new child after a disclosure, a threat to life and a referral). The form asks for the time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateChild } from '../rules/engine.ts';
import { parseAt } from '../domain/time.ts';
import { atFromForm } from './event-form.ts';

const today = { 'at-day': '25', 'at-month': '11', 'at-year': '2026' };
const night = Date.parse('2026-11-25T03:30:00Z');

test('an entry dated today and sent before 09:00 asks for the time it happened, rather than being in the future', () => {
  const { at, problems } = atFromForm(today, night);
  assert.equal(at, undefined);
  assert.deepEqual(problems.map((p) => p.path), ['atTime']);
  assert.match(problems[0].message, /^Enter the time it happened/);
  // with the time: an instant that has passed, which the rules count at once
  const timed = atFromForm({ ...today, atTime: '03:15' }, night);
  assert.deepEqual(timed.problems, []);
  assert.ok(parseAt(timed.at!) <= night);
  const { alerts } = evaluateChild({
    child: { ref: 't', name: 'Tyler Quinn', dateOfBirth: '2012-04-03' },
    events: [{ type: 'child.disclosure', at: timed.at!, agency: 'voluntary_sector', child: 't', ref: 'e1', details: { concern: 'Made to carry drugs' } }],
    asOf: night,
  });
  assert.ok(alerts.some((a) => a.rule === 'RM_DISCLOSURE'), 'the disclosure raises its alert when recorded');
});

test('a form with no time field (the involvement form) keeps the date alone at any hour', () => {
  assert.deepEqual(atFromForm(today, night, { hasTime: false }), { at: '2026-11-25', problems: [] });
});

test('after 09:00, or on an earlier day, a date alone is kept as the date (09:00 by contract 1)', () => {
  assert.equal(atFromForm(today, Date.parse('2026-11-25T14:00:00Z')).at, '2026-11-25');
  assert.equal(atFromForm({ 'at-day': '24', 'at-month': '11', 'at-year': '2026' }, night).at, '2026-11-24');
});

// GOV.UK asks for every problem at once: a date that is not real hid a time that is not real until
// the date was mended (a tester: 12/13/2026 at 25:61 showed the date's problem alone).
test("a bad time is shown with the date's problem, not one send later", () => {
  const notReal = 'Time must be a real time in 24-hour format, like 14:30';
  const bad = atFromForm({ 'at-day': '12', 'at-month': '13', 'at-year': '2026', atTime: '25:61' }, night);
  assert.equal(bad.at, undefined);
  assert.deepEqual(bad.problems, [
    { path: 'at', message: 'The date it happened must be a real date' },
    { path: 'atTime', message: notReal },
  ]);
  assert.deepEqual(atFromForm({ atTime: '7pm' }, night).problems.map((p) => p.path), ['at', 'atTime']);
  assert.deepEqual(atFromForm({ 'at-day': '1', 'at-month': '1', 'at-year': '2099', atTime: '12:60' }, night).problems.map((p) => p.path), ['at', 'atTime']);
  // a real time, or none, with a bad date: the date's problem alone (whether the time is still to come needs the date)
  assert.deepEqual(atFromForm({ 'at-day': '12', 'at-month': '13', 'at-year': '2026', atTime: '23:59' }, night).problems.map((p) => p.path), ['at']);
  assert.deepEqual(atFromForm({ 'at-day': '12', 'at-month': '13', 'at-year': '2026' }, night).problems.map((p) => p.path), ['at']);
});
