// The link queries at a region's scale (issue 6): a child's shared-entity neighbourhood and the
// ranked adults-of-concern list, on a synthetic region of 100,000 people and 1,000,000 links,
// each against the plain indexed look-up of one child's links in the same run. PostgreSQL when
// DATABASE_URL is set (in a scratch database created and dropped here, so no real one is
// touched), else in-memory PGlite. The region is generated in the database with generate_series
// (a million rows from JavaScript would measure the driver, not the queries) from a fixed seed.
//
// The shape, so the neighbourhoods are the ones a partnership sees: children's chronologies are
// skewed (a few children carry long ones); most people are peers or family linked to one or two
// children; a few hundred adults of concern, most of them around one network of children, some
// of them hubs across the region (log-uniform, Zipf-like); local places, phones and vehicles
// shared by a street's or a line's children, and a few hundred hotspots (a station, a takeaway)
// that thousands pass through, again Zipf-like. Police intelligence is partly restricted.
import { mulberry32 } from '../src/domain/seeded-random.ts';
import { type Database } from '../src/store/database.ts';
import { linkRowsOfChild, neighbourhood, rankedAdults } from '../src/store/context-repository.ts';
import { benchDatabase, envInt, loaderFor, type Spread, spread } from './measure.ts';

export interface NetworkScale {
  persons: number;
  links: number;
  children: number;
  events: number;
  adults: number;
  locations: number;
  hotspots: number;
  phones: number;
  vehicles: number;
}


export interface NetworkFigures {
  database: 'pglite' | 'postgres';
  scale: NetworkScale;
  /** links loaded (the region's count unless repeated draws left fewer) */
  links: number;
  loadMs: number;
  baseline: Spread;
  neighbourhood: Spread;
  ranked: Spread;
  /** medians: the child's links; the other children sharing its contexts (pairs counted), and those named */
  baselineRows: number;
  neighbourhoodRows: number;
  neighbourhoodShown: number;
}

const NEIGHBOURHOOD_GOAL_MS = 20;
const RANKED_GOAL_MS = 500;
const SCOPE = { agency: 'police', userId: null };

/**
 * The region by default. PGlite (one WASM process) loads the full region in minutes, so
 * there it defaults to a tenth; BENCH_NETWORK_PERSONS / _LINKS (and _CHILDREN, _EVENTS) override.
 */
export function networkScale(database: 'pglite' | 'postgres'): NetworkScale {
  const tenth = database === 'pglite';
  const persons = envInt('BENCH_NETWORK_PERSONS', tenth ? 10_000 : 100_000);
  const links = envInt('BENCH_NETWORK_LINKS', tenth ? 100_000 : 1_000_000);
  const children = envInt('BENCH_NETWORK_CHILDREN', Math.max(100, Math.round(links * 0.03)));
  const events = envInt('BENCH_NETWORK_EVENTS', Math.max(1, Math.round(links / 4)));
  const adults = Math.max(20, Math.round(persons * 0.003));
  const locations = Math.max(50, Math.round(persons * 0.05));
  return {
    persons,
    links,
    children,
    events,
    adults: Math.min(adults, persons),
    locations,
    hotspots: Math.max(10, Math.round(locations * 0.04)),
    phones: Math.max(20, Math.round(persons * 0.04)),
    vehicles: Math.max(10, Math.round(persons * 0.01)),
  };
}

