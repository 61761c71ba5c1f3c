// A referral to children's social care brings them into the child's network (Working Together 2023:
// the referral is theirs to decide, and they cannot decide what they may not read): by a person, an
// agency's system and a feed alike, once for a referral however often it is sent, never when social
// care are already involved or refer themselves, and a refusal in a batch still names the entry sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import type { Database } from '../store/database.ts';
import { alerts, events, involvements, importIssues } from '../store/schema.ts';
import { createAlertService } from './alert-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { runImport } from './ingest-service.ts';

let database: Database;
let p: TestPartnership;
const service = createAlertService({ clock: () => Date.parse('2024-06-05T12:00:00Z'), notify: false });
before(async () => {
  database = await openTestDatabase();
  p = await makePartnership(database.db);
});
after(() => database.close());

const socialCareInvolvements = async (childId: string) =>
  (await database.db.select().from(involvements).where(and(eq(involvements.childId, childId), eq(involvements.agency, 'social_care'))));
const addedBy = async (childId: string) =>
  (await database.db.select().from(events).where(and(eq(events.childId, childId), eq(events.type, 'involvement.started'))))
    .filter((e) => e.details.agency === 'social_care');

test("a school's referral brings social care in, once: sent again, or a second referral while they are involved, adds nothing", async () => {
  const child = await createChild(database.db, p.school, { name: 'Mason Referred', dateOfBirth: '2010-01-01' });
  const referral = { type: 'care.referral' as const, at: '2024-06-03T10:30:00+01:00', agency: 'education' as const, ref: 'SCH-REF-1', details: {} };
  const first = await recordEvents(database.db, p.school, child.id, [referral], 'web', service.afterRecord);
  assert.deepEqual(first.created.map((e) => e.type), ['care.referral', 'involvement.started'], 'the involvement is among what was recorded');
  assert.equal((await socialCareInvolvements(child.id)).filter((i) => !i.endedAt).length, 1);
  const [alert] = await database.db.select().from(alerts).where(and(eq(alerts.childId, child.id), eq(alerts.rule, 'REFERRAL_DECISION_DUE')));
  assert.equal(alert.owner, 'social_care');

  const again = await recordEvents(database.db, p.school, child.id, [referral], 'web', service.afterRecord);
  assert.equal(again.created.length, 0);
  await recordEvents(database.db, p.school, child.id, [{ ...referral, ref: 'SCH-REF-2', at: '2024-06-04T10:30:00+01:00' }], 'web', service.afterRecord);
  assert.equal((await addedBy(child.id)).length, 1, 'one involvement for the two referrals');
});

test('social care referring, or already involved, adds no involvement; after they end theirs, a new referral brings them back', async () => {
  const child = await createChild(database.db, p.police, { name: 'Kai Involved', dateOfBirth: '2010-01-01' });
  await recordEvents(database.db, p.police, child.id, [{ type: 'involvement.started', at: '2024-06-01', agency: 'police', details: { agency: 'social_care' } }], 'web', service.afterRecord);
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'care.referral', at: '2024-06-03', agency: 'social_care', details: {} }], 'web', service.afterRecord);
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-06-03', agency: 'social_care', details: { agency: 'police' } }], 'web', service.afterRecord);
  await recordEvents(database.db, p.police, child.id, [{ type: 'care.referral', at: '2024-06-04', agency: 'police', details: {} }], 'web', service.afterRecord);
  const before = (await addedBy(child.id)).length;
  assert.equal((await addedBy(child.id)).filter((e) => e.summary?.includes('by the referral')).length, 0, 'social care referred, and then were involved already');

  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'involvement.ended', at: '2024-06-10', agency: 'social_care', details: { agency: 'social_care' } }], 'web', service.afterRecord);
  await recordEvents(database.db, p.police, child.id, [{ type: 'care.referral', at: '2024-06-20', agency: 'police', details: {} }], 'web', service.afterRecord);
  const after = await addedBy(child.id);
  assert.equal(after.length, before + 1);
  assert.equal(after.at(-1)!.agency, 'police');
  assert.ok((await socialCareInvolvements(child.id)).some((i) => !i.endedAt), 'social care are in the network again');
});

test('an old referral, from before social care last ended their involvement, does not bring them back as involved since then', async () => {
  const child = await createChild(database.db, p.police, { name: 'History Referred', dateOfBirth: '2008-01-01' });
  await recordEvents(database.db, p.police, child.id, [{ type: 'involvement.started', at: '2019-01-01', agency: 'police', details: { agency: 'social_care' } }], 'web', service.afterRecord);
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'involvement.ended', at: '2020-06-01', agency: 'social_care', details: { agency: 'social_care' } }], 'web', service.afterRecord);
  await recordEvents(database.db, p.police, child.id, [{ type: 'care.referral', at: '2018-05-01', agency: 'police', ref: 'OLD-1', details: {} }], 'api', service.afterRecord);
  assert.equal((await addedBy(child.id)).filter((e) => e.summary?.includes('by the referral')).length, 0);
  assert.ok((await socialCareInvolvements(child.id)).every((i) => i.endedAt), 'social care are not in the network now');
});

