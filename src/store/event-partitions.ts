// The chronology partitioned by time (issue 10), on PostgreSQL, once `events` passes a configured
// size. A county's chronology grows by millions of rows a year and a nation's by tens of millions:
// with one partition a year, a query bounded in time (the dashboard's months, a feed's window, a
// retention review) reads only its years, a year can be moved to cheaper storage or detached
// whole, and vacuum and index builds work a year at a time. A child's chronology reads every
// partition's (child_id, at) index, a probe per year.
//
// PostgreSQL's native range partitioning, no extension: a partitioned table's primary key and
// unique indexes must contain the partition key, so `events` becomes (id, at) keyed and the
// `(agency, ref)` uniqueness (a re-sent record creates no duplicate) becomes (agency, ref, at) —
// the services look a ref up before recording it (chronology-service.ts), which is what refuses a
// record re-sent with another time. No foreign key can point at (id) alone any more, so the five
// tables that name an event (involvements, panel items and actions, context links, access requests)
// are checked by triggers instead: an id that is not in the chronology is refused on their insert
// or update, and an event they name cannot be deleted.
//
// For the next migration: a partitioned database has no foreign key to events. A new table that
// names an event must be checked the same way (a trigger calling reachable_event_exists('column')
// on it, and events_still_named dropped and made again with the table and column added to its
// arguments — a trigger's arguments cannot be altered) — a migration that adds `references
// events(id)`, or touches the five foreign keys or events_agency_ref_key, fails there; run the suite
// with REACHABLE_TEST_PARTITIONED=1 before such a migration lands.
//
// A default partition takes any event outside the years made (a record of 1990, a date mistyped
// into next century), so no record is ever refused for its date; `ensureEventPartitions` makes
// next year's partition before it is needed, moving any rows the default already holds for it.
import { sql } from 'drizzle-orm';
import type { Db } from './database.ts';

const TABLE = 'events';
const BUILDING = 'events_by_time';
const DEFAULT_PARTITION = 'events_default';
/** Years of partitions made at most before the present one; older events go to the default partition. */
export const MAX_YEARS_BACK = 30;

export interface EventPartition {
  name: string;
  /** the partition's bounds as PostgreSQL prints them, or DEFAULT */
  bounds: string;
  rows: number;
}

export interface EventPartitioning {
  partitioned: boolean;
  /** estimated rows (pg_class.reltuples over the table or its partitions) */
  rows: number;
  partitions: EventPartition[];
}

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

const partitionName = (year: number) => `events_y${year}`;
const yearStart = (year: number) => `${String(year).padStart(4, '0')}-01-01 00:00:00+00`;

/** Whether `events` is partitioned, its estimated size and its partitions (with exact counts when asked). */
export async function eventPartitioning(db: Db, options: { count?: boolean } = {}): Promise<EventPartitioning> {
  const [{ partitioned }] = await rows<{ partitioned: boolean }>(db, sql`select exists (select 1 from pg_partitioned_table where partrelid = ${TABLE}::regclass) as partitioned`);
  const parts = partitioned
    ? await rows<{ name: string; bounds: string; estimate: number }>(db, sql`
        select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bounds, greatest(c.reltuples, 0)::float8 as estimate
          from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = ${TABLE}::regclass
         order by c.relname`)
    : [];
  const partitions: EventPartition[] = [];
  for (const p of parts) {
    const n = options.count ? Number((await rows<{ n: number }>(db, sql`select count(*)::float8 as n from ${sql.identifier(p.name)}`))[0].n) : Number(p.estimate);
    partitions.push({ name: p.name, bounds: p.bounds, rows: n });
  }
  const [{ estimate }] = await rows<{ estimate: number }>(db, sql`select greatest(reltuples, 0)::float8 as estimate from pg_class where oid = ${TABLE}::regclass`);
  return { partitioned, rows: partitioned ? partitions.reduce((sum, p) => sum + p.rows, 0) : Number(estimate), partitions };
}

/**
 * Adds `at` to a unique index's key columns: `... USING btree (agency, ref) WHERE ...` becomes
 * `... USING btree (agency, ref, at) WHERE ...`. Exported for its test.
 */
