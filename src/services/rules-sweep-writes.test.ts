// The sweep of the due children stays equal to evaluating every child whatever writes the records:
// writes that evaluate nothing mark the child (and the context rules) due in their own transaction
// (drizzle/0016's triggers), an evaluation locks its children before it reads, and a concern
// changed by a sweep that dies before the context rules leaves them due. Each case below failed
// before those (found in review, 2026-11-24): a date of birth filled in by a feed, a restricted
// entry widened, an import stopped after a chunk of linked events, a sweep dying after a page, and
// a practitioner's event committed while the sweep evaluated the same child.
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import assert from 'node:assert/strict';
import { openTestDatabase } from '../../test/support/database.ts';
import { EVENT_TYPES } from '../domain/event.ts';
import type { Database } from '../store/database.ts';
import * as accessRepo from '../store/access-repository.ts';
import { RESPONSE_TYPES } from '../store/alert-repository.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import * as rulesDueRepo from '../store/rules-due-repository.ts';
import * as schema from '../store/schema.ts';
import type { Db } from '../store/database.ts';
import { createAlertService } from './alert-service.ts';
import { appendEvents, recordEvents } from './chronology-service.ts';
import { audit } from './audit-service.ts';
import type { Actor } from './actor.ts';
import { runImport } from './ingest-service.ts';

let database: Database;
const T0 = Date.parse('2024-03-04T10:00:00Z'); // a Monday
let now = T0 + 3_600_000;
const alerts = createAlertService({ clock: () => now, notify: false });
const [X, Y, Z, W, V] = [1, 2, 3, 4, 5].map((n) => `00000003-0000-4000-8000-00000000000${n}`);

const instant = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** An event written straight into the chronology, as a write that evaluates nothing leaves it. */
async function event(child: string, type: string, atMs: number, ref: string, details: object, extra: { sensitivity?: string; links?: object[] } = {}) {
  await database.executeSql(
    `insert into events (child_id, type, at, at_text, agency, ref, details, links, sensitivity, recorded_via)
     values ($1, $2, $3, $4, 'police', $5, $6::jsonb, $7::jsonb, $8, 'import')`,
    [child, type, new Date(atMs).toISOString(), instant(atMs), ref, JSON.stringify(details), extra.links ? JSON.stringify(extra.links) : null, extra.sensitivity ?? 'standard'],
  );
}

async function stored() {
  const alertRows = (await database.executeSql('select id, severity, status, resolved_by, message, due_by from alerts order by id')).rows;
  const concerns = (await database.executeSql('select child_id, since from child_concern order by child_id')).rows;
  return { alerts: alertRows, concerns };
}

/** The sweep of the due children, then one of every child: the second must change nothing. */
async function assertSweepOfTheDueIsWhole(what: string) {
  await alerts.sweep(database.db);
  const due = await stored();
  await alerts.sweep(database.db, { every: true });
  assert.deepEqual(due, await stored(), `${what}: evaluating every child changed what the sweep of the due children stored`);
}

before(async () => {
  database = await openTestDatabase();
  for (const [id, name] of [[X, 'Xena'], [Y, 'Yusuf'], [Z, 'Zac'], [W, 'Wren'], [V, 'Vic']]) {
    await database.executeSql(`insert into children (id, name, created_by_agency) values ($1, $2, 'social_care')`, [id, name]);
  }
});
after(() => database.close());

test('a date of birth filled in by a feed (no new event) is read by the next sweep', async () => {
  await event(X, 'care.placement', T0, 'p1', { kind: 'unregulated' });
  await alerts.sweep(database.db, { every: true });
  await chronologyRepo.updateChild(database.db, X, { dateOfBirth: '2010-01-01' });
  now += 3_600_000;
  await assertSweepOfTheDueIsWhole('date of birth');
  const [placement] = (await database.executeSql(`select severity from alerts where id like 'UNREGULATED_PLACEMENT:${X}:%'`)).rows as { severity: string }[];
  assert.equal(placement.severity, 'critical', 'under 16 in an unregulated placement');
});

test('a restricted entry widened (no evaluation) is read by the next sweep', async () => {
  await event(Y, 'police.arrested', now - 60_000, 'r1', { offence: 'possession' }, { sensitivity: 'restricted' });
  await alerts.sweep(database.db, { every: true });
  const [{ id }] = (await database.executeSql(`select id from events where ref = 'r1'`)).rows as { id: string }[];
  await accessRepo.widenEvent(database.db, id);
  now += 60_000;
  await assertSweepOfTheDueIsWhole('widened entry');
});

