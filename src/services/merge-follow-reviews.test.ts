// Reviews follow merges (issue 7). A possible match held for a manager names the record the matcher
// suggested; a retention review is of one record. When that record is merged into another before
// anyone decides, the decision is taken about the record kept — the one that holds the child's
// entries — and the record kept is shown only to a reviewer who may see it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { openTestDatabase } from '../../test/support/database.ts';
import { makePartnership, makeUser, type TestPartnership } from '../../test/support/partnership.ts';
import { rejection } from '../../test/support/service-errors.ts';
import type { Database, Db } from '../store/database.ts';
import { auditLog, childMerges, children, events, matchReviews } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { createAlertService } from './alert-service.ts';
import { mergeChildren, unmergeChildren } from './child-merge-service.ts';
import { createChild, recordEvents } from './chronology-service.ts';
import { decideReview, reviewQueue, runImport, viewReview } from './ingest-service.ts';
import { recordRetentionReview, retentionRecord, retentionRecordToLeadTo, retentionReport } from './retention-service.ts';
import { pseudonym } from './pseudonym.ts';

const alerts = createAlertService({ clock: () => Date.parse('2024-07-01T12:00:00Z') });

let database: Database;
let db: Db;
let p: TestPartnership;
let policeManager: Actor;
let socialManager: Actor;
let dpo: Actor;

before(async () => {
  database = await openTestDatabase();
  db = database.db;
  p = await makePartnership(db);
  policeManager = await makeUser(db, 'police', 'manager', 'Pam Police Manager');
  socialManager = await makeUser(db, 'social_care', 'manager', 'Tess Manager');
  dpo = await makeUser(db, 'other', 'dpo', 'Dee Protection');
});
after(() => database.close());

/** A record social care works with (and police do not, unless told). */
async function socialCareRecord(name: string, dateOfBirth: string, extra: { nhsNumber?: string; gender?: string; police?: boolean } = {}): Promise<string> {
  const child = await createChild(db, p.socialWorker, { name, dateOfBirth, gender: extra.gender, nhsNumber: extra.nhsNumber });
  await recordEvents(db, p.socialWorker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    ...(extra.police ? [{ type: 'involvement.started' as const, at: '2024-01-03', agency: 'social_care' as const, details: { agency: 'police' } }] : []),
  ], 'web');
  return child.id;
}

/**
 * A police incident about a girl named as a boy social care knows (same name and birthday, another
 * sex): the matcher holds it for a manager. Returns the review and the incident's ref.
 */
async function heldIncident(forename: string, surname: string, dateOfBirth: string, nominal: string) {
  const csv = `INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY\nINC-${nominal},${nominal},${forename},${surname},${dateOfBirth},F,2024-05-02,victim,violence\n`;
  const s = await runImport(db, { format: 'police-incidents', fileName: `${nominal}.csv`, bytes: Buffer.from(csv) }, { actor: p.admin, via: 'web', alerts });
  assert.equal(s.review, 1, JSON.stringify(s));
  const [review] = await db.select().from(matchReviews).where(and(eq(matchReviews.status, 'open'), sql`${matchReviews.incoming}->>'sourceId' = ${nominal}`));
  return { review, ref: `police-incident:INC-${nominal}:${nominal}` };
}

const eventOf = async (ref: string) => (await db.select().from(events).where(eq(events.ref, ref)))[0];

