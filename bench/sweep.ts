// The rules sweep (issue 10: "rules sweep: time to bring every child's alerts up to date after the
// clock advances a day"): the alert service's own sweep — the children whose next change has come
// re-evaluated, a page at a time (chronology read, rules, alerts upserted and withdrawn, concern,
// notices), then the partnership-wide context rules once — on the synthetic county of
// src/synth/county.ts (the replay bench's county: about 50 events a child over one to two years
// each, within five years, links to networks of adults, places and phones). The county is loaded,
// swept once with every child evaluated at the bench's clock (as an instance's first sweep does; the
// alerts are then up to date, as a running system's are; reported as the first sweep), and the
// clock is advanced a day at a time, each day's sweep timed. Baseline in the
// same run: the least a sweep could read — every child's stored alerts by the child's index, paged
// through the children as the sweep pages them — and, second, that plus every child's chronology
// (what the rules must read), both with no rules and no writes. PostgreSQL when DATABASE_URL is set
// (a scratch database, created and dropped here), else in-memory PGlite at a tenth of the county;
// BENCH_SWEEP_CHILDREN, _EVENTS_PER_CHILD, _RUNS (days swept: 3 on PGlite, 1 on PostgreSQL) and _CLOCK
// (mid or end: see sweepClock) override.
import { parseAt } from '../src/domain/time.ts';
import { createAlertService } from '../src/services/alert-service.ts';
import { alertsOfChild, childIdsPage } from '../src/store/alert-repository.ts';
import { allEventsOfChild } from '../src/store/chronology-repository.ts';
import { type Database, type Db } from '../src/store/database.ts';
import { syntheticCounty } from '../src/synth/county.ts';
import { benchDatabase, envInt, spread, type Spread } from './measure.ts';

export interface SweepScale {
  children: number;
  eventsPerChild: number;
  /** days the clock is advanced, each day's sweep timed */
  runs: number;
}

export interface SweepFigures {
  database: 'pglite' | 'postgres';
  scale: SweepScale;
  events: number;
  /** alerts stored after the first sweep, and after the last day's */
  alertsBefore: number;
  alertsAfter: number;
  /** alerts the first day's sweep inserted, withdrew or changed (status, severity, message, resolution) */
  changedFirstDay: number;
  /** children each day's sweep evaluated (those whose next change had come) */
  evaluated: number[];
  loadMs: number;
  firstSweepMs: number;
  sweep: Spread;
  /** every child's alerts, one indexed read a child */
  baseline: Spread;
  /** every child's chronology and alerts, two indexed reads a child */
  reads: Spread;
}

/** A sweep that threw: what it said, and how far the children's part got. */
export interface SweepFailure {
  database: 'pglite' | 'postgres';
  scale: SweepScale;
  events: number;
  loadMs: number;
  failed: string;
  /** children with alerts stored when it stopped */
  childrenSwept: number;
}

const DAY = 86_400_000;
const BATCH = 200; // the sweep's own page of children

export function sweepScale(database: 'pglite' | 'postgres'): SweepScale {
  return {
    children: envInt('BENCH_SWEEP_CHILDREN', database === 'pglite' ? 2_000 : 20_000),
    eventsPerChild: envInt('BENCH_SWEEP_EVENTS_PER_CHILD', 50),
    // a county's sweep on PostgreSQL takes minutes: one day there by default, three on PGlite's tenth
    runs: envInt('BENCH_SWEEP_RUNS', database === 'pglite' ? 3 : 1),
  };
}

/**
 * The clock the county is first swept at. `end` (the county's own: 30 days after its last event):
 * every story has ended, nothing waits on a deadline, and a day's sweep evaluates no child. `mid`
 * (the default; BENCH_SWEEP_CLOCK): the instant half the county's events have happened — stories
 * under way, deadlines in flight, and the events after the clock counting as the days reach them,
 * as a live county's arrivals would (there they are evaluated as they are recorded; here the sweep
 * does it, so the figure is the heavier of the two).
 */
