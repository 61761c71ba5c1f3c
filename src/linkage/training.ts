// Learning the model from the records themselves (issue 7: "m/u weights estimated from the data
// (EM) or configured"), as the ONS and MoJ's Splink do it:
// 1. u from random pairs (population rates of chance agreement);
// 2. m by EM in training sessions, each over the candidate pairs that share one blocking key, with
//    the key's own fields left out (they agree by construction there). Two sessions between them
//    learn every field: pairs born the same day teach the names, pairs with the same names teach
//    the date of birth and the rest. EM over all candidates at once is not used: in a large file
//    the candidates are mostly strangers with a common first name born the same year, and EM
//    happily learns "same first name, different surname" as its "match" class;
// 3. the prior, from the expected number of matches among the candidates over all pairs.
import { COMPARISONS } from './comparisons.ts';
import {
  countVectors,
  expectationMaximisation,
  expectedMatches,
  initialM,
  populationU,
  type EmOptions,
  type ModelParameters,
  type ParameterOverrides,
} from './fellegi-sunter.ts';
import type { PersonField, PreparedPerson } from './person.ts';

export interface TrainingSession {
  name: string;
  key: (p: PreparedPerson) => string | null;
  /** the fields the key is made of: not learned in this session */
  fields: readonly PersonField[];
}

export const DEFAULT_TRAINING_SESSIONS: readonly TrainingSession[] = [
  { name: 'same date of birth', key: (p) => p.dobKey, fields: ['dob'] },
  {
    name: 'same names (either order)',
    key: (p) => (p.firstCode && p.surnameCode ? [p.firstCode, p.surnameCode].sort().join('|') : null),
    fields: ['first_name', 'surname'],
  },
];

// Fewer pairs than this teach EM nothing it can be trusted with; the starting m stays.
const MIN_SESSION_PAIRS = 20;

/**
 * The prior when there is little to learn it from: a record picked at random from a local
 * authority's children's records is the child in hand about one time in 50,000. It carries the
 * weight of this many pairs against the file's own estimate, so it settles a one-record match
 * against a few candidates and is lost in a file of any size.
 */
export const TYPICAL_PRIOR = 1 / 50_000;
const TYPICAL_PRIOR_PAIRS = 10_000;

const priorOf = (expected: number, allPairs: number) =>
  Math.min(0.5, Math.max(1e-12, (expected + TYPICAL_PRIOR * TYPICAL_PRIOR_PAIRS) / (allPairs + TYPICAL_PRIOR_PAIRS)));

export interface SessionReport {
  name: string;
  pairs: number;
  iterations: number;
  converged: boolean;
  /** the share of the session's pairs EM took to be matches */
  lambda: number;
}

export interface TrainedModel {
  parameters: ModelParameters;
  /** how many of all pairs are expected to be the same person */
  expectedMatches: number;
  sessions: SessionReport[];
}

export interface TrainingInput {
  people: readonly PreparedPerson[];
  /** the candidate pairs (record indices) and their packed comparison vectors */
  a: readonly number[];
  b: readonly number[];
  vectors: ArrayLike<number>;
  /** random-pair level counts per comparison (fellegi-sunter.ts randomPairLevels) */
  randomLevels: readonly Float64Array[];
  allPairs: number;
}

export function trainModel(
  input: TrainingInput,
  overrides: ParameterOverrides = {},
  options: EmOptions & { sessions?: readonly TrainingSession[] } = {},
): TrainedModel {
  const given = (f: number) => overrides.fields?.[COMPARISONS[f].field];
  const fixedU = (f: number) => given(f)?.u ?? COMPARISONS[f].fixed?.u.slice();
  const uFor = (m: number[][], lambda: number) =>
    COMPARISONS.map((c, f) => fixedU(f) ?? populationU(input.randomLevels[f], m[f], lambda, c.typical.u));
  const learnM = COMPARISONS.map((c, f) => !c.fixed && given(f)?.m === undefined);
  const startM = COMPARISONS.map((c, f) => given(f)?.m ?? c.fixed?.m.slice() ?? initialM(c));
  let u = uFor(startM, 0);

  const learned = COMPARISONS.map(() => [] as number[][]);
  const sessions: SessionReport[] = [];
  for (const session of options.sessions ?? DEFAULT_TRAINING_SESSIONS) {
    const keys = input.people.map(session.key);
    const members: number[] = [];
    for (let i = 0; i < input.a.length; i++) {
      const key = keys[input.a[i]];
      if (key !== null && key === keys[input.b[i]]) members.push(input.vectors[i]);
    }
    const report: SessionReport = { name: session.name, pairs: members.length, iterations: 0, converged: false, lambda: 0 };
    sessions.push(report);
    if (members.length < MIN_SESSION_PAIRS) continue;
    const active = COMPARISONS.map((c) => !session.fields.includes(c.field));
    const result = expectationMaximisation(countVectors(members), { m: startM, u, lambda: 0.3 }, active, learnM, options);
    Object.assign(report, { iterations: result.iterations, converged: result.converged, lambda: result.lambda });
    COMPARISONS.forEach((_, f) => {
      if (active[f] && learnM[f]) learned[f].push(result.m[f]);
    });
  }
  // A field learned in both sessions takes the mean of the two.
  const m = startM.map((start, f) =>
    learned[f].length === 0 ? start : start.map((_, level) => learned[f].reduce((sum, row) => sum + row[level], 0) / learned[f].length),
  );

  const candidates = countVectors(Array.from(input.vectors));
  let expected = expectedMatches(candidates, m, u, (e) => priorOf(e, input.allPairs));
  let lambda = overrides.lambda ?? priorOf(expected, input.allPairs);
  // Once the number of matches is known, take them out of the random pairs' u and count again.
  u = uFor(m, lambda);
  if (overrides.lambda === undefined) {
    expected = expectedMatches(candidates, m, u, (e) => priorOf(e, input.allPairs));
    lambda = priorOf(expected, input.allPairs);
  } else expected = lambda * input.allPairs;
  return { parameters: { lambda, fields: COMPARISONS.map((_, f) => ({ m: m[f], u: u[f] })) }, expectedMatches: expected, sessions };
}