describe('a possible match whose suggested record was merged away before the decision', () => {
  test('a reviewer who may not see the record kept is told of the merge and not shown that record; "same" records the held rows on it', async () => {
    const suggested = await socialCareRecord('Casey Rowe', '2011-02-03', { gender: 'male' });
    const { review, ref } = await heldIncident('Casey', 'Rowe', '2011-02-03', 'NOM-M1');
    assert.equal(review.candidateChildId, suggested);
    const kept = await socialCareRecord('Casey Rowe-Lane', '2011-02-03', { gender: 'male', nhsNumber: '9434765870' });
    await mergeChildren(db, socialManager, kept, suggested, 'The same child recorded twice by social care', alerts);

    const [queued] = (await reviewQueue(db, policeManager)).filter((r) => r.id === review.id);
    assert.equal(queued.candidateMerged, true, 'the queue says the suggested record was merged');
    assert.equal(queued.candidateName, 'Casey Rowe', 'the record suggested, as the matcher compared it');

    const view = await viewReview(db, policeManager, review.id);
    assert.equal(view.candidate?.id, suggested, 'the record the matcher compared, not the record kept');
    assert.deepEqual(view.merged, { keptShown: false, keptFound: true });
    const shown = JSON.stringify(view);
    for (const secret of [kept, 'Casey Rowe-Lane', '9434765870']) assert.ok(!shown.includes(secret), `the view names ${secret}`);
    const [viewed] = await db.select().from(auditLog).where(and(eq(auditLog.action, 'match.viewed'), sql`${auditLog.detail}->>'review' = ${review.id}`));
    assert.equal(viewed.childId, suggested);
    assert.equal(viewed.detail.keptRecord, kept, 'the audit says where the suggested record went');

    const decided = await decideReview(db, policeManager, review.id, 'same', alerts);
    assert.equal(decided.childId, kept);
    assert.equal((await eventOf(ref)).childId, kept, 'the held incident is on the record kept');
    const [row] = await db.select().from(matchReviews).where(eq(matchReviews.id, review.id));
    assert.equal(row.status, 'same');
    assert.equal(row.resultChildId, kept);
    const [merge] = await db.select().from(childMerges).where(and(eq(childMerges.keptChildId, kept), sql`${childMerges.mergedChildId} <> ${suggested}`));
    assert.ok(merge, 'the feed’s record merged into the record kept');
    assert.equal(merge.mergedBy, (policeManager as Extract<Actor, { kind: 'user' }>).userId);
  });

  test('a reviewer who may see the record kept compares with it, told that the suggested record was merged into it', async () => {
    const suggested = await socialCareRecord('Devon Hale', '2010-07-08', { gender: 'male' });
    const { review, ref } = await heldIncident('Devon', 'Hale', '2010-07-08', 'NOM-M2');
    const kept = await socialCareRecord('Devon Hale-Price', '2010-07-08', { gender: 'male', police: true });
    await mergeChildren(db, socialManager, kept, suggested, 'The same child recorded twice by social care', alerts);

    const [queued] = (await reviewQueue(db, policeManager)).filter((r) => r.id === review.id);
    assert.equal(queued.candidateName, 'Devon Hale-Price', 'the queue names the record the child is now on');
    assert.equal(queued.candidateMerged, true);
    const view = await viewReview(db, policeManager, review.id);
    assert.equal(view.candidate?.id, kept);
    assert.deepEqual(view.merged, { keptShown: true, keptFound: true });

    const decided = await decideReview(db, policeManager, review.id, 'same', alerts);
    assert.equal(decided.childId, kept);
    assert.equal(decided.childVisible, true);
    assert.equal((await eventOf(ref)).childId, kept);
  });

  test('a chain of merges is followed to its end', async () => {
    const suggested = await socialCareRecord('Ellis Fenn', '2012-03-09', { gender: 'male' });
    const { review, ref } = await heldIncident('Ellis', 'Fenn', '2012-03-09', 'NOM-M3');
    const middle = await socialCareRecord('Ellis Fenn-Ward', '2012-03-09', { gender: 'male' });
    const end = await socialCareRecord('Ellis Ward', '2012-03-09', { gender: 'male', police: true });
    await mergeChildren(db, socialManager, middle, suggested, 'The same child recorded twice by social care', alerts);
    await mergeChildren(db, socialManager, end, middle, 'The same child recorded twice by social care', alerts);

    assert.equal((await viewReview(db, policeManager, review.id)).candidate?.id, end);
    assert.equal((await decideReview(db, policeManager, review.id, 'same', alerts)).childId, end);
    assert.equal((await eventOf(ref)).childId, end);
  });

  test('a merge undone before the decision: the suggested record is compared and decided on again', async () => {
    const suggested = await socialCareRecord('Frankie Moss', '2009-11-12', { gender: 'male' });
    const { review, ref } = await heldIncident('Frankie', 'Moss', '2009-11-12', 'NOM-M4');
    const other = await socialCareRecord('Frankie Moss-Hill', '2009-11-12', { gender: 'male' });
    const merge = await mergeChildren(db, socialManager, other, suggested, 'Thought to be the same child, it was not', alerts);
    await unmergeChildren(db, socialManager, merge.id, alerts);

    const view = await viewReview(db, policeManager, review.id);
    assert.equal(view.candidate?.id, suggested);
    assert.equal(view.merged, null);
    assert.equal((await decideReview(db, policeManager, review.id, 'same', alerts)).childId, suggested);
    assert.equal((await eventOf(ref)).childId, suggested);
  });

  test('a merge whose record kept is missing: "same" is refused with a reason, nothing recorded; "different" still makes a new record', async () => {
    const suggested = await socialCareRecord('Gale Hart', '2013-04-05', { gender: 'male' });
    const { review, ref } = await heldIncident('Gale', 'Hart', '2013-04-05', 'NOM-M5');
    // no merge leaves this (merged_into has no foreign key): a chain broken by a record removed by hand
    await db.update(children).set({ mergedInto: '00000000-0000-4000-8000-000000000001' }).where(eq(children.id, suggested));

    const view = await viewReview(db, policeManager, review.id);
    assert.equal(view.candidate?.id, suggested);
    assert.deepEqual(view.merged, { keptShown: false, keptFound: false });
    const refused = await rejection(decideReview(db, policeManager, review.id, 'same', alerts));
    assert.equal(refused.id, 'validation_error');
    assert.deepEqual(refused.details.map((d) => d.path), ['decision']);
    assert.equal(await eventOf(ref), undefined, 'nothing recorded');
    assert.equal((await db.select().from(matchReviews).where(eq(matchReviews.id, review.id)))[0].status, 'open');

    const different = await decideReview(db, policeManager, review.id, 'different', alerts);
    assert.notEqual(different.childId, suggested);
    assert.equal((await eventOf(ref)).childId, different.childId);
  });
});

