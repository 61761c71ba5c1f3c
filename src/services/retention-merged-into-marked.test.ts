// A record marked for deletion that another record is merged into afterwards (issue 7, issue 8).
// The mark was a decision about the entries the record held then; the merge brings it the entries
// of a record nobody decided to delete. So the record is due for review again from the merge, the
// report says which record was merged in (by reference), and it is not listed as marked for
// deletion until a review taken after the merge decides about it as a whole. An unmerge takes the
// merged record's entries back, and the mark stands again. (The opposite direction, a record
// marked for deletion merged into one not marked: retention-merged.test.ts.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { londonDate } from '../domain/time.ts';
import type { Db } from '../store/database.ts';
import { childMerges, retentionReviews } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { mergeChildren, unmergeChildren } from './child-merge-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { pseudonym } from './pseudonym.ts';
import { recordRetentionReview, retentionRecord, retentionReport } from './retention-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let db: Db;
let p: TestPartnership;
let socialManager: Actor;
let dpo: Actor;

const DAY = 86_400_000;
const today = () => londonDate(Date.now());
const inDays = (days: number) => londonDate(Date.now() + days * DAY);
/** Ten years old: their own review (the 25th birthday) is 15 years away. */
const CHILD_BORN = inDays(-10 * 365);

before(async () => {
  t = await openTestApp();
  db = t.database.db;
  p = await makePartnership(db);
  socialManager = await makeUser(db, 'social_care', 'manager', 'Tess Manager');
  dpo = await makeUser(db, 'other', 'dpo', 'Dee Protection');
});
after(() => t.close());

