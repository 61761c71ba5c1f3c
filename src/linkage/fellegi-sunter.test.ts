import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../domain/seeded-random.ts';
import { candidatePairs } from './blocking.ts';
import { ABSENT, COMPARISONS, comparePair, encodeLevels } from './comparisons.ts';
import { countVectors, expectationMaximisation, expectedMatches, randomPairLevels } from './fellegi-sunter.ts';
import { preparePerson } from './person.ts';
import { syntheticPeople } from './synthetic-people.ts';
import { trainModel } from './training.ts';

const field = (name: string) => COMPARISONS.findIndex((c) => c.field === name);
const FIRST = field('first_name');
const DOB = field('dob');
const POSTCODE = field('postcode');

// A known model over three fields; pairs drawn from it, so EM has a right answer to find.
const TRUE_LAMBDA = 0.2;
const TRUE: Record<number, { m: number[]; u: number[] }> = {
  [FIRST]: { m: [0.8, 0.08, 0.04, 0.03, 0.02, 0.03], u: [0.02, 0.01, 0.05, 0.02, 0.001, 0.899] },
  [DOB]: { m: [0.85, 0.03, 0.08, 0.02, 0.02], u: [0.01, 0.001, 0.03, 0.1, 0.859] },
  [POSTCODE]: { m: [0.7, 0.05, 0.1, 0.15], u: [0.001, 0.01, 0.05, 0.939] },
};

function draw(random: () => number, probabilities: number[]): number {
  let r = random();
  for (let level = 0; level < probabilities.length; level++) if ((r -= probabilities[level]) < 0) return level;
  return probabilities.length - 1;
}

function drawnPairs(count: number, seed: string): { vectors: number[]; matches: number } {
  const random = seededRandom(seed);
  const vectors: number[] = [];
  let matches = 0;
  for (let i = 0; i < count; i++) {
    const match = random() < TRUE_LAMBDA;
    if (match) matches++;
    const levels = COMPARISONS.map((_, f) => (TRUE[f] ? draw(random, match ? TRUE[f].m : TRUE[f].u) : ABSENT));
    vectors.push(encodeLevels(levels));
  }
  return { vectors, matches };
}

test('EM recovers m and the share of matches from pairs drawn from a known model', () => {
  const { vectors } = drawnPairs(40_000, 'em');
  const active = COMPARISONS.map((_, f) => f in TRUE);
  const start = {
    m: COMPARISONS.map((c) => c.typical.m.slice()),
    u: COMPARISONS.map((c, f) => TRUE[f]?.u ?? c.typical.u.slice()),
    lambda: 0.5,
  };
  const result = expectationMaximisation(countVectors(vectors), start, active, active);
  assert.ok(result.converged, `converged in ${result.iterations} iterations`);
  assert.ok(Math.abs(result.lambda - TRUE_LAMBDA) < 0.02, `lambda ${result.lambda}`);
  for (const f of [FIRST, DOB, POSTCODE]) {
    result.m[f].forEach((m, level) => assert.ok(Math.abs(m - TRUE[f].m[level]) < 0.03, `${COMPARISONS[f].field} level ${level}: m ${m} vs ${TRUE[f].m[level]}`));
  }
  // Inactive fields are left as they started.
  assert.deepEqual(result.m[field('surname')], COMPARISONS[field('surname')].typical.m);
});

test('the expected number of matches is the fixed point of the posteriors', () => {
  const { vectors, matches } = drawnPairs(20_000, 'fixed point');
  const m = COMPARISONS.map((c, f) => TRUE[f]?.m ?? c.typical.m.slice());
  const u = COMPARISONS.map((c, f) => TRUE[f]?.u ?? c.typical.u.slice());
  // All pairs are the candidates here, so the prior is the expected share of matches itself.
  const expected = expectedMatches(countVectors(vectors), m, u, (e) => Math.min(0.999, e / vectors.length));
  assert.ok(Math.abs(expected - matches) / matches < 0.05, `expected ${expected}, drew ${matches}`);
});

test('trained on synthetic records, the model learns what agreement means and how many matches there are', () => {
  const records = syntheticPeople({ people: 400, seed: 'training' });
  const people = records.map((r, i) => preparePerson(r, i));
  const candidates = candidatePairs(people);
  const vectors = candidates.a.map((a, i) => comparePair(people[a], people[candidates.b[i]]));
  const allPairs = (people.length * (people.length - 1)) / 2;
  const trained = trainModel({ people, a: candidates.a, b: candidates.b, vectors, randomLevels: randomPairLevels(people, seededRandom('u')), allPairs });

  for (const session of trained.sessions) assert.ok(session.converged && session.pairs > 100, `${session.name}: ${JSON.stringify(session)}`);
  const { fields, lambda } = trained.parameters;
  for (const name of ['first_name', 'surname', 'dob', 'postcode']) {
    const { m, u } = fields[field(name)];
    assert.ok(m[0] > 0.6, `${name}: m(exact) ${m[0]}`);
    assert.ok(u[0] < 0.05, `${name}: u(exact) ${u[0]}`);
    assert.ok(m[m.length - 1] < 0.3 && u[u.length - 1] > 0.7, `${name}: disagreement m ${m[m.length - 1]}, u ${u[u.length - 1]}`);
  }
  let truePairs = 0;
  const sizes = new Map<string, number>();
  for (const r of records) sizes.set(r.cluster, (sizes.get(r.cluster) ?? 0) + 1);
  for (const n of sizes.values()) truePairs += (n * (n - 1)) / 2;
  assert.ok(Math.abs(trained.expectedMatches - truePairs) / truePairs < 0.2, `expected ${trained.expectedMatches} matches, there are ${truePairs}`);
  assert.ok(Math.abs(lambda - truePairs / allPairs) / (truePairs / allPairs) < 0.25, `prior ${lambda}`);
});

test('configured parameters are used as given', () => {
  const records = syntheticPeople({ people: 60, seed: 'configured' });
  const people = records.map((r, i) => preparePerson(r, i));
  const candidates = candidatePairs(people);
  const vectors = candidates.a.map((a, i) => comparePair(people[a], people[candidates.b[i]]));
  const first = { m: [0.9, 0.04, 0.02, 0.02, 0.01, 0.01], u: [0.05, 0.01, 0.04, 0.01, 0.001, 0.889] };
  const trained = trainModel(
    { people, a: candidates.a, b: candidates.b, vectors, randomLevels: randomPairLevels(people, seededRandom('u')), allPairs: 1000 },
    { lambda: 0.001, fields: { first_name: first } },
  );
  assert.equal(trained.parameters.lambda, 0.001);
  assert.deepEqual(trained.parameters.fields[FIRST], first);
});
