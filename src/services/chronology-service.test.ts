// The chronology against a real database: recording, idempotency, all-or-nothing batches,
// need-to-know access (denials as well as grants) and the audit of every view and change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { desc, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import type { Database } from '../store/database.ts';
import { auditLog, events } from '../store/schema.ts';
import { createChild, readChronology, recordEvents, searchChildren, viewChild } from './chronology-service.ts';
import { ServiceError } from './errors.ts';

let database: Database;
let p: TestPartnership;
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

const rejects = async (promise: Promise<unknown>, id: string) => {
  await assert.rejects(promise, (e: unknown) => e instanceof ServiceError && e.id === id);
};

test('several agencies write to one chronology and read each other’s entries, newest first', async () => {
  const { db } = database;
  await recordEvents(db, p.police, p.childId, [{ type: 'police.arrested', at: '2024-03-05', agency: 'police', ref: 'NICHE-1', details: { offence: 'possession with intent to supply' } }], 'api');
  await recordEvents(db, p.socialWorker, p.childId, [{ type: 'care.referral', at: '2024-03-06T10:30:00+00:00', agency: 'social_care' }], 'web');
  const seenBySocialCare = await readChronology(db, p.socialWorker, p.childId, {}, 1);
  assert.deepEqual(seenBySocialCare.entries.slice(0, 2).map((e) => e.type), ['care.referral', 'police.arrested']);
  assert.equal(seenBySocialCare.entries[1].agency, 'police');
  const policeOnly = await readChronology(db, p.socialWorker, p.childId, { agencies: ['police'] }, 1);
  assert.ok(policeOnly.entries.every((e) => e.agency === 'police'));
});

test('re-sending the same (agency, ref) creates nothing and changes nothing; sent with other details it is refused, not answered unchanged', async () => {
  const { db } = database;
  const event = { type: 'police.incident', at: '2024-04-01', agency: 'police', ref: 'NICHE-2', details: { role: 'suspect', category: 'drug_supply' } };
  const first = await recordEvents(db, p.police, p.childId, [event], 'api');
  const again = await recordEvents(db, p.police, p.childId, [event], 'api');
  assert.equal(first.created.length, 1);
  assert.equal(again.created.length, 0);
  assert.equal(again.unchanged[0].id, first.created[0].id);
  const changed = await recordEvents(db, p.police, p.childId, [{ ...event, summary: 'changed text' }], 'api').catch((e) => e);
  assert.ok(changed instanceof ServiceError);
  assert.equal(changed.status, 409);
  assert.match(changed.details[0].message, /summary: none, now "changed text"/);
  const [row] = await db.select().from(events).where(eq(events.id, first.created[0].id));
  assert.equal(row.summary, null, 'the entry as first recorded');
});

test('a batch with one bad event writes nothing and names the field of every problem', async () => {
  const { db } = database;
  const before = (await db.select().from(events)).length;
  const error = await recordEvents(db, p.police, p.childId, [
    { type: 'police.arrested', at: '2024-05-01', agency: 'police', ref: 'B-1' },
    { type: 'education.excluded', at: '2024-05-02', agency: 'police', details: { kind: 'forever' } },
    { type: 'missing.started', at: 'yesterday', agency: 'police', details: { episode: 'x' } },
  ], 'api').catch((e) => e);
  assert.ok(error instanceof ServiceError);
  assert.deepEqual(error.details.map((d) => d.path), ['events[1].details.kind', 'events[2].at']);
  assert.equal((await db.select().from(events)).length, before);
});

test('an agency records only as itself', async () => {
  const error = await recordEvents(database.db, p.police, p.childId, [{ type: 'care.referral', at: '2024-05-01', agency: 'social_care' }], 'api').catch((e) => e);
  assert.equal(error.id, 'validation_error');
  assert.equal(error.details[0].path, 'agency');
});

