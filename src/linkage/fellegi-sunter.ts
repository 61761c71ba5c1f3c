// Fellegi–Sunter (1969): each field's level of agreement is evidence, weighed as the log of how much
// likelier that level is between two records of one person (m) than between records of two people
// (u); the weights add up because the fields are treated as independent given the truth.
//
// Where each number comes from (the approach of the ONS and of MoJ's Splink; training.ts runs it):
// - u, from random pairs: two records picked at random are almost always two different people, so
//   how often they agree is u for the whole population, where independence is a fair assumption;
// - m, by expectation–maximisation over candidate pairs (Winkler 1988), u held fixed: no one
//   labels pairs;
// - the prior, from the expected number of matches among the candidates over all possible pairs.
// Each starts from (and, in a tiny file, leans on) the typical values in comparisons.ts; any of
// them can be configured instead.
import { ABSENT, COMPARISONS, decodeLevels, type Comparison } from './comparisons.ts';
import type { PersonField, PreparedPerson } from './person.ts';

export interface FieldParameters {
  /** P(level | same person), one per level */
  m: number[];
  /** P(level | different people), one per level */
  u: number[];
}

export interface ModelParameters {
  /** the prior probability that a pair is the same person */
  lambda: number;
  /** in the order of COMPARISONS */
  fields: FieldParameters[];
}

/** Configured values; whatever is given is used as it is and not estimated. */
export interface ParameterOverrides {
  /** the prior that two records picked at random are the same person */
  lambda?: number;
  fields?: Partial<Record<PersonField, Partial<FieldParameters>>>;
}

export interface EmOptions {
  maxIterations?: number;
  /** stop when no probability moves by more than this */
  tolerance?: number;
}

// How many pairs' worth of weight the typical m and u carry against the data (Bayesian pseudo-
// counts): enough to steady a tiny file, too few to matter in a file of any size. u needs many:
// one coincidence among a handful of pairs must not make a shared date of birth look common.
const TYPICAL_M_PAIRS = 5;
const TYPICAL_U_PAIRS = 10_000;

/** Counts plus the typical probabilities as pseudo-counts, normalised: never a probability of 0. */
function withTypical(counts: ArrayLike<number>, typical: readonly number[], pairs: number): number[] {
  let total = pairs;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  return Array.from(counts, (c, i) => (c + pairs * Math.max(typical[i], 1e-9)) / total);
}

/** How often random pairs agree at each level, per comparison. In linking, the pairs cross the sets. */
export function randomPairLevels(people: readonly PreparedPerson[], random: () => number, samples = 300_000, crossSets = false): Float64Array[] {
  const counts = COMPARISONS.map((c) => new Float64Array(c.levels.length));
  const count = (a: PreparedPerson, b: PreparedPerson) => {
    for (let f = 0; f < COMPARISONS.length; f++) {
      const level = COMPARISONS[f].compare(a, b);
      if (level !== ABSENT) counts[f][level]++;
    }
  };
  const left = crossSets ? people.filter((p) => p.source === 0) : people;
  const right = crossSets ? people.filter((p) => p.source === 1) : people;
  const all = crossSets ? left.length * right.length : (people.length * (people.length - 1)) / 2;
  if (all <= samples) {
    // A small file: every pair, exactly, rather than a sample of them.
    for (let i = 0; i < left.length; i++) {
      for (let j = crossSets ? 0 : i + 1; j < right.length; j++) count(left[i], right[j]);
    }
  } else {
    for (let s = 0; s < samples; s++) {
      const a = left[Math.floor(random() * left.length)];
      const b = right[Math.floor(random() * right.length)];
      if (a !== b) count(a, b);
    }
  }
  return counts;
}

/** EM starts from the typical m, which favours agreement, so it converges to "agreement means a match" and not its mirror image. */
export function initialM(comparison: Comparison): number[] {
  return comparison.typical.m.slice();
}

/** Distinct comparison vectors with how many pairs have each. */
export interface VectorCounts {
  vectors: number[];
  counts: number[];
}

export function countVectors(vectors: Iterable<number>): VectorCounts {
  const counts = new Map<number, number>();
  for (const v of vectors) counts.set(v, (counts.get(v) ?? 0) + 1);
  return { vectors: [...counts.keys()], counts: [...counts.values()] };
}

function unpack(pairs: VectorCounts): Int8Array {
  const F = COMPARISONS.length;
  const levels = new Int8Array(pairs.vectors.length * F);
  const scratch = new Int8Array(F);
  for (let v = 0; v < pairs.vectors.length; v++) levels.set(decodeLevels(pairs.vectors[v], scratch), v * F);
  return levels;
}

