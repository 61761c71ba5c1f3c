import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageOn, formatInstant, isValidAt, londonDate, parseAt } from './time.ts';

test('a bare date is 09:00 London time that day, in winter and in summer', () => {
  assert.equal(formatInstant(parseAt('2018-03-02')), '2018-03-02T09:00:00+00:00');
  assert.equal(formatInstant(parseAt('2018-07-02')), '2018-07-02T09:00:00+01:00');
});

test('date-times keep their instant and print with the London offset', () => {
  assert.equal(formatInstant(parseAt('2018-07-02T08:00:00Z')), '2018-07-02T09:00:00+01:00');
  assert.equal(formatInstant(parseAt('2018-03-25T01:30:00Z')), '2018-03-25T02:30:00+01:00');
  assert.equal(parseAt('2018-10-28T01:30:00+01:00'), Date.UTC(2018, 9, 28, 0, 30));
});

test('impossible or loose input is rejected', () => {
  for (const text of ['2018-02-30', '2018-13-01', '02/03/2018', 'yesterday', '2018-03-02T25:00:00Z', '2018-03-02T10:00:00', '']) {
    assert.equal(isValidAt(text), false, text);
  }
});

test('London date and age', () => {
  assert.equal(londonDate(Date.UTC(2018, 6, 1, 23, 30)), '2018-07-02');
  assert.equal(ageOn('2002-11-15', parseAt('2019-04-20')), 16);
  assert.equal(ageOn('2002-11-15', parseAt('2018-11-15')), 16);
  assert.equal(ageOn('2002-11-15', parseAt('2018-11-14')), 15);
});
