// Finding a child by an identifier that only a record since merged away holds (issue 7, issue 8).
// A merge moves the merged record's entries, involvements and links to the record kept but leaves
// the merged record's own identifiers (NHS number, UPN, police and local authority id) on its row.
// The police officer or teacher who knows the child by that identifier must still reach the child:
// emergency access (break-glass) finds the record kept at the end of the chain and grants on it,
// and "Find a child" leads a reader who may see the record kept there. Neither ever offers the
// record merged away, nor two results for one child, nor shows the record kept to anyone the
// search does not grant, or who may not see it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import type { Db } from '../store/database.ts';
import { childrenByExactIdentity } from '../store/access-repository.ts';
import { accessGrants, auditLog, children } from '../store/schema.ts';
import { breakGlass } from './access-service.ts';
import type { Actor } from './actor.ts';
import { mergeChildRecords, unmergeChildren } from './child-merge-service.ts';
import { createChild, recordEvents, searchChildren, viewChild } from './chronology-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let db: Db;
let p: TestPartnership;
let health: Actor;
let socialManager: Actor;

const REASON = 'The child arrived at school injured this morning and I cannot reach social care';
const userIdOf = (actor: Actor) => (actor as { userId: string }).userId;
const merge = (keptId: string, mergedId: string) =>
  db.transaction((tx) => mergeChildRecords(tx, { keptId, mergedId, reason: 'The same child recorded twice', actor: null }));
const grantsOf = (childId: string) => db.select().from(accessGrants).where(eq(accessGrants.childId, childId));