export function withPartitionKey(indexDefinition: string): string {
  const open = indexDefinition.indexOf('(', indexDefinition.indexOf(' USING '));
  let depth = 0;
  for (let i = open; i < indexDefinition.length; i++) {
    if (indexDefinition[i] === '(') depth++;
    else if (indexDefinition[i] === ')' && --depth === 0) {
      const keys = indexDefinition.slice(open + 1, i);
      if (/(^|,\s*)at($|\s|,)/.test(keys)) return indexDefinition;
      return `${indexDefinition.slice(0, i)}, at${indexDefinition.slice(i)}`;
    }
  }
  throw new Error(`cannot read the key columns of: ${indexDefinition}`);
}

/** The constraint trigger functions: references to events checked without foreign keys. */
const INTEGRITY_FUNCTIONS = [
  sql.raw(`create or replace function reachable_event_exists() returns trigger language plpgsql as $fn$
declare
  named uuid := (to_jsonb(new) ->> tg_argv[0])::uuid;
begin
  if named is null then
    return null;
  end if;
  -- as a foreign key does: the named event locked against removal until this transaction ends
  perform 1 from events where id = named for key share;
  if not found then
    raise foreign_key_violation using message = format('%s.%s names event %s, which is not in the chronology', tg_table_name, tg_argv[0], named);
  end if;
  return null;
end $fn$`),
  sql.raw(`create or replace function reachable_event_unreferenced() returns trigger language plpgsql as $fn$
declare
  i int := 0;
  named boolean;
begin
  -- checked at commit: an event moved between partitions (ensureEventPartitions) is still there
  if exists (select 1 from events where id = old.id) then
    return null;
  end if;
  while i < tg_nargs loop
    execute format('select exists (select 1 from %I where %I = $1)', tg_argv[i], tg_argv[i + 1]) using old.id into named;
    if named then
      raise foreign_key_violation using message = format('event %s is named by %s.%s and cannot be removed', old.id, tg_argv[i], tg_argv[i + 1]);
    end if;
    i := i + 2;
  end loop;
  return null;
end $fn$`),
];

/**
 * Makes `events` a table partitioned by year, moving every row, in one transaction (it holds the
 * table's lock while rows move: minutes for millions — run it in a maintenance window, or let the
 * start that finds the table past EVENTS_PARTITION_ROWS do it before it listens). Does nothing to
 * a table already partitioned. `now` decides how far ahead partitions are made (next year's).
 */