function sweepClock(county: ReturnType<typeof syntheticCounty>): number {
  const clock = process.env.BENCH_SWEEP_CLOCK ?? 'mid';
  if (clock === 'end') return parseAt(county.asOf);
  if (clock !== 'mid') throw new Error(`BENCH_SWEEP_CLOCK: expected end or mid, got "${clock}"`);
  const times = county.events.map((e) => parseAt(e.at)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const childUuid = (c: number) => `00000001-0000-4000-8000-${c.toString(16).padStart(12, '0')}`;

/** Loads the county's children and events (chunks of multi-row inserts from one JSON parameter each). */
async function loadCounty(database: Database, s: SweepScale): Promise<{ events: number; asOf: number }> {
  const county = syntheticCounty({ children: s.children, eventsPerChild: s.eventsPerChild });
  const ids = new Map(county.children.map((c, i) => [c.ref, childUuid(i)]));
  const CHUNK = 5_000;
  for (let i = 0; i < county.children.length; i += CHUNK) {
    const rows = county.children.slice(i, i + CHUNK).map((c) => ({ id: ids.get(c.ref), name: c.name, date_of_birth: c.dateOfBirth ?? null }));
    await database.executeSql(
      `insert into children (id, name, date_of_birth, created_by_agency)
       select id, name, date_of_birth, 'social_care' from jsonb_to_recordset($1::jsonb) as x(id uuid, name text, date_of_birth date)`,
      [JSON.stringify(rows)],
    );
  }
  for (let i = 0; i < county.events.length; i += CHUNK) {
    const rows = county.events.slice(i, i + CHUNK).map((e) => ({
      child_id: ids.get(e.child), type: e.type, at: new Date(parseAt(e.at)).toISOString(), at_text: e.at, agency: e.agency,
      ref: e.ref, details: e.details, links: e.links ?? null,
    }));
    await database.executeSql(
      `insert into events (child_id, type, at, at_text, agency, ref, details, links, recorded_via)
       select child_id, type, at, at_text, agency, ref, details, links, 'import'
         from jsonb_to_recordset($1::jsonb) as x(child_id uuid, type text, at timestamptz, at_text text, agency text, ref text, details jsonb, links jsonb)`,
      [JSON.stringify(rows)],
    );
  }
  await database.executeSql('vacuum analyze');
  return { events: county.events.length, asOf: sweepClock(county) };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Every child, paged as the sweep pages them; `read` once for each. */
async function everyChild(db: Db, read: (id: string) => Promise<unknown>): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const ids: string[] = await childIdsPage(db, after, BATCH);
    if (!ids.length) return;
    for (const id of ids) await read(id);
    after = ids[ids.length - 1];
  }
}

const countAlerts = async (database: Database) => Number(((await database.executeSql('select count(*)::int as n from alerts')).rows[0] as { n: number }).n);

async function measure(database: Database, s: SweepScale, asOf: number) {
  const { db } = database;
  let now = asOf;
  const service = createAlertService({ clock: () => now });
  // the county as a running system holds it: every alert up to date at its clock (historic
  // alerts are not notified, as when demo stories are seeded)
  service.setNotify(false);
  // every child, as an instance's first sweep does after a start (a deploy may bring other rules)
  const firstSweepMs = await timed(() => service.sweep(db, { every: true }));
  service.setNotify(true);
  const alertsBefore = await countAlerts(database);
  await database.executeSql('create table bench_sweep_before as select id, status, severity, message, resolved_at from alerts');
  const baseline = () => everyChild(db, (id) => alertsOfChild(db, id));
  const reads = () => everyChild(db, async (id) => {
    await allEventsOfChild(db, id);
    await alertsOfChild(db, id);
  });
  await baseline(); // warm-up: plans cached, pages in memory
  const times = { sweep: [] as number[], baseline: [] as number[], reads: [] as number[] };
  let changedFirstDay = 0;
  const evaluated: number[] = [];
  // interleaved, so the machine's moments fall on each alike
  for (let day = 1; day <= s.runs; day++) {
    times.baseline.push(await timed(baseline));
    times.reads.push(await timed(reads));
    now = asOf + day * DAY;
    // the sweep a running system does every few minutes: the children whose next change has come
    times.sweep.push(await timed(async () => evaluated.push((await service.sweep(db)).children)));
    if (day === 1) {
      const { rows } = await database.executeSql(`select count(*)::int as n from alerts a full join bench_sweep_before b using (id)
        where a.id is null or b.id is null or (a.status, a.severity, a.message, a.resolved_at) is distinct from (b.status, b.severity, b.message, b.resolved_at)`);
      changedFirstDay = Number((rows[0] as { n: number }).n);
    }
  }
  await database.executeSql('drop table bench_sweep_before');
  return {
    firstSweepMs, alertsBefore, alertsAfter: await countAlerts(database), changedFirstDay, evaluated,
    sweep: spread(times.sweep), baseline: spread(times.baseline), reads: spread(times.reads),
  };
}

/** Builds the county (in a scratch database on a server), sweeps, and drops it. */
export async function benchSweep(): Promise<SweepFigures | SweepFailure> {
  const url = process.env.DATABASE_URL;
  const kind = url ? 'postgres' : 'pglite';
  const scale = sweepScale(kind);
  const { database, drop } = await benchDatabase(`reachable_bench_sweep_${process.pid}`);
  try {
    const started = Date.now();
    const { events, asOf } = await loadCounty(database, scale);
    const loadMs = Date.now() - started;
    process.stderr.write(`sweep county (${kind}): ${scale.children.toLocaleString('en-GB')} children, ${events.toLocaleString('en-GB')} events, loaded in ${(loadMs / 1000).toFixed(1)} s; sweeping…\n`);
    try {
      return { database: kind, scale, events, loadMs, ...(await measure(database, scale, asOf)) };
    } catch (error) {
      // reported as a row, not a crash of the whole bench: a sweep that cannot finish is the figure
      process.stderr.write(`rules sweep failed: ${(error as Error).stack}\n`);
      const { rows } = await database.executeSql('select count(distinct child_id)::int as n from alerts');
      return { database: kind, scale, events, loadMs, failed: `${(error as Error).name}: ${(error as Error).message}`, childrenSwept: Number((rows[0] as { n: number }).n) };
    }
  } finally {
    await database.close();
    await drop();
  }
}

/** Rows for bench/run.ts's table: figure, value, unit, baseline, ratio. */
export function sweepRows(f: SweepFigures | SweepFailure): string[][] {
  const where = `${f.database === 'postgres' ? 'PostgreSQL' : 'PGlite'}, ${f.scale.children.toLocaleString('en-GB')} children`;
  if ('failed' in f) {
    return [
      [`rules sweep county load (${where})`, (f.loadMs / 1000).toFixed(1), 's', `${f.events.toLocaleString('en-GB')} events`, '-'],
      [`rules sweep FAILED (${where})`, '-', '-', `${f.failed.slice(0, 80)}; ${f.childrenSwept.toLocaleString('en-GB')} children's alerts stored`, '-'],
    ];
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const whole = (x: number) => x.toLocaleString('en-GB');
  const perChild = (ms: number) => (ms / f.scale.children).toFixed(2);
  return [
    [`rules sweep county load (${where})`, (f.loadMs / 1000).toFixed(1), 's', `${whole(f.events)} events`, '-'],
    [`rules sweep, first at the county's clock (${where})`, s(f.firstSweepMs), 's', `${whole(f.alertsBefore)} alerts stored`, '-'],
    [`rules sweep after the clock advances a day, median (${where})`, s(f.sweep.median), 's', `${s(f.baseline.median)} s (every child's alerts, indexed read a child, median)`, (f.sweep.median / f.baseline.median).toFixed(2)],
    [`rules sweep after a day, p95 / per child (${where})`, s(f.sweep.p95), 's', `${perChild(f.sweep.median)} ms a child of the county (median), ${f.sweep.runs} day${f.sweep.runs === 1 ? '' : 's'} swept`, '-'],
    [`rules sweep after a day, children evaluated (${where})`, whole(Math.max(...f.evaluated)), 'children', `of ${whole(f.scale.children)} (the most in a day)`, (Math.max(...f.evaluated) / f.scale.children).toFixed(3)],
    [`rules sweep after a day against reading every chronology (${where})`, s(f.sweep.median), 's', `${s(f.reads.median)} s (every child's events and alerts read, no rules or writes)`, (f.sweep.median / f.reads.median).toFixed(2)],
    [`alerts changed by the first day's sweep (${where})`, whole(f.changedFirstDay), 'alerts', `${whole(f.alertsBefore)} stored before, ${whole(f.alertsAfter)} after the last day`, '-'],
  ];
}
