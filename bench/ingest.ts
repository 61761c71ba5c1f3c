// Ingest (issue 10): contract-1 events from a synthetic county through the real import path — a
// `jsonl` feed through runImport, each line validated, matched to its child, appended with its
// provenance, and the rules run over each child it recorded on with the alerts stored (once, after the
// last line; the children waiting for them kept with the run, so a kill loses none) — against the
// same rows written raw into the events table (the floor: what the database alone costs), each into
// its own empty database in the same run. On PostgreSQL (DATABASE_URL set; scratch databases created
// and dropped here, so no real one is touched) the baseline is a raw COPY, as the issue asks, with a
// multi-row INSERT (1,000 rows a statement) measured too for comparison with earlier figures; on
// in-memory PGlite, which has no COPY from a client stream, the multi-row INSERT.
// Goal on PostgreSQL: ≥ 20,000 events/s and ≥ 30% of raw COPY.
// Where the time goes: the CPU of this process and, when the server runs on this machine, of
// PostgreSQL's processes, around the import and around the baseline.
import { parseScenario } from '../src/domain/scenario.ts';
import { createAlertService } from '../src/services/alert-service.ts';
import { runImport } from '../src/services/ingest-service.ts';
import { loadScenario } from '../src/services/scenario-loader.ts';
import type { Database } from '../src/store/database.ts';
import { syntheticCounty } from '../src/synth/county.ts';
import type { EngineEvent } from '../src/rules/engine.ts';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { benchDatabase, envInt } from './measure.ts';

export interface IngestFigures {
  database: 'pglite' | 'postgres';
  children: number;
  events: number;
  importMs: number;
  /** the baseline: raw COPY on PostgreSQL, the multi-row insert on PGlite */
  rawMs: number;
  rawKind: 'COPY' | 'multi-row insert';
  /** on PostgreSQL, the multi-row insert as well (the baseline of figures before 2026-11-23) */
  insertMs?: number;
  /** events the import recorded (the feed's, plus an involvement per agency new to a child) */
  recorded: number;
  alerts: number;
  rejected: number;
  /** CPU used during the import: this process (with PGlite, the database too), and the PostgreSQL server's processes when they run on this machine */
  importCpuMs: CpuMs;
  /** the same during the baseline (rawMs) */
  rawCpuMs: CpuMs;
}

export interface CpuMs {
  node: number;
  /** undefined on PGlite (in this process) or when the server's processes cannot be read in /proc */
  postgres?: number;
}

const GOAL_EVENTS_PER_SECOND = 20_000;
const GOAL_SHARE_OF_RAW = 0.3;
const RAW_ROWS_PER_STATEMENT = 1_000;

/** Clock ticks a second, the unit of /proc/PID/stat's times (100 on Linux unless getconf says otherwise). */
const clockTicks = (): number => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
};

/** Whether the server at `url` runs on this machine (a loopback host or a unix socket), so its processes are in our /proc. */
function serverIsLocal(url: string): boolean {
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname);
  return host === '' || host.startsWith('/') || ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host);
}

/** The postmaster of the server at `url`: the parent of a backend serving a connection to it. */
async function postmasterOf(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const stat = readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // no /proc here, or the server is in another namespace
  } finally {
    await client.end();
  }
}

/**
 * CPU ticks used so far by the server whose postmaster is `postmaster`: it and the processes it
 * started (another cluster on this machine is left out; another session of this server is not).
 * Undefined when /proc cannot be read.
 */
function postgresTicks(postmaster: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let ticks = 0;
  let found = false;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    // comm is field 2, in parentheses, and may itself hold spaces: the fields after the last ')' start at 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pid) !== postmaster && Number(fields[1]) !== postmaster) continue;
    // utime and stime (fields 14, 15), plus cutime and cstime (16, 17): a backend that ends within the
    // window (the COPY's own connection, a pooled one closed when idle) is then counted in the postmaster's.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    found = true;
  }
  return found ? ticks : undefined;
}