async function socialCareRecord(name: string, dateOfBirth = CHILD_BORN): Promise<string> {
  const child = await createChild(db, p.socialWorker, { name, dateOfBirth });
  await recordEvents(db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  return child.id;
}
const markForDeletion = (childId: string) => recordRetentionReview(db, dpo, childId, { decision: 'delete', note: 'Recorded in error by the wrong team' });
const retain = (childId: string, nextReviewOn: string) => recordRetentionReview(db, dpo, childId, { decision: 'retain', note: 'Proceedings continue', nextReviewOn });
const merge = (keptId: string, mergedId: string) => mergeChildren(db, socialManager, keptId, mergedId, 'The same child recorded twice by social care');
const report = () => retentionReport(db, dpo);
const dueLine = async (childId: string) => (await report()).due.find((l) => l.childId === childId);
const isMarked = async (childId: string) => (await report()).markedForDeletion.some((l) => l.childId === childId);
const why = (mergedId: string) => `Record ${pseudonym(mergedId)} was merged into this record after this record was marked for deletion`;

describe('a record marked for deletion, then another record merged into it', () => {
  test('is due for review from the merge, saying which record was merged in, and not listed as marked for deletion', async () => {
    const marked = await socialCareRecord('Quinn Marked');
    const mergedIn = await socialCareRecord('Quinn Mergedin');
    await markForDeletion(marked);
    assert.equal(await isMarked(marked), true);
    assert.equal(await dueLine(marked), undefined);
    await merge(marked, mergedIn);

    assert.equal(await isMarked(marked), false, 'the mark did not decide about the entries merged in');
    const line = await dueLine(marked);
    assert.ok(line, 'due again');
    assert.equal(line.dueOn, today(), 'from the merge');
    assert.equal(line.why, why(mergedIn));
    assert.equal(line.lastDecision, 'delete', 'its last review is still shown as it was');
    assert.doesNotMatch(JSON.stringify(line), /Quinn/, 'references only');
    const record = await retentionRecord(db, dpo, marked);
    assert.equal(record.due, true);
    assert.equal(record.line.why, why(mergedIn));
  });

  test('from the day of the merge, not the day the report is read', async () => {
    const marked = await socialCareRecord('Rowan Marked');
    const mergedIn = await socialCareRecord('Rowan Mergedin');
    await markForDeletion(marked);
    const row = await merge(marked, mergedIn);
    // the mark 40 days ago, the merge 10 days ago
    await db.update(retentionReviews).set({ reviewedAt: new Date(Date.now() - 40 * DAY) }).where(eq(retentionReviews.childId, marked));
    await db.update(childMerges).set({ mergedAt: new Date(Date.now() - 10 * DAY) }).where(eq(childMerges.id, row.id));
    assert.equal((await dueLine(marked))?.dueOn, inDays(-10));
  });

  test('a record long past its own review (the review that marked it): due from the merge, not from its birthday', async () => {
    const marked = await socialCareRecord('Sky Marked', inDays(-30 * 365));
    const mergedIn = await socialCareRecord('Sky Mergedin', inDays(-30 * 365));
    await markForDeletion(marked);
    await merge(marked, mergedIn);
    const line = await dueLine(marked);
    assert.equal(line?.dueOn, today());
    assert.equal(line?.why, why(mergedIn));
  });

  test('a review after the merge decides: marked again, or kept', async () => {
    const marked = await socialCareRecord('Sasha Marked');
    const mergedIn = await socialCareRecord('Sasha Mergedin');
    await markForDeletion(marked);
    await merge(marked, mergedIn);
    await markForDeletion(marked);
    assert.equal(await isMarked(marked), true, 'marked again, with the entries merged in');
    assert.equal(await dueLine(marked), undefined);

    const kept = await socialCareRecord('Tate Kept');
    const mergedIn2 = await socialCareRecord('Tate Mergedin');
    await markForDeletion(kept);
    await merge(kept, mergedIn2);
    await retain(kept, inDays(400));
    assert.equal(await isMarked(kept), false);
    assert.equal(await dueLine(kept), undefined);
    assert.equal((await retentionRecord(db, dpo, kept)).line.dueOn, inDays(400));
  });

  test('a record merged in before the mark: the mark decided about its entries too', async () => {
    const marked = await socialCareRecord('Uma Marked');
    const mergedIn = await socialCareRecord('Uma Mergedin');
    await merge(marked, mergedIn);
    await markForDeletion(marked);
    assert.equal(await isMarked(marked), true);
    assert.equal(await dueLine(marked), undefined);
  });

  test('the first of several records merged in after the mark is named', async () => {
    const marked = await socialCareRecord('Vic Marked');
    const first = await socialCareRecord('Vic First');
    const second = await socialCareRecord('Vic Second');
    await markForDeletion(marked);
    const firstMerge = await merge(marked, first);
    await merge(marked, second);
    // the mark 20 days ago, the first merge 5 days ago
    await db.update(retentionReviews).set({ reviewedAt: new Date(Date.now() - 20 * DAY) }).where(eq(retentionReviews.childId, marked));
    await db.update(childMerges).set({ mergedAt: new Date(Date.now() - 5 * DAY) }).where(eq(childMerges.id, firstMerge.id));
    const line = await dueLine(marked);
    assert.equal(line?.dueOn, inDays(-5));
    assert.equal(line?.why, why(first));
  });

  test('a record itself marked for deletion merged in: due from the merge, both marks said', async () => {
    const marked = await socialCareRecord('Wren Marked');
    const alsoMarked = await socialCareRecord('Wren Alsomarked');
    await markForDeletion(marked);
    await markForDeletion(alsoMarked);
    await merge(marked, alsoMarked);
    assert.equal(await isMarked(marked), false, 'neither mark decided about the record as it now is');
    const line = await dueLine(marked);
    assert.equal(line?.dueOn, today());
    assert.match(line!.why, new RegExp(why(alsoMarked)));
    assert.match(line!.why, new RegExp(`Record ${pseudonym(alsoMarked)} was marked for deletion, then merged into this record`));
  });

  test('an unmerge restores the mark', async () => {
    const marked = await socialCareRecord('Xan Marked');
    const mergedIn = await socialCareRecord('Xan Mergedin');
    await markForDeletion(marked);
    const row = await merge(marked, mergedIn);
    assert.equal(await isMarked(marked), false);
    await unmergeChildren(db, socialManager, row.id);
    assert.equal(await isMarked(marked), true);
    assert.equal(await dueLine(marked), undefined);
    const record = await retentionRecord(db, dpo, marked);
    assert.equal(record.due, false);
    assert.doesNotMatch(record.line.why, /merged/);
  });
});

test('the report page lists the record as due, saying why by reference, and not as marked for deletion', async () => {
  const marked = await socialCareRecord('Yael Marked');
  const mergedIn = await socialCareRecord('Yael Mergedin');
  await markForDeletion(marked);
  await merge(marked, mergedIn);
  const v = new Visitor(t.app);
  assert.equal((await v.signIn('dee.protection@test.reachable')).statusCode, 302);
  const page = await v.get('/governance/retention');
  assert.equal(page.statusCode, 200);
  const [dueSection, markedSection] = page.body.split('id="marked"');
  const row = new RegExp(`href="/governance/retention/${marked}"[\\s\\S]*?</tr>`).exec(dueSection)?.[0];
  assert.ok(row, 'listed as due');
  assert.match(row, new RegExp(why(mergedIn)));
  assert.doesNotMatch(markedSection, new RegExp(marked), 'not listed as marked for deletion');
  assert.doesNotMatch(page.body, /Yael/);
  const recordPage = await v.get(`/governance/retention/${marked}`);
  assert.match(recordPage.body, new RegExp(why(mergedIn)));
  assert.match(recordPage.body, /govuk-tag--orange">\s*Due/);
  assert.match(recordPage.body, new RegExp(`Record ${pseudonym(mergedIn)} was merged into this record after this record was marked for deletion. Its entries, which nobody decided to delete`));
  assert.doesNotMatch(recordPage.body, /Yael/);
});

test('a merge is stamped when written, after the records’ locks, not when its transaction began: a merge late in a long transaction (an import chunk) is not taken for one before a mark that committed meanwhile', async () => {
  const kept = await socialCareRecord('Rory Stamped');
  const mergedIn = await socialCareRecord('Rory Stampedin');
  const { mergeChildRecords } = await import('./child-merge-service.ts');
  const { started, mergedAt } = await db.transaction(async (tx) => {
    const [{ started }] = (await tx.execute(sql`select now() as started`) as unknown as { rows: { started: string }[] }).rows;
    await tx.execute(sql`select pg_sleep(0.2)`);
    const row = await mergeChildRecords(tx, { keptId: kept, mergedId: mergedIn, reason: 'The same child, found by the import', actor: null });
    return { started: new Date(started), mergedAt: row.mergedAt };
  });
  assert.ok(mergedAt.getTime() - started.getTime() >= 150, `merged at ${mergedAt.toISOString()}, the transaction began ${started.toISOString()}`);
});
