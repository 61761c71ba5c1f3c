// Person matching (issue 7): which records are the same child. Pure: records in, scored pairs and
// clusters out; the CLI, the importers and the review queue decide what to do with them.
//
//   const { pairs, clusters } = matchRecords(records);          // deduplicate one set
//   const { pairs, clusters } = linkRecords(left, right);       // only pairs across two sets
//
// Steps: prepare (normalise each record once) → block (candidate pairs) → compare (a level per
// field) → train (u from random pairs, m by EM over the candidates, the prior from both:
// training.ts) → score (Fellegi–Sunter weight with term-frequency and household adjustments;
// agreeing strong identifiers decide alone) → cluster (union–find over links at or above the link
// threshold, never joining records with conflicting strong identifiers).
import { candidatePairs, DEFAULT_BLOCKING_RULES, type BlockingRule } from './blocking.ts';
import { clusterLinks, type Link } from './cluster.ts';
import { COMPARISONS, comparePair, decodeLevels } from './comparisons.ts';
import { householdDependence, type HouseholdDependence } from './household.ts';
import { randomPairLevels, type EmOptions, type ModelParameters, type ParameterOverrides } from './fellegi-sunter.ts';
import { trainModel, type SessionReport, type TrainingSession } from './training.ts';
import { Scorer, termFrequencyFactors, type Evidence } from './scoring.ts';
import { preparePerson, type PersonRecord, type PreparedPerson } from './person.ts';
import { seededRandom } from '../domain/seeded-random.ts';

export { PERSON_FIELDS, isPersonField, type PersonField, type PersonRecord } from './person.ts';
export { DEFAULT_BLOCKING_RULES, type BlockingRule } from './blocking.ts';
export type { ModelParameters, ParameterOverrides } from './fellegi-sunter.ts';
export type { Evidence } from './scoring.ts';

/**
 * Default thresholds, as match probabilities. Linking a child's chronology to another child's is
 * the costlier mistake (the wrong agency reads it; alerts fire on the wrong child), so automatic
 * linking asks for near-certainty and a wide band goes to a person instead.
 */
export const DEFAULT_LINK_THRESHOLD = 0.95;
export const DEFAULT_REVIEW_THRESHOLD = 0.5;

export interface MatchOptions {
  /** at or above: linked automatically (default 0.95) */
  linkThreshold?: number;
  /** at or above, below the link threshold: for a person to review (default 0.5) */
  reviewThreshold?: number;
  blockingRules?: readonly BlockingRule[];
  /** see BlockingOptions.maxBlockSize (default 2,000) */
  maxBlockSize?: number;
  /** configured m, u or prior, used instead of learning them */
  parameters?: ParameterOverrides;
  em?: EmOptions & {
    /** the training sessions (default: same date of birth; same names in either order) */
    sessions?: readonly TrainingSession[];
    /** random pairs sampled for u (default 300,000; a smaller file uses every pair) */
    randomPairs?: number;
    /** the seed of that sample, so results reproduce (default "reachable-linkage") */
    seed?: string | number;
  };
  /** weigh exact agreement on common names less (default true) */
  termFrequencyAdjustment?: boolean;
}

export interface MatchedPair {
  a: string;
  b: string;
  /** match weight: log2 prior odds plus the sum of the fields' log2 Bayes factors */
  score: number;
  /** match probability, 0..1 */
  probability: number;
  decision: 'link' | 'review';
  /** human-readable, one per field present in both records: "surname: exact (common name)" */
  reasons: string[];
  evidence: Evidence[];
}

export interface MatchResult {
  /** every pair scoring at or above the review threshold, most probable first */
  pairs: MatchedPair[];
  /** every record, grouped into people by links at or above the link threshold; singletons included */
  clusters: string[][];
  parameters: ModelParameters;
  diagnostics: {
    records: number;
    candidatePairs: number;
    /** EM's training sessions */
    training: SessionReport[];
    /** how many of all pairs the model expects to be the same person */
    expectedMatches: number;
    byRule: { rule: string; pairs: number }[];
    skippedBlocks: { rule: string; key: string; records: number }[];
    household: HouseholdDependence;
  };
}

