// The children-missing-education register's view of one child, as tables of chronologies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCalendar } from '../../rules/calendar/partnership-calendar.ts';
import { parseAt } from '../time.ts';
import { cmePeriod, type CmeEvent } from './cme.ts';

let n = 0;
const ev = (type: string, at: string, details: Record<string, unknown> = {}): CmeEvent => ({ id: `e${++n}`, type, atMs: parseAt(at), details });
const asOf = (date: string) => parseAt(`${date}T18:00:00+00:00`);
const calendar = defaultCalendar();

const left = ev('education.left_roll', '2024-09-23', { school: 'Northgate Academy', reason: 'permanent exclusion' });

// name, events, as of, expected (null: on a full-time roll / never missing)
const PERIODS: [string, CmeEvent[], string, null | Partial<{ startedBy: string; schoolDays: number; partTime: string | null; fromSchool: string | null }>][] = [
  ['no education events at all', [], '2024-10-07', null],
  ['on a full-time roll', [ev('education.on_roll', '2024-01-08', { school: 'Northgate Academy', fullTime: true })], '2024-10-07', null],
  ['left the roll: two school weeks later, 10 school days', [left], '2024-10-07', { startedBy: 'left_roll', schoolDays: 10, fromSchool: 'Northgate Academy' }],
  ['the day the child left counts no school day', [left], '2024-09-23', { schoolDays: 0 }],
  ['half term is not counted (28 Oct–1 Nov 2024)', [left], '2024-11-04', { schoolDays: 25 }],
  ['a part-time place does not end the period', [left, ev('education.on_roll', '2024-10-02', { school: 'Riverside PRU', fullTime: false })], '2024-10-07', { startedBy: 'left_roll', schoolDays: 10, partTime: 'Riverside PRU' }],
  ['a full-time place ends it', [left, ev('education.on_roll', '2024-10-02', { school: 'Hillcrest', fullTime: true })], '2024-10-07', null],
  ['a later removal starts a new period', [left, ev('education.on_roll', '2024-10-02', { school: 'Hillcrest', fullTime: true }), ev('education.left_roll', '2024-10-03')], '2024-10-07', { schoolDays: 2, fromSchool: null }],
  ['arrival in the area with no school', [ev('household.moved', '2024-09-23', { intoArea: true, fromArea: 'Northumbria' })], '2024-10-07', { startedBy: 'arrival', schoolDays: 10 }],
  ['arrival while on a full-time roll is not missing education', [ev('education.on_roll', '2024-01-08', { school: 'A', fullTime: true }), ev('household.moved', '2024-09-23', { intoArea: true })], '2024-10-07', null],
  ['a move within the area is not an arrival', [ev('household.moved', '2024-09-23', { intoArea: false })], '2024-10-07', null],
  ['a part-time place only is on the register', [ev('education.on_roll', '2024-09-23', { school: 'Riverside PRU', fullTime: false })], '2024-10-07', { startedBy: 'part_time', partTime: 'Riverside PRU' }],
  ['events after the date asked about are not read', [left, ev('education.on_roll', '2024-10-02', { school: 'Hillcrest', fullTime: true })], '2024-09-30', { schoolDays: 5 }],
];

for (const [name, events, date, expected] of PERIODS) {
  test(`CME period: ${name}`, () => {
    const period = cmePeriod(events, asOf(date), calendar);
    if (expected === null) return assert.equal(period, null);
    assert.ok(period);
    if ('startedBy' in expected) assert.equal(period.startedBy, expected.startedBy);
    if ('schoolDays' in expected) assert.equal(period.schoolDays, expected.schoolDays);
    if ('fromSchool' in expected) assert.equal(period.fromSchool, expected.fromSchool);
    if ('partTime' in expected) assert.equal(period.partTime?.school ?? null, expected.partTime);
  });
}

test('refusals while missing education are listed with the date; those before the period are not', () => {
  const events = [
    ev('education.place_refused', '2024-09-01', { school: 'Before School' }),
    left,
    ev('education.place_refused', '2024-09-30', { school: 'Academy A', academy: true }),
    ev('education.place_refused', '2024-10-01', { school: 'School B' }),
  ];
  const period = cmePeriod(events, asOf('2024-10-07'), calendar)!;
  assert.deepEqual(period.refusals.map((r) => [r.school, r.academy]), [['Academy A', true], ['School B', false]]);
  assert.equal(period.directionNeeded, true, 'a refusal calls for a direction to admit');
});

// requested on, as of, outcome → overdue
const CLOCKS: [string, boolean, string, string, string | null, { by: string; respondBy: string; overdue: boolean }][] = [
  ['academy, day 7', true, '2024-10-01', '2024-10-08', null, { by: 'secretary_of_state', respondBy: '2024-10-08', overdue: false }],
  ['academy, day 8 with no answer', true, '2024-10-01', '2024-10-09', null, { by: 'secretary_of_state', respondBy: '2024-10-08', overdue: true }],
  ['academy answered: clock stops', true, '2024-10-01', '2024-10-20', 'directed', { by: 'secretary_of_state', respondBy: '2024-10-08', overdue: false }],
  ['maintained school: the LA directs after 7 days of consultation', false, '2024-10-01', '2024-10-09', null, { by: 'local_authority', respondBy: '2024-10-08', overdue: true }],
];
for (const [name, academy, requested, date, outcome, expected] of CLOCKS) {
  test(`direction to admit: ${name}`, () => {
    const events = [left, ev('education.direction_requested', requested, { school: 'Academy A', academy, reference: 'DfE-1' })];
    if (outcome) events.push(ev('education.direction_outcome', '2024-10-05', { school: 'academy a ', outcome }));
    const period = cmePeriod(events, asOf(date), calendar)!;
    const [direction] = period.directions;
    assert.equal(direction.by, expected.by);
    assert.equal(new Date(direction.respondByMs!).toISOString().slice(0, 10), expected.respondBy);
    assert.equal(direction.overdue, expected.overdue);
    assert.equal(direction.outcome?.outcome ?? null, outcome);
    assert.equal(period.directionNeeded, false);
  });
}

test('an outcome with no recorded request still shows, as that school’s direction', () => {
  const events = [left, ev('education.place_refused', '2024-09-30', { school: 'Academy A', academy: true }), ev('education.direction_outcome', '2024-10-04', { school: 'Academy A', outcome: 'admitted' })];
  const [direction] = cmePeriod(events, asOf('2024-10-07'), calendar)!.directions;
  assert.deepEqual([direction.by, direction.requestedMs, direction.outcome?.outcome], ['secretary_of_state', null, 'admitted']);
});

test('the school-day thresholds of the CME rules are marked as reached', () => {
  const period = cmePeriod([left], asOf('2024-11-12'), calendar)!;
  assert.equal(period.schoolDays, 31);
  assert.deepEqual(period.thresholds.map((t) => [t.rule, t.reached]), [['CME_10', true], ['CME_20', true], ['CME_DIRECTION', true], ['CME_TERM', false]]);
  assert.equal(period.directionNeeded, true);
});
