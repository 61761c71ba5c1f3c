// The chronology partitioned by year (issue 10, src/store/event-partitions.ts): every row moves and
// every chronology reads as before; new events land in their year, one before the first year in
// the default partition, and a year made later takes what the default held for it; a re-sent
// record still makes no duplicate; what named an event by foreign key is still refused when the
// event is not there, and a named event cannot be removed; a child's chronology reads each year's
// index, and a month's events only that year. Runs on both databases: the conversion is plain SQL
// (PostgreSQL's native partitioning), though only a PostgreSQL server is ever converted for real.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { makePartnership, type TestPartnership } from './support/partnership.ts';
import { openTestDatabase } from './support/database.ts';
import { listEvents } from '../src/store/chronology-repository.ts';
import { appendEvents, recordEvents } from '../src/services/chronology-service.ts';
import { keepEventsPartitioned } from '../src/services/event-partition-service.ts';
import type { Database } from '../src/store/database.ts';
import { ensureEventPartitions, eventPartitioning, partitionEvents, withPartitionKey } from '../src/store/event-partitions.ts';

let database: Database;
let p: TestPartnership;
const NOW = new Date('2026-11-23T12:00:00Z');

const rows = async <T>(query: ReturnType<typeof sql>) => ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
const everyEvent = () => rows<Record<string, unknown>>(sql`select * from events order by id`);
const partitionOf = async (id: string) => (await rows<{ part: string }>(sql`select tableoid::regclass::text as part from events where id = ${id}`))[0]?.part;
const record = (at: string, extra: Record<string, unknown> = {}) =>
  recordEvents(database.db, p.police, p.childId, [{ type: 'police.incident', at, agency: 'police', details: { role: 'victim', category: 'violence' }, ...extra }], 'web');
const sqlState = (error: unknown) => (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;

let before_: Record<string, unknown>[];
let chronologyBefore: unknown;
let linked: string;

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  // three years of a chronology, an involvement started by an event, a context link and a reference
  await recordEvents(database.db, p.socialWorker, p.childId, [{ type: 'involvement.started', at: '2024-02-01', agency: 'social_care', details: { agency: 'housing' } }], 'web');
  await record('2024-05-03T21:00:00+01:00', { ref: 'POL-2024-1' });
  linked = (await record('2025-01-10T10:00:00+00:00', { links: [{ kind: 'location', ref: 'the-arches', label: 'The arches' }] })).created[0].id;
  await record('2026-03-01T09:00:00+00:00');
  // a year mistyped into the distant past: it must not make a partition for every year since (a feed's
  // row, through appendEvents: a person recording before the child's birth is refused by recordEvents)
  await database.db.transaction((tx) => appendEvents(tx, p.childId, [{ type: 'police.incident', at: '1900-03-01T09:00:00+00:00', agency: 'police', details: { role: 'victim', category: 'violence' } }], null, 'import'));
  before_ = await everyEvent();
  chronologyBefore = await listEvents(database.db, p.childId, {}, { offset: 0, limit: 100 });
});
after(() => database.close());

test('a unique index gains the partition key in its key columns, after any it has and before its WHERE', () => {
  assert.equal(withPartitionKey('CREATE UNIQUE INDEX k ON public.events USING btree (agency, ref) WHERE (ref IS NOT NULL)'), 'CREATE UNIQUE INDEX k ON public.events USING btree (agency, ref, at) WHERE (ref IS NOT NULL)');
  assert.equal(withPartitionKey('CREATE UNIQUE INDEX k ON public.events USING btree (lower(ref), agency) INCLUDE (id)'), 'CREATE UNIQUE INDEX k ON public.events USING btree (lower(ref), agency, at) INCLUDE (id)');
  assert.equal(withPartitionKey('CREATE UNIQUE INDEX k ON public.events USING btree (id, at)'), 'CREATE UNIQUE INDEX k ON public.events USING btree (id, at)');
});

test('the start leaves a chronology under EVENTS_PARTITION_ROWS as one table, and the embedded database always', async () => {
  const said: string[] = [];
  await keepEventsPartitioned(database, 1_000_000, (line) => said.push(line));
  assert.equal((await eventPartitioning(database.db)).partitioned, false);
  // on PGlite nothing is asked of the table, whatever its size
  if (database.kind === 'pglite') await keepEventsPartitioned(database, 1, (line) => said.push(line));
  assert.equal((await eventPartitioning(database.db)).partitioned, false);
  assert.deepEqual(said, []);
});

