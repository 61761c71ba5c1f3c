// The retention standing of a record that other records were merged into (issue 7, issue 8). A
// merge leaves the merged record's retention reviews on it, but its entries move to the record
// kept. A deletion mark the merged record carried is then waiting on entries no review of the
// record kept has decided about: the record kept is due from the merge until the DPO reviews it,
// along a chain of merges too, and the report says why. A next review date set on the merged record
// brings the record kept up for review by that date, for the same reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { londonDate } from '../domain/time.ts';
import type { Database, Db } from '../store/database.ts';
import type { Actor } from './actor.ts';
import { mergeChildren, unmergeChildren } from './child-merge-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { pseudonym } from './pseudonym.ts';
import { recordRetentionReview, retentionRecord, retentionReport } from './retention-service.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let database: Database;
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
  database = t.database;
  db = database.db;
  p = await makePartnership(db);
  socialManager = await makeUser(db, 'social_care', 'manager', 'Tess Manager');
  dpo = await makeUser(db, 'other', 'dpo', 'Dee Protection');
});
after(() => t.close());

async function socialCareRecord(name: string): Promise<string> {
  const child = await createChild(db, p.socialWorker, { name, dateOfBirth: CHILD_BORN });
  await recordEvents(db, p.socialWorker, child.id, [{ type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } }], 'web');
  return child.id;
}
const markForDeletion = (childId: string) => recordRetentionReview(db, dpo, childId, { decision: 'delete', note: 'Recorded in error by the wrong team' });
const retain = (childId: string, nextReviewOn: string) => recordRetentionReview(db, dpo, childId, { decision: 'retain', note: 'Proceedings continue', nextReviewOn });
const merge = (keptId: string, mergedId: string) => mergeChildren(db, socialManager, keptId, mergedId, 'The same child recorded twice by social care');
const dueLine = async (childId: string) => (await retentionReport(db, dpo)).due.find((l) => l.childId === childId);

describe('a record marked for deletion, then merged into another', () => {
  test('makes the record kept due from the merge, saying why, until the DPO reviews the record kept', async () => {
    const marked = await socialCareRecord('Quinn Marked');
    const kept = await socialCareRecord('Quinn Kept');
    await markForDeletion(marked);
    assert.equal(await dueLine(kept), undefined, 'not due by its own rule');
    await merge(kept, marked);

    const line = await dueLine(kept);
    assert.ok(line, 'due once the record marked for deletion is merged into it');
    assert.equal(line.dueOn, today(), 'due from the merge');
    assert.match(line.why, new RegExp(`Record ${pseudonym(marked)} was marked for deletion, then merged into this record`));
    assert.doesNotMatch(line.why, /Quinn/, 'references only');
    const record = await retentionRecord(db, dpo, kept);
    assert.equal(record.due, true);
    assert.equal(record.line.why, line.why);

    // the DPO reviews the record kept as a whole: that decision is about the merged record's entries too
    await retain(kept, inDays(400));
    assert.equal(await dueLine(kept), undefined);
    const after = await retentionRecord(db, dpo, kept);
    assert.equal(after.line.dueOn, inDays(400));
    assert.match(after.line.why, /next review date set at the last review/);
  });

  test('a review of the record kept taken before the merge does not decide about the entries merged in', async () => {
    const marked = await socialCareRecord('Rowan Marked');
    const kept = await socialCareRecord('Rowan Kept');
    await retain(kept, inDays(400));
    await markForDeletion(marked);
    await merge(kept, marked);
    const line = await dueLine(kept);
    assert.equal(line?.dueOn, today());
    assert.match(line!.why, /marked for deletion, then merged into this record/);
  });

  test('a deletion mark the merged record’s own later review replaced is no mark', async () => {
    const reviewed = await socialCareRecord('Sasha Reviewed');
    const kept = await socialCareRecord('Sasha Kept');
    await markForDeletion(reviewed);
    await retain(reviewed, inDays(800));
    await merge(kept, reviewed);
    assert.equal(await dueLine(kept), undefined);
  });

  test('along a chain of merges: the record at its end is due; a review of the record between, after the first merge, decided', async () => {
    const first = await socialCareRecord('Tate First');
    const between = await socialCareRecord('Tate Between');
    const end = await socialCareRecord('Tate End');
    await markForDeletion(first);
    await merge(between, first);
    assert.equal((await dueLine(between))?.dueOn, today());
    await merge(end, between);
    const line = await dueLine(end);
    assert.equal(line?.dueOn, today());
    assert.match(line!.why, new RegExp(`Record ${pseudonym(first)} was marked for deletion`));
    // the record page names the record between, through which the first came to this one
    assert.deepEqual((await retentionRecord(db, dpo, end)).mergedRecords.map((m) => [m.reference, m.through]), [
      [pseudonym(between), null],
      [pseudonym(first), pseudonym(between)],
    ]);
    const v = new Visitor(t.app);
    assert.equal((await v.signIn('dee.protection@test.reachable')).statusCode, 302);
    const page = await v.get(`/governance/retention/${end}`);
    assert.match(page.body, new RegExp(`Record ${pseudonym(first)} was marked for deletion before it was merged into this record \\(through record ${pseudonym(between)}\\)`));
    assert.match(page.body, new RegExp(`through record ${pseudonym(between)}</span>`));

    const first2 = await socialCareRecord('Uma First');
    const between2 = await socialCareRecord('Uma Between');
    const end2 = await socialCareRecord('Uma End');
    await markForDeletion(first2);
    await merge(between2, first2);
    // reviewed on the record between, which then held the marked record's entries
    await retain(between2, inDays(400));
    await merge(end2, between2);
    assert.equal(await dueLine(end2), undefined);
    assert.equal((await retentionRecord(db, dpo, end2)).line.dueOn, inDays(400), 'the record between’s next review date came with it');
  });

  test('an unmerge takes the mark back: the record kept is not due, the record marked is listed as marked again', async () => {
    const marked = await socialCareRecord('Vic Marked');
    const kept = await socialCareRecord('Vic Kept');
    await markForDeletion(marked);
    const merged = await merge(kept, marked);
    assert.ok(await dueLine(kept));
    await unmergeChildren(db, socialManager, merged.id);
    assert.equal(await dueLine(kept), undefined);
    assert.ok((await retentionReport(db, dpo)).markedForDeletion.some((l) => l.childId === marked));
  });
});