/** Deterministic ids: a kind code and a number, so the generator needs no look-ups to join rows. */
const uid = (code: number, n: string) => `(lpad(to_hex(${code}), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const CHILD = 1;
const EVENT = 2;
const ENTITY = 3;
const LINK = 4;

// A few draws repeat a context already on the same event (the unique index drops them): draw a
// few per cent more, and keep the region's count.
const OVERDRAW = 1.05;

function regionScript(s: NetworkScale): string[] {
  const otherPersons = s.persons - s.adults;
  const firstLocation = s.persons;
  const firstPhone = firstLocation + s.locations;
  const firstVehicle = firstPhone + s.phones;
  const entities = firstVehicle + s.vehicles;
  // Each child's own window of people, places, phones and vehicles, overlapping its neighbours':
  // a person's window is shared by about 6 / stride children (1–3), a local place's by ~25.
  const personStride = otherPersons / s.children;
  const localLocations = s.locations - s.hotspots;
  const locationStride = localLocations / s.children;
  const phoneStride = s.phones / s.children;
  const vehicleStride = s.vehicles / s.children;
  const networkSize = 50;
  return [
    `select setseed(0.2019)`,
    `insert into children (id, name, date_of_birth, created_by_agency)
     select ${uid(CHILD, 'c')}, 'Child ' || c, date '2006-01-01' + (random() * 3000)::int,
            (array['social_care','social_care','social_care','police','police','education','health','youth_justice'])[1 + (c % 8)]
       from generate_series(0, ${s.children - 1}) c`,
    // A few children carry long chronologies (power 1.5 skew towards the low numbers).
    `create temp table bench_events as
     select e, least(${s.children - 1}, floor(${s.children} * power(random(), 1.5)))::int as c,
            timestamptz '2022-01-01 00:00Z' + random() * interval '3 years' as at,
            (random() * 1000)::int as r0, k
       from generate_series(0, ${s.events - 1}) e,
            lateral (select (array['police.incident','missing.started','context.linked','police.arrested','education.excluded','health.ed_attendance'])[1 + (e % 6)] as k) t`,
    `insert into events (id, child_id, type, at, at_text, agency, details, sensitivity, recorded_via)
     select ${uid(EVENT, 'e')}, ${uid(CHILD, 'c')}, k, at, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            case when k like 'police.%' or k = 'missing.started' then 'police' when k like 'education.%' then 'education'
                 when k like 'health.%' then 'health' else 'social_care' end,
            '{}'::jsonb, case when k like 'police.%' and e % 5 = 0 then 'restricted' else 'standard' end, 'import'
       from bench_events`,
    `insert into context_entities (id, kind, key, label, date_of_birth, district, postcode, location_type, created_by_agency)
     select ${uid(ENTITY, 'n')}, kind, kind || '-' || n, label, dob, district, postcode, location_type, agency
       from (select n,
                    case when n < ${firstLocation} then 'person' when n < ${firstPhone} then 'location' when n < ${firstVehicle} then 'phone' else 'vehicle' end as kind,
                    case when n < ${s.adults} then 'Adult of concern ' || n when n < ${firstLocation} then 'Person ' || n
                         when n < ${firstPhone} then 'Place ' || (n - ${firstLocation}) when n < ${firstVehicle} then '+4477009' || lpad((n - ${firstPhone})::text, 5, '0')
                         else 'BN' || (n - ${firstVehicle}) end as label,
                    case when n < ${firstLocation} then date '1970-01-01' + (n % 15000) end as dob,
                    case when n < ${firstPhone} then 'AB' || (1 + n % 40) end as district,
                    case when n >= ${firstLocation} and n < ${firstPhone} then 'AB' || (1 + n % 40) || ' 1AA' end as postcode,
                    case when n >= ${firstLocation} and n < ${firstPhone} then (array['home','park','shop','takeaway','transport_hub','trap_house','street'])[1 + n % 7] end as location_type,
                    case when n % 3 = 0 then 'police' else 'social_care' end as agency
               from generate_series(0, ${entities - 1}) n) x`,
    // Every link: the event's child, then the context by a draw — local people (peer, family, the odd
    // professional), adults of concern (mostly the child's network's, some region-wide hubs), places
    // (local, or a Zipf-like hotspot), phones and vehicles shared along the child's window.
    `create temp table bench_links as
     select i, e, j, c, at, sensitivity, agency,
            case when rk < 0.55 then ${s.adults} + ((floor(c * ${personStride}) + (r0 + j) % 6)::int % ${otherPersons})
                 when rk < 0.65 then case when rl < 0.7 then ((c / ${networkSize}) * 7 + j % 2) % ${s.adults}
                                          else least(${s.adults - 1}, floor(power(${s.adults + 1}, rx))::int - 1) end
                 when rk < 0.85 then ${firstLocation} + case when rl < 0.8 then ${s.hotspots} + ((floor(c * ${locationStride}) + (r0 + j) % 4)::int % ${localLocations})
                                                             else least(${s.hotspots - 1}, floor(power(${s.hotspots + 1}, rx))::int - 1) end
                 when rk < 0.95 then ${firstPhone} + ((floor(c * ${phoneStride}) + (r0 + j) % 2)::int % ${s.phones})
                 else ${firstVehicle} + ((floor(c * ${vehicleStride}) + (r0 + j) % 2)::int % ${s.vehicles}) end as entity,
            case when rk < 0.55 then case when rl < 0.6 then 'peer' when rl < 0.95 then 'family' else 'professional' end
                 when rk < 0.65 then 'adult_of_concern' end as role,
            case when rc < 0.6 then 'confirmed' when rc < 0.85 then 'tentative' else 'unconfirmed' end as confidence
       from (select i, i % ${s.events} as e, i / ${s.events} as j, random() as rk, random() as rl, random() as rx, random() as rc
               from generate_series(0, ${Math.ceil(s.links * OVERDRAW) - 1}) i) d
       join (select e as ev, c, at, r0, case when k like 'police.%' and e % 5 = 0 then 'restricted' else 'standard' end as sensitivity,
                    case when k like 'police.%' or k = 'missing.started' then 'police' when k like 'education.%' then 'education'
                         when k like 'health.%' then 'health' else 'social_care' end as agency
               from bench_events) ev on ev.ev = d.e`,
    `insert into context_links (id, entity_id, recorded_entity_id, child_id, event_id, role, confidence, agency, sensitivity, linked_at)
     select ${uid(LINK, 'i')}, ${uid(ENTITY, 'entity')}, ${uid(ENTITY, 'entity')}, ${uid(CHILD, 'c')}, ${uid(EVENT, 'e')},
            role, confidence, agency, sensitivity, at
       from bench_links order by i
     on conflict do nothing`,
    `insert into child_concern (child_id, since)
     select ${uid(CHILD, 'c')}, timestamptz '2022-01-01 00:00Z' + random() * interval '3 years'
       from generate_series(0, ${s.children - 1}) c where random() < 0.2`,
    // Social care is involved with every child that has a chronology, police with most.
    `insert into involvements (child_id, agency, started_at, started_by_event)
     select ${uid(CHILD, 'f.c')}, a.agency, f.at, ${uid(EVENT, 'f.e')}
       from (select distinct on (c) c, e, at from bench_events order by c, at) f
       cross join (values ('social_care'), ('police')) a(agency)
      where a.agency = 'social_care' or random() < 0.7`,
  ];
}


/** Generates the region into an empty, migrated database; answers the links loaded. */
export async function loadRegion(database: Database, s: NetworkScale): Promise<number> {
  const loader = await loaderFor(database);
  try {
    // The secondary indexes of context_links are built once after the load (as a restore does); the
    // unique (event, context) index stays, for the conflicts. Foreign keys hold by construction
    // (every id is drawn from the generated ranges): their per-row triggers are skipped for the load
    // where the role may (a superuser; otherwise they run, and the load is slower).
    const { rows: indexes } = await loader.run(`select indexname, indexdef from pg_indexes
      where schemaname = current_schema() and tablename = 'context_links' and indexname not in ('context_links_pkey', 'context_links_event_entity_key')`);
    await loader.run('set session_replication_role = replica').catch(() => undefined);
    await loader.run('begin');
    for (const index of indexes) await loader.run(`drop index ${index.indexname as string}`);
    for (const statement of regionScript(s)) await loader.run(statement);
    // the draws past the region's count (kept for repeated draws) go
    await loader.run(`delete from context_links where id > (select id from context_links order by id offset ${s.links - 1} limit 1)`);
    for (const index of indexes) await loader.run(index.indexdef as string);
    await loader.run('drop table bench_links, bench_events');
    await loader.run('commit');
    await loader.run('reset session_replication_role');
    // a table at rest, as autovacuum leaves it (visibility map set, statistics current)
    await loader.run('vacuum analyze');
    return Number((await loader.run('select count(*)::int as n from context_links')).rows[0].n);
  } catch (error) {
    await loader.run('rollback').catch(() => undefined);
    throw error;
  } finally {
    await loader.end();
  }
}



const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

async function measure(database: Database, runs: number, rankedRuns: number) {
  const { db } = database;
  const linked = (await database.executeSql('select distinct child_id as id from context_links order by 1')).rows as { id: string }[];
  const rnd = mulberry32(2019);
  const pick = () => linked[Math.floor(rnd() * linked.length)].id;
  // warm-up: the plans cached, the pages of the indexes in memory
  for (let i = 0; i < 20; i++) {
    const child = pick();
    await linkRowsOfChild(db, child);
    await neighbourhood(db, child, SCOPE);
  }
  await rankedAdults(db, {});
  // (a) and (b) on the same children, interleaved, so the machine's moments fall on both alike
  const baseline: number[] = [];
  const around: number[] = [];
  const baselineRows: number[] = [];
  const aroundRows: number[] = [];
  const aroundShown: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = pick();
    const a = await timed(() => linkRowsOfChild(db, child));
    const b = await timed(() => neighbourhood(db, child, SCOPE));
    baseline.push(a.ms);
    around.push(b.ms);
    baselineRows.push(a.result);
    aroundRows.push(b.result.reduce((n, c) => n + c.readableChildren + c.restrictedChildren, 0));
    aroundShown.push(b.result.reduce((n, c) => n + c.shown.length, 0));
  }
  const ranked: number[] = [];
  for (let i = 0; i < rankedRuns; i++) ranked.push((await timed(() => rankedAdults(db, {}))).ms);
  return {
    baseline: spread(baseline), neighbourhood: spread(around), ranked: spread(ranked),
    baselineRows: middle(baselineRows), neighbourhoodRows: middle(aroundRows), neighbourhoodShown: middle(aroundShown),
  };
}

/** Builds the region (in a scratch database on a server), measures, and drops it. */
export async function benchNetwork(): Promise<NetworkFigures> {
  const url = process.env.DATABASE_URL;
  const kind = url ? 'postgres' : 'pglite';
  const scale = networkScale(kind);
  const runs = envInt('BENCH_NETWORK_RUNS', 200);
  const rankedRuns = envInt('BENCH_NETWORK_RANKED_RUNS', 21);
  const { database, drop } = await benchDatabase(`reachable_bench_${process.pid}`);
  try {
    const started = Date.now();
    const links = await loadRegion(database, scale);
    const loadMs = Date.now() - started;
    process.stderr.write(`network region (${kind}): ${scale.persons.toLocaleString('en-GB')} people, ${links.toLocaleString('en-GB')} links, ${scale.children.toLocaleString('en-GB')} children, loaded in ${(loadMs / 1000).toFixed(1)} s; measuring…\n`);
    return { database: kind, scale, links, loadMs, ...(await measure(database, runs, rankedRuns)) };
  } finally {
    await database.close();
    await drop();
  }
}

/** Rows for bench/run.ts's table: figure, value, unit, baseline, ratio. */
export function networkRows(f: NetworkFigures): string[][] {
  const where = `${f.database === 'postgres' ? 'PostgreSQL' : 'PGlite'}, ${(f.scale.persons / 1000).toLocaleString('en-GB')}k people / ${(f.links / 1_000_000).toLocaleString('en-GB', { maximumFractionDigits: 2 })}M links`;
  const ms = (x: number) => x.toFixed(2);
  const base = `${ms(f.baseline.median)} ms (one child's links, median)`;
  return [
    [`network region load (${where})`, (f.loadMs / 1000).toFixed(1), 's', `${f.scale.children.toLocaleString('en-GB')} children, ${f.scale.events.toLocaleString('en-GB')} events`, '-'],
    [`child's links, indexed look-up, median (${where})`, ms(f.baseline.median), 'ms', `p95 ${ms(f.baseline.p95)} ms, ${f.baselineRows} links, ${f.baseline.runs} children`, '-'],
    [`child's shared-entity neighbourhood, median (${where})`, ms(f.neighbourhood.median), 'ms', base, (f.neighbourhood.median / f.baseline.median).toFixed(2)],
    [`child's shared-entity neighbourhood, p95 (${where})`, ms(f.neighbourhood.p95), 'ms', `median ${f.neighbourhoodRows} child–context pairs counted, ${f.neighbourhoodShown} named`, '-'],
    [`child's neighbourhood against the goal (${where})`, ms(f.neighbourhood.median), 'ms', `${NEIGHBOURHOOD_GOAL_MS} ms (goal)`, (f.neighbourhood.median / NEIGHBOURHOOD_GOAL_MS).toFixed(2)],
    [`ranked adults of concern, median (${where})`, ms(f.ranked.median), 'ms', base, (f.ranked.median / f.baseline.median).toFixed(2)],
    [`ranked adults of concern, p95 (${where})`, ms(f.ranked.p95), 'ms', `${f.ranked.runs} runs`, '-'],
    [`ranked adults of concern against the goal (${where})`, ms(f.ranked.median), 'ms', `${RANKED_GOAL_MS} ms (goal)`, (f.ranked.median / RANKED_GOAL_MS).toFixed(2)],
  ];
}