function checkThreshold(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be a probability between 0 and 1, got ${value}`);
}

function match(people: PreparedPerson[], crossSetsOnly: boolean, options: MatchOptions): MatchResult {
  const linkThreshold = options.linkThreshold ?? DEFAULT_LINK_THRESHOLD;
  const reviewThreshold = Math.min(options.reviewThreshold ?? DEFAULT_REVIEW_THRESHOLD, linkThreshold);
  checkThreshold('linkThreshold', linkThreshold);
  checkThreshold('reviewThreshold', reviewThreshold);

  const candidates = candidatePairs(people, {
    rules: options.blockingRules ?? DEFAULT_BLOCKING_RULES,
    crossSetsOnly,
    maxBlockSize: options.maxBlockSize,
  });
  const count = candidates.a.length;
  const vectors = new Int32Array(count);
  for (let i = 0; i < count; i++) vectors[i] = comparePair(people[candidates.a[i]], people[candidates.b[i]]);

  const left = crossSetsOnly ? people.filter((p) => p.source === 0).length : people.length;
  const allPairs = crossSetsOnly ? left * (people.length - left) : (people.length * (people.length - 1)) / 2;
  const randomLevels = randomPairLevels(people, seededRandom(options.em?.seed ?? 'reachable-linkage'), options.em?.randomPairs, crossSetsOnly);
  const trained = trainModel({ people, a: candidates.a, b: candidates.b, vectors, randomLevels, allPairs }, options.parameters, options.em);
  const model = trained.parameters;

  const frequencies = options.termFrequencyAdjustment === false ? model.fields.map(() => null) : termFrequencyFactors(people);
  const field = (name: string) => COMPARISONS.findIndex((c) => c.field === name);
  const household = householdDependence(people, model, { surname: field('surname'), dob: field('dob'), postcode: field('postcode') }, trained.expectedMatches, crossSetsOnly);
  const scorer = new Scorer(model, frequencies, household);
  const decoded = new Map<number, Int8Array>();
  const levelsOf = (vector: number) => {
    let levels = decoded.get(vector);
    if (!levels) decoded.set(vector, (levels = decodeLevels(vector)));
    return levels;
  };

  const links: (Link & { weight: number; levels: Int8Array })[] = [];
  for (let i = 0; i < count; i++) {
    const a = people[candidates.a[i]];
    const b = people[candidates.b[i]];
    const levels = levelsOf(vectors[i]);
    const { weight, probability } = scorer.score(levels, a, b);
    if (probability >= reviewThreshold) links.push({ a: a.index, b: b.index, probability, weight, levels });
  }
  links.sort((x, y) => y.probability - x.probability || y.weight - x.weight || x.a - y.a || x.b - y.b);

  // Two valid, different NHS numbers (or UPNs) are two children, however the rest agrees: no chain
  // of links through a third record may join them. Nor, when linking, two records of one set.
  const conflict = (x: number, y: number) => {
    if (crossSetsOnly && people[x].source === people[y].source) return true;
    const [a, b] = x < y ? [people[x], people[y]] : [people[y], people[x]];
    return Scorer.identifiersConflict(levelsOf(comparePair(a, b)));
  };
  const clustered = clusterLinks(people.length, links, linkThreshold, { conflict });
  const clusterOf = new Int32Array(people.length);
  clustered.forEach((c, k) => c.members.forEach((i) => (clusterOf[i] = k)));
  const clusters = clustered.map((c) => c.members.map((i) => people[i].id));

  const pairs = links.map((link): MatchedPair => {
    const evidence = scorer.explain(link.levels, people[link.a], people[link.b]);
    return {
      a: people[link.a].id,
      b: people[link.b].id,
      score: link.weight,
      probability: link.probability,
      // A link the clustering refused (it would have joined two evidently different children) is for review.
      decision: link.probability >= linkThreshold && clusterOf[link.a] === clusterOf[link.b] ? 'link' : 'review',
      reasons: evidence.map((e) => e.reason),
      evidence,
    };
  });
  return {
    pairs,
    clusters,
    parameters: model,
    diagnostics: {
      records: people.length,
      candidatePairs: count,
      training: trained.sessions,
      expectedMatches: trained.expectedMatches,
      byRule: candidates.byRule,
      skippedBlocks: candidates.skippedBlocks,
      household,
    },
  };
}

/** Deduplicates one set of person records. Ids should be unique; they are what pairs and clusters name. */
export function matchRecords(records: readonly PersonRecord[], options: MatchOptions = {}): MatchResult {
  return match(records.map((r, i) => preparePerson(r, i, 0)), false, options);
}

/**
 * Links two sets: only pairs with one record from each are compared and scored. Each set is taken
 * to be free of duplicates (as an agency's own index should be), so a cluster holds at most one
 * record of each set. Clusters cover both sets.
 */
export function linkRecords(left: readonly PersonRecord[], right: readonly PersonRecord[], options: MatchOptions = {}): MatchResult {
  const people = [...left.map((r, i) => preparePerson(r, i, 0)), ...right.map((r, i) => preparePerson(r, left.length + i, 1))];
  return match(people, true, options);
}
