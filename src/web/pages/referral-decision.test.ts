// A referral to children's social care, through the real server: the school refers a child only the
// school holds; the referral brings social care into the child's network, so the alert that asks
// them to decide, its notice and the record reach them, and they decide. Only social care may record
// the decision.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import { openTestApp, signedInVisitors, Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { createChild } from '../../services/chronology-service.ts';
import { alerts, events, notifications } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let as: (email: string) => Promise<Visitor>;
let riley = '';
before(async () => {
  // the partnership's clock the day after the decision below, so that the referrer is told of it (tellReferrers: recent decisions only)
  t = await openTestApp({}, () => Date.parse('2024-06-05T12:00:00Z'));
  as = signedInVisitors(t.app, '/my-work');
  p = await makePartnership(t.database.db);
  riley = (await createChild(t.database.db, p.school, { name: 'Riley Referred', dateOfBirth: '2011-02-03' })).id;
});
after(() => t.close());

const submissionOf = (body: string) => /name="submission" value="([^"]*)"/.exec(body)?.[1] ?? '';
const referralAlerts = () => t.database.db.select().from(alerts).where(and(eq(alerts.childId, riley), eq(alerts.rule, 'REFERRAL_DECISION_DUE')));

test('the school refers Riley; the referral brings social care into the network, the alert is theirs with a notice, and they decide', async () => {
  const sue = await as('sue.school@test.reachable');
  const sam = await as('sam.social@test.reachable');
  assert.equal((await sam.get(`/children/${riley}`)).statusCode, 404, 'before the referral, social care may not read Riley');
  // a Monday: the working day to decide ends on Tuesday
  const form = await sue.get(`/children/${riley}/events/new?type=care.referral`);
  assert.equal(form.statusCode, 200);
  const referred = await sue.post(`/children/${riley}/events/new`, {
    type: 'care.referral', 'at-day': '3', 'at-month': '6', 'at-year': '2024', 'atTime': '10:30',
    summary: 'Referral by the DSL: Riley has been seen with older males at Brook Park and has unexplained money.', submission: submissionOf(form.body),
  });
  assert.equal(referred.statusCode, 302, referred.body);

  const [moved] = await referralAlerts();
  assert.ok(moved, 'a decision is asked for');
  assert.equal(moved.status, 'open');
  assert.equal(moved.owner, 'social_care', 'social care decide, and now read Riley');
  assert.equal(moved.details.ruleOwner, undefined, 'not routed elsewhere');
  assert.equal(moved.details.referringAgency, 'education');
  const involvement = (await t.database.db.select().from(events).where(and(eq(events.childId, riley), eq(events.type, 'involvement.started'))))
    .find((e) => e.details.agency === 'social_care');
  assert.ok(involvement, "social care's involvement is on Riley's chronology");
  assert.equal(involvement.agency, 'education', 'recorded by the agency that referred');
  assert.equal(involvement.at.toISOString(), '2024-06-03T09:30:00.000Z', 'dated with the referral');
  assert.match(involvement.summary ?? '', /added to the network by the referral/);
  const newAlert = await t.database.db.select().from(notifications).where(eq(notifications.alertId, moved.id));
  assert.deepEqual(newAlert.map((n) => n.agency), ['social_care'], 'social care are told there is a new alert');
  assert.equal(moved.status, 'open', 'adding social care to the network does not decide the referral');

  // social care now read Riley, and the decision is theirs
  assert.match((await sam.get('/my-work')).body, /Riley Referred/);
  const samPage = await sam.get(`/alerts/${encodeURIComponent(moved.id)}`);
  assert.ok(samPage.body.includes(`/children/${riley}/events/new?type=care.referral_decision&amp;alert=`), 'social care are offered to record their decision');
  const decisionForm = await sam.get(`/children/${riley}/events/new?type=care.referral_decision&alert=${encodeURIComponent(moved.id)}`);
  assert.equal(decisionForm.statusCode, 200);
  assert.match(decisionForm.body, /Child and family assessment/);
  assert.match(decisionForm.body, /No further action/);
  const decided = await sam.post(`/children/${riley}/events/new`, {
    type: 'care.referral_decision', 'at-day': '4', 'at-month': '6', 'at-year': '2024', 'atTime': '15:00', 'details.outcome': 'assessment',
    summary: 'Child and family assessment: allocated to the adolescent safeguarding team.', alert: moved.id, submission: submissionOf(decisionForm.body),
  });
  assert.equal(decided.statusCode, 302, decided.body);
  const [resolved] = await referralAlerts();
  assert.equal(resolved.status, 'resolved');
  // the school is told a decision was made (Working Together 2023), once, and without the child's name
  const told = await t.database.db.select().from(notifications).where(eq(notifications.alertId, `REFERRAL_DECIDED:${resolved.id}:education`));
  assert.equal(told.length, 1);
  assert.equal(told[0].agency, 'education');
  assert.doesNotMatch(`${told[0].subject} ${told[0].body}`, /Riley/);
  await sam.get(`/children/${riley}`);
  assert.equal((await t.database.db.select().from(notifications).where(eq(notifications.alertId, `REFERRAL_DECIDED:${resolved.id}:education`))).length, 1);
});

test('only social care are offered the decision, and another agency asking for it is told whose it is', async () => {
  const sue = await as('sue.school@test.reachable');
  const choice = await sue.get(`/children/${riley}/events/new`);
  assert.equal(choice.statusCode, 200);
  assert.doesNotMatch(choice.body, /value="care.referral_decision"/);
  const asked = await sue.get(`/children/${riley}/events/new?type=care.referral_decision`);
  assert.equal(asked.statusCode, 200);
  assert.match(asked.body, /Only children’s social care can record their decision on a referral|Only children&#39;s social care can record their decision on a referral|Only children's social care can record their decision on a referral/);
  assert.match(asked.body, /href="#type"/, 'the error summary links to the choice');
  const sent = await sue.post(`/children/${riley}/events/new`, { type: 'care.referral_decision', 'at-day': '4', 'at-month': '6', 'at-year': '2024', 'details.outcome': 'no_further_action' });
  assert.equal(sent.statusCode, 302);
  assert.equal(sent.headers.location, `/children/${riley}/events/new?type=care.referral_decision`);
  const sam = await as('sam.social@test.reachable');
  assert.match((await sam.get(`/children/${p.childId}/events/new`)).body, /value="care.referral_decision"/);
});
