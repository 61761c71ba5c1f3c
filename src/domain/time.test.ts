import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageOn, beforeEarliestYear, formatInstant, isValidAt, londonDate, londonWallClock, parseAt } from './time.ts';

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

test('a year before 1900 is refused, and no instant is stored 1900 years after its text', () => {
  // Date.UTC reads years 0–99 as 1900–1999: `0024-03-01` used to be stored as 1 March 1924
  for (const text of ['0024-03-01', '0001-01-01', '0099-12-31T10:00:00Z', '1899-12-31']) {
    assert.equal(isValidAt(text), false, text);
    assert.equal(beforeEarliestYear(text), true, text);
  }
  assert.equal(beforeEarliestYear('1900-01-01'), false);
  assert.equal(formatInstant(parseAt('1900-01-01')), '1900-01-01T09:00:00+00:00');
  // the wall clock of a year under 100 is that year, not 1900 more
  assert.equal(new Date(londonWallClock(24, 3, 1, 9)).getUTCFullYear(), 24);
});