/**
 * EM for m and the share of matches among `pairs`, with u held at the population's. The E step
 * gives each vector the probability that its pairs are matches; the M step re-counts the levels
 * weighted by it. Fields not `active` are left out of both steps: in a session blocked on the
 * date of birth every pair agrees on it, so it says nothing there (Splink's training sessions).
 */
export function expectationMaximisation(
  pairs: VectorCounts,
  start: { m: number[][]; u: number[][]; lambda: number },
  active: readonly boolean[],
  learnM: readonly boolean[],
  options: EmOptions = {},
): { m: number[][]; lambda: number; iterations: number; converged: boolean } {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-5;
  const F = COMPARISONS.length;
  const levels = unpack(pairs);
  const m = start.m.map((row) => row.slice());
  const logU = start.u.map((row) => row.map(Math.log));
  let lambda = start.lambda;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const logM = m.map((row) => row.map(Math.log));
    const mCounts = COMPARISONS.map((c) => new Float64Array(c.levels.length));
    const prior = Math.log(lambda / (1 - lambda));
    let matches = 0;
    let total = 0;
    for (let v = 0; v < pairs.vectors.length; v++) {
      let w = prior;
      for (let f = 0; f < F; f++) {
        const level = levels[v * F + f];
        if (level !== ABSENT && active[f]) w += logM[f][level] - logU[f][level];
      }
      const p = 1 / (1 + Math.exp(-w));
      const c = pairs.counts[v];
      matches += p * c;
      total += c;
      for (let f = 0; f < F; f++) {
        const level = levels[v * F + f];
        if (level !== ABSENT) mCounts[f][level] += p * c;
      }
    }
    let change = 0;
    for (let f = 0; f < F; f++) {
      if (!learnM[f] || !active[f]) continue;
      const next = withTypical(mCounts[f], COMPARISONS[f].typical.m, TYPICAL_M_PAIRS);
      for (let l = 0; l < next.length; l++) change = Math.max(change, Math.abs(next[l] - m[f][l]));
      m[f] = next;
    }
    if (total > 0) {
      // Kept off 0 and 1: a prior of certainty would stop every later pair's evidence counting.
      const next = Math.min(1 - 1e-6, Math.max(1e-6, matches / total));
      change = Math.max(change, Math.abs(next - lambda));
      lambda = next;
    }
    converged = change < tolerance;
  }
  return { m, lambda, iterations, converged };
}

/**
 * How many of all pairs are matches, from the candidates: the fixed point of E = the sum over
 * candidates of P(match | vector) with the prior `priorOf(E)` (about E / all pairs). Consistent because blocking picks
 * pairs by their values, so a candidate's vector says what it would say about any pair. Started
 * from "every candidate matches" and iterated down to the largest fixed point (0 is one too).
 */
export function expectedMatches(pairs: VectorCounts, m: readonly number[][], u: readonly number[][], priorOf: (expected: number) => number): number {
  const F = COMPARISONS.length;
  const levels = unpack(pairs);
  const ratio = pairs.vectors.map((_, v) => {
    let w = 0;
    for (let f = 0; f < F; f++) {
      const level = levels[v * F + f];
      if (level !== ABSENT) w += Math.log(m[f][level] / u[f][level]);
    }
    return Math.exp(w);
  });
  let expected = pairs.counts.reduce((x, y) => x + y, 0);
  for (let i = 0; i < 200 && expected > 0; i++) {
    const lambda = priorOf(expected);
    const odds = lambda / (1 - lambda);
    let next = 0;
    for (let v = 0; v < ratio.length; v++) next += pairs.counts[v] * ((odds * ratio[v]) / (1 + odds * ratio[v]));
    const done = Math.abs(next - expected) < 1e-4 * Math.max(1, expected);
    expected = next;
    if (done) break;
  }
  return expected;
}

/**
 * u from random pairs, less the true matches among them (their expected share lambda, at the
 * rates m), which matters in a small file where random pairs often are one person.
 */
export function populationU(randomLevels: Float64Array, m: readonly number[], lambda: number, typical: readonly number[]): number[] {
  let present = 0;
  for (const n of randomLevels) present += n;
  return withTypical(Array.from(randomLevels, (n, level) => Math.max(0, n - lambda * present * m[level])), typical, TYPICAL_U_PAIRS);
}
