// Two records of one child merged (issue 7): nothing is ever written on the record merged away.
// A write on it is refused, naming what happened (409), by every service that writes a row keyed by
// a child, and by the one insert all events go through; the API's own writes follow the merge to the
// record kept. And on PostgreSQL, where a write and a merge can run at once on two connections, the
// merge and the writer wait for one another on the child's row: whichever order they come in, no
// event is left on the record merged away.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backendsWaiting, openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import * as chronologyRepo from '../store/chronology-repository.ts';
import type { Actor } from './actor.ts';
import { mergeChildRecords, mergeChildren } from './child-merge-service.ts';
import { appendEvents, createChild, newEventRow, recordEvents } from './chronology-service.ts';
import { raiseEscalation } from './escalation-service.ts';
import { ServiceError } from './errors.ts';
import { runImport } from './ingest-service.ts';
import { referToNrm } from './nrm-service.ts';
import { createPanelService } from './panel-service.ts';
import { addPlanAction, reviewPlan } from './plan-service.ts';

const needsPostgres = { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' };
let database: Database;
let p: TestPartnership;
let manager: Actor;

before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
  manager = await makeUser(database.db, 'social_care', 'manager', 'Mo Merge Manager');
});
after(() => database.close());

const count = async (text: string, values: unknown[]) => ((await database.executeSql(text, values)).rows[0] as { n: number }).n;
const eventsOn = (childId: string) => count(`select count(*)::int as n from events where child_id = $1`, [childId]);
const noteOn = (ref: string, at = '2024-03-04T10:30:00Z') => ({ type: 'care.referral', at, agency: 'social_care', ref, summary: 'Seen at home', details: {} });

/**
 * A record of the child the social worker created (so they may still see it once merged: its
 * involvements move with the merge, their creation does not), and the record it is merged into.
 */