test('an import stopped after a chunk of linked events leaves the context rules due', async () => {
  await event(Y, 'screening.completed', now - 3_600_000, 's-y', { level: 'significant' });
  await event(Z, 'screening.completed', now - 3_600_000, 's-z', { level: 'significant' });
  await alerts.sweep(database.db, { every: true });
  const at = instant(now - 60_000);
  const linked = (child: string, ref: string) => JSON.stringify({ child, ref, type: 'police.intelligence', at, agency: 'police', details: {}, links: [{ kind: 'person', ref: 'adult-77', role: 'adult_of_concern', label: 'Mr Big' }] });
  const bytes = new TextEncoder().encode(`${[linked(Y, 'i1'), linked(Z, 'i2'), JSON.stringify({ child: Z, ref: 'i3', type: 'police.intelligence', at, agency: 'police', details: {} })].join('\n')}\n`);
  await runImport(database.db, { format: 'jsonl', fileName: 'stopped.jsonl', bytes }, { actor: null, via: 'cli', alerts, chunkSize: 2, stopAfterChunks: 1 });
  now += 60_000;
  await assertSweepOfTheDueIsWhole('stopped import');
  const ids = (await database.executeSql(`select id from alerts where rule in ('NETWORK_LINK', 'ADULT_OF_CONCERN') order by id`)).rows;
  assert.ok(ids.length >= 2, 'the link between the two children was found');
});

test('a concern changed by a sweep that dies before the context rules leaves them due', async () => {
  const phone = [{ kind: 'phone', ref: '07700900123' }];
  const start = now;
  await event(W, 'police.found_in_possession', start - 7_200_000, 'w1', { items: ['drugs'] });
  await event(W, 'police.intelligence', start - 3_600_000, 'w2', {}, { links: phone });
  await event(V, 'police.intelligence', start - 3_600_000, 'v1', {}, { links: phone });
  // V becomes of concern an hour on: a feed's entry dated after the clock, neither linked nor a response
  await event(V, 'police.found_in_possession', start + 3_600_000, 'v2', { items: ['drugs'] });
  await alerts.sweep(database.db, { every: true });
  now = start + 2 * 3_600_000;
  // the sweep's page for V commits; the process dies before the context rules
  await database.db.transaction((tx) => alerts.refreshChildren(tx, [V]));
  const swept = await alerts.sweep(database.db);
  assert.equal(swept.context, true, 'the context rules were due');
  await assertSweepOfTheDueIsWhole('sweep died after a page');
});

test('the write triggers read the context rules\' events as alert-repository\'s contextEvents does', async () => {
  for (const type of EVENT_TYPES) {
    const [{ reads }] = (await database.executeSql('select reachable_reads_context($1, null) as reads', [type])).rows as { reads: boolean }[];
    assert.equal(reads, type.startsWith('involvement.') || RESPONSE_TYPES.includes(type), type);
  }
  const [{ reads }] = (await database.executeSql(`select reachable_reads_context('police.incident', '[{"kind":"phone","ref":"1"}]'::jsonb) as reads`)).rows as { reads: boolean }[];
  assert.equal(reads, true, 'an event with links');
});

test('a practitioner\'s event committed while the sweep evaluates the same child is not lost', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' }, async () => {
  await event(X, 'police.arrested', now - 60_000, 'a1', {});
  await alerts.sweep(database.db, { every: true });
  now += 3 * 86_400_000; // the arrest's response overdue: the child is due
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let recorded!: () => void;
  const inserted = new Promise<void>((resolve) => (recorded = resolve));
  const practitioner = database.db.transaction(async (tx) => {
    const result = await appendEvents(tx, X, [{ type: 'care.strategy_discussion', at: instant(now - 60_000), agency: 'social_care', details: {} } as never], null, 'web');
    await alerts.afterRecord(tx, X, result.created);
    recorded();
    await gate; // the request's remaining work before it commits
  });
  await inserted;
  const sweeping = alerts.sweep(database.db);
  await new Promise((resolve) => setTimeout(resolve, 300));
  release();
  await practitioner;
  await sweeping;
  await assertSweepOfTheDueIsWhole('the sweep and a new event at once');
});

test('the sweep gives way to a practitioner\'s transaction that holds a child for long, and leaves the child due', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' }, async () => {
  await alerts.sweep(database.db, { every: true });
  now += 3 * 86_400_000;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let recorded!: () => void;
  const inserted = new Promise<void>((resolve) => (recorded = resolve));
  const practitioner = database.db.transaction(async (tx) => {
    const result = await appendEvents(tx, Y, [{ type: 'child.disclosure', at: instant(now - 60_000), agency: 'social_care', details: { concern: 'owes money to older boys' } } as never], null, 'web');
    await alerts.afterRecord(tx, Y, result.created);
    recorded();
    await gate;
  });
  await inserted;
  const swept = await alerts.sweep(database.db);
  assert.ok(swept.deferred >= 1, `the page holding the practitioner's child waited and gave way (${JSON.stringify(swept)})`);
  release();
  await practitioner;
  await assertSweepOfTheDueIsWhole('after giving way');
});

