import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { clusterLinks, DisjointSets } from './cluster.ts';
import { pairwiseAccuracy } from './evaluation.ts';

test('clusters: links at or above the threshold join records, through one another; every record is in one cluster', () => {
  const links = [
    { a: 0, b: 1, probability: 0.99 },
    { a: 1, b: 2, probability: 0.96 },
    { a: 3, b: 4, probability: 0.7 },
    { a: 5, b: 6, probability: 0.95 },
  ];
  const clusters = clusterLinks(8, links, 0.95);
  assert.deepEqual(clusters.map((c) => c.members), [[0, 1, 2], [3], [4], [5, 6], [7]]);
  assert.equal(clusters[0].weakest, 0.96);
  assert.deepEqual(clusters[0].links.map((l) => l.probability), [0.99, 0.96]);
  assert.deepEqual(clusters[1].links, []);
});

test('a conflict keeps two clusters apart however a third record links them', () => {
  // Record 1 ("Jack Norby", no date of birth) links to two brothers, 0 and 2.
  const links = [
    { a: 0, b: 1, probability: 0.99 },
    { a: 1, b: 2, probability: 0.97 },
  ];
  const conflict = (x: number, y: number) => (x === 0 && y === 2) || (x === 2 && y === 0);
  assert.deepEqual(clusterLinks(3, links, 0.95, { conflict }).map((c) => c.members), [[0, 1], [2]]);
  assert.deepEqual(clusterLinks(3, links, 0.95).map((c) => c.members), [[0, 1, 2]]);
});

test('union–find agrees with a naive connected-components search', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(19), fc.nat(19)), { maxLength: 40 }), (edges) => {
      const sets = new DisjointSets(20);
      for (const [x, y] of edges) sets.union(x, y);
      const reach = (from: number) => {
        const seen = new Set([from]);
        for (let grew = true; grew; ) {
          grew = false;
          for (const [x, y] of edges) {
            if (seen.has(x) !== seen.has(y)) {
              seen.add(x).add(y);
              grew = true;
            }
          }
        }
        return seen;
      };
      for (let x = 0; x < 20; x++) for (let y = 0; y < 20; y++) assert.equal(sets.find(x) === sets.find(y), reach(x).has(y));
    }),
  );
});

test('pairwise precision, recall and F1 of clusters against the truth', () => {
  const truth = new Map([['a', 'p'], ['b', 'p'], ['c', 'p'], ['d', 'q'], ['e', 'q']]);
  // Predicted: {a, b} {c, d, e} — true pairs ab, ac, bc, de; predicted ab, cd, ce, de.
  const accuracy = pairwiseAccuracy([['a', 'b'], ['c', 'd', 'e']], truth);
  assert.deepEqual([accuracy.truePositives, accuracy.predictedPairs, accuracy.truePairs], [2, 4, 4]);
  assert.equal(accuracy.precision, 0.5);
  assert.equal(accuracy.recall, 0.5);
  assert.equal(accuracy.f1, 0.5);
  assert.equal(pairwiseAccuracy([['a', 'b', 'c'], ['d', 'e']], truth).f1, 1);
  assert.deepEqual(pairwiseAccuracy([['a'], ['b']], new Map([['a', 'p'], ['b', 'q']])), { precision: 1, recall: 1, f1: 1, truePositives: 0, predictedPairs: 0, truePairs: 0 });
});
