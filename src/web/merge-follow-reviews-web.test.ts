// The review pages follow merges (issue 7), through the real server: a possible match whose
// suggested record was merged away says so, and names the record kept only to a reviewer who may
// see it; the retention page of a record merged away leads to the record kept, where the merged
// record's reviews are shown, and a review sent for it is not recorded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq, sql } from 'drizzle-orm';
import { openTestApp, Visitor } from '../../test/support/app.ts';
import { makeUser } from '../../test/support/partnership.ts';
import type { Actor } from '../services/actor.ts';
import { mergeChildren } from '../services/child-merge-service.ts';
import { createChild, recordEvents } from '../services/chronology-service.ts';
import { runImport } from '../services/ingest-service.ts';
import { pseudonym } from '../services/pseudonym.ts';
import { recordRetentionReview } from '../services/retention-service.ts';
import { events, matchReviews, retentionReviews } from '../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let admin: Actor;
let worker: Actor;
let socialManager: Actor;
let dpo: Actor;

before(async () => {
  t = await openTestApp();
  const db = t.database.db;
  admin = await makeUser(db, 'other', 'admin', 'Ada Admin');
  worker = await makeUser(db, 'social_care', 'practitioner', 'Sam Social');
  socialManager = await makeUser(db, 'social_care', 'manager', 'Tess Manager');
  await makeUser(db, 'police', 'manager', 'Pam Police Manager');
  dpo = await makeUser(db, 'other', 'dpo', 'Dee Protection');
});
after(() => t.close());

const POLICE_MANAGER = 'pam.police.manager@test.reachable';
const DPO = 'dee.protection@test.reachable';

async function visitor(email: string, first: string) {
  const v = new Visitor(t.app);
  assert.equal((await v.signIn(email)).statusCode, 302, `sign-in of ${email}`);
  await v.get(first);
  return v;
}

async function socialCareRecord(name: string, dateOfBirth: string, police = false): Promise<string> {
  const child = await createChild(t.database.db, worker, { name, dateOfBirth, gender: 'male' });
  await recordEvents(t.database.db, worker, child.id, [
    { type: 'involvement.started', at: '2024-01-02', agency: 'social_care', details: { agency: 'social_care' } },
    ...(police ? [{ type: 'involvement.started' as const, at: '2024-01-03', agency: 'social_care' as const, details: { agency: 'police' } }] : []),
  ], 'web');
  return child.id;
}

/** A police incident about a girl named as a boy social care knows: held for the police's manager. */
async function heldIncident(forename: string, surname: string, dateOfBirth: string, nominal: string): Promise<string> {
  const csv = `INCIDENT_REF,NOMINAL_ID,FORENAME,SURNAME,DOB,SEX,OCCURRED,ROLE,CATEGORY\nINC-${nominal},${nominal},${forename},${surname},${dateOfBirth},F,2024-05-02,victim,violence\n`;
  const s = await runImport(t.database.db, { format: 'police-incidents', fileName: `${nominal}.csv`, bytes: Buffer.from(csv) }, { actor: admin, via: 'web' });
  assert.equal(s.review, 1, JSON.stringify(s));
  const [review] = await t.database.db.select().from(matchReviews).where(and(eq(matchReviews.status, 'open'), sql`${matchReviews.incoming}->>'sourceId' = ${nominal}`));
  return review.id;
}

