// The engine's arithmetic London clock must agree exactly with the domain's Intl-based one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatInstant, londonOffsetMinutes, parseAt } from '../../domain/time.ts';
import { civilFromDays, daysFromCivil, formatLondon, londonOffsetMs, parseInstant } from './london-clock.ts';

const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 11, 31) });

test('offsets, formatting and parsing agree with domain/time.ts', () => {
  fc.assert(fc.property(instant, (ms) => {
    assert.equal(londonOffsetMs(ms), londonOffsetMinutes(ms) * 60_000);
    const text = formatInstant(ms);
    assert.equal(formatLondon(ms), text);
    assert.equal(parseInstant(text), parseAt(text));
    const iso = new Date(ms).toISOString();
    assert.equal(parseInstant(iso), parseAt(iso));
    const utc = iso.replace(/\.\d{3}Z$/, 'Z');
    assert.equal(parseInstant(utc), parseAt(utc));
    const date = text.slice(0, 10);
    assert.equal(parseInstant(date), parseAt(date));
  }), { numRuns: 3000 });
});

test('around the clock changes', () => {
  for (const text of ['2018-03-25T00:59:59Z', '2018-03-25T01:00:00Z', '2018-10-28T00:59:59Z', '2018-10-28T01:00:00Z', '2018-03-25', '2018-10-28']) {
    const ms = parseAt(text);
    assert.equal(parseInstant(text), ms, text);
    assert.equal(formatLondon(ms), formatInstant(ms), text);
  }
});

test('unusual and invalid forms give what parseAt gives', () => {
  for (const text of ['2018-02-29', '2016-02-29', '2018-13-01', '2018-03-02T24:00:00Z', '2018-03-02T09:00Z', '2018-03-02T09:00:00.250+01:00', '2018-03-02T09:00:00.25Z', '2018-03-02T09:00:00.2500Z',
    '2018-03-02T09:00:00+0100', '2018-03-02T09:00:00+24:00', '2018-03-02T09:00:00+05:60', '2018-03-02T09:00:00-99:00', '2018-03-02T09:00:00+23:59', '0050-01-01', '2150-06-01', '2018-3-2', 'yesterday', '', '2018-03-02T09:00:00']) {
    const expected = parseAt(text);
    const actual = parseInstant(text);
    assert.ok(Object.is(actual, expected) || actual === expected, `${text}: ${actual} vs ${expected}`);
  }
});

test('civil dates and day numbers', () => {
  fc.assert(fc.property(fc.integer({ min: -100_000, max: 100_000 }), (dn) => {
    const [y, m, d] = civilFromDays(dn);
    assert.equal(daysFromCivil(y, m, d), dn);
    const date = new Date(dn * 86_400_000);
    assert.deepEqual([y, m, d], [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]);
  }));
});