test('partitioned by year: every row moved, the chronology reads as before, the indexes and checks kept', async () => {
  assert.equal((await eventPartitioning(database.db)).partitioned, false);
  const done = await partitionEvents(database.db, { now: NOW });
  assert.ok(done);
  assert.equal(done.moved, before_.length);
  assert.deepEqual(done.partitions, ['events_y2024', 'events_y2025', 'events_y2026', 'events_y2027', 'events_default']);
  const [mistyped] = await rows<{ part: string }>(sql`select tableoid::regclass::text as part from events where at < '1901-01-01'`);
  assert.equal(mistyped.part, 'events_default');
  const state = await eventPartitioning(database.db, { count: true });
  assert.equal(state.partitioned, true);
  assert.equal(state.rows, before_.length);
  assert.deepEqual(await everyEvent(), before_);
  assert.deepEqual(await listEvents(database.db, p.childId, {}, { offset: 0, limit: 100 }), chronologyBefore);
  const indexes = await rows<{ name: string }>(sql`select indexname as name from pg_indexes where tablename = 'events' order by 1`);
  assert.deepEqual(indexes.map((i) => i.name), ['events_agency_ref_key', 'events_child_at_idx', 'events_death_idx', 'events_pkey']);
  // a second time is nothing to do
  assert.equal(await partitionEvents(database.db, { now: NOW }), null);
});

test('new events land in their year; one before the first year in the default partition; a re-sent record is not stored twice', async () => {
  const y2025 = (await record('2025-07-01T10:00:00+01:00')).created[0];
  assert.equal(await partitionOf(y2025.id), 'events_y2025');
  const old = (await record('2019-07-01T10:00:00+01:00')).created[0];
  assert.equal(await partitionOf(old.id), 'events_default');
  const again = await record('2024-05-03T21:00:00+01:00', { ref: 'POL-2024-1' });
  assert.equal(again.created.length, 0);
  assert.equal(again.unchanged.length, 1);
  const [{ n }] = await rows<{ n: number }>(sql`select count(*)::int as n from events where agency = 'police' and ref = 'POL-2024-1'`);
  assert.equal(n, 1);
});

test('a year made later takes what the default partition held for it', async () => {
  const [row] = await rows<{ id: string }>(sql`
    insert into events (child_id, type, at, at_text, agency, details, recorded_via)
    values (${p.childId}, 'police.incident', '2028-02-01 10:00:00+00', '2028-02-01T10:00:00+00:00', 'police', '{}', 'web') returning id`);
  assert.equal(await partitionOf(row.id), 'events_default');
  // named by another table, as an involvement names the event that started it: moved all the same
  await database.db.execute(sql`update involvements set started_by_event = ${row.id} where child_id = ${p.childId} and agency = 'housing'`);
  assert.deepEqual(await ensureEventPartitions(database.db, { now: new Date('2027-06-01T00:00:00Z') }), ['events_y2028']);
  const [{ named }] = await rows<{ named: number }>(sql`select count(*)::int as named from involvements where started_by_event = ${row.id}`);
  assert.equal(named, 1);
  assert.equal(await partitionOf(row.id), 'events_y2028');
  assert.deepEqual(await ensureEventPartitions(database.db, { now: new Date('2027-06-01T00:00:00Z') }), []);
});

test('what named an event by foreign key is checked by trigger: an event not in the chronology is refused, a named event cannot be removed', async () => {
  const missing = '00000000-0000-4000-8000-000000000001';
  await assert.rejects(
    database.db.execute(sql`update involvements set started_by_event = ${missing} where child_id = ${p.childId}`),
    (error) => sqlState(error) === '23503',
  );
  await assert.rejects(
    database.db.execute(sql`update context_links set event_id = ${missing} where event_id = ${linked}`),
    (error) => sqlState(error) === '23503',
  );
  await assert.rejects(database.db.execute(sql`delete from events where id = ${linked}`), (error) => sqlState(error) === '23503');
  const [{ n }] = await rows<{ n: number }>(sql`select count(*)::int as n from events where id = ${linked}`);
  assert.equal(n, 1);
});

test("a child's chronology reads each year's index; a month's events only that year's partition", async () => {
  await database.db.execute(sql`analyze events`);
  const plan = async (query: ReturnType<typeof sql>) =>
    (await rows<{ 'QUERY PLAN': string }>(sql`explain ${query}`)).map((r) => r['QUERY PLAN']).join('\n');
  await database.db.execute(sql`set enable_seqscan = off`);
  try {
    const child = await plan(sql`select * from events where child_id = ${p.childId} order by at desc limit 50`);
    assert.doesNotMatch(child, /Seq Scan/, child);
    const month = await plan(sql`select count(*) from events where at >= '2025-01-01 00:00+00' and at < '2025-02-01 00:00+00'`);
    assert.match(month, /events_y2025/);
    assert.doesNotMatch(month, /events_y2024|events_y2026|events_default/, month);
  } finally {
    await database.db.execute(sql`reset enable_seqscan`);
  }
});
