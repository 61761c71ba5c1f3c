// Person matching benchmarks (issue 7, "Engineering"):
// - accuracy on ../shared/data/linkage/fake_1000.csv (Splink's synthetic 1,000 records with the
//   true identity in `cluster`): pairwise precision, recall and F1 of the clusters, with the model
//   learned by EM from the file itself and nothing tuned to it;
// - throughput: deduplicating 100,000 synthetic records (src/linkage/synthetic-people.ts: British
//   names with typos and nicknames, day and month swapped, postcodes missing or out of date, about
//   three records per child), against the floor of preparing, blocking and comparing alone.
// `node --import tsx bench/linkage.ts` prints the figures; `npm run bench` adds them to its table.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCsv } from '../src/ingest/csv.ts';
import { candidatePairs } from '../src/linkage/blocking.ts';
import { comparePair } from '../src/linkage/comparisons.ts';
import { pairwiseAccuracy, type PairwiseAccuracy } from '../src/linkage/evaluation.ts';
import { DEFAULT_LINK_THRESHOLD, isPersonField, matchRecords, type PersonRecord } from '../src/linkage/index.ts';
import { preparePerson } from '../src/linkage/person.ts';
import { syntheticPeople } from '../src/linkage/synthetic-people.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const FAKE_1000 = resolve(projectRoot, '../shared/data/linkage/fake_1000.csv');
export const DEDUPE_RECORDS = 100_000;

export type Fake1000Result = ({ skipped: false; records: number; seconds: number } & PairwiseAccuracy) | { skipped: true; reason: string };

/** fake_1000: every column named like a matcher field is used; `unique_id` is the id, `cluster` the truth. */
export function fake1000Accuracy(file = FAKE_1000): Fake1000Result {
  if (!existsSync(file)) return { skipped: true, reason: `${file} not found` };
  const [header, ...rows] = [...readCsv(readFileSync(file, 'utf8'))].map((r) => r.fields.map((f) => f.trim()));
  const id = header.indexOf('unique_id');
  const cluster = header.indexOf('cluster');
  if (id < 0 || cluster < 0) return { skipped: true, reason: `${file} has no unique_id or cluster column` };
  const fields = header.flatMap((name, i) => (isPersonField(name) ? [[name, i] as const] : []));
  const records = rows.map((values) => {
    const record: PersonRecord = { id: values[id] };
    for (const [field, i] of fields) record[field] = values[i] || null;
    return record;
  });
  const started = process.hrtime.bigint();
  const result = matchRecords(records);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const truth = new Map(rows.map((values) => [values[id], values[cluster]]));
  return { skipped: false, records: records.length, seconds, ...pairwiseAccuracy(result.clusters, truth) };
}

export interface DedupeResult {
  records: number;
  people: number;
  /** the whole matcher: prepare, block, compare, train, score, cluster */
  seconds: number;
  cpuSeconds: number;
  /** the floor: prepare, block and compare only (no EM, no scoring, no clustering) */
  floorSeconds: number;
  floorCpuSeconds: number;
  candidatePairs: number;
  accuracy: PairwiseAccuracy;
}