async function twoRecords(name: string, creator: Actor = p.socialWorker): Promise<{ kept: string; merged: string }> {
  const kept = await createChild(database.db, p.socialWorker, { name, dateOfBirth: '2011-04-05' });
  await recordEvents(database.db, p.socialWorker, kept.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  const merged = await createChild(database.db, creator, { name: `${name} (duplicate)`, dateOfBirth: '2011-04-05' });
  await recordEvents(database.db, creator, merged.id, [{ type: 'involvement.started', at: '2024-01-03', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  return { kept: kept.id, merged: merged.id };
}

async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ServiceError, `refused with a ServiceError, not ${error === undefined ? 'written' : String(error)}`);
  return error;
}

const mergedAwayRefusal = (error: ServiceError) => {
  assert.equal(error.status, 409);
  assert.equal(error.id, 'conflict');
  assert.match(error.message, /merged into another record of the same child/);
};

test('every service that writes on a child refuses a record merged away, and writes nothing on it', async () => {
  const db = database.db;
  const { kept, merged } = await twoRecords('Riley Merge');
  await mergeChildren(db, manager, kept, merged, 'The same child recorded twice by social care');
  const before = await eventsOn(merged);
  assert.equal(before, 0, 'the merge moved its events');

  mergedAwayRefusal(await refusal(recordEvents(db, p.socialWorker, merged, [noteOn('merged-note')], 'web')));
  mergedAwayRefusal(await refusal(reviewPlan(db, p.socialWorker, merged, {
    riskLevel: 'significant', nextReviewBy: '2024-05-01', risks: { home: 'Missing overnight twice' }, contingency: 'Strategy meeting the same day',
  }, '2024-03-04T10:00:00Z')));
  mergedAwayRefusal(await refusal(addPlanAction(db, p.socialWorker, merged, { action: 'Return home interview', ownerAgency: 'social_care', dueBy: '2024-03-10' }, '2024-03-04T10:00:00Z')));
  mergedAwayRefusal(await refusal(referToNrm(db, p.socialWorker, merged, { date: '2024-03-01', firstResponder: 'Northgate children’s services', decisionMaker: 'devolved_panel' })));
  mergedAwayRefusal(await refusal(raiseEscalation(db, p.socialWorker, merged, { toAgency: 'police', issue: 'No strategy meeting', wanted: 'A strategy meeting' })));
  // a panel's chair adding to the agenda a record they created, merged away since
  const panels = createPanelService(db);
  const meeting = await panels.schedule(manager, { panelType: 'complex_child', meetsOn: '2024-01-10', chairUserId: '' });
  await panels.buildAgenda(manager, meeting.id);
  const chairs = await twoRecords('Riley Panel', manager);
  await mergeChildren(db, manager, chairs.kept, chairs.merged, 'The same child recorded twice by social care');
  mergedAwayRefusal(await refusal(panels.addChild(manager, meeting.id, chairs.merged)));
  assert.equal(await count(`select count(*)::int as n from panel_items where child_id = $1`, [chairs.merged]), 0, 'no agenda item on the record merged away');

  // the writers below the services: a feed's or the demo's appendEvents, and the one insert itself
  mergedAwayRefusal(await refusal(db.transaction((tx) => appendEvents(tx, merged, [noteOn('merged-append') as never], null, 'import', true))));
  await assert.rejects(
    db.transaction((tx) => chronologyRepo.insertEvents(tx, [{ ...newEventRow(merged, noteOn('merged-insert') as never, null, 'import'), id: randomUUID() }])),
    (error: unknown) => error instanceof chronologyRepo.WriteOnMergedRecord && error.mergedIds[0] === merged,
  );
  // refused whole: a statement naming the record kept and the one merged away writes neither
  await assert.rejects(db.transaction((tx) => chronologyRepo.insertEvents(tx, [
    { ...newEventRow(kept, noteOn('both-kept') as never, null, 'import'), id: randomUUID() },
    { ...newEventRow(merged, noteOn('both-merged') as never, null, 'import'), id: randomUUID() },
  ])), chronologyRepo.WriteOnMergedRecord);
  assert.equal(await count(`select count(*)::int as n from events where ref like 'both-%'`, []), 0);
  assert.equal(await eventsOn(merged), 0, 'nothing written on the record merged away');

  // the API's writes follow the merge (followMerges), as they did: the record kept, named
  const followed = await recordEvents(db, p.socialWorker, merged, [noteOn('followed-note')], 'api', undefined, undefined, { followMerges: true });
  assert.equal(followed.child.id, kept);
  assert.equal(followed.mergedFrom, merged);
  assert.equal(await eventsOn(merged), 0);
  // and the record kept is written on as ever
  await recordEvents(db, p.socialWorker, kept, [noteOn('kept-note')], 'web');
  assert.equal(await count(`select count(*)::int as n from events where child_id = $1 and ref in ('followed-note', 'kept-note')`, [kept]), 2);
});

test('a feed line naming a record merged away is recorded on the record kept', async () => {
  const { kept, merged } = await twoRecords('Quinn Merge');
  await mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care');
  const line = JSON.stringify({ ...noteOn('feed-after-merge'), child: merged });
  const summary = await runImport(database.db, { format: 'jsonl', fileName: 'after-merge.jsonl', bytes: new TextEncoder().encode(`${line}\n`) }, { actor: null, via: 'cli' });
  assert.equal(summary.rejected, 0);
  assert.equal(await count(`select count(*)::int as n from events where ref = 'feed-after-merge' and child_id = $1`, [kept]), 1);
  assert.equal(await eventsOn(merged), 0);
});

// ——— at once, on two connections (PostgreSQL) ———

test('a write in flight when a merge starts: the merge waits for it, then moves its event too', needsPostgres, async () => {
  const { kept, merged } = await twoRecords('Alex Race');
  let merge: Promise<unknown> | undefined;
  await database.db.transaction(async (tx) => {
    // the practitioner's save, written and not yet committed …
    await recordEvents(tx, p.socialWorker, merged, [noteOn('in-flight')], 'web');
    // … while the merge starts on another connection, and waits for the child's row
    merge = mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care');
    await backendsWaiting(database, 1);
  });
  await merge;
  assert.equal(await count(`select count(*)::int as n from events where ref = 'in-flight' and child_id = $1`, [kept]), 1, 'the save is on the record kept');
  assert.equal(await eventsOn(merged), 0, 'nothing left on the record merged away');
});

test('a write that comes while a merge is in flight waits for it, then is refused: nothing on the record merged away', needsPostgres, async () => {
  const { kept, merged } = await twoRecords('Blake Race');
  let write: Promise<unknown> | undefined;
  await database.db.transaction(async (tx) => {
    // the merge, done and not yet committed …
    await mergeChildRecords(tx, { keptId: kept, mergedId: merged, reason: 'The same child recorded twice by social care', actor: manager });
    // … while a practitioner saves on the record merged away, on another connection
    write = recordEvents(database.db, p.socialWorker, merged, [noteOn('during-merge')], 'web');
    write.catch(() => undefined);
    await backendsWaiting(database, 1);
  });
  mergedAwayRefusal(await refusal(write!));
  assert.equal(await count(`select count(*)::int as n from events where ref = 'during-merge'`, []), 0);
  assert.equal(await eventsOn(merged), 0, 'nothing on the record merged away');
});

test('a feed\'s chunk that comes while a merge is in flight waits for it, then records on the record kept', needsPostgres, async () => {
  const { kept, merged } = await twoRecords('Casey Race');
  const line = JSON.stringify({ ...noteOn('chunk-during-merge'), child: merged });
  let imported: Promise<Awaited<ReturnType<typeof runImport>>> | undefined;
  await database.db.transaction(async (tx) => {
    await mergeChildRecords(tx, { keptId: kept, mergedId: merged, reason: 'The same child recorded twice by social care', actor: null });
    imported = runImport(database.db, { format: 'jsonl', fileName: 'during-merge.jsonl', bytes: new TextEncoder().encode(`${line}\n`) }, { actor: null, via: 'cli' });
    imported.catch(() => undefined);
    await backendsWaiting(database, 1);
  });
  const summary = await imported!;
  assert.equal(summary.rejected, 0);
  assert.equal(await count(`select count(*)::int as n from events where ref = 'chunk-during-merge' and child_id = $1`, [kept]), 1, 'on the record kept');
  assert.equal(await eventsOn(merged), 0, 'nothing on the record merged away');
});

test('a feed\'s chunk in flight when a merge starts: the merge waits for it, then moves the chunk\'s events too', needsPostgres, async () => {
  const { kept, merged } = await twoRecords('Drew Race');
  let merge: Promise<unknown> | undefined;
  await database.db.transaction(async (tx) => {
    // the chunk's own statement for its events (insertCheckedEvents, as the feed writes them)
    await chronologyRepo.insertEvents(tx, [{ ...newEventRow(merged, noteOn('chunk-in-flight') as never, null, 'import'), id: randomUUID() }]);
    merge = mergeChildren(database.db, manager, kept, merged, 'The same child recorded twice by social care');
    await backendsWaiting(database, 1);
  });
  await merge;
  assert.equal(await count(`select count(*)::int as n from events where ref = 'chunk-in-flight' and child_id = $1`, [kept]), 1, 'moved to the record kept');
  assert.equal(await eventsOn(merged), 0);
});
