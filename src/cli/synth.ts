// `reachable synth --children N --years Y --seed S [--out FILE] [--persons FILE] [--load]`
// (issue 10): a deterministic synthetic county (src/synth). --out writes a contract-3 scenario that
// `reachable replay` reads (stdout when neither --out nor --load is given); --persons writes the
// agencies' person records, misspelled duplicates included, as a CSV `reachable link` reads;
// --load loads the scenario into the configured database the way the demo is loaded (the scenario
// loader, with the rules run and alerts stored), a few hundred children per transaction.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseScenario, type Scenario } from '../domain/scenario.ts';
import { loadScenario } from '../services/scenario-loader.ts';
import { personsCsv, scenarioJsonChunks, synthesise } from '../synth/scenario.ts';
import type { Io } from './main.ts';
import { openConfiguredDatabase } from './configured-database.ts';
import { USAGES } from './usage.ts';

const USAGE = `usage: ${USAGES.synth}`;

/** Children per transaction when loading: each child's events and alerts stay in one commit. */
const LOAD_BATCH = 250;

function wholeNumber(name: string, text: string | undefined, fallback: number | undefined, max: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name}: expected a whole number from 1 to ${max.toLocaleString('en-GB')}, got "${text}"`);
  return n;
}

export async function synthCommand(args: string[], io: Io): Promise<number> {
  let options: { children: number; years: number; seed: number; eventsPerChild: number; out?: string; persons?: string; load: boolean };
  try {
    const { values } = parseArgs({
      args,
      options: {
        children: { type: 'string' }, years: { type: 'string' }, seed: { type: 'string' }, 'events-per-child': { type: 'string' },
        out: { type: 'string' }, persons: { type: 'string' }, load: { type: 'boolean' },
      },
      strict: true,
    });
    options = {
      children: wholeNumber('children', values.children, undefined, 10_000_000),
      years: wholeNumber('years', values.years, 5, 50),
      seed: wholeNumber('seed', values.seed, 2019, 2 ** 32 - 1),
      eventsPerChild: wholeNumber('events-per-child', values['events-per-child'], 50, 10_000),
      out: values.out,
      persons: values.persons,
      load: values.load ?? false,
    };
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  const { scenario, persons } = synthesise(options);
  const summary = `${scenario.children.length.toLocaleString('en-GB')} children, ${scenario.events.length.toLocaleString('en-GB')} events, ${persons.length.toLocaleString('en-GB')} person records (seed ${options.seed})`;
  if (options.out || !options.load) {
    if (options.out) {
      const fd = openSync(options.out, 'w');
      try {
        for (const chunk of scenarioJsonChunks(scenario)) writeSync(fd, chunk);
      } finally {
        closeSync(fd);
      }
      io.err(`${options.out}: ${summary}\n`);
    } else {
      // stdout may be a non-blocking pipe: through the stream, which waits for the reader
      for (const chunk of scenarioJsonChunks(scenario)) io.out(chunk);
    }
  }
  if (options.persons) {
    writeFileSync(options.persons, personsCsv(persons));
    io.err(`${options.persons}: ${persons.length.toLocaleString('en-GB')} person records; try: reachable link --input ${options.persons} --map first_name=first_name,surname=surname,dob=dob,sex=sex,postcode=postcode,nhs=nhs --id id\n`);
  }
  if (!options.load) return 0;

  // The same validation a scenario file gets: what is loaded is what `reachable replay` would read.
  const parsed = parseScenario(scenario);
  if (!parsed.ok) {
    io.err(`the synthetic scenario is invalid (a bug in src/synth):\n${parsed.problems.slice(0, 20).map((p) => `  ${p.path}: ${p.message}\n`).join('')}`);
    return 1;
  }
  const opened = await openConfiguredDatabase(io);
  // as every command says a database it cannot open: 2, nothing changed
  if (!opened) return 2;
  const { database, alerts } = opened;
  try {
    const started = Date.now();
    let events = 0;
    for (const part of batches(parsed.value, LOAD_BATCH)) {
      const loaded = await loadScenario(database.db, part, { via: 'import', createdByAgency: 'social_care', afterRecord: alerts.afterRecord });
      events += loaded.events;
      io.err(`\rloaded ${events.toLocaleString('en-GB')} of ${parsed.value.events.length.toLocaleString('en-GB')} events`);
    }
    const seconds = (Date.now() - started) / 1000;
    io.err('\n');
    io.out(`loaded ${parsed.value.children.length.toLocaleString('en-GB')} children, ${events.toLocaleString('en-GB')} events into ${database.kind === 'postgres' ? 'PostgreSQL' : 'the embedded database'} in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001)).toLocaleString('en-GB')} events/s, rules run, alerts stored)\n`);
  } finally {
    await database.close();
  }
  return 0;
}

/** The scenario in parts of `size` children with their events, file order kept. */
function* batches(scenario: Scenario, size: number): Generator<Scenario> {
  const byChild = new Map<string, Scenario['events']>();
  for (const e of scenario.events) {
    const list = byChild.get(e.child);
    if (list) list.push(e);
    else byChild.set(e.child, [e]);
  }
  for (let i = 0; i < scenario.children.length; i += size) {
    const children = scenario.children.slice(i, i + size);
    yield { ...scenario, children, events: children.flatMap((c) => byChild.get(c.ref) ?? []) };
  }
}
