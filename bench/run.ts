// `npm run bench`: prints one table of figures. Benchmarks are not tests (design.md): nothing here
// asserts a time; the figures are for reading, and for comparing runs on the same machine.
import { cpus, loadavg } from 'node:os';
import { best, jacobFile, parseAndSort, replayCounty, replayJacob } from './replay.ts';
import { syntheticCounty } from './synthetic-county.ts';

const TARGET_EVENTS_PER_SECOND = 200_000;

const generated = Date.now();
const county = syntheticCounty();
const n = county.events.length;
process.stderr.write(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} CPUs; synthetic county: ${county.children.length.toLocaleString('en-GB')} children, ${n.toLocaleString('en-GB')} events, generated in ${Date.now() - generated} ms; measuring…\n`);

const floor = best(3, () => parseAndSort(county));
const engine = best(3, () => replayCounty(county));
const input = jacobFile();
const jacobEvents = (input as { events: unknown[] }).events.length;
const jacob = best(50, () => replayJacob(input));

const perSecond = (ms: number) => Math.round(n / (ms / 1000));
const whole = (x: number) => x.toLocaleString('en-GB');
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const rows: string[][] = [
  ['figure', 'value', 'unit', 'baseline', 'ratio'],
  ['replay throughput, synthetic county (wall clock)', whole(perSecond(engine.ms)), 'events/s', `${whole(perSecond(floor.ms))} events/s (parse + sort floor)`, ratio(perSecond(engine.ms), perSecond(floor.ms))],
  ['replay throughput, synthetic county (CPU time)', whole(perSecond(engine.cpuMs)), 'events/s', `${whole(perSecond(floor.cpuMs))} events/s (parse + sort floor)`, ratio(perSecond(engine.cpuMs), perSecond(floor.cpuMs))],
  ['replay throughput against the target (CPU time)', whole(perSecond(engine.cpuMs)), 'events/s', `${whole(TARGET_EVENTS_PER_SECOND)} events/s (target)`, ratio(perSecond(engine.cpuMs), TARGET_EVENTS_PER_SECOND)],
  ['replay time, synthetic county (wall clock)', whole(Math.round(engine.ms)), 'ms', `${whole(Math.round(floor.ms))} ms (parse + sort floor)`, ratio(engine.ms, floor.ms)],
  ['alerts raised, synthetic county', whole(engine.result), 'alerts', `${whole(n)} events`, ratio(engine.result, n)],
  ['Jacob replay (validate + rules, wall clock)', jacob.ms.toFixed(2), 'ms', `${jacob.result} alerts, ${jacobEvents} events`, '-'],
];
// Issue 6: the link queries on a synthetic region, in the database (BENCH_NETWORK=0 leaves them out).
if (process.env.BENCH_NETWORK !== '0') {
  const { benchNetwork, networkRows } = await import('./network.ts');
  rows.push(...networkRows(await benchNetwork()));
}
// Issue 7: person matching — accuracy on ../shared's fake_1000 (noted as skipped when it is not
// there) and deduplicating 100,000 synthetic records (BENCH_LINKAGE=0 leaves them out).
if (process.env.BENCH_LINKAGE !== '0') {
  const { linkageBenchmark, linkageRows } = await import('./linkage.ts');
  rows.push(...linkageRows(linkageBenchmark()));
}
// Issue 10: contract-1 events through the jsonl import with rules and alerts, against a raw
// multi-row insert of the same rows (BENCH_INGEST=0 leaves it out; BENCH_INGEST_CHILDREN sizes it).
if (process.env.BENCH_INGEST !== '0') {
  const { benchIngest, ingestRows } = await import('./ingest.ts');
  rows.push(...ingestRows(await benchIngest()));
}
// Issue 9: the partnership dashboard on a synthetic county's chronology and alerts, against a count
// of every event in the same run (BENCH_DASHBOARD=0 leaves it out; BENCH_DASHBOARD_CHILDREN sizes it).
if (process.env.BENCH_DASHBOARD !== '0') {
  const { benchDashboard, dashboardRows } = await import('./dashboard.ts');
  rows.push(...dashboardRows(await benchDashboard()));
}
// Issue 10: the rules sweep after the clock advances a day, on a synthetic county, against an indexed
// read of every child's alerts (BENCH_SWEEP=0 leaves it out; BENCH_SWEEP_CHILDREN sizes it).
if (process.env.BENCH_SWEEP !== '0') {
  const { benchSweep, sweepRows } = await import('./sweep.ts');
  rows.push(...sweepRows(await benchSweep()));
}
// Issue 10: the child page, the chronology API and My work at 50 users against /health of the same
// server — with no think time (the capacity figure), then at one request a second each
// (BENCH_LATENCY_PACE_MS sets the pace; BENCH_LATENCY_PACED=0 leaves these out) — and the server's
// resident memory (BENCH_LATENCY=0 leaves it out; BENCH_LATENCY_CHILDREN sizes it).
if (process.env.BENCH_LATENCY !== '0') {
  const { benchLatency, latencyRows } = await import('./latency.ts');
  rows.push(...latencyRows(await benchLatency()));
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const [k, row] of rows.entries()) {
  console.log(row.map((cell, i) => (i === 0 || i === 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
  if (k === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