describe('a possible match whose suggested record was merged away', () => {
  test('a reviewer who may not see the record kept is told of the merge, shown the record suggested, never the record kept', async () => {
    const suggested = await socialCareRecord('Jesse Park', '2011-06-07');
    const reviewId = await heldIncident('Jesse', 'Park', '2011-06-07', 'NOM-W1');
    const kept = await socialCareRecord('Jesse Park-Holt', '2011-06-07');
    await mergeChildren(t.database.db, socialManager, kept, suggested, 'The same child recorded twice by social care');

    const v = await visitor(POLICE_MANAGER, '/matches');
    const list = await v.get('/matches');
    assert.match(list.body, /<td class="govuk-table__cell">Jesse Park<br><span class="govuk-hint govuk-!-margin-bottom-0">The record suggested has been merged into another record of the same child<\/span><\/td>/);
    const page = await v.get(`/matches/${reviewId}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /has since been merged into another record of the same child, which you do not have access to/);
    assert.match(page.body, /Record suggested \(now merged\)/);
    assert.match(page.body, /The same child: add the feed&#39;s records to the record the child is now on/);
    for (const secret of [kept, 'Park-Holt']) assert.ok(!list.body.includes(secret) && !page.body.includes(secret), `a page names ${secret}`);

    const same = await v.post(`/matches/${reviewId}`, { decision: 'same' });
    assert.equal(same.statusCode, 302);
    const [incident] = await t.database.db.select().from(events).where(eq(events.ref, 'police-incident:INC-NOM-W1:NOM-W1'));
    assert.equal(incident.childId, kept, 'the held incident is on the record kept');
  });

  test('a reviewer who may see the record kept compares with it, told the suggested record was merged into it', async () => {
    const suggested = await socialCareRecord('Kit Lowe', '2010-08-09');
    const reviewId = await heldIncident('Kit', 'Lowe', '2010-08-09', 'NOM-W2');
    const kept = await socialCareRecord('Kit Lowe-Barnes', '2010-08-09', true);
    await mergeChildren(t.database.db, socialManager, kept, suggested, 'The same child recorded twice by social care');

    const v = await visitor(POLICE_MANAGER, '/matches');
    assert.match((await v.get('/matches')).body, /<td class="govuk-table__cell">Kit Lowe-Barnes<br>/);
    const page = await v.get(`/matches/${reviewId}`);
    assert.match(page.body, /has since been merged into this record of the same child/);
    assert.match(page.body, /<td class="govuk-table__cell">Kit Lowe-Barnes<\/td>/);
    const same = await v.post(`/matches/${reviewId}`, { decision: 'same' });
    assert.match(same.headers.location as string, new RegExp(`&child=${kept}$`));
  });

  test('a suggested record merged into a record that cannot be found: only "a different child" is offered, and "same" is refused', async () => {
    const suggested = await socialCareRecord('Lane Rees', '2012-09-10');
    const reviewId = await heldIncident('Lane', 'Rees', '2012-09-10', 'NOM-W3');
    await t.database.db.execute(sql`update children set merged_into = '00000000-0000-4000-8000-000000000002' where id = ${suggested}`);
    const v = await visitor(POLICE_MANAGER, '/matches');
    const page = await v.get(`/matches/${reviewId}`);
    assert.match(page.body, /merged into a record that cannot be found/);
    assert.doesNotMatch(page.body, /value="same"/);
    const refused = await v.post(`/matches/${reviewId}`, { decision: 'same' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /The record suggested was merged into a record that cannot be found/);
  });
});

describe('the retention page of a record merged away', () => {
  test('leads to the record kept, which shows the merged record’s reviews; a review sent for it is not recorded', async () => {
    const merged = await socialCareRecord('Morgan Ash', '1999-05-05');
    const kept = await socialCareRecord('Morgan Ash-Grey', '1999-05-05');
    await recordRetentionReview(t.database.db, dpo, merged, { decision: 'delete', note: 'Past the review age, no review needs it' });
    const v = await visitor(DPO, `/governance/retention/${merged}`);
    // the form opened before the merge
    await v.get(`/governance/retention/${merged}`);
    await mergeChildren(t.database.db, socialManager, kept, merged, 'The same child recorded twice by social care');

    const led = await v.get(`/governance/retention/${merged}`);
    assert.equal(led.statusCode, 302);
    assert.equal(led.headers.location, `/governance/retention/${kept}?mergedFrom=${merged}`);
    const page = await v.get(led.headers.location as string);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`Record ${pseudonym(merged)} has been merged into this record of the same child`));
    assert.doesNotMatch(page.body, /Nothing was recorded/);
    assert.match(page.body, /Records merged into this one/);
    assert.match(page.body, new RegExp(`Record ${pseudonym(merged)} was marked for deletion before it was merged into this record`));
    assert.match(page.body, /Past the review age, no review needs it/);
    assert.ok(!page.body.includes('Morgan'), 'references, never names');

    const sent = await v.post(`/governance/retention/${merged}`, { decision: 'retain', note: 'Proceedings continue', 'nextReviewOn-day': '1', 'nextReviewOn-month': '1', 'nextReviewOn-year': '2040' });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, `/governance/retention/${kept}?mergedFrom=${merged}&notRecorded=1`);
    assert.match((await v.get(sent.headers.location as string)).body, /Nothing was recorded\. Record/);
    assert.equal((await t.database.db.select().from(retentionReviews).where(eq(retentionReviews.note, 'Proceedings continue'))).length, 0);

    // once the DPO has reviewed the record kept as a whole, the merged record's mark is answered
    await recordRetentionReview(t.database.db, dpo, kept, { decision: 'retain', note: 'Kept whole after the merge', nextReviewOn: '2040-01-01' });
    assert.doesNotMatch((await v.get(`/governance/retention/${kept}`)).body, /was marked for deletion before it was merged into this record/);

    // a query naming a record that was not merged into this one says nothing
    assert.doesNotMatch((await v.get(`/governance/retention/${kept}?mergedFrom=${kept}`)).body, /has been merged into this record/);
    assert.equal((await v.get('/governance/retention/00000000-0000-0000-0000-000000000000')).statusCode, 404);
    assert.equal((await v.post('/governance/retention/00000000-0000-0000-0000-000000000000', { decision: 'delete', note: 'x' })).statusCode, 404);
  });
});
