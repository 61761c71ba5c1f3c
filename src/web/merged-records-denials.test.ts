// Who is led from a record merged away to the record kept (issue 7), and who is not: a reader who
// may see the record kept and saw the record merged away (or saw it by their agency's involvement,
// which the merge moved) is led there, along a chain of merges; an agency that never could see it,
// or whose involvement with it had ended, gets 404 naming neither record, and nothing is audited.
// A record's own access log is never led away.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import type { Actor } from '../services/actor.ts';
import { mergeChildRecords } from '../services/child-merge-service.ts';
import { createChild, readChronology, recordEvents, viewChild } from '../services/chronology-service.ts';
import { auditLog } from '../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let health: Actor;
const merge = (keptId: string, mergedId: string) =>
  t.database.db.transaction((tx) => mergeChildRecords(tx, { keptId, mergedId, reason: 'The same child recorded twice', actor: null }));
const signedIn = async (email: string) => {
  const v = new Visitor(t.app);
  assert.equal((await v.signIn(email)).statusCode, 302);
  return v;
};
const system = (agency: Actor['agency']): Actor => ({ kind: 'api', tokenId: 'test', name: `${agency} system`, agency, ip: null });
const notFound = (e: unknown) => (e as { status?: number }).status === 404;

before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  health = await makeUser(t.database.db, 'health', 'practitioner', 'Hal Health');
});
after(() => t.close());

test('an agency that sees the record kept but never could see the record merged away: 404 everywhere, naming neither, nothing audited', async () => {
  const db = t.database.db;
  const kept = p.childId; // police are involved with it
  const merged = (await createChild(db, p.school, { name: 'Jordan School', dateOfBirth: '2010-05-04' })).id;
  await recordEvents(db, p.school, merged, [{ type: 'involvement.started', at: '2024-01-02', agency: 'education', details: { agency: 'education' } }], 'web');
  await merge(kept, merged);
  const police = await signedIn('pat.police@test.reachable');
  for (const url of [`/children/${merged}`, `/children/${merged}/plan`, `/education/cme/${merged}`]) {
    const response = await police.get(url);
    assert.equal(response.statusCode, 404, url);
    assert.doesNotMatch(response.body, new RegExp(kept), url);
  }
  await assert.rejects(readChronology(db, system('police'), merged, { agencies: [], types: [] }, 1), notFound);
  await assert.rejects(viewChild(db, system('police'), merged), notFound);
  await assert.rejects(
    recordEvents(db, system('police'), merged, [{ type: 'police.intelligence', at: '2024-03-01', agency: 'police', ref: 'never-written', details: {} }], 'api', undefined, undefined, { followMerges: true }),
    notFound,
  );
  const audited = await db.select().from(auditLog).where(and(eq(auditLog.childId, merged), eq(auditLog.actorUser, (p.police as { userId: string }).userId)));
  assert.deepEqual(audited, [], 'nothing shown, nothing audited');
});

test('an agency whose involvement with the record merged away had ended before the merge is not led', async () => {
  const db = t.database.db;
  const kept = (await createChild(db, p.socialWorker, { name: 'Riley Kept', dateOfBirth: '2011-01-01' })).id;
  await recordEvents(db, p.socialWorker, kept, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'health' } }], 'web');
  const merged = (await createChild(db, p.school, { name: 'Riley School', dateOfBirth: '2011-01-01' })).id;
  await recordEvents(db, p.school, merged, [{ type: 'involvement.started', at: '2020-01-02', agency: 'education', details: { agency: 'health' } }], 'web');
  // ended by health itself: only an agency records that its own involvement has ended
  await recordEvents(db, health, merged, [{ type: 'involvement.ended', at: '2020-06-02', agency: 'health', details: { agency: 'health' } }], 'web');
  const hal = await signedIn('hal.health@test.reachable');
  assert.equal((await hal.get(`/children/${merged}`)).statusCode, 404, 'not seen before the merge');
  await merge(kept, merged);
  const after = await hal.get(`/children/${merged}`);
  assert.equal(after.statusCode, 404, 'nor led after it');
  assert.doesNotMatch(after.body, new RegExp(kept));
  await assert.rejects(readChronology(db, system('health'), merged, { agencies: [], types: [] }, 1), notFound);
});

test('along a chain of merges: the child page and the pages below it lead to the record kept at its end', async () => {
  const db = t.database.db;
  const end = (await createChild(db, p.socialWorker, { name: 'Sky Kept', dateOfBirth: '2012-01-01' })).id;
  await recordEvents(db, p.socialWorker, end, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'education' } }], 'web');
  const between = (await createChild(db, health, { name: 'Sky Health', dateOfBirth: '2012-01-01' })).id;
  const first = (await createChild(db, p.school, { name: 'Sky School', dateOfBirth: '2012-01-01' })).id;
  await merge(between, first);
  await merge(end, between);
  // the school created the first record and is involved with the last; it never saw the one between
  const sue = await signedIn('sue.school@test.reachable');
  const page = await sue.get(`/children/${first}`);
  assert.equal(page.statusCode, 302);
  assert.equal(page.headers.location, `/children/${end}`);
  const plan = await sue.get(`/children/${first}/plan?from=letter`);
  assert.equal(plan.headers.location, `/children/${end}/plan?from=letter`);
  // an id sent percent-encoded leads to a well-formed address all the same
  const encoded = await sue.get(`/children/%${first.charCodeAt(0).toString(16)}${first.slice(1)}/plan`);
  assert.equal(encoded.headers.location, `/children/${end}/plan`);
});

test("a manager reads a merged-away record's own access log, not led away", async () => {
  const db = t.database.db;
  const mo = await makeUser(db, 'social_care', 'manager', 'Mo Manager');
  const kept = (await createChild(db, p.socialWorker, { name: 'Ash Kept', dateOfBirth: '2013-01-01' })).id;
  // the manager created the other record, so still sees it after the merge: its log is its own
  const merged = (await createChild(db, mo, { name: 'Ash Other', dateOfBirth: '2013-01-01' })).id;
  for (const [who, id] of [[p.socialWorker, kept], [mo, merged]] as const) {
    await recordEvents(db, who, id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  }
  await merge(kept, merged);
  const manager = await signedIn('mo.manager@test.reachable');
  const log = await manager.get(`/children/${merged}/access-log`);
  assert.equal(log.statusCode, 200);
  assert.equal(log.headers.location, undefined);
});