test('a practitioner whose agency is not involved cannot find, view, read or write the child', async () => {
  const { db } = database;
  assert.deepEqual(await searchChildren(db, p.school, { name: 'Jordan' }), []);
  assert.deepEqual(await searchChildren(db, p.school, { identifier: '943 476 5919' }), []);
  await rejects(viewChild(db, p.school, p.childId), 'not_found');
  await rejects(readChronology(db, p.school, p.childId, {}, 1), 'not_found');
  await rejects(recordEvents(db, p.school, p.childId, [{ type: 'education.left_roll', at: '2024-01-01', agency: 'education' }], 'web'), 'not_found');
});

test('an admin manages accounts but does not read case records', async () => {
  const { db } = database;
  await rejects(searchChildren(db, p.admin, { name: 'Jordan' }), 'not_found');
  await rejects(viewChild(db, p.admin, p.childId), 'not_found');
});

test('recording an agency’s involvement opens the record to that agency; ending it closes it', async () => {
  const { db } = database;
  await recordEvents(db, p.socialWorker, p.childId, [{ type: 'involvement.started', at: '2024-06-01', agency: 'social_care', details: { agency: 'education' } }], 'web');
  assert.equal((await searchChildren(db, p.school, { name: 'jordan' })).length, 1);
  const summary = await viewChild(db, p.school, p.childId);
  assert.ok(summary.involvements.some((i) => i.agency === 'education'));
  assert.equal(summary.leadProfessional?.agency, 'social_care');
  // ended by the school itself: only an agency records that its own involvement has ended
  await recordEvents(db, p.school, p.childId, [{ type: 'involvement.ended', at: '2024-07-01', agency: 'education', details: { agency: 'education' } }], 'web');
  await rejects(viewChild(db, p.school, p.childId), 'not_found');
});

test('the creator sees a child they created before any involvement is recorded', async () => {
  const { db } = database;
  const child = await createChild(db, p.school, { name: 'Riley New' });
  assert.equal((await viewChild(db, p.school, child.id)).child.name, 'Riley New');
  await rejects(viewChild(db, p.police, child.id), 'not_found');
});

test('a restricted entry shows to other agencies only as who and when', async () => {
  const { db } = database;
  await recordEvents(db, p.police, p.childId, [{ type: 'police.intelligence', at: '2024-08-01', agency: 'police', sensitivity: 'restricted', summary: 'Source says a named adult is running the line', details: { grading: '2B' } }], 'api');
  const forPolice = await readChronology(db, p.police, p.childId, { types: ['police.intelligence'] }, 1);
  assert.equal(forPolice.entries[0].redacted, false);
  assert.match(forPolice.entries[0].summary ?? '', /named adult/);
  const forSocialCare = await readChronology(db, p.socialWorker, p.childId, { types: ['police.intelligence'] }, 1);
  assert.equal(forSocialCare.entries[0].redacted, true);
  assert.equal(forSocialCare.entries[0].summary, null);
  assert.deepEqual(forSocialCare.entries[0].details, {});
});

test('unknown details keys are kept and returned', async () => {
  const { db } = database;
  await recordEvents(db, p.police, p.childId, [{ type: 'police.arrested', at: '2024-09-01', agency: 'police', details: { outOfArea: true, custodyRef: 'C-77' } }], 'api');
  const read = await readChronology(db, p.police, p.childId, { types: ['police.arrested'] }, 1);
  assert.equal(read.entries[0].details.custodyRef, 'C-77');
});

test('every view and change is audited with who, what and which child', async () => {
  const { db } = database;
  await viewChild(db, p.police, p.childId);
  await recordEvents(db, p.police, p.childId, [{ type: 'police.threat_to_life', at: '2024-10-01', agency: 'police' }], 'api');
  const [recorded, viewed] = await db.select().from(auditLog).orderBy(desc(auditLog.seq)).limit(2);
  assert.equal(recorded.action, 'event.recorded');
  assert.equal(recorded.childId, p.childId);
  assert.match(recorded.actor, /Pat Police/);
  assert.equal(viewed.action, 'child.viewed');
  assert.equal(viewed.agency, 'police');
});

