// Two writers that each hold a row the other wants: PostgreSQL ends one of them (deadlock_detected)
// and the one ended is run again (store/transactions.ts), so neither the practitioner's save nor the
// feed's chunk is lost. Each circle below is made on purpose, on two connections (PostgreSQL only):
// PostgreSQL ends the writer whose deadlock check runs first, which here is always the one under test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { backendsWaiting, openTestDatabase } from '../../test/support/database.ts';
import type { Database, Db } from '../store/database.ts';
import { mayRunAgain, sqlStatesOf, transactionRunAgain } from '../store/transactions.ts';
import { createAlertService, dismissAlert } from './alert-service.ts';
import { makePartnership } from '../../test/support/partnership.ts';
import { alerts as alertsTable } from '../store/schema.ts';
import { appendEvents, recordEvents } from './chronology-service.ts';
import type { Actor } from './actor.ts';
import { runImport } from './ingest-service.ts';

const needsPostgres = { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' };
let database: Database;
const now = Date.parse('2024-03-04T11:00:00Z');
const alerts = createAlertService({ clock: () => now, notify: false });
// Zac's id sorts before Vic's: a statement writing both marks Zac's rules due first
const [Z, W, V] = [3, 4, 5].map((n) => `00000004-0000-4000-8000-00000000000${n}`);
const at = '2024-03-04T10:30:00Z';
const police: Actor = { kind: 'api', tokenId: 'test', name: 'Police feed', agency: 'police', ip: null };
const linked = (ref: string, phone: string) => ({ type: 'police.intelligence', at, agency: 'police', ref, details: {}, links: [{ kind: 'phone', ref: phone }] });

before(async () => {
  database = await openTestDatabase();
  for (const [id, name] of [[Z, 'Zac'], [W, 'Wren'], [V, 'Vic']]) {
    await database.executeSql(`insert into children (id, name, created_by_agency) values ($1, $2, 'police')`, [id, name]);
  }
});
after(() => database.close());


/**
 * The test's own side of a circle checks for a deadlock only after 10 s, so that PostgreSQL ends
 * the side under test (its check runs after the server's deadlock_timeout, 1 s by default) however
 * slow the machine: each circle below is then broken the same way every run.
 */
const notTheOneEnded = (tx: Db) => tx.execute(sql`set local deadlock_timeout = '10s'`);

const settled = (p: Promise<unknown>) => p.then(() => 'committed', (error: Error) => sqlStatesOf(error)[0] ?? error.message);
const count = async (text: string, values: unknown[]) => ((await database.executeSql(text, values)).rows[0] as { n: number }).n;

test('the errors run again are deadlock_detected and serialization_failure, as the driver or drizzle carries them', async () => {
  assert.equal(mayRunAgain(Object.assign(new Error('deadlock detected'), { code: '40P01' })), true);
  assert.equal(mayRunAgain(new Error('Failed query', { cause: Object.assign(new Error('could not serialize'), { code: '40001' }) })), true);
  assert.equal(mayRunAgain(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
  assert.equal(mayRunAgain(new Error('plain')), false);
  const looped: Error & { cause?: unknown } = new Error('a cause that loops back');
  looped.cause = looped;
  assert.equal(mayRunAgain(looped), false, 'a looping cause ends the search');
  // and a transaction is run again only for them, at most `attempts` times in all, forgetting what the ended one left
  let runs = 0;
  const forgotten: number[] = [];
  const result = await transactionRunAgain(database.db, async () => {
    if (++runs < 3) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    return 'done';
  }, { onRetry: (attempt) => forgotten.push(attempt) });
  assert.deepEqual([result, runs, forgotten], ['done', 3, [1, 2]]);
  runs = 0;
  await assert.rejects(transactionRunAgain(database.db, async () => {
    runs++;
    throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
  }, { attempts: 2 }), /deadlock/);
  assert.equal(runs, 2);
  runs = 0;
  await assert.rejects(transactionRunAgain(database.db, async () => {
    runs++;
    throw Object.assign(new Error('duplicate key'), { code: '23505' });
  }), /duplicate/);
  assert.equal(runs, 1);
  // inside a caller's transaction, once: the caller's locks stay held, so it is the caller's to run again
  runs = 0;
  await assert.rejects(database.db.transaction((outer) => transactionRunAgain(outer, async () => {
    runs++;
    throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
  })), /deadlock/);
  assert.equal(runs, 1);
});

test('a practitioner naming a new phone a feed\'s chunk has just named, on a child the chunk writes next, has the save kept', needsPostgres, async () => {
  // The chunk writes Zac's events and creates the phone (indexLinksOf), not yet committed; the
  // practitioner records on Vic (holding Vic's rules row) and waits for the phone; the chunk then
  // writes Vic's events and waits for the practitioner. PostgreSQL ends the practitioner, who
  // waited first; its save is run again once the chunk commits.
  let practitioner: Promise<string> | undefined;
  const feed = settled(database.db.transaction(async (tx) => {
    await notTheOneEnded(tx);
    await appendEvents(tx, Z, [linked('chunk-z', '07700900111') as never], null, 'import', true);
    practitioner = settled(recordEvents(database.db, police, V, [linked('saved-v', '07700900111')], 'api', alerts.afterRecord));
    await backendsWaiting(database, 1);
    await appendEvents(tx, V, [{ type: 'police.intelligence', at, agency: 'police', ref: 'chunk-v', details: {} } as never], null, 'import', true);
  }));
  assert.equal(await feed, 'committed', 'the chunk was kept');
  assert.equal(await practitioner, 'committed', 'the practitioner\'s save was kept');
  assert.equal(await count(`select count(*)::int as n from events where ref = 'saved-v'`, []), 1, 'saved once');
  assert.equal(await count(`select count(*)::int as n from context_entities where kind = 'phone'`, []), 1, 'one phone');
  assert.equal(await count(`select count(distinct child_id)::int as n from context_links`, []), 2, 'both children linked to it');
});

test('a feed\'s chunk ended to break a circle with another writer is decided and written again', needsPostgres, async () => {
  // The feed's first chunk (Wren's lines) commits; its second (Zac's line, then Vic's), decided
  // ahead while the first was written, writes its events — Zac's rules row taken — and then links
  // the police's id for Zac to Zac, which another transaction has linked and not committed; that
  // transaction then records on Zac. PostgreSQL ends the chunk, which waited first, after its
  // events were written and let go from what it held: run again once the other transaction
  // commits, it is decided afresh from what the database then holds, or its events would be lost.
  const lines = [[W, 'feed-w1'], [W, 'feed-w2'], [Z, 'feed-z'], [V, 'feed-v'], [V, 'feed-v2']]
    .map(([child, ref]) => JSON.stringify({ ...linked(ref, '07700900222'), child }))
    .join('\n');
  let imported: Promise<string> | undefined;
  let summary: Awaited<ReturnType<typeof runImport>> | undefined;
  const other = settled(database.db.transaction(async (tx: Db) => {
    await notTheOneEnded(tx);
    await tx.execute(sql`insert into person_links (agency, kind, value, child_id, method) values ('police', 'ref', ${Z}, ${Z}, 'source')`);
    imported = settled(runImport(database.db, { format: 'jsonl', fileName: 'circle.jsonl', bytes: new TextEncoder().encode(`${lines}\n`) }, { actor: null, via: 'cli', alerts, chunkSize: 2 })
      .then((s) => { summary = s; }));
    await backendsWaiting(database, 1);
    await appendEvents(tx, Z, [{ type: 'police.intelligence', at, agency: 'police', ref: 'other-z', details: {} } as never], null, 'web', true);
  }));
  assert.equal(await other, 'committed', 'the other writer was kept');
  assert.equal(await imported, 'committed', 'the import finished');
  assert.equal(summary?.status, 'done');
  assert.equal(summary?.accepted, 5);
  assert.equal(await count(`select count(*)::int as n from events where ref like 'feed-%'`, []), 5, 'each line recorded once (the third chunk decided ahead from the attempt that committed)');
  assert.equal(await count(`select count(*)::int as n from events where ref = $1`, [`import:involvement:police:${Z}`]), 1, 'the police\'s involvement with Zac started once');
  assert.equal(await count(`select count(*)::int as n from person_links where agency = 'police' and value = $1`, [V]), 1, 'Vic\'s id linked');
});

test('a practitioner\'s single save met by another writer is run again too: dismissing an alert the other then wants, while it holds the audit chain\'s head', needsPostgres, async () => {
  // The dismissal takes the alert's row, then waits for the audit chain's head, which the other
  // transaction holds; the other then wants the alert's row. PostgreSQL ends the dismissal, which
  // waited first; it is run again once the other commits.
  const p = await makePartnership(database.db);
  const id = 'RM_RETURN:lock-circle';
  await database.db.insert(alertsTable).values({
    id, rule: 'RM_RETURN', childId: p.childId, severity: 'high', raisedAt: new Date(now), status: 'open', evidence: [], details: {},
    owner: 'social_care', message: 'Jordan came back from a missing episode.', actions: [], configVersion: 'test',
  });
  // the circle is made, not assumed: the dismissal is seen run again
  const runAgain: string[] = [];
  const onWarning = (warning: Error & { code?: string }) => {
    if (warning.code === 'REACHABLE_RUN_AGAIN') runAgain.push(warning.message);
  };
  process.on('warning', onWarning);
  let dismissed: Promise<string> | undefined;
  const other = settled(database.db.transaction(async (tx) => {
    await notTheOneEnded(tx);
    await tx.execute(sql`select 1 from audit_head for update`);
    dismissed = settled(dismissAlert(database.db, p.socialWorker, id, 'Seen at the strategy meeting and recorded there.'));
    await backendsWaiting(database, 1);
    await tx.execute(sql`update alerts set message = message where id = ${id}`);
  }));
  assert.equal(await other, 'committed', 'the other writer was kept');
  assert.equal(await dismissed, 'committed', 'the dismissal was kept');
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  assert.equal(runAgain.length, 1, 'ended once by PostgreSQL and run again');
  assert.equal(await count(`select count(*)::int as n from alerts where id = $1 and dismissed_at is not null`, [id]), 1);
  assert.equal(await count(`select count(*)::int as n from alert_notes where alert_id = $1 and kind = 'dismissed'`, [id]), 1, 'noted once');
});