describe('a next review date set on a record merged into another', () => {
  test('brings the record kept up for review by that date, when it is earlier than its own', async () => {
    const reviewed = await socialCareRecord('Wren Reviewed');
    const kept = await socialCareRecord('Wren Kept');
    await retain(reviewed, inDays(30));
    await merge(kept, reviewed);
    const record = await retentionRecord(db, dpo, kept);
    assert.equal(record.line.dueOn, inDays(30));
    assert.equal(record.due, false);
    assert.match(record.line.why, new RegExp(`The next review date set for record ${pseudonym(reviewed)} before it was merged into this record`));
    assert.equal(await dueLine(kept), undefined, 'not due yet');

    // one later than the record kept's own is left to the record kept's own review
    const later = await socialCareRecord('Wren Later');
    const kept2 = await socialCareRecord('Wren Kept Two');
    await retain(kept2, inDays(60));
    await retain(later, inDays(500));
    await merge(kept2, later);
    assert.equal((await retentionRecord(db, dpo, kept2)).line.dueOn, inDays(60));
  });
});

test('the report page says why a record is due because of a record merged into it', async () => {
  const marked = await socialCareRecord('Xan Marked');
  const kept = await socialCareRecord('Xan Kept');
  await markForDeletion(marked);
  await merge(kept, marked);
  const v = new Visitor(t.app);
  assert.equal((await v.signIn('dee.protection@test.reachable')).statusCode, 302);
  const page = await v.get('/governance/retention');
  assert.equal(page.statusCode, 200);
  const row = new RegExp(`href="/governance/retention/${kept}"[\\s\\S]*?</tr>`).exec(page.body)?.[0];
  assert.ok(row, 'the record kept is listed as due');
  assert.match(row, new RegExp(`Record ${pseudonym(marked)} was marked for deletion, then merged into this record`));
  assert.doesNotMatch(page.body, /Xan/);
  // the record page says it too, by the warning it showed before
  const recordPage = await v.get(`/governance/retention/${kept}`);
  assert.match(recordPage.body, /marked for deletion, then merged into this record/);
  assert.match(recordPage.body, /govuk-tag--orange">\s*Due/);
});