/** A record social care created and works with: the only agency that may see it. */
async function socialCareRecord(name: string, identifiers: { nhsNumber?: string; upn?: string; policeId?: string; laId?: string } = {}): Promise<string> {
  const child = await createChild(db, p.socialWorker, { name, dateOfBirth: '2011-02-03', ...identifiers });
  await recordEvents(db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  return child.id;
}

before(async () => {
  t = await openTestApp();
  db = t.database.db;
  p = await makePartnership(db);
  health = await makeUser(db, 'health', 'practitioner', 'Hal Health');
  socialManager = await makeUser(db, 'social_care', 'manager', 'Mo Manager');
});
after(() => t.close());

describe('emergency access by an identifier only a record merged away holds', () => {
  test('grants on the record kept, never on the record merged away', async () => {
    const kept = await socialCareRecord('Robin Keptname');
    const merged = await socialCareRecord('Robin Awayname', { laId: 'LA-MG-1', nhsNumber: '9990543194', upn: 'X801200001002', policeId: 'PX-MG-1' });
    await merge(kept, merged);
    assert.equal(await viewChild(db, p.school, kept).then(() => true, () => false), false, 'the school has no relationship with the child');

    const { childId, grant } = await breakGlass(db, p.school, { identifier: 'la-mg-1', reason: REASON });
    assert.equal(childId, kept);
    assert.equal(grant?.childId, kept);
    assert.equal((await grantsOf(merged)).length, 0, 'no grant on the record merged away');
    assert.equal((await viewChild(db, p.school, kept)).child.id, kept, 'the grant opens the record kept');
    const [audited] = await db.select().from(auditLog).where(and(eq(auditLog.action, 'access.break_glass'), eq(auditLog.actorUser, userIdOf(p.school)), eq(auditLog.childId, kept)));
    assert.ok(audited, 'audited on the record kept');
    assert.equal((audited.detail as { foundThrough?: string }).foundThrough, 'an identifier of a record merged into it', 'the audit says how the child was found');

    // every identifier the merged record holds finds the record kept, exactly as it finds a record not merged
    for (const identifier of ['999 054 3194', 'x801200001002', 'PX-MG-1']) {
      assert.deepEqual((await childrenByExactIdentity(db, { identifier })).map((c) => c.id), [kept], identifier);
    }
    // still exact: no part of an identifier finds anything
    for (const identifier of ['LA-MG', 'MG-1', '%']) assert.deepEqual(await childrenByExactIdentity(db, { identifier }), [], identifier);
  });

  test('along a chain of merges: the record at its end', async () => {
    const first = await socialCareRecord('Tate First', { laId: 'LA-MG-CHAIN' });
    const between = await socialCareRecord('Tate Between');
    const end = await socialCareRecord('Tate End');
    await merge(between, first);
    await merge(end, between);
    const { childId, grant } = await breakGlass(db, health, { identifier: 'LA-MG-CHAIN', reason: REASON });
    assert.equal(childId, end);
    assert.equal(grant?.childId, end);
    for (const id of [first, between]) assert.equal((await grantsOf(id)).length, 0);
  });

  test('one child found once: the record kept and records merged into it holding the same identifier', async () => {
    const kept = await socialCareRecord('Sasha Kept', { laId: 'LA-MG-SAME' });
    const one = await socialCareRecord('Sasha One', { laId: 'LA-MG-SAME' });
    const two = await socialCareRecord('Sasha Two', { laId: 'la-mg-same' });
    await merge(kept, one);
    await merge(kept, two);
    assert.deepEqual((await childrenByExactIdentity(db, { identifier: 'LA-MG-SAME' })).map((c) => c.id), [kept]);
    const { childId } = await breakGlass(db, p.police, { identifier: 'LA-MG-SAME', reason: REASON });
    assert.equal(childId, kept);
  });

  test('two children holding the identifier, one of them through a merged record: refused as before, naming neither', async () => {
    const kept = await socialCareRecord('Alex Keptname');
    const merged = await socialCareRecord('Alex Awayname', { laId: 'LA-MG-TWO' });
    const other = await socialCareRecord('Kim Othername', { laId: 'LA-MG-TWO' });
    await merge(kept, merged);
    const refused = await rejection(breakGlass(db, health, { identifier: 'LA-MG-TWO', reason: REASON }));
    assert.equal(refused.id, 'validation_error');
    assert.deepEqual(refused.details.map((d) => d.message), ['More than one record matches: use an identifier instead']);
    const said = JSON.stringify(refused);
    for (const shown of [kept, merged, other, 'Keptname', 'Awayname', 'Othername']) assert.doesNotMatch(said, new RegExp(shown));
    for (const id of [kept, merged, other]) assert.equal((await grantsOf(id)).length, 0);
  });

  test('a search that does not grant shows nothing of the record kept', async () => {
    const kept = await socialCareRecord('Jo Keptname');
    const merged = await socialCareRecord('Jo Awayname', { laId: 'LA-MG-REASON' });
    await merge(kept, merged);
    // no reason given: refused before any search, nothing named
    const refused = await rejection(breakGlass(db, health, { identifier: 'LA-MG-REASON', reason: 'urgent' }));
    assert.deepEqual(refused.details.map((d) => d.path), ['reason']);
    assert.doesNotMatch(JSON.stringify(refused), new RegExp(`${kept}|${merged}|Keptname|Awayname`));
    assert.equal((await grantsOf(kept)).length, 0);
    // someone who does not read cases finds nothing at all
    assert.equal((await rejection(breakGlass(db, p.admin, { identifier: 'LA-MG-REASON', reason: REASON }))).id, 'forbidden');
    assert.equal((await grantsOf(kept)).length, 0);
    // a reader who already sees the record kept is led to it, with no emergency access
    assert.deepEqual(await breakGlass(db, p.socialWorker, { identifier: 'LA-MG-REASON', reason: REASON }), { childId: kept, grant: null });
  });

  test('a chain broken by a missing record finds nothing: the record merged away is never offered', async () => {
    const merged = await socialCareRecord('Lee Awayname', { laId: 'LA-MG-BROKEN' });
    // merged_into has no foreign key: a chain that names no record must not pass the merged record off as the child
    await db.update(children).set({ mergedInto: randomUUID() }).where(eq(children.id, merged));
    assert.deepEqual(await childrenByExactIdentity(db, { identifier: 'LA-MG-BROKEN' }), []);
    const refused = await rejection(breakGlass(db, health, { identifier: 'LA-MG-BROKEN', reason: REASON }));
    assert.deepEqual(refused.details.map((d) => d.message), ['No record matches exactly: check the identifier, or the full name and date of birth']);
    assert.equal((await grantsOf(merged)).length, 0);
    assert.deepEqual(await searchChildren(db, p.socialWorker, { identifier: 'LA-MG-BROKEN' }), []);
  });

  test('after an unmerge the identifier finds the record that holds it again', async () => {
    const kept = await socialCareRecord('Max Keptname');
    const merged = await socialCareRecord('Max Awayname', { laId: 'LA-MG-UNMERGE' });
    const row = await merge(kept, merged);
    assert.deepEqual((await childrenByExactIdentity(db, { identifier: 'LA-MG-UNMERGE' })).map((c) => c.id), [kept]);
    await unmergeChildren(db, socialManager, row.id);
    assert.deepEqual((await childrenByExactIdentity(db, { identifier: 'LA-MG-UNMERGE' })).map((c) => c.id), [merged]);
    // found by its own identifier: the audit entry says nothing of a merged record
    await breakGlass(db, p.school, { identifier: 'la-mg-unmerge', reason: REASON });
    const [audited] = await db.select().from(auditLog).where(and(eq(auditLog.action, 'access.break_glass'), eq(auditLog.childId, merged)));
    assert.ok(audited);
    assert.equal('foundThrough' in (audited.detail as object), false);
  });

  test('through the page: the form leads to the record kept', async () => {
    const kept = await socialCareRecord('Ray Keptname');
    const merged = await socialCareRecord('Ray Awayname', { laId: 'LA-MG-PAGE' });
    await merge(kept, merged);
    const hal = new Visitor(t.app);
    assert.equal((await hal.signIn('hal.health@test.reachable')).statusCode, 302);
    await hal.get('/break-glass');
    const granted = await hal.post('/break-glass', { identifier: 'LA-MG-PAGE', reason: REASON });
    assert.equal(granted.statusCode, 302);
    assert.equal(String(granted.headers.location).split('?')[0], `/children/${kept}`);
    assert.equal((await grantsOf(merged)).length, 0);
  });
});

describe('Find a child by an identifier only a record merged away holds', () => {
  test('a reader who may see the record kept finds it, once, and never the record merged away', async () => {
    const kept = await socialCareRecord('Quinn Keptname', { laId: 'LA-FIND-KEPT' });
    const merged = await socialCareRecord('Quinn Awayname', { laId: 'LA-FIND-1', policeId: 'PX-FIND-1' });
    const also = await socialCareRecord('Quinn Alsoname', { laId: 'LA-FIND-1' });
    await merge(kept, merged);
    await merge(kept, also);
    for (const identifier of ['LA-FIND-1', 'la-find-1', 'PX-FIND-1', 'LA-FIND-KEPT']) {
      assert.deepEqual((await searchChildren(db, p.socialWorker, { identifier })).map((c) => c.id), [kept], identifier);
    }
    // the other terms are the record kept's, as the results show it
    assert.deepEqual((await searchChildren(db, p.socialWorker, { identifier: 'LA-FIND-1', name: 'keptname', dateOfBirth: '2011-02-03' })).map((c) => c.id), [kept]);
    assert.deepEqual(await searchChildren(db, p.socialWorker, { identifier: 'LA-FIND-1', dateOfBirth: '2012-01-01' }), []);
    // the merged records' names find nothing, as before: only their identifiers lead to the record kept
    assert.deepEqual(await searchChildren(db, p.socialWorker, { name: 'Quinn Awayname' }), []);
    // still exact
    assert.deepEqual(await searchChildren(db, p.socialWorker, { identifier: 'LA-FIND' }), []);
  });

  test('along a chain of merges', async () => {
    const first = await socialCareRecord('Uma First', { policeId: 'PX-FIND-CHAIN' });
    const between = await socialCareRecord('Uma Between');
    const end = await socialCareRecord('Uma End');
    await merge(between, first);
    await merge(end, between);
    assert.deepEqual((await searchChildren(db, p.socialWorker, { identifier: 'PX-FIND-CHAIN' })).map((c) => c.id), [end]);
  });

  test('a reader who may not see the record kept is not led there, though they created the record merged away', async () => {
    // health created the record later merged away, and recorded no involvement: its creator saw it
    const merged = (await createChild(db, health, { name: 'Vic Awayname', dateOfBirth: '2011-02-03', laId: 'LA-FIND-DENY' })).id;
    assert.deepEqual((await searchChildren(db, health, { identifier: 'LA-FIND-DENY' })).map((c) => c.id), [merged], 'before the merge');
    const kept = await socialCareRecord('Vic Keptname');
    await merge(kept, merged);
    assert.deepEqual(await searchChildren(db, health, { identifier: 'LA-FIND-DENY' }), [], 'health may not see the record kept');
    assert.deepEqual(await searchChildren(db, p.school, { identifier: 'LA-FIND-DENY' }), []);
    assert.deepEqual((await searchChildren(db, p.socialWorker, { identifier: 'LA-FIND-DENY' })).map((c) => c.id), [kept]);
    // the audit of the search that found nothing names no record
    const [searched] = await db.select().from(auditLog)
      .where(and(eq(auditLog.action, 'child.searched'), eq(auditLog.actorUser, userIdOf(health)), sql`${auditLog.detail}->'query'->>'identifier' = 'LA-FIND-DENY'`))
      .orderBy(sql`${auditLog.seq} desc`).limit(1);
    assert.deepEqual((searched.detail as { results: string[] }).results, []);
  });

  test('the page lists the record kept, linked to it, and neither the merged record nor its name', async () => {
    const kept = await socialCareRecord('Wren Keptname', { laId: 'la-find-page-kept' });
    const merged = await socialCareRecord('Wren Awayname', { laId: 'LA-FIND-PAGE' });
    await merge(kept, merged);
    const sam = new Visitor(t.app);
    assert.equal((await sam.signIn('sam.social@test.reachable')).statusCode, 302);
    const page = await sam.get('/children?identifier=LA-FIND-PAGE');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /1 child found/);
    assert.match(page.body, new RegExp(`href="/children/${kept}"`));
    assert.doesNotMatch(page.body, new RegExp(`${merged}|Awayname`));
    // it lists the record kept's own identifiers, not the one searched for: it says how it was found
    assert.match(page.body, /Found by an identifier of a record merged into this one/);
    const own = await sam.get('/children?identifier=LA-FIND-PAGE-KEPT');
    assert.match(own.body, /1 child found/);
    assert.doesNotMatch(own.body, /Found by an identifier of a record merged/, 'found by its own identifier');
    const byName = await sam.get('/children?name=Wren+Keptname');
    assert.doesNotMatch(byName.body, /Found by an identifier of a record merged/, 'found by name');
    const hal = new Visitor(t.app);
    assert.equal((await hal.signIn('hal.health@test.reachable')).statusCode, 302);
    const none = await hal.get('/children?identifier=LA-FIND-PAGE');
    assert.match(none.body, /0 children found/);
    assert.doesNotMatch(none.body, new RegExp(`${kept}|${merged}|Keptname|Awayname`));
  });
});