/** A CPU stopwatch: this process's, and PostgreSQL's when `postgres` (its server on this machine). */
function cpuStopwatch(postmaster: number | undefined, ticksPerSecond: number): () => CpuMs {
  // The /proc scan is read outside this process's window, so its own cost is not counted as the import's.
  const postgresBefore = postmaster !== undefined ? postgresTicks(postmaster) : undefined;
  const nodeBefore = process.cpuUsage();
  return () => {
    const node = process.cpuUsage(nodeBefore);
    const postgresAfter = postgresBefore !== undefined ? postgresTicks(postmaster!) : undefined;
    return {
      node: (node.user + node.system) / 1000,
      postgres: postgresBefore !== undefined && postgresAfter !== undefined ? ((postgresAfter - postgresBefore) * 1000) / ticksPerSecond : undefined,
    };
  };
}


/** The county's children, created before the feed arrives (a feed names children the partnership knows). */
async function createChildren(database: Database, county: ReturnType<typeof syntheticCounty>): Promise<Map<string, string>> {
  const parsed = parseScenario({ format: 'reachable-scenario/1', children: county.children, events: [] });
  if (!parsed.ok) throw new Error('the synthetic children are invalid');
  return (await loadScenario(database.db, parsed.value, { via: 'import', createdByAgency: 'social_care' })).children;
}

/** A nightly feed: the events in time order, each naming its child by Reachable id. */
function feedOf(events: readonly EngineEvent[], ids: Map<string, string>): string[] {
  return [...events]
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.index! - b.index!)
    .map((e) => JSON.stringify({ type: e.type, at: e.at, agency: e.agency, child: ids.get(e.child), ref: e.ref, details: e.details, ...(e.links ? { links: e.links } : {}) }));
}

async function rawInsert(database: Database, events: readonly EngineEvent[], ids: Map<string, string>): Promise<void> {
  for (let i = 0; i < events.length; i += RAW_ROWS_PER_STATEMENT) {
    const part = events.slice(i, i + RAW_ROWS_PER_STATEMENT);
    const values: unknown[] = [];
    const rows = part.map((e, k) => {
      const at = e.at.length === 10 ? `${e.at}T09:00:00Z` : e.at;
      values.push(ids.get(e.child), e.type, at, e.at, e.agency, e.ref, JSON.stringify(e.details), e.links ? JSON.stringify(e.links) : null);
      const p = k * 8;
      return `($${p + 1}::uuid, $${p + 2}, $${p + 3}::timestamptz, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}::jsonb, $${p + 8}::jsonb, 'import')`;
    });
    await database.executeSql(`insert into events (child_id, type, at, at_text, agency, ref, details, links, recorded_via) values ${rows.join(', ')}`, values);
  }
}

/** COPY's text format: a backslash, tab, newline or carriage return in a value escaped; null as \N. */
const copyText = (value: string | null): string => (value === null ? '\\N' : value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!));

/** Waits (a second at most) until process `pid` is gone from /proc: ended and reaped. */
async function ended(pid: number): Promise<void> {
  for (let tries = 0; tries < 100 && existsSync(`/proc/${pid}`); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (existsSync(`/proc/${pid}`)) process.stderr.write(`ingest: the raw COPY's backend (${pid}) had not ended after a second; PostgreSQL's CPU for it may read short\n`);
}

/** The same rows as rawInsert, by COPY from a stream on a connection of its own; returns the pid of that connection's backend. */
async function rawCopy(url: string, events: readonly EngineEvent[], ids: Map<string, string>): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let pid = 0;
  try {
    pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    function* lines() {
      for (const e of events) {
        const at = e.at.length === 10 ? `${e.at}T09:00:00Z` : e.at;
        yield `${[ids.get(e.child)!, e.type, at, e.at, e.agency, e.ref ?? null, JSON.stringify(e.details), e.links ? JSON.stringify(e.links) : null, 'import'].map(copyText).join('\t')}\n`;
      }
    }
    await pipeline(Readable.from(lines()), client.query(copyFrom('copy events (child_id, type, at, at_text, agency, ref, details, links, recorded_via) from stdin')));
  } finally {
    await client.end();
  }
  return pid;
}

