// How good a clustering is against the truth, pair by pair: of the pairs put together, how many
// are one person (precision); of the pairs that are one person, how many were put together
// (recall). Pairwise measures, because a wrong merge of two large clusters is a large mistake:
// every record of one child is then read as the other's.

export interface PairwiseAccuracy {
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  predictedPairs: number;
  truePairs: number;
}

const pairsIn = (n: number) => (n * (n - 1)) / 2;

/**
 * `clusters` are the predicted groups of record ids; `truth` gives each record's true person.
 * Records missing from `truth` are ignored. With no predicted pairs precision is 1; with no true
 * pairs recall is 1.
 */
export function pairwiseAccuracy(clusters: readonly (readonly string[])[], truth: ReadonlyMap<string, string>): PairwiseAccuracy {
  let predictedPairs = 0;
  let truePositives = 0;
  for (const cluster of clusters) {
    const known = cluster.filter((id) => truth.has(id));
    predictedPairs += pairsIn(known.length);
    const byPerson = new Map<string, number>();
    for (const id of known) byPerson.set(truth.get(id)!, (byPerson.get(truth.get(id)!) ?? 0) + 1);
    for (const n of byPerson.values()) truePositives += pairsIn(n);
  }
  const people = new Map<string, number>();
  for (const person of truth.values()) people.set(person, (people.get(person) ?? 0) + 1);
  let truePairs = 0;
  for (const n of people.values()) truePairs += pairsIn(n);
  const precision = predictedPairs === 0 ? 1 : truePositives / predictedPairs;
  const recall = truePairs === 0 ? 1 : truePositives / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePositives, predictedPairs, truePairs };
}