test("an agency system's batch: a refusal still names the entry as sent (events[1]), and nothing is written", async () => {
  const child = await createChild(database.db, p.police, { name: 'Batch Referred', dateOfBirth: '2010-01-01' });
  const refused = await rejection(recordEvents(database.db, p.police, child.id, [
    { type: 'care.referral', at: '2024-06-03', agency: 'police', ref: 'N-1', details: {} },
    { type: 'police.incident', at: '2024-06-03', agency: 'police', ref: 'N-2', details: { role: 'nobody', category: 'other' } },
  ], 'api', service.afterRecord));
  assert.equal(refused.details[0].path, 'events[1].details.role');
  assert.equal((await addedBy(child.id)).length, 0);
  const sent = await recordEvents(database.db, p.police, child.id, [
    { type: 'care.referral', at: '2024-06-03', agency: 'police', ref: 'N-1', details: {} },
    { type: 'police.incident', at: '2024-06-03', agency: 'police', ref: 'N-2', details: { role: 'suspect', category: 'other' } },
  ], 'api', service.afterRecord);
  assert.deepEqual(sent.created.map((e) => e.type), ['care.referral', 'police.incident', 'involvement.started']);
});

test("a feed's referral brings social care in too, on the import's fast path as record() does", async () => {
  const child = await createChild(database.db, p.school, { name: 'Feed Referred', dateOfBirth: '2010-01-01' });
  const lines = [
    { type: 'education.excluded', at: '2024-03-04', agency: 'education', child: child.id, ref: 'F-1', details: { kind: 'suspension', days: 2 } },
    { type: 'care.referral', at: '2024-03-05', agency: 'education', child: child.id, ref: 'F-2', details: {} },
    { type: 'care.referral', at: '2024-03-06', agency: 'education', child: child.id, ref: 'F-3', details: {} },
  ].map((l) => JSON.stringify(l)).join('\n');
  const summary = await runImport(database.db, { format: 'jsonl', fileName: 'referrals.jsonl', bytes: Buffer.from(lines) }, { actor: p.admin, via: 'web', alerts: service });
  assert.equal(summary.accepted, 3, JSON.stringify(summary));
  const added = await addedBy(child.id);
  assert.equal(added.length, 1);
  assert.equal(added[0].at.toISOString().slice(0, 10), '2024-03-05');
  const [referral] = await database.db.select().from(events).where(and(eq(events.childId, child.id), eq(events.ref, 'F-2')));
  assert.deepEqual([added[0].ref, added[0].agency, added[0].summary, added[0].recordedVia], [`referral:social_care:${referral.id}`, 'education', "Children's social care added to the network by the referral to them", 'import']);
  const [alert] = await database.db.select().from(alerts).where(and(eq(alerts.childId, child.id), eq(alerts.rule, 'REFERRAL_DECISION_DUE')));
  assert.equal(alert.owner, 'social_care');
});

test("a feed's old referral, from before social care last ended their involvement, brings no one back; after an end in the same feed, a later referral does", async () => {
  const child = await createChild(database.db, p.police, { name: 'Feed History', dateOfBirth: '2008-01-01' });
  await recordEvents(database.db, p.police, child.id, [{ type: 'involvement.started', at: '2019-01-01', agency: 'police', details: { agency: 'social_care' } }], 'web', service.afterRecord);
  await recordEvents(database.db, p.socialWorker, child.id, [{ type: 'involvement.ended', at: '2020-06-01', agency: 'social_care', details: { agency: 'social_care' } }], 'web', service.afterRecord);
  const feed = (lines: object[], name: string) =>
    runImport(database.db, { format: 'jsonl', fileName: name, bytes: Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')) }, { actor: p.admin, via: 'web', alerts: service });
  const old = await feed([{ type: 'care.referral', at: '2018-05-01', agency: 'police', child: child.id, ref: 'FH-1', details: {} }], 'old.jsonl');
  assert.equal(old.accepted, 1, JSON.stringify(old));
  assert.equal((await addedBy(child.id)).filter((e) => e.summary?.includes('by the referral')).length, 0, 'history: no one brought back');
  // social care come in again and leave within one feed; a referral after that brings them back
  const later = await feed([
    { type: 'involvement.started', at: '2021-01-04', agency: 'police', child: child.id, ref: 'FH-2', details: { agency: 'social_care' } },
    { type: 'involvement.ended', at: '2021-03-01', agency: 'social_care', child: child.id, ref: 'FH-3', details: { agency: 'social_care' } },
    { type: 'care.referral', at: '2021-02-01', agency: 'police', child: child.id, ref: 'FH-4', details: {} },
    { type: 'care.referral', at: '2022-02-01', agency: 'police', child: child.id, ref: 'FH-5', details: {} },
  ], 'later.jsonl');
  assert.equal(later.accepted, 4, JSON.stringify(await database.db.select().from(importIssues)));
  const brought = (await addedBy(child.id)).filter((e) => e.summary?.includes('by the referral'));
  assert.deepEqual(brought.map((e) => e.atText), ['2022-02-01'], 'the referral of 2021, before their end in March, brings no one; that of 2022 does');
});