test('a feed\'s chunk and a practitioner recording a linked event on one of its children do not wait on each other', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' }, async () => {
  // The chunk writes a linked event on Zac, then (a later statement, a later line) one on Vic; the
  // practitioner records a linked event on Vic in between, and the context rules with it. Were the
  // context rules marked due by locking their one row, the chunk would hold that row and wait for
  // Vic, the practitioner hold Vic and wait for the row: PostgreSQL would end one of the two.
  const at = instant(now - 60_000);
  const links = JSON.stringify([{ kind: 'phone', ref: '07700900999' }]);
  const insert = (child: string, ref: string) => sql`insert into events (child_id, type, at, at_text, agency, ref, details, links, recorded_via)
    values (${child}, 'police.intelligence', ${new Date(now - 60_000).toISOString()}, ${at}, 'police', ${ref}, '{}'::jsonb, ${links}::jsonb, 'import')`;
  let practitioner: Promise<unknown> | undefined;
  await database.db.transaction(async (feed) => {
    await feed.execute(insert(Z, 'chunk-z'));
    practitioner = database.db.transaction(async (tx) => {
      const result = await appendEvents(tx, V, [{ type: 'police.intelligence', at, agency: 'police', details: {}, links: [{ kind: 'phone', ref: '07700900999' }] } as never], null, 'web');
      await alerts.afterRecord(tx, V, result.created);
    }).then(() => 'committed', (error: Error) => error.cause ?? error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await feed.execute(insert(V, 'chunk-v'));
  });
  assert.equal(await practitioner, 'committed', 'the practitioner\'s record was kept');
  now += 60_000;
  await assertSweepOfTheDueIsWhole('a chunk and a practitioner at once');
});

test('a reviewer\'s reprocessed row and a practitioner\'s linked event, both evaluating the context rules, do not wait on each other', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' }, async () => {
  // The reviewer's transaction runs the rules, then writes its audit entry (ingest-service's
  // reprocessIssue); the practitioner's (recordEvents) must take the two in the same order: the
  // context rules' row, then the audit chain's head. Taken the other way round, each held what
  // the other waited for.
  const at = instant(now - 60_000);
  const linked = (ref: string, phone: string) => [{ type: 'police.intelligence', at, agency: 'police', ref, details: {}, links: [{ kind: 'phone', ref: phone }] } as never];
  const api: Actor = { kind: 'api', tokenId: 'test', name: 'Police feed', agency: 'police', ip: null };
  await database.executeSql(`update children set created_by_agency = 'police' where id = $1`, [W]);
  let practitioner: Promise<unknown> | undefined;
  const reviewer = database.db.transaction(async (tx) => {
    const result = await appendEvents(tx, Z, linked('reprocessed-z', '07700900555'), null, 'import', true);
    await alerts.afterRecord(tx, Z, result.created);
    practitioner = recordEvents(database.db, api, W, linked('recorded-w', '07700900666'), 'api', alerts.afterRecord)
      .then(() => 'committed', (error: Error) => error.cause ?? error);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await audit(tx, null, 'import_issue.reprocessed', null, {});
  }).then(() => 'committed', (error: Error) => error.cause ?? error);
  assert.equal(await reviewer, 'committed', 'the reviewer\'s row was kept');
  assert.equal(await practitioner, 'committed', 'the practitioner\'s record was kept');
});

test('a mark committed while the context rules are evaluated stays for the next sweep', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' }, async () => {
  // The evaluation runs on a connection of its own that, just before it reads the linked events,
  // lets a practitioner record one and commit (its mark with it): the evaluation may or may not
  // read it, so its mark must outlive the evaluation.
  await alerts.sweep(database.db, { every: true });
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let interleaved = false;
  (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text ?? '';
    if (!interleaved && text.includes('jsonb_array_length')) {
      interleaved = true;
      await database.db.transaction((tx) => appendEvents(tx, X, [{ type: 'police.intelligence', at: instant(now - 30_000), agency: 'police', ref: 'during-evaluation', details: {}, links: [{ kind: 'phone', ref: '07700900444' }] } as never], null, 'web'));
    }
    return query(...args);
  };
  try {
    const db = drizzle(client, { schema }) as unknown as Db;
    await db.transaction((tx) => alerts.refreshContext(tx));
  } finally {
    await client.end();
  }
  assert.ok(interleaved, 'the practitioner recorded during the evaluation');
  assert.equal(await rulesDueRepo.contextDue(database.db, new Date(now), alerts.config.version), true, 'the context rules are still due');
  now += 60_000;
  await assertSweepOfTheDueIsWhole('a mark made during an evaluation');
});

test('evaluating a child that is not (or no longer) recorded does nothing, and does not fail', async () => {
  const unknown = '00000009-0000-4000-8000-000000000009';
  assert.deepEqual(await database.db.transaction((tx) => alerts.refreshChild(tx, unknown)), { concernChanged: false });
  await database.db.transaction((tx) => alerts.refreshChildren(tx, [unknown, X]));
  assert.equal((await database.executeSql('select 1 from child_rules_due where child_id = $1', [unknown])).rows.length, 0);
});