const count = async (database: Database, table: string): Promise<number> =>
  Number(((await database.executeSql(`select count(*)::int as n from ${table}`)).rows[0] as { n: number }).n);

export async function benchIngest(): Promise<IngestFigures> {
  const url = process.env.DATABASE_URL;
  const kind = url ? 'postgres' : 'pglite';
  // PGlite (one WASM process) is kept small so `npm run bench` stays within minutes.
  const children = envInt('BENCH_INGEST_CHILDREN', kind === 'pglite' ? 20 : 40);
  const county = syntheticCounty({ children, eventsPerChild: envInt('BENCH_INGEST_EVENTS_PER_CHILD', 50), seed: 2019 });
  const events = county.events;
  const postmaster = url !== undefined && serverIsLocal(url) ? await postmasterOf(url) : undefined;
  const ticksPerSecond = postmaster !== undefined ? clockTicks() : 100;

  const imported = await benchDatabase(`reachable_bench_ingest_import_${process.pid}`);
  let importMs: number;
  let recorded: number;
  let alerts: number;
  let rejected: number;
  let importCpuMs: CpuMs;
  try {
    const ids = await createChildren(imported.database, county);
    const bytes = new TextEncoder().encode(`${feedOf(events, ids).join('\n')}\n`);
    const alertService = createAlertService({ notify: false });
    const cpu = cpuStopwatch(postmaster, ticksPerSecond);
    const started = process.hrtime.bigint();
    const summary = await runImport(imported.database.db, { format: 'jsonl', fileName: 'county.jsonl', bytes }, { actor: null, via: 'cli', alerts: alertService });
    importMs = Number(process.hrtime.bigint() - started) / 1e6;
    importCpuMs = cpu();
    rejected = summary.rejected;
    recorded = await count(imported.database, 'events');
    alerts = await count(imported.database, 'alerts');
  } finally {
    await imported.database.close();
    await imported.drop();
  }

  /** the rows written raw into an empty database of their own, the children created first */
  const timedRaw = async (name: string, write: (database: Database, url: string | undefined, ids: Map<string, string>) => Promise<number | void>): Promise<{ ms: number; cpuMs: CpuMs }> => {
    const raw = await benchDatabase(`reachable_bench_ingest_${name}_${process.pid}`);
    try {
      const ids = await createChildren(raw.database, county);
      const cpu = cpuStopwatch(postmaster, ticksPerSecond);
      const started = process.hrtime.bigint();
      const backend = await write(raw.database, raw.url, ids);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // a connection closed at the end of the write: its backend's CPU is read once the postmaster
      // has reaped it (then in the postmaster's own figures); read while it ended, it could be missed
      if (postmaster !== undefined && typeof backend === 'number') await ended(backend);
      const cpuMs = cpu();
      if ((await count(raw.database, 'events')) !== events.length) throw new Error(`the raw ${name} did not store every event`);
      return { ms, cpuMs };
    } finally {
      await raw.database.close();
      await raw.drop();
    }
  };
  const insert = await timedRaw('insert', (database, _url, ids) => rawInsert(database, events, ids));
  const copy = kind === 'postgres' ? await timedRaw('copy', (_database, url, ids) => rawCopy(url!, events, ids)) : undefined;
  const insertMs = insert.ms;
  const copyMs = copy?.ms;
  const raw = copy ?? insert;
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  const cpuText = (cpu: CpuMs) => `${seconds(cpu.node)} s${cpu.postgres !== undefined ? ` + PostgreSQL ${seconds(cpu.postgres)} s` : ''}`;
  process.stderr.write(`ingest (${kind}): ${children.toLocaleString('en-GB')} children, ${events.length.toLocaleString('en-GB')} events imported in ${seconds(importMs)} s (CPU ${cpuText(importCpuMs)}), raw insert ${seconds(insertMs)} s${copyMs !== undefined ? `, raw COPY ${seconds(copyMs)} s` : ''} (CPU ${cpuText(raw.cpuMs)})\n`);
  return { database: kind, children, events: events.length, importMs, rawMs: raw.ms, rawKind: copyMs !== undefined ? 'COPY' : 'multi-row insert', insertMs: copyMs !== undefined ? insertMs : undefined, recorded, alerts, rejected, importCpuMs, rawCpuMs: raw.cpuMs };
}