describe('a retention review of a record merged into another', () => {
  const options = { clock: () => Date.parse('2026-06-01T12:00:00Z') };

  test('the record merged away leads to the record kept, whose review shows the merged record’s reviews and its pending deletion mark', async () => {
    const merged = await socialCareRecord('Harper Old', '2000-01-15');
    const kept = await socialCareRecord('Harper Old-Stone', '2000-01-15');
    await recordRetentionReview(db, dpo, merged, { decision: 'delete', note: 'Past the review age, no review needs it' }, options);
    await recordRetentionReview(db, dpo, kept, { decision: 'retain', note: 'A case review still needs it', nextReviewOn: '2026-09-01' }, options);
    await mergeChildren(db, socialManager, kept, merged, 'The same child recorded twice by social care', alerts);

    // the record merged away is no longer listed, even as marked for deletion: its entries are on the record kept
    const report = await retentionReport(db, dpo, options);
    assert.ok(![...report.due, ...report.markedForDeletion].some((l) => l.childId === merged));

    assert.equal(await retentionRecordToLeadTo(db, dpo, merged), kept);
    assert.equal(await retentionRecordToLeadTo(db, dpo, kept), null, 'a record not merged is not led anywhere');
    assert.equal(await retentionRecordToLeadTo(db, dpo, '00000000-0000-0000-0000-000000000000'), null);
    assert.equal((await rejection(retentionRecordToLeadTo(db, p.socialWorker, merged))).id, 'forbidden');

    const record = await retentionRecord(db, dpo, kept, options);
    assert.deepEqual(record.mergedRecords.map((m) => [m.childId, m.reference, m.lastDecision]), [[merged, pseudonym(merged), 'delete']]);
    assert.deepEqual(
      record.reviews.map((r) => [r.reference, r.decision, r.note]),
      [[pseudonym(kept), 'retain', 'A case review still needs it'], [pseudonym(merged), 'delete', 'Past the review age, no review needs it']],
    );
    assert.ok(!JSON.stringify(record).includes('Harper'), 'no names: references only');

    // a review is recorded on the record kept, never on the record merged away
    assert.equal((await rejection(recordRetentionReview(db, dpo, merged, { decision: 'retain', note: 'Kept', nextReviewOn: '2027-01-01' }, options))).id, 'not_found');
  });

  test('after an unmerge the records are reviewed apart again', async () => {
    const merged = await socialCareRecord('Indy Vale', '2000-03-20');
    const kept = await socialCareRecord('Indy Vale-Marsh', '2000-03-20');
    await recordRetentionReview(db, dpo, merged, { decision: 'retain', note: 'Proceedings continue', nextReviewOn: '2027-03-01' }, options);
    const merge = await mergeChildren(db, socialManager, kept, merged, 'The same child recorded twice by social care', alerts);
    assert.equal((await retentionRecord(db, dpo, kept, options)).mergedRecords.length, 1);
    await unmergeChildren(db, socialManager, merge.id, alerts);
    const record = await retentionRecord(db, dpo, kept, options);
    assert.deepEqual(record.mergedRecords, []);
    assert.deepEqual(record.reviews, []);
    assert.equal(await retentionRecordToLeadTo(db, dpo, merged), null);
  });
});

test('two managers deciding "the same child" on two reviews of one record at once: one waits for the other, neither is ended to break a deadlock', { skip: !process.env.DATABASE_URL && 'needs PostgreSQL (DATABASE_URL): two connections' }, async () => {
  const runAgain: string[] = [];
  const onWarning = (warning: Error & { code?: string }) => { if (warning.code === 'REACHABLE_RUN_AGAIN') runAgain.push(warning.message); };
  process.on('warning', onWarning);
  try {
    const secondManager = await makeUser(db, 'police', 'manager', 'Pat Second Manager');
    for (let i = 0; i < 4; i++) {
      const kept = await socialCareRecord(`Casey${i} Rowe`, '2011-02-03', { gender: 'male' });
      const one = await heldIncident(`Casey${i}`, 'Rowe', '2011-02-03', `NA${i}`);
      const two = await heldIncident(`Casey${i}`, 'Rowe', '2011-02-03', `NB${i}`);
      assert.deepEqual([one.review.candidateChildId, two.review.candidateChildId], [kept, kept]);
      const decided = await Promise.all([decideReview(db, policeManager, one.review.id, 'same', alerts), decideReview(db, secondManager, two.review.id, 'same', alerts)]);
      assert.deepEqual(decided.map((d) => d.childId), [kept, kept]);
    }
    assert.deepEqual(runAgain, [], 'no transaction ended to break a deadlock');
  } finally {
    process.off('warning', onWarning);
  }
});
