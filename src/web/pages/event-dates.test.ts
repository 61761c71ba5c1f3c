// When something happened, on the record-event form, through the real server: dates the child's
// record rules out are refused on the form with every other problem, and nothing is written. Each
// case is a tester's: an interview dated while the child was still missing wiped the overdue alert;
// a bad date hid a bad time until the date was mended; a referral's decision dated the day before
// the referral showed "recorded" while the alert stayed open.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { and, count, eq } from 'drizzle-orm';
import { openTestApp, signedInVisitors, type Visitor } from '../../../test/support/app.ts';
import { makePartnership, type TestPartnership } from '../../../test/support/partnership.ts';
import { createChild } from '../../services/chronology-service.ts';
import { alerts, events } from '../../store/schema.ts';

let t: Awaited<ReturnType<typeof openTestApp>>;
let p: TestPartnership;
let as: (email: string) => Promise<Visitor>;
before(async () => {
  t = await openTestApp();
  p = await makePartnership(t.database.db);
  as = signedInVisitors(t.app, '/my-work');
});
after(() => t.close());

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
const unescapeHtml = (html: string) => html.replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&');
/** the GOV.UK error summary's links: [anchor, text] */
const problemsShown = (body: string) =>
  [...(/govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], unescapeHtml(m[2].trim())]);
const eventsOf = async (childId: string) => (await t.database.db.select({ n: count() }).from(events).where(eq(events.childId, childId)))[0].n;
const alertsOf = (childId: string, rule: string) => t.database.db.select().from(alerts).where(and(eq(alerts.childId, childId), eq(alerts.rule, rule)));

/** The form for a type (optionally from an alert), then sent: a browser's way, with the form's submission id. */
async function send(v: Visitor, childId: string, fields: Record<string, string>, alertId?: string) {
  const query = new URLSearchParams({ type: fields.type, ...(alertId ? { alert: alertId } : {}) });
  const form = await v.get(`/children/${childId}/events/new?${query}`);
  assert.equal(form.statusCode, 200);
  return v.post(`/children/${childId}/events/new`, { ...fields, ...(alertId ? { alert: alertId } : {}), submission: hidden(form.body, 'submission') });
}

test('a return home interview dated before the child came back is refused, and the overdue alert is kept', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Mia Missing', dateOfBirth: '2010-06-01' });
  const sam = await as('sam.social@test.reachable');
  const went = await send(sam, child.id, { type: 'missing.started', 'at-day': '10', 'at-month': '11', 'at-year': '2024', atTime: '20:00', 'details.episode': 'm6', summary: 'Not back from school' });
  assert.equal(went.statusCode, 302, JSON.stringify(problemsShown(went.body)));
  const back = await send(sam, child.id, { type: 'missing.returned', 'at-day': '12', 'at-month': '11', 'at-year': '2024', atTime: '12:00', 'details.episode': 'm6', summary: 'Came back to the care home' });
  assert.equal(back.statusCode, 302, JSON.stringify(problemsShown(back.body)));
  const [overdue] = await alertsOf(child.id, 'RHI_OVERDUE');
  assert.ok(overdue, 'the 72 hours have long passed: the interview is overdue');
  assert.equal(overdue.status, 'open');
  assert.equal(overdue.details.episode, 'm6');
  const before = await eventsOf(child.id);

  // while the child was still missing: the date is wrong
  const interview = { type: 'missing.rhi', 'details.episode': 'm6', 'details.outcome': 'completed', summary: 'Mia talked about where she stayed (rhi dated early)' };
  const missing = await send(sam, child.id, { ...interview, 'at-day': '11', 'at-month': '11', 'at-year': '2024', atTime: '09:00' }, overdue.id);
  assert.equal(missing.statusCode, 400, 'not recorded: dated before the child came back');
  assert.match(missing.body, /<title>Error: /);
  assert.deepEqual(problemsShown(missing.body), [['at-day', 'The date must be on or after the child came back, 12 November 2024 at 12:00pm']]);
  assert.match(missing.body, /id="at-error"/, 'by the field too');
  // what was typed is kept
  assert.match(missing.body, /name="at-day" type="text" value="11"/);
  assert.match(missing.body, /id="atTime" name="atTime" type="text" value="09:00"/);
  assert.match(missing.body, /<option value="m6" selected>/);
  assert.match(missing.body, /Mia talked about where she stayed \(rhi dated early\)<\/textarea>/);
  assert.equal(hidden(missing.body, 'alert'), overdue.id, 'still answering the alert');

  // the day the child came back, earlier than they did: the time is wrong
  const earlier = await send(sam, child.id, { ...interview, 'at-day': '12', 'at-month': '11', 'at-year': '2024', atTime: '11:59' }, overdue.id);
  assert.equal(earlier.statusCode, 400);
  assert.deepEqual(problemsShown(earlier.body), [['atTime', 'The time must be at or after the child came back, 12:00pm']]);
  assert.match(earlier.body, /id="atTime" name="atTime" type="text" value="11:59"/);

  assert.equal(await eventsOf(child.id), before, 'nothing written');
  const [kept] = await alertsOf(child.id, 'RHI_OVERDUE');
  assert.equal(kept.status, 'open', 'the overdue alert is not wiped');

  // after the child came back (late, as it was): recorded, and the alert resolved by it, not deleted
  const late = await send(sam, child.id, { ...interview, 'at-day': '18', 'at-month': '11', 'at-year': '2024', atTime: '10:00' }, overdue.id);
  assert.equal(late.statusCode, 302, JSON.stringify(problemsShown(late.body)));
  assert.equal(await eventsOf(child.id), before + 1);
  const [resolved] = await alertsOf(child.id, 'RHI_OVERDUE');
  assert.equal(resolved.id, overdue.id);
  assert.equal(resolved.status, 'resolved', 'a trace that the 72-hour duty was missed');
});