/** Rows for bench/run.ts's table: figure, value, unit, baseline, ratio. */
export function ingestRows(f: IngestFigures): string[][] {
  const where = `${f.database === 'postgres' ? 'PostgreSQL' : 'PGlite'}, ${f.events.toLocaleString('en-GB')} events`;
  const perSecond = (ms: number) => Math.round(f.events / (ms / 1000));
  const whole = (x: number) => x.toLocaleString('en-GB');
  const imported = perSecond(f.importMs);
  const raw = perSecond(f.rawMs);
  const rows = [
    [`ingest, jsonl import with rules and alerts (${where})`, whole(imported), 'events/s', `${whole(raw)} events/s (raw ${f.rawKind})`, (imported / raw).toFixed(2)],
    ...(f.insertMs !== undefined ? [[`ingest, the same against a raw multi-row insert (${where})`, whole(imported), 'events/s', `${whole(perSecond(f.insertMs))} events/s (raw multi-row insert)`, (imported / perSecond(f.insertMs)).toFixed(2)]] : []),
    [`ingest against the goal (${where})`, whole(imported), 'events/s', `${whole(GOAL_EVENTS_PER_SECOND)} events/s (goal, PostgreSQL)`, (imported / GOAL_EVENTS_PER_SECOND).toFixed(2)],
    [`ingest share of raw ${f.rawKind} against the goal (${where})`, (imported / raw).toFixed(2), 'of raw', `${GOAL_SHARE_OF_RAW.toFixed(2)} (goal, PostgreSQL: of raw COPY)`, (imported / raw / GOAL_SHARE_OF_RAW).toFixed(2)],
    [`ingest, rows and alerts stored (${where})`, whole(f.recorded), 'events', `${whole(f.alerts)} alerts, ${whole(f.rejected)} rejected`, '-'],
  ];
  // Where the time goes: CPU per event on each side of the connection, and how much of the machine was busy.
  const perEvent = (ms: number) => (ms * 1000) / f.events;
  const cpuRow = (who: string, importMs: number, rawMs: number) => [`ingest CPU per event, ${who} (${where})`, perEvent(importMs).toFixed(1), 'µs/event', `${perEvent(rawMs).toFixed(1)} µs/event (raw ${f.rawKind})`, (rawMs > 0 ? (importMs / rawMs).toFixed(2) : '-')];
  rows.push(cpuRow(f.database === 'pglite' ? 'this process with PGlite in it' : 'this process', f.importCpuMs.node, f.rawCpuMs.node));
  if (f.importCpuMs.postgres !== undefined && f.rawCpuMs.postgres !== undefined) rows.push(cpuRow('PostgreSQL server', f.importCpuMs.postgres, f.rawCpuMs.postgres));
  // Only when every CPU involved was measured (PGlite's is this process's): else the share reads low.
  if (f.database === 'pglite' || (f.importCpuMs.postgres !== undefined && f.rawCpuMs.postgres !== undefined)) {
    const cpus = availableParallelism();
    const busy = (cpu: CpuMs, ms: number) => ((cpu.node + (cpu.postgres ?? 0)) / (ms * cpus)).toFixed(2);
    rows.push([`ingest, share of the ${cpus} CPUs busy during the import (${where})`, busy(f.importCpuMs, f.importMs), 'of the CPUs', `${busy(f.rawCpuMs, f.rawMs)} (raw ${f.rawKind})`, '-']);
  }
  return rows;
}

// `node --import tsx bench/ingest.ts`: this benchmark alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = ingestRows(await benchIngest());
  for (const row of rows) console.log(row.join('  '));
}