export async function partitionEvents(db: Db, options: { now?: Date } = {}): Promise<{ moved: number; partitions: string[] } | null> {
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    // a start that cannot have the table within a minute gives up (and says so) rather than
    // queue every instance's reads behind its lock
    await tx.execute(sql`set local lock_timeout = '60s'`);
    await tx.execute(sql`lock table events in access exclusive mode`);
    if ((await eventPartitioning(tx)).partitioned) return null;

    const columns = await rows<{ name: string; sequence: string | null }>(tx, sql`
      select a.attname as name, pg_get_serial_sequence('events', a.attname) as sequence
        from pg_attribute a where a.attrelid = 'events'::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum`);
    const indexes = await rows<{ name: string; definition: string; unique: boolean; primary: boolean }>(tx, sql`
      select c.relname as name, pg_get_indexdef(i.indexrelid) as definition, i.indisunique as unique, i.indisprimary as primary
        from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = 'events'::regclass order by c.relname`);
    const outgoing = await rows<{ name: string; definition: string }>(tx, sql`
      select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint where conrelid = 'events'::regclass and contype = 'f' order by conname`);
    const incoming = await rows<{ name: string; table: string; column: string }>(tx, sql`
      select c.conname as name, c.conrelid::regclass::text as table, a.attname as column
        from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
       where c.confrelid = 'events'::regclass and c.contype = 'f' order by 2, 3`);
    const triggers = await rows<{ definition: string }>(tx, sql`
      select pg_get_triggerdef(oid) as definition from pg_trigger where tgrelid = 'events'::regclass and not tgisinternal`);
    // the years that hold at least 0.1% of the chronology, at most MAX_YEARS_BACK before this one:
    // one record dated 1900 or 9999 (a mistyped year) must not make a partition for every year
    // between — each is an index probe on every child's page — but waits in the default partition
    const thisYear = now.getUTCFullYear();
    const [span] = await rows<{ first: number | null }>(tx, sql`
      select min(year)::int as first from (
        select extract(year from at at time zone 'UTC') as year, count(*) as n, sum(count(*)) over () as total
          from events group by 1) y
       where n >= total * 0.001 and year between ${thisYear - MAX_YEARS_BACK} and ${thisYear + 1}`);

    // the new table: the same columns, defaults and checks, partitioned by the time of the event
    await tx.execute(sql.raw(`create table ${BUILDING} (like events including defaults including constraints including generated including identity including storage including comments) partition by range (at)`));
    const first = Math.min(span.first ?? thisYear, thisYear);
    const last = thisYear + 1;
    const partitions: string[] = [];
    for (let year = first; year <= last; year++) {
      await tx.execute(sql.raw(`create table ${partitionName(year)} partition of ${BUILDING} for values from ('${yearStart(year)}') to ('${yearStart(year + 1)}')`));
      partitions.push(partitionName(year));
    }
    await tx.execute(sql.raw(`create table ${DEFAULT_PARTITION} partition of ${BUILDING} default`));
    partitions.push(DEFAULT_PARTITION);

    // rows first, indexes after: building an index over a partition's rows beats growing it row by row
    const moved = (await tx.execute(sql.raw(`insert into ${BUILDING} select * from events`))) as unknown as { rowCount?: number; affectedRows?: number };
    // the identity of the table's sequences (the write order) moves with its columns
    for (const c of columns) if (c.sequence) await tx.execute(sql.raw(`alter sequence ${c.sequence} owned by ${BUILDING}.${c.name}`));

    // what named events by foreign key is checked by trigger from now on
    for (const f of INTEGRITY_FUNCTIONS) await tx.execute(f);
    for (const ref of incoming) {
      await tx.execute(sql.raw(`alter table ${ref.table} drop constraint ${ref.name}`));
      await tx.execute(sql.raw(`create trigger ${ref.table}_${ref.column}_in_chronology after insert or update of ${ref.column} on ${ref.table} for each row execute function reachable_event_exists('${ref.column}')`));
    }
    await tx.execute(sql.raw(`drop table events`));
    await tx.execute(sql.raw(`alter table ${BUILDING} rename to events`));

    // the primary key and indexes under their old names, every unique one keyed by time as well
    for (const index of indexes) {
      if (index.primary) {
        await tx.execute(sql.raw(`alter table events add constraint ${index.name} primary key (id, at)`));
        continue;
      }
      await tx.execute(sql.raw(index.unique ? withPartitionKey(index.definition) : index.definition));
    }
    for (const f of outgoing) await tx.execute(sql.raw(`alter table events add constraint ${f.name} ${f.definition}`));
    for (const t of triggers) await tx.execute(sql.raw(t.definition));
    if (incoming.length) {
      const args = incoming.map((r) => `'${r.table}', '${r.column}'`).join(', ');
      await tx.execute(sql.raw(`create constraint trigger events_still_named after delete on events deferrable initially deferred for each row execute function reachable_event_unreferenced(${args})`));
    }
    await tx.execute(sql.raw(`analyze events`));
    return { moved: Number(moved.rowCount ?? moved.affectedRows ?? 0), partitions };
  });
}

/**
 * Makes sure the partitions for this year and the next exist (a partitioned `events` only), moving
 * into a new partition whatever the default partition already holds for its year. Safe to run from
 * every instance: one at a time (an advisory lock), and what exists is left alone.
 */
export async function ensureEventPartitions(db: Db, options: { now?: Date } = {}): Promise<string[]> {
  if (!(await eventPartitioning(db)).partitioned) return [];
  const year = (options.now ?? new Date()).getUTCFullYear();
  const made: string[] = [];
  await db.transaction(async (tx) => {
    // queued behind a long read, give up and try again tomorrow rather than hold up every query behind it
    await tx.execute(sql`set local lock_timeout = '10s'`);
    const [{ locked }] = await rows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(7201905) as locked`);
    if (!locked) return;
    const existing = new Set((await eventPartitioning(tx)).partitions.map((p) => p.name));
    for (const y of [year, year + 1]) {
      const name = partitionName(y);
      if (existing.has(name)) continue;
      const from = `'${yearStart(y)}'`;
      const to = `'${yearStart(y + 1)}'`;
      // a table of the partition's shape, filled from the default partition, then attached
      await tx.execute(sql.raw(`create table ${name} (like events including defaults including constraints)`));
      // no row for the year may reach the default partition between the move and the attach
      await tx.execute(sql.raw(`lock table ${DEFAULT_PARTITION} in exclusive mode`));
      await tx.execute(sql.raw(`with moved as (delete from ${DEFAULT_PARTITION} where at >= ${from} and at < ${to} returning *) insert into ${name} select * from moved`));
      await tx.execute(sql.raw(`alter table events attach partition ${name} for values from (${from}) to (${to})`));
      made.push(name);
    }
  });
  return made;
}