test('an interview at the moment the child came back, or on that day with no time given, is fine', async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Noor Returned', dateOfBirth: '2010-06-01' });
  const sam = await as('sam.social@test.reachable');
  for (const [type, day, time, episode] of [
    ['missing.started', '1', '20:00', 'n1'], ['missing.returned', '2', '12:00', 'n1'],
    ['missing.started', '5', '20:00', 'n2'], ['missing.returned', '6', '12:00', 'n2'],
  ]) {
    const sent = await send(sam, child.id, { type, 'at-day': day, 'at-month': '11', 'at-year': '2024', atTime: time, 'details.episode': episode });
    assert.equal(sent.statusCode, 302, JSON.stringify(problemsShown(sent.body)));
  }
  const onTheMinute = await send(sam, child.id, { type: 'missing.rhi', 'at-day': '2', 'at-month': '11', 'at-year': '2024', atTime: '12:00', 'details.episode': 'n1', 'details.outcome': 'completed' });
  assert.equal(onTheMinute.statusCode, 302, JSON.stringify(problemsShown(onTheMinute.body)));
  // a date alone is the whole day, as for the episode's start
  const thatDay = await send(sam, child.id, { type: 'missing.rhi', 'at-day': '6', 'at-month': '11', 'at-year': '2024', 'details.episode': 'n2', 'details.outcome': 'declined' });
  assert.equal(thatDay.statusCode, 302, JSON.stringify(problemsShown(thatDay.body)));
});

test('a bad date and a bad time are both shown at once, each on its field, and nothing is written', async () => {
  const sam = await as('sam.social@test.reachable');
  const before = await eventsOf(p.childId);
  const sent = await send(sam, p.childId, { type: 'care.referral', 'at-day': '12', 'at-month': '13', 'at-year': '2026', atTime: '25:61', summary: 'Referral from the youth offending team (bad date and time)' });
  assert.equal(sent.statusCode, 400);
  assert.deepEqual(problemsShown(sent.body), [
    ['at-day', 'The date it happened must be a real date'],
    ['atTime', 'Time must be a real time in 24-hour format, like 14:30'],
  ]);
  assert.match(sent.body, /id="at-error"/);
  assert.match(sent.body, /id="atTime-error"/);
  assert.match(sent.body, /name="at-month" type="text" value="13"/);
  assert.match(sent.body, /id="atTime" name="atTime" type="text" value="25:61"/);
  assert.match(sent.body, /Referral from the youth offending team \(bad date and time\)<\/textarea>/);
  // no date at all, and a bad time: both too
  const undated = await send(sam, p.childId, { type: 'care.referral', atTime: '7pm', summary: '(undated)' });
  assert.equal(undated.statusCode, 400);
  assert.deepEqual(problemsShown(undated.body), [
    ['at-day', 'Enter the date it happened'],
    ['atTime', 'Time must be a real time in 24-hour format, like 14:30'],
  ]);
  assert.equal(await eventsOf(p.childId), before, 'nothing written');
});

