// Replay benchmarks: the engine over the synthetic county against the floor (the least any replay
// must do: parse every `at` and sort the events), and Jacob's scenario end to end.
import { readFileSync } from 'node:fs';
import { parseScenario } from '../src/domain/scenario.ts';
import { parseAt } from '../src/domain/time.ts';
import { evaluate } from '../src/rules/engine.ts';
import { replayScenario } from '../src/rules/replay.ts';
import type { County } from './synthetic-county.ts';

export interface Timing {
  /** best wall-clock time of the runs, in milliseconds */
  ms: number;
  /** best process CPU time (user + system, all threads) of the runs, in milliseconds */
  cpuMs: number;
  result: number;
}

/**
 * Best of `runs` (after one warm-up): the least-disturbed measure on a shared machine. CPU time is
 * kept too, because on a busy machine the wall clock mostly measures the other processes.
 */
export function best(runs: number, work: () => number): Timing {
  let result = work();
  let ms = Infinity;
  let cpuMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    result = work();
    const used = process.cpuUsage(cpu);
    ms = Math.min(ms, Number(process.hrtime.bigint() - start) / 1e6);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
  }
  return { ms, cpuMs, result };
}

/** The floor: parse each event's time with parseAt and sort the events by it, file order breaking ties. */
export function parseAndSort(county: County): number {
  const { events } = county;
  const times = new Float64Array(events.length);
  for (let i = 0; i < events.length; i++) times[i] = parseAt(events[i].at);
  const order = Array.from({ length: events.length }, (_, i) => i);
  order.sort((a, b) => times[a] - times[b] || a - b);
  return order.length;
}

/** The whole engine: every child's rules as time passes, then the context rules; returns the alert count. */
export function replayCounty(county: County): number {
  return evaluate({ children: county.children, events: county.events, asOf: county.asOf }).length;
}

export function jacobFile(): unknown {
  return JSON.parse(readFileSync(new URL('../src/demo/scenarios/jacob.json', import.meta.url), 'utf8'));
}

/** Jacob end to end as `reachable replay` does it: validate the scenario, then replay it. */
export function replayJacob(input: unknown): number {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error('the demo scenario is invalid');
  return replayScenario(parsed.value).document.alerts.length;
}