function timed<T>(work: () => T): { result: T; seconds: number; cpuSeconds: number } {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = work();
  const used = process.cpuUsage(cpu);
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Deduplicates `count` synthetic records (seeded: the same records every run). */
export function dedupeThroughput(count = DEDUPE_RECORDS): DedupeResult {
  // About 2.7 records per child: enough children to give `count` records.
  const records = syntheticPeople({ people: Math.ceil(count / 2.6), seed: 'reachable-bench-linkage' }).slice(0, count);
  const floor = timed(() => {
    const people = records.map((r, i) => preparePerson(r, i));
    const pairs = candidatePairs(people);
    let sum = 0;
    for (let i = 0; i < pairs.a.length; i++) sum += comparePair(people[pairs.a[i]], people[pairs.b[i]]);
    return sum;
  });
  const run = timed(() => matchRecords(records));
  return {
    records: records.length,
    people: new Set(records.map((r) => r.cluster)).size,
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    floorSeconds: floor.seconds,
    floorCpuSeconds: floor.cpuSeconds,
    candidatePairs: run.result.diagnostics.candidatePairs,
    accuracy: pairwiseAccuracy(run.result.clusters, new Map(records.map((r) => [r.id, r.cluster]))),
  };
}

export interface LinkageBenchmark {
  fake1000: Fake1000Result;
  dedupe: DedupeResult;
}

export function linkageBenchmark(): LinkageBenchmark {
  return { fake1000: fake1000Accuracy(), dedupe: dedupeThroughput() };
}

const three = (x: number) => x.toFixed(3);

/** Rows for bench/run.ts's table: figure, value, unit, baseline, ratio. */
export function linkageRows({ fake1000, dedupe }: LinkageBenchmark): string[][] {
  const goal = 0.95;
  const accuracyRows = fake1000.skipped
    ? [['person matching, fake_1000 (EM only)', 'skipped', '-', fake1000.reason, '-']]
    : ([['F1', fake1000.f1], ['precision', fake1000.precision], ['recall', fake1000.recall]] as const).map(([name, value]) => [
      `person matching ${name}, fake_1000 (EM only, link at ${DEFAULT_LINK_THRESHOLD})`, three(value), '', `goal ${goal}`, (value / goal).toFixed(2),
    ]);
  const whole = (x: number) => x.toLocaleString('en-GB');
  return [
    ...accuracyRows,
    [`dedupe ${whole(dedupe.records)} synthetic records (wall clock)`, dedupe.seconds.toFixed(1), 's', `${dedupe.floorSeconds.toFixed(1)} s (prepare + block + compare, no EM)`, (dedupe.seconds / dedupe.floorSeconds).toFixed(2)],
    [`dedupe ${whole(dedupe.records)} synthetic records (CPU time)`, dedupe.cpuSeconds.toFixed(1), 's', `${dedupe.floorCpuSeconds.toFixed(1)} s (prepare + block + compare, no EM)`, (dedupe.cpuSeconds / dedupe.floorCpuSeconds).toFixed(2)],
    [`dedupe ${whole(dedupe.records)} synthetic records against the goal (wall clock)`, dedupe.seconds.toFixed(1), 's', 'goal 60 s', (dedupe.seconds / 60).toFixed(2)],
    [`dedupe ${whole(dedupe.records)} synthetic records: pairwise F1`, three(dedupe.accuracy.f1), '', `P ${three(dedupe.accuracy.precision)}, R ${three(dedupe.accuracy.recall)}; ${whole(dedupe.candidatePairs)} pairs compared`, '-'],
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fake1000 = fake1000Accuracy();
  console.log(fake1000.skipped
    ? `fake_1000: skipped (${fake1000.reason})`
    : `fake_1000: ${fake1000.records} records, precision ${three(fake1000.precision)}, recall ${three(fake1000.recall)}, F1 ${three(fake1000.f1)} (${fake1000.seconds.toFixed(2)} s)`);
  const dedupe = dedupeThroughput(Number(process.argv[2] ?? DEDUPE_RECORDS));
  console.log(`dedupe: ${dedupe.records.toLocaleString('en-GB')} records of ${dedupe.people.toLocaleString('en-GB')} children in ${dedupe.seconds.toFixed(1)} s (CPU ${dedupe.cpuSeconds.toFixed(1)} s; prepare + block + compare alone ${dedupe.floorSeconds.toFixed(1)} s), ${dedupe.candidatePairs.toLocaleString('en-GB')} pairs compared; precision ${three(dedupe.accuracy.precision)}, recall ${three(dedupe.accuracy.recall)}, F1 ${three(dedupe.accuracy.f1)}`);
}