test("a decision on a referral dated before the referral is refused on the date field, and the referral's alert stays open", async () => {
  const child = await createChild(t.database.db, p.socialWorker, { name: 'Reece Referred', dateOfBirth: '2010-06-01' });
  const sam = await as('sam.social@test.reachable');
  const referred = await send(sam, child.id, { type: 'care.referral', 'at-day': '25', 'at-month': '11', 'at-year': '2024', atTime: '10:30', summary: 'Referral by the duty social worker: seen with older males at the station' });
  assert.equal(referred.statusCode, 302, JSON.stringify(problemsShown(referred.body)));
  const [due] = await alertsOf(child.id, 'REFERRAL_DECISION_DUE');
  assert.ok(due, 'a decision is asked for');
  assert.equal(due.status, 'open');
  const before = await eventsOf(child.id);

  const decision = { type: 'care.referral_decision', 'details.outcome': 'assessment', summary: 'Child and family assessment (decided early)' };
  const early = await send(sam, child.id, { ...decision, 'at-day': '24', 'at-month': '11', 'at-year': '2024', atTime: '15:00' }, due.id);
  assert.equal(early.statusCode, 400, 'not "recorded" while the alert stays open');
  assert.match(early.body, /<title>Error: /);
  assert.deepEqual(problemsShown(early.body), [['at-day', 'The date must be on or after the referral, 25 November 2024']]);
  assert.match(early.body, /id="at-error"/);
  assert.match(early.body, /name="at-day" type="text" value="24"/);
  assert.match(early.body, /id="atTime" name="atTime" type="text" value="15:00"/);
  assert.match(early.body, /Child and family assessment \(decided early\)<\/textarea>/);
  assert.equal(hidden(early.body, 'alert'), due.id);
  // with the other problems, all at once
  const alsoEmpty = await send(sam, child.id, { type: 'care.referral_decision', 'at-day': '24', 'at-month': '11', 'at-year': '2024' }, due.id);
  assert.equal(alsoEmpty.statusCode, 400);
  const shown = problemsShown(alsoEmpty.body);
  assert.deepEqual(shown[0], ['at-day', 'The date must be on or after the referral, 25 November 2024']);
  assert.ok(shown.some(([href]) => href === 'details-outcome'), JSON.stringify(shown));
  assert.equal(await eventsOf(child.id), before, 'nothing written');
  assert.equal((await alertsOf(child.id, 'REFERRAL_DECISION_DUE'))[0].status, 'open');
  // the alert's other answer, a strategy discussion, is held to the referral too
  const discussion = await send(sam, child.id, { type: 'care.strategy_discussion', 'at-day': '24', 'at-month': '11', 'at-year': '2024', atTime: '15:00' }, due.id);
  assert.equal(discussion.statusCode, 400);
  assert.deepEqual(problemsShown(discussion.body)[0], ['at-day', 'The date must be on or after the referral, 25 November 2024']);
  assert.equal(await eventsOf(child.id), before, 'nothing written');

  // the referral's day: decided, and the alert resolved
  const decided = await send(sam, child.id, { ...decision, 'at-day': '25', 'at-month': '11', 'at-year': '2024', atTime: '15:00' }, due.id);
  assert.equal(decided.statusCode, 302, JSON.stringify(problemsShown(decided.body)));
  assert.equal(await eventsOf(child.id), before + 1);
  assert.equal((await alertsOf(child.id, 'REFERRAL_DECISION_DUE'))[0].status, 'resolved');
});
