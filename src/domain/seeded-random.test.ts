import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32, seededRandom, seedOf } from './seeded-random.ts';

test('seedOf is FNV-1a over the text (published values); a number reads as its text', () => {
  assert.equal(seedOf(''), 0x811c9dc5);
  assert.equal(seedOf('a'), 0xe40c292c);
  assert.equal(seedOf(42), seedOf('42'));
});

test('mulberry32: the sequence the benchmark county has always been built from (seed 2019)', () => {
  const random = mulberry32(2019);
  assert.deepEqual([random(), random(), random()], [0.6001335161272436, 0.9718216306064278, 0.8974795422982424]);
});

test('seededRandom: the same seed gives the same sequence, in [0, 1)', () => {
  const a = seededRandom('demo-7');
  const b = seededRandom('demo-7');
  assert.deepEqual([a(), a()], [0.5765695828013122, 0.18455991568043828]);
  assert.deepEqual([b(), b()], [0.5765695828013122, 0.18455991568043828]);
  const c = seededRandom(1);
  for (let i = 0; i < 10_000; i++) {
    const x = c();
    assert.ok(x >= 0 && x < 1);
  }
  assert.notEqual(seededRandom('demo-8')(), seededRandom('demo-7')());
});