test('pages of 25, newest first, with a total', async () => {
  const { db } = database;
  const batch = Array.from({ length: 30 }, (_, i) => ({ type: 'child.voice', at: `2025-01-${String(i + 1).padStart(2, '0')}`, agency: 'social_care', summary: `voice ${i + 1}` }));
  await recordEvents(db, p.socialWorker, p.childId, batch, 'web');
  // social care's own: police's restricted entries above match every type filter for social care
  const voices = { agencies: ['social_care'], types: ['child.voice'] };
  const page1 = await readChronology(db, p.socialWorker, p.childId, voices, 1);
  const page2 = await readChronology(db, p.socialWorker, p.childId, voices, 2);
  assert.equal(page1.total, 30);
  assert.equal(page1.pages, 2);
  assert.equal(page1.entries[0].summary, 'voice 30');
  assert.equal(page2.entries.length, 5);
});

test('paging through entries written together (one batch: one `at`, one recorded_at) shows every entry exactly once, the last written first', async () => {
  const { db } = database;
  const child = await createChild(db, p.socialWorker, { name: 'Paige Paged', dateOfBirth: '2011-02-03' });
  // more than two pages, all at one instant and recorded in one transaction: only the order written tells them apart
  const batch = Array.from({ length: 80 }, (_, i) => ({ type: 'child.voice', at: '2024-05-01', agency: 'social_care', summary: `said ${i}` }));
  await recordEvents(db, p.socialWorker, child.id, batch, 'web');
  const shown: string[] = [];
  for (let page = 1; page <= 4; page++) shown.push(...(await readChronology(db, p.socialWorker, child.id, {}, page)).entries.map((e) => e.summary ?? ''));
  assert.equal(shown.length, 80);
  assert.equal(new Set(shown).size, 80, 'no entry shown twice, none missed');
  assert.deepEqual(shown, batch.map((e) => e.summary).reverse(), 'each once, newest first: of one instant, the last written first');
});

test('a type filter tells nothing of a restricted entry another agency may not read: it is matched by every type filter, never by its own type alone', async () => {
  const { db } = database;
  const child = await createChild(db, p.socialWorker, { name: 'Tyler Typed', dateOfBirth: '2010-07-08' });
  await recordEvents(db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'police' } }], 'web');
  const [intel] = (await recordEvents(db, p.police, child.id, [{ type: 'police.intelligence', at: '2024-08-03', agency: 'police', sensitivity: 'restricted', summary: 'Source says a named adult is running the line', details: { grading: 'B2' } }], 'api')).created;
  const [voice] = (await recordEvents(db, p.socialWorker, child.id, [{ type: 'child.voice', at: '2024-08-04', agency: 'social_care', summary: 'Tyler said he is scared' }], 'web')).created;
  const ids = async (reader: typeof p.police, filter: Parameters<typeof readChronology>[3]) => {
    const read = await readChronology(db, reader, child.id, filter, 1);
    assert.equal(read.total, read.entries.length);
    return read.entries.map((e) => e.id).sort();
  };
  // social care may not read it: its own type, another type, and several types all answer alike
  const intelAndNothingElse = [intel.id].sort();
  assert.deepEqual(await ids(p.socialWorker, { types: ['police.intelligence'] }), intelAndNothingElse);
  assert.deepEqual(await ids(p.socialWorker, { types: ['nrm.referred'] }), intelAndNothingElse, 'a type it is not: the same answer');
  assert.deepEqual(await ids(p.socialWorker, { types: ['child.voice'] }), [intel.id, voice.id].sort());
  // the agency filter is as it was: who made the entry is shown anyway
  assert.deepEqual(await ids(p.socialWorker, { agencies: ['police'] }), [intel.id]);
  assert.deepEqual(await ids(p.socialWorker, { agencies: ['social_care'] }).then((found) => found.includes(intel.id)), false);
  assert.deepEqual(await ids(p.socialWorker, { agencies: ['police'], types: ['nrm.referred'] }), [intel.id]);
  // police, who may read it, filter by its type as by any other
  assert.deepEqual(await ids(p.police, { types: ['police.intelligence'] }), [intel.id]);
  assert.deepEqual(await ids(p.police, { types: ['nrm.referred'] }), []);
});
