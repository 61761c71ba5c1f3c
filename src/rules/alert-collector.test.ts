import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { instantOrder } from './alert-collector.ts';

const stableOrder = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);

const instant = fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2025, 0, 1) }).map((ms) => ms - (ms % 1000));
const instants = fc.oneof(instant, fc.constantFrom(Date.UTC(2018, 2, 5, 9), Date.UTC(2018, 2, 5, 23, 59, 59)));

test('instantOrder: time order, equal instants in their given order (a few hundred: compared)', () => {
  fc.assert(fc.property(fc.array(instants, { maxLength: 300 }), (xs) => {
    assert.deepEqual(Array.from(instantOrder(xs)), stableOrder(xs));
  }));
});

test('instantOrder: time order, equal instants in their given order (many: the radix passes)', () => {
  fc.assert(fc.property(fc.array(instants, { minLength: 513, maxLength: 3_000 }), (xs) => {
    assert.deepEqual(Array.from(instantOrder(xs)), stableOrder(xs));
  }), { numRuns: 40 });
});

test('instantOrder: instants too far apart for the radix passes fall back to a comparison sort', () => {
  const xs = [Date.UTC(2300, 0, 1), Date.UTC(1900, 0, 1), Date.UTC(2018, 0, 1), Date.UTC(1900, 0, 1)];
  assert.deepEqual(Array.from(instantOrder(xs)), [1, 3, 2, 0]);
  assert.deepEqual(Array.from(instantOrder([])), []);
});
